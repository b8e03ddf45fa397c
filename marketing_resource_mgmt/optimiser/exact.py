# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The whole problem handed to HiGHS (through scipy): the LP relaxation
(its optimum is the bound every plan is measured against, its duals are the
shadow prices) and the exact MILP for instances that fit."""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from .compiled import NO_CAP
from .problem import CONTACT_CAP, CONTACT_CHANNEL_CAP, OptimiserInputError, _lt


@dataclass
class LPResult:
    """The LP relaxation's optimum.

    :ivar objective: its value (an upper bound of every plan's objective)
    :ivar lam: dual price of each global row (>= 0, in the row's "at most"
        form, see Compiled.sense)
    :ivar local_price: ``{(kind, key): price}`` of the caps per person (sum
        of their rows' duals: one more contact allowed to every person)
    :ivar x: the fractional optimum
    """

    objective: float
    lam: np.ndarray
    local_price: dict = field(default_factory=dict)
    x: np.ndarray | None = None
    seconds: float = 0.0


def build_rows(cp):
    """Every row in "at most" form: ``A @ x <= b``; returns (A, b, n_global,
    local_blocks) where local_blocks lists ``(kind, key, row slice)``."""
    n = cp.n
    blocks = [sp.diags(cp.sense) @ cp.G] if cp.m else []
    rhs = [cp.sense * cp.limit] if cp.m else []
    local = []
    start = cp.m
    # one row per person with a cap (their own: the uniform cap lowered by
    # what the contact policy still allows them), and per capped (person,
    # channel)
    if cp.contact_cap is not None:
        people = np.flatnonzero(cp.contact_cap < NO_CAP)
        if people.size:
            blocks.append(_group_rows(cp.cid, people, cp.n_contacts, n))
            rhs.append(cp.contact_cap[people].astype(np.float64))
            local.append((CONTACT_CAP, None, slice(start, start + people.size)))
            start += people.size
    if cp.has_channel_caps:
        capped = cp.cc_cap < NO_CAP
        for c in np.unique(cp.cc_channel[capped]).tolist():
            groups = np.flatnonzero(capped & (cp.cc_channel == c))
            blocks.append(_group_rows(cp.ccid, groups, cp.n_cc, n))
            rhs.append(cp.cc_cap[groups].astype(np.float64))
            local.append((CONTACT_CHANNEL_CAP, c, slice(start, start + groups.size)))
            start += groups.size
    if not blocks:
        return sp.csr_matrix((0, n)), np.zeros(0), 0, local
    return sp.vstack(blocks, format="csr"), np.concatenate(rhs), cp.m, local


def _group_rows(group_of, groups, n_groups, n):
    """One "sum of the group's items" row per group in ``groups``."""
    pos = np.full(n_groups, -1)
    pos[groups] = np.arange(groups.size)
    items = np.flatnonzero(pos[group_of] >= 0)
    return sp.csr_matrix(
        (np.ones(items.size), (pos[group_of[items]], items)),
        shape=(groups.size, n),
    )


def infeasible_error(cp):
    """The error when HiGHS finds no plan at all: the minimum volumes are
    the only rows an empty plan breaks, so they are what cannot be met."""
    offers = [cp.problem.label("offer", r.key) for r in cp.rows if r.sense < 0]
    if offers:
        return OptimiserInputError(
            _lt(
                "No plan meets every constraint together: the minimum volumes "
                "of the offers %(offers)s cannot be reached within the budgets, "
                "the capacities and the contact policy. Lower the minimum "
                "volumes or raise the limits."
            ),
            offers=", ".join(offers),
        )
    return OptimiserInputError(_lt("No plan meets every constraint together."))


def lp_relaxation(cp, time_limit=None, method="highs"):
    """Solve the LP relaxation of the compiled problem with HiGHS.

    :param method: scipy's "highs" (HiGHS chooses, the dual simplex here),
        or "highs-ipm" (interior point: faster on the whole 1,000,000-column
        LP of the benchmark)

    :raise OptimiserInputError: when it is infeasible
    :return: LPResult
    """
    import time

    t0 = time.perf_counter()
    A, b, m, local = build_rows(cp)
    if cp.n == 0:
        return LPResult(0.0, np.zeros(cp.m), {}, np.zeros(0))
    options = {"presolve": True}
    if time_limit:
        options["time_limit"] = float(time_limit)
    res = linprog(
        -cp.profit,
        A_ub=A if A.shape[0] else None,
        b_ub=b if A.shape[0] else None,
        bounds=(0, 1),
        method=method,
        options=options,
    )
    if res.status == 2:
        raise infeasible_error(cp)
    if res.status == 1:
        raise TimeoutError(f"LP relaxation not solved in time: {res.message}")
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"LP relaxation not solved: {res.message}")
    duals = -res.ineqlin.marginals if A.shape[0] else np.zeros(0)
    duals = np.maximum(duals, 0.0)
    local_price = {(kind, key): float(duals[s].sum()) for kind, key, s in local}
    return LPResult(
        float(-res.fun), duals[:m], local_price, res.x, time.perf_counter() - t0
    )


def solve_milp(cp, gap=0.0, time_limit=None):
    """Solve the compiled problem exactly (within ``gap``) with HiGHS.

    :return: (x bool mask, dual bound, status message)
    """
    A, b, _m, _local = build_rows(cp)
    if cp.n == 0:
        return np.zeros(0, dtype=bool), 0.0, "empty"
    options = {"mip_rel_gap": float(gap), "disp": False}
    if time_limit:
        options["time_limit"] = float(time_limit)
    constraints = [LinearConstraint(A, -np.inf, b)] if A.shape[0] else []
    res = milp(
        -cp.profit,
        integrality=np.ones(cp.n),
        bounds=Bounds(0, 1),
        constraints=constraints,
        options=options,
    )
    if res.status == 2:
        raise infeasible_error(cp)
    if res.x is None:
        raise TimeoutError(f"MILP found no plan: {res.message}")
    bound = getattr(res, "mip_dual_bound", None)
    bound = -bound if bound is not None and np.isfinite(bound) else None
    return res.x > 0.5, bound, res.message
