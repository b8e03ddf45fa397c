#!/usr/bin/env python3
"""Audience generation: 500,000 campaign members from a segment.

    tests/bench/run.sh bench_audience.py --db mrm_bench_m [--members 500000]

Three ways to create the same rows, in one transaction rolled back at the end:

- **ours**: ``utm.campaign._generate_members()`` on a running e-mail campaign
  whose segment matches ``--members`` contacts (the whole generation: members,
  consent exclusions, idempotence check, the e-mail list);
- **floor**: a bare ``INSERT ... SELECT`` of the same (campaign, contact,
  channel, token) rows from the segment's query, nothing else;
- **ORM**: ``marketing.campaign.member.create()`` of ``--orm-sample`` rows,
  extrapolated linearly to ``--members`` (labelled "extrapolated").

Targets: < 15 s and within 3 times the floor.
"""

import common

TARGET_S = 15
TARGET_FLOOR_RATIO = 3


def make_segment(env, members):
    """A segment matching ``members`` contacts: persons with an e-mail, the
    first ones by id (the cut-off is computed so the count is exact)."""
    cr = env.cr
    cr.execute(
        """
        SELECT max(id) FROM (
            SELECT id FROM res_partner
             WHERE active AND NOT is_company
               AND email IS NOT NULL AND email_normalized IS NOT NULL
             ORDER BY id LIMIT %s) x
        """,
        [members],
    )
    cutoff = cr.fetchone()[0]
    domain = [("is_company", "=", False), ("email", "!=", False), ("id", "<=", cutoff)]
    return env["marketing.segment"].create(
        {"name": f"Bench audience {members}", "domain": repr(domain)}
    )


def make_campaign(env, segment, label):
    campaign = env["utm.campaign"].create(
        {
            "name": f"Bench audience {label} {segment.id}",
            "segment_ids": [(6, 0, segment.ids)],
        }
    )
    values = {"state": "running", "use_email": True}
    for name in ("use_call", "use_mail"):
        if name in campaign._fields:
            values[name] = False
    campaign.write(values)
    return campaign


def floor_insert(env, campaign, segment):
    """The bare INSERT ... SELECT of the same rows; return (seconds, rows)."""
    from odoo.tools import SQL

    env.flush_all()
    query = SQL(
        """
        INSERT INTO marketing_campaign_member (
            campaign_id, partner_id, channel, state, access_token, date_targeted,
            company_id, active, create_uid, create_date, write_uid, write_date)
        SELECT %(campaign)s, a.id, 'email', 'targeted',
               encode(gen_random_bytes(24), 'hex'), now() AT TIME ZONE 'UTC',
               %(company)s, TRUE, %(uid)s, now() AT TIME ZONE 'UTC',
               %(uid)s, now() AT TIME ZONE 'UTC'
          FROM (%(audience)s) a
        """,
        campaign=campaign.id,
        company=campaign.company_id.id or env.company.id,
        uid=env.uid,
        audience=segment._get_partner_query(None),
    )
    common.print_plan(env.cr, "floor INSERT ... SELECT", query)
    with common.Stopwatch() as sw:
        env.cr.execute(query)
    return sw.seconds, env.cr.rowcount


def orm_create(env, campaign, segment, sample):
    partner_ids = segment._get_partner_ids(None)[:sample]
    Member = env["marketing.campaign.member"]
    vals = [
        {"campaign_id": campaign.id, "partner_id": pid, "channel": "email"}
        for pid in partner_ids
    ]
    with common.Stopwatch() as sw:
        Member.create(vals)
        env.flush_all()
    return sw.seconds, len(vals)


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--members", type=int, default=500_000)
    p.add_argument("--orm-sample", type=int, default=5_000)
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    try:
        segment = make_segment(env, args.members)
        ours_campaign = make_campaign(env, segment, "ours")
        env.flush_all()
        print(
            f"[audience] segment matches {args.members:,} contacts; generating ...",
            flush=True,
        )
        with common.capture_queries(env.cr) as captured, common.Stopwatch() as sw:
            counts = ours_campaign._generate_members()
            env.flush_all()
        ours_rows = sum(counts.get(ours_campaign.id, {}).values())
        ours_s = sw.seconds
        print(
            (
                f"[audience] ours: {ours_rows:,} members in "
                f"{ours_s:.2f} s ({len(captured)} queries)"
            ),
            flush=True,
        )
        common.print_hot_plans(env.cr, captured, top=4)

        floor_campaign = make_campaign(env, segment, "floor")
        floor_s, floor_rows = floor_insert(env, floor_campaign, segment)
        print(f"[audience] floor: {floor_rows:,} rows in {floor_s:.2f} s", flush=True)

        orm_campaign = make_campaign(env, segment, "orm")
        orm_s, orm_rows = orm_create(env, orm_campaign, segment, args.orm_sample)
        orm_extrapolated = orm_s * args.members / max(orm_rows, 1)
        print(
            f"[audience] ORM: {orm_rows:,} rows in "
            f"{orm_s:.2f} s -> {orm_extrapolated:.0f} s for "
            f"{args.members:,} (extrapolated)",
            flush=True,
        )
        met = (
            ours_s < TARGET_S
            and ours_s <= TARGET_FLOOR_RATIO * floor_s
            and ours_rows == args.members
        )
        results = [
            common.Result(
                "Audience generation vs ORM create",
                size,
                ours_s,
                orm_extrapolated,
                "s",
                f"< {TARGET_S} s",
                met,
                higher_is_better=False,
                note=(
                    f"{ours_rows:,} members; ORM figure extrapolated "
                    f"from {orm_rows:,} rows ({orm_s:.1f} s)"
                ),
            ),
            common.Result(
                "Audience generation vs INSERT ... SELECT floor",
                size,
                ours_s,
                floor_s,
                "s",
                f"<= {TARGET_FLOOR_RATIO}x floor",
                ours_s <= TARGET_FLOOR_RATIO * floor_s,
                higher_is_better=False,
                note=(
                    f"floor {floor_rows:,} rows; the target is met when ours "
                    f"is at most {TARGET_FLOOR_RATIO}x slower than the floor"
                ),
            ),
        ]
        common.print_table(results)
        common.save("audience", results)
    finally:
        env.cr.rollback()
        env.cr.close()


if __name__ == "__main__":
    main()
