#!/usr/bin/env python3
"""Routing 100,000 unassigned leads through 50 rules (some fuzzy) and 200
assignees, against Odoo's own assignment on 16,000 of the same leads.

    tests/bench/run.sh bench_routing.py --db mrm_bench_m \
        [--leads 100000] [--odoo-leads 16000] [--budget 600] [--profile]

``--odoo-leads 0`` skips the baseline; ``--profile`` runs ours under cProfile
and prints the Python functions by own and cumulative time, and the
statements by total time (the figure is then the profiled one).

1. ``--leads`` new unassigned leads with messy UK data are created (COPY);
2. **baseline**: Odoo's ``crm.team._action_assign_leads`` (untouched, see
   bench_odoo_assign.py) assigns the first ``--odoo-leads`` of them, stopped
   after ``--budget`` seconds if it has not finished;
3. those leads are put back as they were (unassigned, no team, stage New);
4. **ours**: ``crm.routing.rule._route_leads`` routes all ``--leads`` through
   50 rules: 10 normalised-county rules, 10 similar-city rules (pg_trgm),
   10 postcode-prefix rules, 10 phone-area-code rules and 10 plain-domain
   rules, round robin / weighted / least loaded, 4 assignees each (the
   generator's 200 salespeople), and a fallback pool rule;
5. the leads, the rules and what routing wrote are removed.

Targets: >= 5,000 leads/s, and >= 50 times Odoo's leads per second.
"""

import cProfile
import io
import pstats
import random
import sys

import common
from bench_odoo_assign import run_odoo_assignment

TARGET_LEADS_PER_S = 5_000
TARGET_RATIO = 50
STRATEGIES = ["round_robin", "weighted", "least_loaded"]


def bench_users(env, count=200):
    """The generator's salespeople (``bench.sales.NNN``)."""
    users = env["res.users"].search([("login", "like", "bench.sales.%")], order="id")
    if len(users) < count:
        sys.exit("the generator's salespeople are missing: run data/generate.sh")
    return users[:count]


def make_rules(env, users, n_rules=50, per_rule=4, seed=5):
    """``n_rules`` rules, a fifth of each kind (normalised county, similar
    city, postcode prefix, phone prefix, plain domain), ``per_rule`` of
    ``users`` each (cyclically), plus a fallback pool rule."""
    import messy

    rng = random.Random(seed)
    counties = list(messy.COUNTIES)
    rules_vals = []
    per_kind = max(1, n_rules // 5)
    for i in range(n_rules):
        county = counties[i % len(counties)]
        kind = min(i // per_kind, 4)
        if kind == 0:
            criteria = [
                {"field_name": "street2", "operator": "normalized", "value": county[0]}
            ]
            label = f"county is {county[0]}"
        elif kind == 1:
            town = county[3][0]
            criteria = [
                {
                    "field_name": "city",
                    "operator": "similar",
                    "value": town,
                    "threshold": 0.6,
                }
            ]
            label = f"city similar to {town}"
        elif kind == 2:
            criteria = [
                {
                    "field_name": "zip",
                    "operator": "prefix",
                    "value": ",".join(county[1]),
                }
            ]
            label = f"postcode in {', '.join(county[1])}"
        elif kind == 3:
            criteria = [
                {
                    "field_name": "phone",
                    "operator": "prefix",
                    "value": ",".join(county[2]),
                }
            ]
            label = f"phone area {', '.join(county[2])}"
        else:
            criteria = [
                {"field_name": "priority", "operator": "=", "value": str(i % 4)},
                {
                    "field_name": "expected_revenue",
                    "operator": ">=",
                    "value": str(rng.randint(5, 45) * 1000),
                },
            ]
            label = "priority and revenue"
        strategy = STRATEGIES[i % 3]
        assignees = [
            {
                "user_id": user.id,
                "weight": rng.choice([1, 2, 3]),
                "capacity": 100_000,
            }
            for user in (
                users[(i * per_rule + k) % len(users)] for k in range(per_rule)
            )
        ]
        rules_vals.append(
            {
                "name": f"Bench rule {i:02d}: {label}",
                "sequence": i,
                "strategy": strategy,
                "criterion_ids": [(0, 0, c) for c in criteria],
                "assignee_ids": [(0, 0, a) for a in assignees],
            }
        )
    rules_vals.append(
        {
            "name": "Bench fallback pool",
            "sequence": 1000,
            "strategy": "pool",
            "is_fallback": True,
            "assignee_ids": [(0, 0, {"user_id": users[0].id, "capacity": 100_000})],
        }
    )
    return env["crm.routing.rule"].create(rules_vals)


def reset_leads(env, lead_ids):
    """Put leads back as generated: unassigned, no team, lead stage New."""
    env.flush_all()
    env.cr.execute("SELECT id FROM crm_stage ORDER BY sequence, id LIMIT 1")
    stage = env.cr.fetchone()[0]
    env.cr.execute(
        """
        UPDATE crm_lead SET user_id = NULL, team_id = NULL, type = 'lead',
               stage_id = %s,
               date_open = NULL, date_conversion = NULL, probability = 10, active = TRUE
         WHERE id = ANY(%s)
        """,
        [stage, lead_ids],
    )
    env.cr.execute(
        "DELETE FROM mail_followers WHERE res_model = 'crm.lead' AND res_id = ANY(%s)",
        [lead_ids],
    )
    env.invalidate_all()


def cleanup(env, source_ids, rules_ids):
    """Remove the benchmark's leads (their routing log and assignment history
    go with them, ondelete cascade) and rules."""
    env.cr.rollback()
    env.invalidate_all()
    common.delete_bench_leads(env, source_ids)
    if rules_ids:
        env.cr.execute("DELETE FROM crm_routing_rule WHERE id = ANY(%s)", [rules_ids])
    env.cr.commit()


def print_profile(profile, captured, top=35):
    """The profiled run: statements by total time, Python by own and
    cumulative time."""
    in_sql = sum(seconds for seconds, _q, _p in captured)
    print(f"[routing] profile: {len(captured)} statements, {in_sql:.1f} s in them")
    for seconds, query, _params in sorted(captured, key=lambda c: -c[0])[:12]:
        text = " ".join(str(getattr(query, "code", query)).split())
        print(f"  {seconds:7.2f} s  {text[:110]}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--leads", type=int, default=100_000)
    p.add_argument("--odoo-leads", type=int, default=16_000)
    p.add_argument("--profile", action="store_true", help="cProfile our run")
    p.add_argument(
        "--budget",
        type=float,
        default=600.0,
        help="stop Odoo's assignment after this many seconds",
    )
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    source = common.bench_source(env, " (routing)")
    common.delete_bench_leads(env, source.ids)
    env.cr.commit()
    rules_ids = []
    try:
        lead_ids = common.make_bench_leads(env, args.leads, source, seed=9)
        env.cr.commit()
        print(f"[routing] {len(lead_ids):,} new unassigned leads", flush=True)

        # ---- baseline: Odoo on the first --odoo-leads of the same leads
        odoo_ids = lead_ids[: args.odoo_leads]
        others = lead_ids[args.odoo_leads :]
        # park the others under another source while Odoo runs (its teams
        # take one source)
        parked = common.bench_source(env, " (routing, parked)")
        env.cr.execute(
            "UPDATE crm_lead SET source_id = %s WHERE id = ANY(%s)", [parked.id, others]
        )
        env.cr.commit()
        print(
            f"[routing] baseline: Odoo's assignment on {len(odoo_ids):,} of them ...",
            flush=True,
        )
        odoo = (
            run_odoo_assignment(env, source, odoo_ids, args.budget)
            if odoo_ids
            else {"complete": True, "assigned": 0, "seconds": 0, "leads_per_s": 0}
        )
        label = (
            ""
            if odoo["complete"]
            else f" (stopped after {args.budget:.0f} s: the leads it finished)"
        )
        print(
            f"[routing] Odoo: {odoo['assigned']:,} leads in {odoo['seconds']:.1f} s = "
            f"{odoo['leads_per_s']:.1f} leads/s{label}",
            flush=True,
        )
        if odoo_ids:
            reset_leads(env, odoo_ids)
        env.cr.execute(
            "UPDATE crm_lead SET source_id = %s WHERE id = ANY(%s)", [source.id, others]
        )
        env.cr.commit()

        # ---- ours
        rules = make_rules(env, bench_users(env))
        rules_ids = rules.ids
        env.cr.commit()
        Rule = env["crm.routing.rule"]
        print(
            (
                f"[routing] ours: {len(lead_ids):,} leads "
                f"through {len(rules) - 1} rules + fallback ..."
            ),
            flush=True,
        )
        profile = cProfile.Profile() if args.profile else None
        with common.capture_queries(env.cr) as captured, common.Stopwatch() as sw:
            if profile:
                profile.enable()
            stats = Rule._route_leads(lead_ids, rules=rules)
            env.flush_all()
            if profile:
                profile.disable()
        routed = stats["routed"] + stats["pooled"] + stats["fallback"]
        ours_lps = len(lead_ids) / sw.seconds
        print(
            (
                f"[routing] ours: {len(lead_ids):,} leads in "
                f"{sw.seconds:.2f} s = {ours_lps:,.0f} leads/s "
                f"(by a rule {stats['routed']:,}, pooled "
                f"{stats['pooled']:,}, fallback {stats['fallback']:,}, "
                f"waiting {stats['waiting']:,}, unrouted "
                f"{stats['unrouted']:,}; {len(captured)} queries)"
            ),
            flush=True,
        )
        common.print_hot_plans(env.cr, captured, top=4)
        if profile:
            print_profile(profile, captured)
        env.cr.execute(
            "SELECT count(*) FROM crm_lead WHERE id = ANY(%s) "
            "AND (user_id IS NOT NULL OR routing_state = 'pool')",
            [lead_ids],
        )
        print(
            "[routing] leads with a salesperson or in a "
            f"pool after the run: {env.cr.fetchone()[0]:,}"
        )
        env.cr.commit()
        ratio = ours_lps / odoo["leads_per_s"] if odoo["leads_per_s"] else None
        results = [
            common.Result(
                "Lead routing (100k leads, 50 rules, 200 assignees)",
                size,
                ours_lps,
                odoo["leads_per_s"],
                "leads/s",
                f">= {TARGET_LEADS_PER_S:,}/s and >= {TARGET_RATIO}x Odoo",
                ours_lps >= TARGET_LEADS_PER_S and (ratio or 0) >= TARGET_RATIO,
                note=(
                    f"ours {len(lead_ids):,} leads in "
                    f"{sw.seconds:.1f} s ({routed:,} placed); Odoo "
                    f"{odoo['assigned']:,} of {len(odoo_ids):,} "
                    f"leads in {odoo['seconds']:.1f} s{label}"
                ),
            )
        ]
        common.print_table(results)
        common.save(
            "routing",
            results,
            {
                "odoo": odoo,
                "ours": {k: v for k, v in stats.items() if k != "decisions"},
            },
        )
    finally:
        parked = env["utm.source"].search(
            [("name", "=", f"{common.BENCH_SOURCE} (routing, parked)")]
        )
        cleanup(env, source.ids + parked.ids, rules_ids)
        env.cr.close()


if __name__ == "__main__":
    main()
