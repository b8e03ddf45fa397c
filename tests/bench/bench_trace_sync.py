#!/usr/bin/env python3
"""Trace sync: mailing traces -> campaign members, in full and incrementally.

    tests/bench/run.sh bench_trace_sync.py --db mrm_w12a [--traces 1000000]
        [--campaigns 1000] [--new-traces 10000]

Generates its own data in one transaction (rolled back at the end), on any
database with the addons installed: ``--campaigns`` campaigns, two mailings
each (a first mailing and a follow-on), one e-mail member per contact and
campaign, and ``--traces`` mailing traces spread over them (delivered 96 %,
of which opened 30 %, clicked 8 %, replied 2 %; bounced 3 %; errors 1 %),
written two days ago. Then:

- **full sync** (ours): ``marketing.campaign.member._sync_traces(full=True)``,
  two set-based statements over every trace;
- **ORM read** (baseline): the same figures read through Odoo's ORM, a
  ``mailing.trace`` ``read_group`` per (campaign, address) with the first
  date of each result, folded in Python to the members' states; it only
  reads (no member is written), and its states are checked equal to ours;
- **incremental sync** (ours): ``--new-traces`` new traces (a follow-on's
  results arriving: sent, opened, clicked) written now, then
  ``_sync_traces()``; baseline: the same ``read_group`` restricted to the
  traces written since the last sync;
- **full again** (ours): the daily full sync once members are up to date
  (every trace read and folded, no member written).

Run it with ``--commit`` on a throw-away copy of a database
(``createdb -T mrm_w12a mrm_w12a_bench``): see the option's help.

Targets (issue 12): full < 30 s on 1,000,000 traces and 1,000 campaigns,
incremental < 1 s after 10,000 new traces.
"""

import random

import common

TARGET_FULL_S = 30
TARGET_INCREMENTAL_S = 1
# share of traces by result (see the docstring)
RESULTS = (
    ("reply", 0.02 * 0.96),
    ("click", 0.06 * 0.96),
    ("open", 0.22 * 0.96),
    ("sent", 0.70 * 0.96),
    ("bounce", 0.03),
    ("error", 0.01),
)


def _clone_sql(cr, table, overrides):
    """An ``INSERT INTO table (...) SELECT ...`` that copies a template row
    (alias ``tpl``) with ``overrides`` {column: SQL expression}, for any
    NOT NULL column the addons installed may have added."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    cols = [c for (c,) in cr.fetchall()]
    select = ", ".join(overrides.get(c, f'tpl."{c}"') for c in cols)
    names = ", ".join(f'"{c}"' for c in cols)
    return f"INSERT INTO {table} ({names}) SELECT {select}"


def build_world(env, traces, campaigns=1000, mailings=2, seed=12, label="bench"):
    """Campaigns, contacts, e-mail members and ``traces`` traces, in SQL.

    :return: dict with campaign ids, mailing ids per campaign, counts
    """
    rnd = random.Random(seed)
    cr = env.cr
    per_campaign = max(1, traces // (campaigns * mailings))
    # each contact is in 5 campaigns (a realistic overlap of audiences)
    n_partners = max(per_campaign, campaigns * per_campaign // 5)
    Campaign = env["utm.campaign"]
    camp_recs = Campaign.create(
        [{"name": f"Trace {label} {i}", "state": "running"} for i in range(campaigns)]
    )
    tpl_mailing = env["mailing.mailing"].create(
        {
            "subject": f"Trace {label}",
            "mailing_type": "mail",
            "campaign_id": camp_recs[0].id,
            "body_html": "<p>Hello</p>",
        }
    )
    tpl_partner = env["res.partner"].create(
        {"name": f"Trace {label} template", "email": f"tpl.{label}@bench.example"}
    )
    env.flush_all()
    # mailings: ``mailings`` per campaign, copies of the template
    cr.execute(
        _clone_sql(
            cr,
            "mailing_mailing",
            {
                "campaign_id": "c.id",
                "subject": "tpl.subject || ' ' || c.id || '/' || k",
            },
        )
        + " FROM mailing_mailing tpl, unnest(%s::int[]) c(id),"
        " generate_series(1, %s) k WHERE tpl.id = %s RETURNING id, campaign_id",
        [camp_recs.ids, mailings, tpl_mailing.id],
    )
    by_campaign = {}
    for mid, cid in cr.fetchall():
        by_campaign.setdefault(cid, []).append(mid)
    # contacts with distinct addresses
    cr.execute(
        _clone_sql(
            cr,
            "res_partner",
            {
                "name": f"'Trace {label} ' || g",
                "email": f"'trace.{label}.' || g || '@bench.example'",
                "email_normalized": f"'trace.{label}.' || g || '@bench.example'",
                "complete_name": f"'Trace {label} ' || g",
            },
        )
        + " FROM res_partner tpl, generate_series(1, %s) g WHERE tpl.id = %s"
        " RETURNING id",
        [n_partners, tpl_partner.id],
    )
    partner_ids = sorted(r[0] for r in cr.fetchall())
    # members: campaign i takes per_campaign contacts starting at a stride
    cr.execute(
        """
        INSERT INTO marketing_campaign_member (
            campaign_id, partner_id, channel, state, access_token, date_targeted,
            company_id, active, generation_batch, create_date, write_date)
        SELECT c.id, (%(partners)s::int[])[1 + mod(c.n * %(stride)s + k, %(np)s)],
               'email', 'targeted', md5(c.id || '-' || k), now() AT TIME ZONE 'UTC',
               %(company)s, TRUE, 1, now() AT TIME ZONE 'UTC',
               now() AT TIME ZONE 'UTC'
          FROM unnest(%(campaigns)s::int[]) WITH ORDINALITY c(id, n),
               generate_series(0, %(per)s - 1) k
        ON CONFLICT DO NOTHING
        """,
        {
            "partners": partner_ids,
            "stride": max(1, n_partners // campaigns),
            "np": n_partners,
            "company": env.company.id,
            "campaigns": camp_recs.ids,
            "per": per_campaign,
        },
    )
    members = cr.rowcount
    # traces: one per member and mailing, results drawn with fixed odds
    cumulative, total = [], 0.0
    for result, share in RESULTS:
        total += share
        cumulative.append((total, result))
    cr.execute("SELECT setseed(%s)", [rnd.random() * 2 - 1])
    n = insert_traces(cr, traces, cumulative, by_campaign, "2 days")
    return {
        "campaigns": camp_recs.ids,
        "mailings": by_campaign,
        "members": members,
        "traces": n,
        "partners": n_partners,
        "partner_ids": partner_ids + [tpl_partner.id],
        "cumulative": cumulative,
    }


def insert_traces(cr, limit, cumulative, by_campaign, age, only_results=None):
    """Insert up to ``limit`` traces for the members of the campaigns'
    mailings (one per member and mailing), written ``age`` ago."""
    cases = " ".join(
        f"WHEN x.r < {bound} THEN '{result}'"
        for bound, result in cumulative
        if not only_results or result in only_results
    )
    mailing_rows = [(cid, mid) for cid, mids in by_campaign.items() for mid in mids]
    cr.execute(
        f"""
        WITH mm(campaign_id, mailing_id) AS (
            SELECT * FROM unnest(%(c)s::int[], %(m)s::int[])
        ), x AS (
            SELECT mm.campaign_id, mm.mailing_id, p.email_normalized AS email,
                   p.id AS partner_id, random() AS r,
                   (now() AT TIME ZONE 'UTC') - %(age)s::interval
                       - (random() * interval '1 hour') AS ts
              FROM mm
              JOIN marketing_campaign_member m ON m.campaign_id = mm.campaign_id
              JOIN res_partner p ON p.id = m.partner_id
             WHERE NOT EXISTS (SELECT 1 FROM mailing_trace t
                                WHERE t.mass_mailing_id = mm.mailing_id
                                  AND t.email = p.email_normalized)
             LIMIT %(limit)s
        ), y AS (
            SELECT x.*, CASE {cases} ELSE 'sent' END AS result FROM x
        )
        INSERT INTO mailing_trace (
            trace_type, model, res_id, email, mass_mailing_id, campaign_id,
            trace_status, sent_datetime, open_datetime, links_click_datetime,
            reply_datetime, create_uid, create_date, write_uid, write_date)
        SELECT 'mail', 'mailing.contact', y.partner_id, y.email, y.mailing_id,
               y.campaign_id,
               CASE y.result WHEN 'click' THEN 'open' ELSE y.result END,
               CASE WHEN y.result NOT IN ('error') THEN y.ts END,
               CASE WHEN y.result IN ('open', 'click', 'reply')
                    THEN y.ts + interval '1 hour' END,
               CASE WHEN y.result = 'click' THEN y.ts + interval '2 hours' END,
               CASE WHEN y.result = 'reply' THEN y.ts + interval '3 hours' END,
               1, y.ts, 1, y.ts + interval '3 hours'
          FROM y
        """,
        {
            "c": [r[0] for r in mailing_rows],
            "m": [r[1] for r in mailing_rows],
            "age": age,
            "limit": limit,
        },
    )
    return cr.rowcount


def orm_member_states(env, domain):
    """The baseline: the figures through the ORM (read_group on
    mailing.trace), folded in Python to {(campaign id, address): state}."""
    from odoo.addons.marketing_resource_mgmt.kpi_rules import TRACE_RANKS

    groups = env["mailing.trace"]._read_group(
        domain,
        ["campaign_id", "email", "trace_status"],
        ["sent_datetime:min", "links_click_datetime:min", "open_datetime:min"],
    )
    ranks = {}
    for campaign, address, status, _sent, click, opened in groups:
        rank = {
            "reply": TRACE_RANKS["replied"],
            "bounce": TRACE_RANKS["bounced"],
            "open": TRACE_RANKS["opened"],
            "sent": TRACE_RANKS["sent"],
            "pending": TRACE_RANKS["sent"],
        }.get(status, 0)
        if click:
            rank = max(rank, TRACE_RANKS["clicked"])
        if opened:
            rank = max(rank, TRACE_RANKS["opened"])
        key = (campaign.id, address)
        ranks[key] = max(ranks.get(key, 0), rank)
    names = {r: s for s, r in TRACE_RANKS.items() if s != "contacted"}
    return {key: names[rank] for key, rank in ranks.items() if rank}


def sql_member_states(cr, campaign_ids):
    cr.execute(
        """SELECT m.campaign_id, p.email_normalized, m.state
             FROM marketing_campaign_member m
             JOIN res_partner p ON p.id = m.partner_id
            WHERE m.campaign_id = ANY(%s) AND m.state != 'targeted'""",
        [campaign_ids],
    )
    return {(c, e): s for c, e, s in cr.fetchall()}


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--traces", type=int, default=200_000)
    p.add_argument("--campaigns", type=int, default=1000)
    p.add_argument("--new-traces", type=int, default=10_000)
    p.add_argument(
        "--commit",
        action="store_true",
        help="commit the generated data before measuring (then delete it): "
        "rows written by the measuring transaction itself make PostgreSQL "
        "re-check every foreign key of an updated row, which production "
        "never pays; use on a throw-away copy of a database",
    )
    p.add_argument(
        "--keep",
        action="store_true",
        help="with --commit: leave the data in place (deleting it takes "
        "minutes at 1,000,000 traces: drop the throw-away copy instead)",
    )
    args = p.parse_args()
    env = common.open_env(args.db)
    size = f"{args.traces:,} traces"
    Member = env["marketing.campaign.member"]
    results = []
    world = None
    try:
        with common.Stopwatch() as sw:
            world = build_world(env, args.traces, args.campaigns)
        print(
            f"[trace sync] built {world['traces']:,} traces, {world['members']:,} "
            f"members, {world['partners']:,} contacts, {len(world['campaigns']):,} "
            f"campaigns in {sw.seconds:.1f} s",
            flush=True,
        )
        if args.commit:
            env.cr.commit()
        env.cr.execute("ANALYZE mailing_trace")
        env.cr.execute("ANALYZE marketing_campaign_member")
        env.cr.execute("ANALYZE res_partner")
        env.invalidate_all()
        with common.capture_queries(env.cr) as captured, common.Stopwatch() as full:
            out = Member._sync_traces(full=True)
        print(f"[trace sync] full: {out['members']:,} members in {full.seconds:.2f} s")
        common.print_hot_plans(env.cr, captured, top=2)
        domain = [("campaign_id", "in", world["campaigns"])]
        with common.Stopwatch() as orm:
            orm_states = orm_member_states(env, domain)
        print(f"[trace sync] ORM read_group + fold: {orm.seconds:.2f} s")
        ours = sql_member_states(env.cr, world["campaigns"])
        assert ours == orm_states, "the ORM figures and the sync's differ"
        results.append(
            common.Result(
                "Trace sync, full (ours) vs ORM read_group (reads only)",
                size,
                full.seconds,
                orm.seconds,
                "s",
                f"< {TARGET_FULL_S} s",
                full.seconds < TARGET_FULL_S,
                higher_is_better=False,
                note=f"{out['members']:,} members moved; states equal to the ORM's",
            )
        )
        # incremental: a follow-on mailing's results arrive now
        env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        since = env.cr.fetchone()[0]
        env.cr.execute(
            _clone_sql(env.cr, "mailing_mailing", {"subject": "tpl.subject || ' f'"})
            + " FROM mailing_mailing tpl WHERE tpl.id = ANY(%s)"
            " RETURNING id, campaign_id",
            [[mids[0] for mids in world["mailings"].values()]],
        )
        follow_ons = {}
        for mid, cid in env.cr.fetchall():
            follow_ons.setdefault(cid, []).append(mid)
        new = insert_traces(
            env.cr, args.new_traces, world["cumulative"], follow_ons, "0 seconds"
        )
        env.cr.execute(
            "UPDATE mailing_trace SET write_date = clock_timestamp() AT TIME ZONE 'UTC'"
            " WHERE mass_mailing_id = ANY(%s)",
            [[m for mids in follow_ons.values() for m in mids]],
        )
        env.invalidate_all()
        with common.capture_queries(env.cr) as captured, common.Stopwatch() as inc:
            out = Member._sync_traces()
        print(
            f"[trace sync] incremental after {new:,} new traces: "
            f"{out['members']:,} members in {inc.seconds:.3f} s"
        )
        common.print_hot_plans(env.cr, captured, top=2)
        with common.Stopwatch() as orm_inc:
            orm_member_states(env, domain + [("write_date", ">=", since)])
        results.append(
            common.Result(
                f"Trace sync, incremental after {new:,} new traces vs ORM read_group",
                size,
                inc.seconds,
                orm_inc.seconds,
                "s",
                f"< {TARGET_INCREMENTAL_S} s",
                inc.seconds < TARGET_INCREMENTAL_S,
                higher_is_better=False,
                note=f"{out['members']:,} members moved",
            )
        )
        # the daily full sync in steady state: every trace read, nothing moves
        env.invalidate_all()
        with common.Stopwatch() as again:
            out = Member._sync_traces(full=True)
        print(
            f"[trace sync] full again: {out['members']:,} members",
            f"in {again.seconds:.2f} s",
        )
        results.append(
            common.Result(
                "Trace sync, full again (daily job, nothing to move) vs ORM read_group",
                size,
                again.seconds,
                orm.seconds,
                "s",
                f"< {TARGET_FULL_S} s",
                again.seconds < TARGET_FULL_S,
                higher_is_better=False,
                note=f"{out['members']:,} members moved",
            )
        )
        common.print_table(results)
        common.save("trace_sync", results)
    finally:
        env.cr.rollback()
        if args.commit and world and not args.keep:
            delete_world(env, world)
            env.cr.commit()
        env.cr.close()


def delete_world(env, world):
    """Delete what build_world committed (campaigns with their members,
    mailings with their traces, contacts)."""
    cr = env.cr
    mailing_ids = [m for mids in world["mailings"].values() for m in mids]
    cr.execute(
        "DELETE FROM mailing_mailing WHERE id = ANY(%s) OR campaign_id = ANY(%s)",
        [mailing_ids, world["campaigns"]],
    )
    cr.execute("DELETE FROM utm_campaign WHERE id = ANY(%s)", [world["campaigns"]])
    cr.execute(
        "DELETE FROM res_partner WHERE id = ANY(%s)", [world.get("partner_ids", [])]
    )


if __name__ == "__main__":
    main()
