#!/usr/bin/env python3
"""Audience generation: 500,000 campaign members from a segment.

    tests/bench/run.sh bench_audience.py --db mrm_bench_m [--members 500000]

Four ways to create the same audience, in one transaction rolled back at
the end:

- **ours**: ``utm.campaign._generate_members()`` on a running e-mail campaign
  whose segment matches ``--members`` contacts (the whole generation: members,
  consent exclusions, idempotence check, the draft mailing on the members);
- **before** (the way of 18.0.1.0.1, the baseline): the same generation of
  the members, then their copy into mass mailing's tables as the campaign's
  mailing list (``mailing.contact`` per address, ``mailing.subscription``
  per contact): its SQL is kept here, ``EMAIL_LIST_SQL``;
- **floor**: a bare ``INSERT ... SELECT`` of the same (campaign, contact,
  channel, token) rows from the segment's query, nothing else;
- **ORM**: ``marketing.campaign.member.create()`` of ``--orm-sample`` rows,
  extrapolated linearly to ``--members`` (labelled "extrapolated").

It also times what the mailing on the members costs when it is opened and
sent: its recipient count (the form's figure) and its opt-out list, read
whole and as Odoo's composer asks for it during a sending (once per batch
of 50 e-mails: read once for the sending, then each batch's addresses).

Targets: < 15 s and within 3 times the floor.

``--profile`` runs none of these: it generates the audience once with the
member ``INSERT`` under ``EXPLAIN (ANALYZE, BUFFERS)`` and prints its plan
nodes, its buffers and the time of each trigger (foreign-key checks, the
statement-level marking triggers), then rolls back. Run it on compacted
tables (``VACUUM (FULL, ANALYZE) marketing_campaign_member``), as the
measuring runs.
"""

import common

# The e-mail list of 18.0.1.0.1 (utm.campaign._generate_email_list), the
# baseline: one row per normalised address of the new members, the mailing
# contacts they already have, new contacts for the others, one subscription
# per contact.
EMAIL_LIST_SQL = """
    WITH src AS (
        SELECT DISTINCT ON (p.email_normalized)
               p.name, p.email, p.email_normalized, p.country_id,
               c.name AS company_name
          FROM marketing_campaign_member m
          JOIN res_partner p ON p.id = m.partner_id
          LEFT JOIN res_partner c
                 ON c.id = p.commercial_partner_id AND c.id != p.id
         WHERE m.campaign_id = %(campaign)s AND m.generation_batch = %(batch)s
           AND m.channel = 'email'
         ORDER BY p.email_normalized, m.id
    ), known AS (
        SELECT DISTINCT ON (mc.email_normalized) mc.id
          FROM mailing_contact mc
         WHERE mc.email_normalized IN (SELECT email_normalized FROM src)
         ORDER BY mc.email_normalized, mc.id
    ), created AS (
        INSERT INTO mailing_contact (
            name, email, email_normalized, country_id, company_name,
            message_bounce, create_uid, create_date, write_uid, write_date)
        SELECT src.name, src.email, src.email_normalized, src.country_id,
               src.company_name, 0,
               %(uid)s, now() AT TIME ZONE 'UTC',
               %(uid)s, now() AT TIME ZONE 'UTC'
          FROM src
         WHERE NOT EXISTS (
               SELECT 1 FROM mailing_contact mc
                WHERE mc.email_normalized = src.email_normalized)
        RETURNING id
    )
    INSERT INTO mailing_subscription (
        contact_id, list_id, opt_out,
        create_uid, create_date, write_uid, write_date)
    SELECT c.id, %(list)s, FALSE,
           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM (SELECT id FROM created UNION ALL SELECT id FROM known) c
    ON CONFLICT (contact_id, list_id) DO NOTHING
"""
# the index 18.0.1.0.1 kept on mailing contacts for that statement
EMAIL_LIST_INDEX = (
    "CREATE INDEX IF NOT EXISTS mailing_contact__email_normalized_index "
    "ON mailing_contact (email_normalized)"
)

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
            company_id, active, create_date, write_date)
        SELECT %(campaign)s, a.id, 'email', 'targeted',
               encode(gen_random_bytes(24), 'hex'), now() AT TIME ZONE 'UTC',
               %(company)s, TRUE, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM (%(audience)s) a
        """,
        campaign=campaign.id,
        company=campaign.company_id.id or env.company.id,
        audience=segment._get_partner_query(None),
    )
    common.print_plan(env.cr, "floor INSERT ... SELECT", query)
    with common.Stopwatch() as sw:
        env.cr.execute(query)
    return sw.seconds, env.cr.rowcount


def before_generation(env, campaign):
    """The generation of 18.0.1.0.1: the members (the same code as ours),
    then their copy into the campaign's mailing list; return (seconds,
    members, list rows, seconds of the list alone)."""
    from odoo.tools import SQL

    env.cr.execute(EMAIL_LIST_INDEX)
    env.flush_all()
    with common.Stopwatch() as sw:
        counts = campaign._generate_members()
        env.flush_all()
        # as 18.0.1.0.1 ran it: inside the generation's planner settings
        with common.Stopwatch() as sw_list, campaign._generation_settings():
            mailing_list = env["mailing.list"].create(
                {"name": f"{campaign.code} {campaign.title}", "is_public": False}
            )
            env.flush_all()
            env.cr.execute(
                SQL(
                    EMAIL_LIST_SQL,
                    campaign=campaign.id,
                    batch=1,
                    list=mailing_list.id,
                    uid=env.uid,
                )
            )
            rows = env.cr.rowcount
    members = sum(counts.get(campaign.id, {}).values())
    return sw.seconds, members, rows, sw_list.seconds


def mailing_costs(env, campaign):
    """Seconds of the mailing's recipient count and opt-out list."""
    mailing = campaign.mailing_id
    with common.Stopwatch() as sw_total:
        total = mailing.total
    with common.Stopwatch() as sw_opt:
        opt_out = env["marketing.campaign.member"]._mailing_get_opt_out_list(mailing)
    return total, sw_total.seconds, len(opt_out), sw_opt.seconds


def opt_out_per_batch(env, mailing, batches=20, size=50):
    """The opt-out list as Odoo's composer asks for it during a sending:
    once per batch of ``size`` e-mails, within the sending's context (the
    mailing's ``_get_mass_mailing_context()``), each batch naming its
    members. :return: (seconds of the first batch, median seconds of the
    others, number of batches of the whole sending)"""
    import statistics

    from odoo.addons.marketing_resource_mgmt.models import (
        marketing_campaign_member_trace as trace_model,
    )

    Member = env["marketing.campaign.member"]
    domain = Member._mailing_get_default_domain(mailing)
    ids = Member.search(domain, limit=batches * size, order="id").ids
    total = Member.search_count(domain)
    sending = Member.with_context(**mailing._get_mass_mailing_context())
    times = []
    for start in range(0, len(ids), size):
        batch = tuple(ids[start : start + size])
        with common.Stopwatch() as sw:
            sending.with_context(
                **{trace_model.OPT_OUT_BATCH: batch}
            )._mailing_get_opt_out_list(mailing)
        times.append(sw.seconds)
    return times[0], statistics.median(times[1:]), -(-total // size)


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


def profile(env, segment):
    """Generate the audience of a new campaign with each member INSERT run
    under EXPLAIN (ANALYZE, BUFFERS); print its nodes and triggers."""
    from odoo.tools import SQL

    campaign = make_campaign(env, segment, "profile")
    env.flush_all()
    cr = env.cr
    original = cr.execute
    plans = []

    def execute(query, params=None, log_exceptions=True):
        code = query.code if isinstance(query, SQL) else str(query)
        if code.lstrip().startswith("INSERT INTO marketing_campaign_member"):
            if isinstance(query, SQL):
                query, params = query.code, query.params
            query = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query
            result = original(query, params, log_exceptions)
            plans.append(cr.fetchone()[0][0])
            return result
        return original(query, params, log_exceptions)

    cr.execute = execute
    try:
        with common.Stopwatch() as sw:
            campaign._generate_members()
            env.flush_all()
    finally:
        del cr.execute
    print(f"[audience] profile: generation in {sw.seconds:.2f} s", flush=True)
    for explained in plans:
        plan = explained["Plan"]
        print(
            f"  member INSERT: {explained['Execution Time'] / 1000:.2f} s "
            f"(planning {explained['Planning Time']:.0f} ms)",
            flush=True,
        )
        for depth, node in common.plan_nodes(plan):
            target = node.get("Relation Name") or ""
            if node.get("Index Name"):
                target += f" using {node['Index Name']}"
            print(
                f"  {'  ' * depth}{node['Node Type']} {target} "
                f"rows={node.get('Actual Rows', 0):,} x{node.get('Actual Loops', 1)} "
                f"total={node.get('Actual Total Time', 0) / 1000:.2f} s "
                f"hit={node.get('Shared Hit Blocks', 0):,} "
                f"read={node.get('Shared Read Blocks', 0):,} "
                f"dirtied={node.get('Shared Dirtied Blocks', 0):,} "
                f"written={node.get('Shared Written Blocks', 0):,} "
                f"temp={node.get('Temp Written Blocks', 0):,}",
                flush=True,
            )
        triggers = sorted(
            explained.get("Triggers", ()), key=lambda t: t["Time"], reverse=True
        )
        total = sum(t["Time"] for t in triggers) / 1000
        print(f"  triggers: {total:.2f} s in all", flush=True)
        for trigger in triggers:
            print(
                f"    {trigger['Time'] / 1000:6.2f} s  {trigger['Calls']:>9,} calls  "
                f"{trigger['Trigger Name']}",
                flush=True,
            )


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--members", type=int, default=500_000)
    p.add_argument("--orm-sample", type=int, default=5_000)
    p.add_argument(
        "--profile",
        action="store_true",
        help="only profile the member INSERT (EXPLAIN ANALYZE, triggers)",
    )
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    try:
        segment = make_segment(env, args.members)
        if args.profile:
            profile(env, segment)
            return
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

        total, total_s, opt_out, opt_out_s = mailing_costs(env, ours_campaign)
        print(
            f"[audience] the mailing on the members: {total:,} recipients "
            f"counted in {total_s:.2f} s, opt-out list ({opt_out:,} addresses) "
            f"in {opt_out_s:.2f} s",
            flush=True,
        )

        first_s, other_s, batches = opt_out_per_batch(env, ours_campaign.mailing_id)
        print(
            f"[audience] a sending asks for the opt-out list once per batch of 50 "
            f"({batches:,} batches): first batch {first_s:.2f} s (the one read), "
            f"then {other_s * 1000:.1f} ms a batch; the whole sending "
            f"{first_s + (batches - 1) * other_s:.1f} s, read per batch "
            f"(before) {batches * opt_out_s:,.0f} s",
            flush=True,
        )

        before_campaign = make_campaign(env, segment, "before")
        before_s, before_rows, list_rows, list_s = before_generation(
            env, before_campaign
        )
        print(
            f"[audience] before (members + mailing list): {before_rows:,} members "
            f"in {before_s:.2f} s, of which the list ({list_rows:,} "
            f"subscriptions) {list_s:.2f} s",
            flush=True,
        )

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
                "Audience generation vs the mailing-list copy (18.0.1.0.1)",
                size,
                ours_s,
                before_s,
                "s",
                f"< {TARGET_S} s",
                met,
                higher_is_better=False,
                note=(
                    f"{ours_rows:,} members; before: {before_rows:,} members "
                    f"and {list_rows:,} list subscriptions ({list_s:.1f} s)"
                ),
            ),
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
