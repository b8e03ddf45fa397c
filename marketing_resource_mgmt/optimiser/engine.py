# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``solve()``: the exact MILP when the instance is small, the Lagrangian
decomposition when it is large; both report the LP (or dual) bound, the gap
and the shadow prices."""

import time

import numpy as np

from .compiled import Compiled
from .exact import lp_relaxation, solve_milp
from .lagrangian import local_prices, solve_lagrangian
from .solution import make_solution

# above this many candidates (after dropping the unprofitable ones) solve()
# decomposes instead of handing the MILP to HiGHS: HiGHS needs seconds to
# tens of seconds for 5,000 to 20,000 candidates on this (loaded) machine,
# while the decomposition's gap is already well below 0.5 % from about
# 100,000 candidates (tests/bench/bench_optimiser.py)
EXACT_MAX_CANDIDATES = 20_000
# in "auto", the MILP's time at most (seconds) when the caller sets none: it
# then returns its best plan so far with its bound (or, with none found,
# the decomposition runs)
MILP_TIME_LIMIT = 60
METHODS = ("auto", "milp", "lagrangian")


def _shadow(cp, lam, local):
    shadow = {}
    for j, row in enumerate(cp.rows):
        shadow[(row.kind, row.key)] = float(row.sense * lam[j])
    shadow.update(local)
    return shadow


def solve(problem, gap=0.005, time_limit=None, method="auto", seed=0):
    """Choose the candidates that maximise expected value - cost.

    :param problem: a Problem
    :param gap: relative gap to the bound at which to stop (0.005 = 0.5 %)
    :param time_limit: seconds (None: no limit); the best plan found so far
        is returned when it runs out
    :param method: "auto" (MILP up to EXACT_MAX_CANDIDATES candidates, else
        the decomposition), "milp" or "lagrangian"
    :param seed: seed of the sample the decomposition starts from
    :raise OptimiserInputError: when no plan meets every constraint
    :raise TimeoutError: method "milp" found no plan within ``time_limit``
        ("auto" decomposes instead)
    :return: Solution
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    t0 = time.perf_counter()
    cp = Compiled(problem)
    auto = method == "auto"
    if auto:
        method = "milp" if cp.n <= EXACT_MAX_CANDIDATES else "lagrangian"
    if method == "milp":
        limit = time_limit or (MILP_TIME_LIMIT if auto else None)
        try:
            lp = lp_relaxation(cp, time_limit=limit)
            if limit:
                limit = max(limit - (time.perf_counter() - t0), 1.0)
            x, dual_bound, message = solve_milp(cp, gap=gap, time_limit=limit)
        except TimeoutError:
            if not auto:
                raise
            method = "lagrangian"  # no plan in time: decompose instead
        else:
            bound = lp.objective
            if dual_bound is not None:
                bound = min(bound, dual_bound)
            shadow = _shadow(cp, lp.lam, lp.local_price)
            info = {
                "lp_bound": lp.objective,
                "bound_source": "MILP dual bound",
                "status": str(message),
            }
    if method == "lagrangian":
        remaining = None
        if time_limit:
            remaining = max(time_limit - (time.perf_counter() - t0), 1.0)
        x, bound, lam, info = solve_lagrangian(
            cp, gap=gap, time_limit=remaining, seed=seed
        )
        r = info.pop("r")
        shadow = _shadow(cp, lam, local_prices(cp, r))
    chosen = np.zeros(problem.size, dtype=bool)
    chosen[cp.index[x]] = True
    info["candidates_kept"] = int(cp.n)
    return make_solution(
        problem, chosen, method, time.perf_counter() - t0, bound, shadow, info
    )


def lp_bound(problem, time_limit=None, lp_method="highs-ipm"):
    """The LP relaxation's bound of the whole problem with HiGHS (for the
    benchmark and for checking a plan), and its solve time.

    :return: (bound, seconds)
    """
    t0 = time.perf_counter()
    lp = lp_relaxation(Compiled(problem), time_limit=time_limit, method=lp_method)
    return lp.objective, time.perf_counter() - t0
