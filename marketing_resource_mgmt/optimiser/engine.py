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
# decomposes instead of handing the MILP to HiGHS: HiGHS proves optimality
# of 50,000 candidates in a few seconds on this machine, while the
# decomposition's gap is already far below 0.5 % there (tests/bench)
EXACT_MAX_CANDIDATES = 50_000
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
    :return: Solution
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    t0 = time.perf_counter()
    cp = Compiled(problem)
    if method == "auto":
        method = "milp" if cp.n <= EXACT_MAX_CANDIDATES else "lagrangian"
    if method == "milp":
        lp = lp_relaxation(cp, time_limit=time_limit)
        remaining = None
        if time_limit:
            remaining = max(time_limit - (time.perf_counter() - t0), 1.0)
        x, dual_bound, message = solve_milp(cp, gap=gap, time_limit=remaining)
        bound = lp.objective
        if dual_bound is not None:
            bound = min(bound, dual_bound)
        shadow = _shadow(cp, lp.lam, lp.local_price)
        info = {
            "lp_bound": lp.objective,
            "bound_source": "MILP dual bound",
            "status": str(message),
        }
    else:
        x, bound, lam, info = solve_lagrangian(
            cp, gap=gap, time_limit=time_limit, seed=seed
        )
        r = info.pop("r")
        shadow = _shadow(cp, lam, local_prices(cp, r))
    chosen = np.zeros(problem.size, dtype=bool)
    chosen[cp.index[x]] = True
    info["candidates_kept"] = int(cp.n)
    return make_solution(
        problem, chosen, method, time.perf_counter() - t0, bound, shadow, info
    )


def lp_bound(problem, time_limit=None):
    """The LP relaxation's bound of the whole problem with HiGHS (for the
    benchmark and for checking a plan), and its solve time.

    :return: (bound, seconds)
    """
    t0 = time.perf_counter()
    lp = lp_relaxation(Compiled(problem), time_limit=time_limit)
    return lp.objective, time.perf_counter() - t0
