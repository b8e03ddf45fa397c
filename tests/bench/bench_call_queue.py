#!/usr/bin/env python3
"""Call queue: "next call" latency with 20 concurrent callers on a
50,000-member call list, against Odoo's plain ORM way (search + write).

    tests/bench/run.sh bench_call_queue.py --db mrm_bench_s \
        [--members 50000] [--callers 20] [--calls 50]

1. a running campaign with ``--callers`` callers and ``--members`` call
   members (contacts and members created with COPY-sized INSERT ... SELECT);
2. **ours**: ``--callers`` threads, each with its own cursor and user, take
   ``--calls`` calls each through ``marketing.campaign.member._take_next_call``
   (``FOR UPDATE SKIP LOCKED`` on the queue's partial index), one transaction
   per call, retrying serialisation failures; every call's latency is
   measured (take + commit);
3. **baseline**: the same callers on a fresh queue with the ORM's own way:
   ``search(domain, order=..., limit=1)`` then ``write`` of the lease, no row
   lock; its latency, and how many members it gave to two callers;
4. everything the benchmark created is removed.

Target: p95 of "next call" under 100 ms.
"""

import statistics
import threading
import time
from datetime import timedelta

import common

TARGET_P95_MS = 100


def make_fixture(env, members, callers, commit=True):
    """A running campaign, its callers and ``members`` call members."""
    cr = env.cr
    users = env["res.users"].search(
        [("share", "=", False), ("active", "=", True)], limit=callers, order="id"
    )
    if len(users) < callers:
        users |= (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {"name": f"Bench caller {i}", "login": f"bench_caller_{i}"}
                    for i in range(callers - len(users))
                ]
            )
        )
    group = env.ref("marketing_resource_mgmt.group_marketing_user")
    group.sudo().write({"users": [(4, u.id) for u in users]})
    campaign = env["utm.campaign"].create(
        {
            "title": "Bench call queue",
            "user_id": users[0].id,
            "call_hour_from": 0,
            "call_hour_to": 24,
            "team_ids": [
                (0, 0, {"user_id": u.id, "role": "caller", "makes_calls": True})
                for u in users
            ],
        }
    )
    campaign.state = "running"
    env.flush_all()
    cr.execute(
        """
        WITH p AS (
            INSERT INTO res_partner (name, complete_name, phone, active, type,
                                     is_company, autopost_bills,
                                     create_date, write_date)
            SELECT 'Bench callee ' || g, 'Bench callee ' || g,
                   '+44 113 ' || lpad(g::text, 7, '0'),
                   TRUE, 'contact', FALSE, 'ask', now(), now()
              FROM generate_series(1, %s) g
            RETURNING id)
        INSERT INTO marketing_campaign_member (
            campaign_id, partner_id, channel, state, active, company_id,
            user_id, access_token, date_targeted, create_date, write_date)
        SELECT %s, p.id, 'call', 'targeted', TRUE, %s,
               (%s::int[])[1 + mod(p.id, %s)], md5(random()::text) || p.id,
               now(), now(), now()
          FROM p
        """,
        [members, campaign.id, campaign.company_id.id, users.ids, len(users)],
    )
    if commit:
        cr.execute("ANALYZE marketing_campaign_member")
        env.cr.commit()
    env["marketing.campaign.member"].invalidate_model()
    return campaign, users


def make_fixture_in_test(env, members, callers):
    """The same fixture inside a test transaction (not committed)."""
    return make_fixture(env, members, callers, commit=False)


def reset_queue(env, campaign):
    env.cr.execute(
        "UPDATE marketing_campaign_member SET call_next_at = NULL, "
        "call_taken_uid = NULL WHERE campaign_id = %s",
        [campaign.id],
    )
    env.cr.commit()


def cleanup(env, campaign_id):
    cr = env.cr
    cr.execute(
        "SELECT partner_id FROM marketing_campaign_member WHERE campaign_id = %s",
        [campaign_id],
    )
    partner_ids = [r[0] for r in cr.fetchall()]
    cr.execute(
        "DELETE FROM marketing_campaign_member WHERE campaign_id = %s", [campaign_id]
    )
    cr.execute(
        "DELETE FROM marketing_campaign_team WHERE campaign_id = %s", [campaign_id]
    )
    cr.execute("DELETE FROM utm_campaign WHERE id = %s", [campaign_id])
    cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [partner_ids])
    cr.commit()


def take_ours(env, campaign_id):
    return env["marketing.campaign.member"]._take_next_call(campaign_id).id


def take_orm(env, campaign_id):
    """Odoo's plain way: the first due member by search, then the lease."""
    from odoo import fields

    now = fields.Datetime.now()
    member = env["marketing.campaign.member"].search(
        [
            ("campaign_id", "=", campaign_id),
            ("channel", "=", "call"),
            ("call_done", "=", False),
            "|",
            ("call_next_at", "=", False),
            ("call_next_at", "<=", now),
        ],
        order="call_next_at asc nulls first, id",
        limit=1,
    )
    member.write(
        {"call_next_at": now + timedelta(minutes=30), "call_taken_uid": env.uid}
    )
    return member.id


def run_callers(registry, users, campaign_id, calls, take):
    """``len(users)`` threads with their own cursors take ``calls`` calls
    each; :return: (latencies in s, taken member ids, retries, errors)"""
    import psycopg2

    from odoo import api

    latencies, taken, errors = [], [], []
    retries = [0]
    barrier = threading.Barrier(len(users))
    lock = threading.Lock()

    def worker(uid):
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, {"tracking_disable": True})
                barrier.wait()
                for _i in range(calls):
                    t0 = time.perf_counter()
                    while True:
                        try:
                            member_id = take(env, campaign_id)
                            cr.commit()
                            break
                        except psycopg2.errors.SerializationFailure:
                            cr.rollback()
                            env.invalidate_all()
                            with lock:
                                retries[0] += 1
                    elapsed = time.perf_counter() - t0
                    with lock:
                        latencies.append(elapsed)
                        taken.append(member_id)
        except Exception as exc:  # noqa: BLE001  (reported after the run)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(u,)) for u in users.ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, taken, retries[0], errors


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--members", type=int, default=50_000)
    p.add_argument("--callers", type=int, default=20)
    p.add_argument("--calls", type=int, default=50)
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    campaign, users = make_fixture(env, args.members, args.callers)
    print(
        f"[call queue] {args.members:,} call members, {len(users)} callers, "
        f"{args.calls} calls each",
        flush=True,
    )
    try:
        from odoo import fields

        Member = env["marketing.campaign.member"].with_user(users[0])
        common.print_plan(
            env.cr,
            "next call",
            Member._next_call_sql(campaign, fields.Datetime.now()),
        )
        env.cr.rollback()
        results = {}
        for label, take in (("ours", take_ours), ("orm", take_orm)):
            reset_queue(env, campaign)
            lat, taken, retries, errors = run_callers(
                env.registry, users, campaign.id, args.calls, take
            )
            if errors:
                raise errors[0]
            doubles = len(taken) - len(set(taken))
            results[label] = {
                "p50": percentile(lat, 0.50) * 1000,
                "p95": percentile(lat, 0.95) * 1000,
                "max": max(lat) * 1000,
                "mean": statistics.mean(lat) * 1000,
                "calls": len(lat),
                "doubles": doubles,
                "retries": retries,
            }
            r = results[label]
            print(
                f"[call queue] {label}: {r['calls']} calls, p50 {r['p50']:.1f} ms, "
                f"p95 {r['p95']:.1f} ms, max {r['max']:.1f} ms, "
                f"{r['retries']} serialisation retries, "
                f"{r['doubles']} members given twice",
                flush=True,
            )
        ours, orm = results["ours"], results["orm"]
        table = [
            common.Result(
                f"Next call p95 ({len(users)} callers, {args.members:,} members)",
                size,
                ours["p95"],
                orm["p95"],
                "ms",
                f"< {TARGET_P95_MS} ms, no member twice",
                ours["p95"] < TARGET_P95_MS and ours["doubles"] == 0,
                higher_is_better=False,
                note=(
                    f"ours p50 {ours['p50']:.1f} ms, {ours['doubles']} doubles; "
                    f"ORM search+write p50 {orm['p50']:.1f} ms, "
                    f"{orm['doubles']} members given to two callers"
                ),
            )
        ]
        common.print_table(table)
        common.save("call_queue", table, {"details": results})
    finally:
        env.cr.rollback()
        cleanup(env, campaign.id)
        env.cr.close()


if __name__ == "__main__":
    main()
