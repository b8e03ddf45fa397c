#!/usr/bin/env python3
"""Twenty salespeople claiming from one pool of 10,000 leads at the same
time (threads, each with its own cursor; each claim its own transaction
run through Odoo's ``retrying``, as an RPC request is).

    tests/bench/run.sh bench_claims.py --db mrm_bench_s \
        [--leads 10000] [--claimers 20] [--claims 25]

Each claimer has a capacity of its current load + ``--claims``; it claims
until refused, so its last call must be refused ("capacity full"). The
figures: latency of the claims (p50, p95, max, retries included), claims
per second over the race, leads won twice (must be 0), claimers over
their capacity (must be 0). Target: p95 under 200 ms.
"""

import statistics
import sys
import threading
import time

import common

TARGET_P95_MS = 200


def bench_claimers(env, count):
    users = env["res.users"].search([("login", "like", "bench.sales.%")], order="id")
    if len(users) < count:
        sys.exit("the generator's salespeople are missing: run data/generate.sh")
    return users[:count]


def loads_of(env, users):
    env.cr.execute(
        "SELECT user_id, count(*) FROM crm_lead WHERE user_id = ANY(%s) AND active "
        "AND probability < 100 AND routing_date >= date_trunc('day', now() at time "
        "zone 'utc') GROUP BY user_id",
        [users.ids],
    )
    counts = dict(env.cr.fetchall())
    return {uid: counts.get(uid, 0) for uid in users.ids}


def claimer(registry, uid, barrier, timings, outcomes, attempts):
    """Claim until refused; record each claim's latency and each attempt
    (an attempt more than the claims: a retry after a serialisation
    failure)."""
    from odoo import api
    from odoo.exceptions import UserError
    from odoo.service.model import retrying

    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})

        def claim():
            attempts.append(uid)
            return env["crm.lead"].action_claim_next()

        barrier.wait()
        while True:
            t0 = time.perf_counter()
            try:
                action = retrying(claim, env)
            except UserError as exc:
                outcomes.append((uid, "refused", str(exc)))
                return
            except Exception as exc:  # reported in the summary
                outcomes.append((uid, "error", repr(exc)))
                return
            timings.append(time.perf_counter() - t0)
            outcomes.append((uid, "won", action["params"]["next"]["res_id"]))


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--leads", type=int, default=10_000)
    p.add_argument("--claimers", type=int, default=20)
    p.add_argument("--claims", type=int, default=25)
    args = p.parse_args()
    env = common.open_env(args.db, {"routing_skip": True})
    size = common.generated_size(env)
    source = common.bench_source(env, " (claims)")
    rule_id = None
    try:
        users = bench_claimers(env, args.claimers)
        loads = loads_of(env, users)
        rule = env["crm.routing.rule"].create(
            {
                "name": "Bench claims pool",
                "strategy": "pool",
                "domain": "[('id', '=', 0)]",  # routes nothing new
                "assignee_ids": [
                    (0, 0, {"user_id": uid, "capacity": load + args.claims})
                    for uid, load in loads.items()
                ],
            }
        )
        rule_id = rule.id
        lead_ids = common.make_bench_leads(env, args.leads, source, seed=11)
        env.cr.execute(
            "UPDATE crm_lead SET routing_state = 'pool', routing_rule_id = %s "
            "WHERE id = ANY(%s)",
            [rule.id, lead_ids],
        )
        env.cr.commit()
        print(
            f"[claims] {len(lead_ids):,} pool leads, {len(users)} claimers, "
            f"{args.claims} claims each",
            flush=True,
        )
        barrier = threading.Barrier(len(users))
        timings, outcomes, attempts = [], [], []
        threads = [
            threading.Thread(
                target=claimer,
                args=(env.registry, uid, barrier, timings, outcomes, attempts),
            )
            for uid in users.ids
        ]
        with common.Stopwatch() as sw:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        wins = [o for o in outcomes if o[1] == "won"]
        errors = [o for o in outcomes if o[1] == "error"]
        won_ids = [o[2] for o in wins]
        double = len(won_ids) - len(set(won_ids))
        env.cr.execute(
            "SELECT user_id, count(*) FROM crm_lead WHERE id = ANY(%s) "
            "AND user_id IS NOT NULL GROUP BY user_id",
            [lead_ids],
        )
        held = dict(env.cr.fetchall())
        over = {uid: n for uid, n in held.items() if n > args.claims}
        ms = sorted(t * 1000 for t in timings)
        p50 = statistics.median(ms) if ms else None
        p95 = ms[int(0.95 * (len(ms) - 1))] if ms else None
        rate = len(wins) / sw.seconds
        print(
            f"[claims] {len(wins):,} claims in {sw.seconds:.2f} s = {rate:,.1f}/s; "
            f"latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms; "
            f"won twice: {double}; over capacity: {len(over)}; errors: {len(errors)}; "
            f"retries after a serialisation failure: {len(attempts) - len(outcomes)}",
            flush=True,
        )
        for error in errors[:5]:
            print(f"  error: {error}")
        met = (
            p95 is not None
            and p95 < TARGET_P95_MS
            and not double
            and not over
            and not errors
            and len(wins) == args.claims * len(users)
        )
        results = [
            common.Result(
                f"Pool claims ({args.leads:,} leads, {len(users)} at once), p95",
                size,
                p95,
                None,
                "ms",
                f"p95 < {TARGET_P95_MS} ms, 0 double wins, capacity held",
                met,
                higher_is_better=False,
                note=(
                    f"p50 {p50:.0f} ms, max {ms[-1]:.0f} ms, {rate:,.1f} claims/s, "
                    f"{len(wins)} wins, {double} won twice, {len(over)} over "
                    "capacity"
                ),
            )
        ]
        common.print_table(results)
        common.save(
            "claims",
            results,
            {"p50_ms": p50, "p95_ms": p95, "max_ms": ms[-1], "claims_per_s": rate},
        )
    finally:
        env.cr.rollback()
        common.delete_bench_leads(env, source.ids)
        if rule_id:
            env.cr.execute("DELETE FROM crm_routing_rule WHERE id = %s", [rule_id])
        env.cr.commit()
        env.cr.close()


if __name__ == "__main__":
    main()
