#!/usr/bin/env python3
"""The campaign optimiser on 1,000,000 candidates, against greedy and
"everyone", and against the LP relaxation's bound.

    tests/bench/run.sh bench_optimiser.py [--contacts 200000] [--seed 13]
        [--lp-time-limit 900 | --no-lp]

No database: the instance is generated in numpy (seeded), like a month of
five offers in three campaigns over three channels:

- ``--contacts`` people (200,000), each reachable on a subset of the
  channels (e-mail 85 %, letter 70 %, phone 45 %, at least one), with five
  (offer, channel) candidates drawn from their offers x channels: 1,000,000
  candidates;
- acceptance probability = the offer's base rate x the channel's lift x the
  person's propensity (log-normal); expected value = probability x value
  per acceptance (40 to 500); cost per contact by channel (0.05 e-mail,
  1.10 letter, 4.50 phone, +-10 %);
- constraints that bind: a total budget, campaign 1's budget, the letter and
  phone capacities, a minimum volume for offer E and a maximum for offer A;
  the contact policy: at most 2 contacts per person, 1 call per person.

Then, each timed on its own:

1. **ours**: ``optimiser.solve(problem, gap=0.005)`` (the Lagrangian
   decomposition at this size), plus the input checks of ``Problem``;
2. **greedy**: by expected value - cost, take while everything allows;
3. **everyone**: today's generation (every candidate; the broken
   constraints are listed);
4. **the LP relaxation's bound**: the whole LP (1,000,000 columns, one row
   per person and per person on the phone) with HiGHS (interior point),
   stopped after ``--lp-time-limit`` seconds; when it does not finish, ours
   is measured against its own Lagrangian dual bound (the table says which).

Targets (issue 13): ours under 60 s on this 2-core machine, within 0.5 % of
the LP relaxation's bound.
"""

import argparse
import sys
import time

import common
import numpy as np

sys.path.insert(0, str(common.ROOT / "marketing_resource_mgmt"))

# the engine is plain Python: imported without Odoo
from optimiser import Problem, everyone, greedy, solve  # noqa: E402
from optimiser.compiled import Compiled  # noqa: E402
from optimiser.exact import lp_relaxation  # noqa: E402

TARGET_SECONDS = 60
TARGET_GAP = 0.005
OFFERS = ["A (voucher)", "B (upgrade)", "C (loan)", "D (insurance)", "E (mortgage)"]
CHANNELS = ["e-mail", "letter", "phone"]
CAMPAIGNS = ["Retention", "Cross-sell", "Mortgage"]


def make_problem(n_contacts, seed):
    """The seeded instance of the module docstring (limits scale with
    ``n_contacts``)."""
    return Problem(**make_arrays(n_contacts, seed))


def make_arrays(n_contacts, seed):
    """The arguments of :func:`make_problem`'s Problem."""
    rng = np.random.default_rng(seed)
    n_off, n_ch, per = 5, 3, 5
    consent = rng.random((n_contacts, n_ch)) < np.array([0.85, 0.70, 0.45])
    consent[~consent.any(axis=1), 0] = True
    # every (offer, channel) pair the person consented to, five drawn at random
    pair_ok = np.repeat(consent[:, None, :], n_off, axis=1).reshape(n_contacts, -1)
    keys = np.where(pair_ok, rng.random(pair_ok.shape), 2.0)
    pair = np.argsort(keys, axis=1)[:, :per].ravel()
    contact = np.repeat(np.arange(n_contacts), per)
    offer = pair // n_ch
    channel = pair % n_ch
    campaign = np.array([0, 0, 1, 1, 2])[offer]
    value_per_acceptance = np.array([40.0, 90.0, 150.0, 260.0, 500.0])[offer]
    base_rate = np.array([0.03, 0.02, 0.012, 0.008, 0.003])[offer]
    lift = np.array([1.0, 1.8, 4.0])[channel]
    propensity = rng.lognormal(0.0, 0.8, n_contacts)[contact]
    probability = np.clip(base_rate * lift * propensity, 0.0, 0.95)
    cost = np.array([0.05, 1.1, 4.5])[channel] * rng.uniform(0.9, 1.1, contact.size)
    k = n_contacts / 200_000
    return dict(
        contact=contact,
        offer=offer,
        channel=channel,
        campaign=campaign,
        value=probability * value_per_acceptance,
        cost=cost,
        probability=probability,
        budget_total=200_000 * k,
        budget_by_campaign={1: 50_000 * k},
        capacity_by_channel={1: 80_000 * k, 2: 20_000 * k},
        offer_min={4: 60_000 * k},
        offer_max={0: 15_000 * k},
        max_per_contact=2,
        max_per_contact_channel={2: 1},
        names={
            "offer": dict(enumerate(OFFERS)),
            "channel": dict(enumerate(CHANNELS)),
            "campaign": dict(enumerate(CAMPAIGNS)),
        },
    )


def full_lp_bound(problem, time_limit):
    """The LP relaxation's optimum with HiGHS, or None when it does not
    finish in ``time_limit`` seconds."""
    t0 = time.perf_counter()
    try:
        lp = lp_relaxation(Compiled(problem), time_limit=time_limit, method="highs-ipm")
    except TimeoutError as exc:
        print(f"  full LP: not solved in {time_limit:.0f} s ({exc})", flush=True)
        return None, time.perf_counter() - t0
    return lp.objective, time.perf_counter() - t0


def print_plans(plans, bound, bound_source):
    head = (
        "plan",
        "seconds",
        "objective",
        "of bound",
        "contacts",
        "responses",
        "cost",
        "broken",
    )
    rows = []
    for name, sol in plans:
        allp = sol.totals["all"]
        broken = [r.label for r in sol.constraints if r.violated]
        rows.append(
            (
                name,
                f"{sol.seconds:.1f}",
                f"{sol.objective:,.0f}",
                f"{100 * sol.objective / bound:.2f} %"
                if sol.feasible
                else "infeasible",
                f"{allp['count']:,}",
                f"{allp['responses']:,.0f}",
                f"{allp['cost']:,.0f}",
                f"{len(broken)}: " + ", ".join(broken) if broken else "-",
            )
        )
    rows.append(
        (bound_source, "", f"{bound:,.0f}", "100.00 %", "", "", "", ""),
    )
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    print("\n" + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--contacts", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--gap", type=float, default=TARGET_GAP)
    p.add_argument("--lp-time-limit", type=float, default=900)
    p.add_argument("--no-lp", action="store_true", help="skip the full LP")
    p.add_argument("--db", help="ignored (no database needed)")
    # run_all.py passes every benchmark the same extra options
    args, _others = p.parse_known_args()

    t0 = time.perf_counter()
    arrays = make_arrays(args.contacts, args.seed)
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    problem = Problem(**arrays)
    checks = time.perf_counter() - t0
    print(
        f"instance: {args.contacts:,} people, {problem.size:,} candidates, "
        f"generated in {generated:.1f} s, input checked in {checks:.1f} s",
        flush=True,
    )
    ours = solve(problem, gap=args.gap)
    print(
        f"  ours ({ours.method}): {ours.seconds:.1f} s, gap {100 * ours.gap:.3f} % "
        f"to the {ours.info.get('bound_source')} bound; {ours.info}",
        flush=True,
    )
    base_greedy = greedy(problem)
    print(f"  greedy: {base_greedy.seconds:.1f} s", flush=True)
    base_everyone = everyone(problem)

    bound, bound_source, lp_seconds = ours.bound, "Lagrangian dual bound", None
    if not args.no_lp:
        print(
            f"  full LP relaxation with HiGHS (at most {args.lp_time_limit:.0f} s)...",
            flush=True,
        )
        lp, lp_seconds = full_lp_bound(problem, args.lp_time_limit)
        if lp is not None:
            bound, bound_source = lp, "LP relaxation (HiGHS, full)"
            print(f"  full LP: {lp:,.2f} in {lp_seconds:.1f} s", flush=True)
    gap = (bound - ours.objective) / abs(bound)

    print_plans(
        [("ours", ours), ("greedy", base_greedy), ("everyone", base_everyone)],
        bound,
        bound_source,
    )
    print("\nconstraints of our plan:")
    for r in ours.constraints:
        print(
            f"  {r.label:<45} limit {r.limit:>12,.0f}  used {r.used:>12,.0f}  "
            f"shadow price {r.shadow_price:>12,.3f}  "
            f"{'binding' if r.binding else ''}"
        )

    seconds = ours.seconds + checks
    results = [
        common.Result(
            "optimiser 1M candidates",
            f"{problem.size:,}",
            seconds,
            None,
            "s",
            f"< {TARGET_SECONDS} s",
            seconds < TARGET_SECONDS,
            higher_is_better=False,
            note=f"solve {ours.seconds:.1f} s + input checks {checks:.1f} s",
        ),
        common.Result(
            "optimiser gap to bound",
            f"{problem.size:,}",
            100 * gap,
            None,
            "%",
            f"<= {100 * TARGET_GAP} % of the {bound_source}",
            gap <= TARGET_GAP,
            higher_is_better=False,
            note=(
                f"LP relaxation solved in {lp_seconds:.0f} s"
                if lp_seconds is not None and bound_source.startswith("LP")
                else "the full LP was not solved: the Lagrangian dual bound"
            ),
        ),
        common.Result(
            "optimiser objective",
            f"{problem.size:,}",
            ours.objective,
            None,
            "",
            "above greedy",
            ours.objective > base_greedy.objective,
            note=(
                f"greedy {base_greedy.objective:,.0f} "
                f"({100 * base_greedy.objective / bound:.2f} % of the bound); "
                f"everyone {base_everyone.objective:,.0f}, breaking "
                f"{sum(r.violated for r in base_everyone.constraints)} constraints"
            ),
        ),
    ]
    common.print_table(results)
    common.save(
        "optimiser",
        results,
        {
            "bound": bound,
            "bound_source": bound_source,
            "lp_seconds": lp_seconds,
            "ours": ours.to_dict(with_chosen=False),
            "greedy": base_greedy.to_dict(with_chosen=False),
            "everyone": base_everyone.to_dict(with_chosen=False),
        },
    )


if __name__ == "__main__":
    main()
