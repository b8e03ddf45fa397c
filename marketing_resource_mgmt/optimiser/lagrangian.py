# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Lagrangian decomposition for millions of candidates.

The few global rows (budgets, channel capacities, offer volumes) are priced
instead of enforced: with a price ``lam_j >= 0`` per row, each candidate's
*reduced profit* is ``profit_i - sum_j sense_j * lam_j * coef_ij`` and each
person is solved on their own (the best candidates by reduced profit under
their caps, :meth:`Compiled.local_choice`). For any prices,

    L(lam) = sum over people of their best reduced profit
             + sum_j sense_j * lam_j * limit_j

is an upper bound of the best plan (the Lagrangian dual bound); the person's
sub-problem has an integral LP (a laminar matroid), so the lowest L equals
the LP relaxation's bound. The prices are tuned in two steps:

1. the LP relaxation of a sample of the people (whole people, global limits
   scaled to their share) is solved with HiGHS: its duals are the first
   prices (on a small instance the sample is everything, and the prices are
   exact);
2. a few rounds of a proximal cutting-plane method (Kelley's cuts within a
   box around the best prices so far, the master LP solved with HiGHS) lower
   L on the whole.

The plan of the best prices may break a global row slightly (ties at the
margin); the *repair* removes the least valuable candidates from an
overflowing row (reduced profit per unit used), tops up unmet minimum
volumes, then fills what is left of the budgets and capacities in order of
reduced profit. The gap reported is (best L - plan) / best L.
"""

import time

import numpy as np
from scipy.optimize import linprog

from .compiled import EPS, _group_rank
from .exact import lp_relaxation
from .problem import CONTACT_CAP, CONTACT_CHANNEL_CAP, OFFER_MIN, OptimiserInputError

# people in the sampled LP of step 1: about 5 candidates each, HiGHS solves
# it in a second or two on this machine (chosen by tests/bench)
# people in the LP of step 1: small enough for HiGHS to solve in about a
# second on a loaded machine (chosen by tests/bench); an instance with at most
# this many people gets its exact LP relaxation instead
SAMPLE_LP_CONTACTS = 3_000
# people in the sample the prices are first tuned on (cheap rounds), when
# the instance is larger than that, and the rounds spent there
SAMPLE_TUNE_CONTACTS = 20_000
SAMPLE_ROUNDS = 30
# rounds on the whole instance at most
MAX_ROUNDS = 40
# items taken out at most to make room for one that a minimum volume needs
MAX_EXCHANGE = 20


def evaluate(cp, lam):
    """L(lam), its subgradient, the plan of each person and the reduced
    profits.

    :return: (L, subgradient, x, r)
    """
    r = cp.reduced_profit(lam)
    x = cp.local_choice(r)
    value = float(r[x].sum()) + float((cp.sense * lam * cp.limit).sum())
    used = cp.usage(x)
    sub = cp.sense * (cp.limit - used)
    return value, sub, x, r


def repair(cp, r, x):
    """Make ``x`` meet every global row, then fill what is left.

    :param r: reduced profit per item at the prices that gave ``x``
    :param x: the plan of the people (bool mask, copied)
    :return: the repaired plan (bool mask)
    """
    x = x.copy()
    used = cp.usage(x)
    min_kind = [(row_of, coef) for kind, row_of, coef in cp.kinds if kind == OFFER_MIN]
    min_row_of = min_kind[0][0] if min_kind else None

    # 1. overflowing "at most" rows: drop the least valuable per unit used,
    # keeping what the minimum volumes need (then, if that is not enough,
    # dropping those too)
    for kind, row_of, coef in cp.kinds:
        if kind == OFFER_MIN:
            continue
        for j in np.flatnonzero(used > cp.limit + EPS):
            if cp.sense[j] < 0 or cp.rows[j].kind != kind:
                continue
            for protect in (True, False):
                excess = used[j] - cp.limit[j]
                if excess <= EPS:
                    break
                items = np.flatnonzero(x & (row_of == j))
                c = coef[items]
                items, c = items[c > 0], c[c > 0]
                order = np.argsort(r[items] / c, kind="stable")
                items, c = items[order], c[order]
                if protect and min_row_of is not None:
                    mr = min_row_of[items]
                    has = np.flatnonzero(mr >= 0)
                    allowed = np.ones(items.size, dtype=bool)
                    if has.size:
                        spare = (used - cp.limit)[mr[has]]
                        allowed[has] = _group_rank(mr[has]) < spare - EPS
                    items, c = items[allowed], c[allowed]
                cum = np.cumsum(c)
                k = int(np.searchsorted(cum, excess - EPS)) + 1
                drop = items[:k]
                x[drop] = False
                used = cp.usage(x)
    # 2. unmet minimum volumes: the best of the offer's other candidates
    for j in np.flatnonzero((cp.sense < 0) & (used < cp.limit - EPS)):
        items = np.flatnonzero(~x & (min_row_of == j))
        order = items[np.argsort(-r[items], kind="stable")]
        cp.fill(x, order, limit_count=int(np.ceil(cp.limit[j] - used[j] - EPS)))
        used = cp.usage(x)
        if used[j] < cp.limit[j] - EPS:
            _Exchange(cp, r, x, j, min_row_of).run()
            used = cp.usage(x)
    # 3. what is left of budgets and capacities, by reduced profit
    items = np.flatnonzero(~x & (cp.profit > EPS))
    cp.fill(x, items[np.argsort(-r[items], kind="stable")])
    return x


class _Exchange:
    """Meet the minimum volume of row ``j`` by exchanges: one of the offer's
    candidates comes in, and out go the least valuable chosen items (by
    reduced profit per unit) that make room for it: the person's own when
    their caps are full, then anyone's in each budget or capacity it needs
    room in, never one that another minimum needs. A plain loop over the
    few exchanges a shortfall at the margin needs.
    """

    def __init__(self, cp, r, x, j, min_row_of):
        self.cp, self.r, self.x, self.j = cp, r, x, j
        self.min_row_of = min_row_of
        self.at_most = [
            (row_of, coef) for kind, row_of, coef in cp.kinds if kind != OFFER_MIN
        ]
        self.used = cp.usage(x)
        self.ends = np.r_[cp.contact_start[1:], cp.n]
        self.per_contact, self.per_cc = cp.counts(x)
        self.by_row = {}  # row -> its members, worst first (built when needed)

    def run(self):
        cp, x, j = self.cp, self.x, self.j
        need = int(np.ceil(cp.limit[j] - self.used[j] - EPS))
        items = np.flatnonzero(~x & (self.min_row_of == j))
        for i in items[np.argsort(-self.r[items], kind="stable")]:
            if need <= 0:
                break
            out = self._room_for(i)
            if out is None:
                continue
            out = np.array(out, dtype=np.int64)
            x[out] = False
            x[i] = True
            np.subtract.at(self.per_contact, cp.cid[out], 1)
            np.subtract.at(self.per_cc, cp.ccid[out], 1)
            self.per_contact[cp.cid[i]] += 1
            self.per_cc[cp.ccid[i]] += 1
            self.used = cp.usage(x)
            need -= 1

    def _may_leave(self, k, pending):
        if not self.x[k] or k in pending or self.min_row_of[k] == self.j:
            return False
        m = self.min_row_of[k]
        if m < 0:
            return True
        taken = sum(1 for q in pending if self.min_row_of[q] == m)
        return self.used[m] - taken - self.cp.limit[m] >= 1 - EPS

    def _worst_in_row(self, row, row_of, coef, pending):
        if row not in self.by_row:
            members = np.flatnonzero(row_of == row)
            unit = self.r[members] / np.maximum(coef[members], EPS)
            self.by_row[row] = members[np.argsort(unit, kind="stable")]
        for k in self.by_row[row]:
            if self._may_leave(k, pending):
                return k
        return None

    def _room_for(self, i):
        """The items to take out so that ``i`` fits (None: it cannot)."""
        cp = self.cp
        out = []
        c, cc = cp.cid[i], cp.ccid[i]
        cc_full = cp.has_channel_caps and self.per_cc[cc] >= cp.cc_cap[cc]
        full = cp.contact_cap is not None and (self.per_contact[c] >= cp.contact_cap[c])
        if cc_full or full:
            mine = [
                k
                for k in range(cp.contact_start[c], self.ends[c])
                if self._may_leave(k, out) and (not cc_full or cp.ccid[k] == cc)
            ]
            if not mine:
                return None
            out.append(min(mine, key=lambda k: self.r[k]))
        for row_of, coef in self.at_most:
            row = row_of[i]
            if row < 0:
                continue
            freed = sum(coef[k] for k in out if row_of[k] == row)
            while self.used[row] - freed + coef[i] > cp.limit[row] + EPS:
                k = self._worst_in_row(row, row_of, coef, out)
                if k is None or len(out) > MAX_EXCHANGE:
                    return None
                out.append(k)
                freed += coef[k]
        return out


def sample_prices(cp, rng, size, time_limit=None):
    """Step 1: prices from the LP relaxation of a sample of the people.

    :return: (prices, LPResult when the sample was everything, else None)
    """
    if cp.n_contacts <= size:
        try:
            lp = lp_relaxation(cp, time_limit=time_limit)
        except (TimeoutError, RuntimeError):
            # out of time (or HiGHS failed): the cutting planes start from 0
            return np.zeros(cp.m), None
        return lp.lam, lp
    sub = _sample(cp, rng, size)
    try:
        lp = lp_relaxation(sub, time_limit=time_limit)
    except (OptimiserInputError, TimeoutError, RuntimeError):
        # a scaled minimum the sample cannot reach, or out of time: start
        # from no prices
        return np.zeros(cp.m), None
    return lp.lam, None


def _sample(cp, rng, size):
    contacts = np.sort(rng.choice(cp.n_contacts, size=size, replace=False))
    return cp.subset(contacts, size / cp.n_contacts)


def _price_scale(cp):
    """A typical price per row: profit per unit of the row's coefficient."""
    scale = np.ones(cp.m)
    mean_profit = float(np.abs(cp.profit).mean()) if cp.n else 1.0
    for j, row in enumerate(cp.rows):
        c = float(row.coef.mean()) if row.coef.size else 1.0
        scale[j] = mean_profit / max(c, EPS)
    return scale


def local_prices(cp, r):
    """Shadow prices of the caps per person at the reduced profits ``r``:
    what allowing one more contact to every person adds to L."""
    prices = {}
    base = float(r[cp.local_choice(r)].sum())
    if cp.max_per_contact is not None:
        more = float(r[cp.local_choice(r, cap_delta=1)].sum())
        prices[(CONTACT_CAP, None)] = more - base
    if cp.has_channel_caps:
        for c in sorted(cp.problem.max_per_contact_channel):
            more = float(r[cp.local_choice(r, channel_cap_delta=(c, 1))].sum())
            prices[(CONTACT_CHANNEL_CAP, c)] = more - base
    return prices


def tune(cp, lam0, rounds, deadline=None, on_better=None, tol=1e-6):
    """Lower L(lam) from ``lam0`` by a proximal cutting-plane method: each
    round evaluates L and its subgradient (one cut), then the next prices
    are the lowest point of the cuts' model within a box around the best
    prices so far (a tiny LP for HiGHS); the box grows after a good step and
    shrinks after a bad one.

    :param on_better: called as ``on_better(value, lam, r, x)`` when L
        improves; returning True stops
    :param tol: stop when the model's lowest point is within ``tol``
        (relative) of the best L
    :return: (best L, its prices, its reduced profits, rounds run)
    """
    m = cp.m
    scale = _price_scale(cp)
    radius = np.maximum(0.5 * lam0, 0.05 * scale)
    cuts_g, cuts_b = [], []
    best = None
    lam = lam0.copy()
    predicted = None
    done = 0
    for done in range(1, rounds + 1):  # noqa: B007
        value, sub, x, r = evaluate(cp, lam)
        cuts_g.append(sub)
        cuts_b.append(value - sub @ lam)
        if best is None or value < best[0]:
            if best is not None and predicted is not None:
                # a good step (half the predicted decrease): widen the box
                if best[0] - value >= 0.5 * (best[0] - predicted):
                    radius *= 2.0
            best = (value, lam.copy(), r)
            if on_better is not None and on_better(value, lam, r, x):
                break
        else:
            radius *= 0.5
        if deadline is not None and time.perf_counter() > deadline:
            break
        center = best[1]
        lo = np.maximum(center - radius, 0.0)
        hi = center + radius
        A = np.hstack([np.array(cuts_g), -np.ones((len(cuts_g), 1))])
        res = linprog(
            np.r_[np.zeros(m), 1.0],
            A_ub=A,
            b_ub=-np.array(cuts_b),
            bounds=list(zip(lo, hi, strict=True)) + [(None, None)],
            method="highs",
        )
        if res.status != 0:
            break
        predicted = float(res.fun)
        interior = np.all((res.x[:m] > lo + 1e-12) | (lo <= 0)) and np.all(
            res.x[:m] < hi - 1e-12
        )
        if interior and best[0] - predicted <= tol * max(abs(best[0]), EPS):
            break  # the model's minimum is a lower bound: converged
        lam = res.x[:m]
    return best[0], best[1], best[2], done


def solve_lagrangian(cp, gap=0.005, time_limit=None, seed=0):
    """Run the decomposition (module docstring).

    :return: (x, bound, prices, info)
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit if time_limit else None
    rng = np.random.default_rng(seed)
    if cp.m == 0:
        # nothing global: every person on their own is the optimum
        r = cp.profit
        x = cp.local_choice(r)
        return x, float(r[x].sum()), np.zeros(0), {"rounds": 0, "r": r}
    lam, lp = sample_prices(cp, rng, SAMPLE_LP_CONTACTS, time_limit=time_limit)
    info = {"lp_sample_seconds": time.perf_counter() - t0}
    if lp is None and cp.n_contacts > SAMPLE_TUNE_CONTACTS:
        t1 = time.perf_counter()
        sub = _sample(cp, rng, SAMPLE_TUNE_CONTACTS)
        _value, lam, _r, rounds = tune(sub, lam, SAMPLE_ROUNDS, deadline)
        info.update(
            {"sample_rounds": rounds, "sample_seconds": time.perf_counter() - t1}
        )
    state = {"x": None, "objective": -np.inf, "bound": np.inf}

    def on_better(value, lam, r, x):
        plan = repair(cp, r, x)
        objective = float(cp.profit[plan].sum())
        if objective > state["objective"]:
            state["x"], state["objective"] = plan, objective
        bound = value if lp is None else min(value, lp.objective)
        state["bound"] = min(state["bound"], bound)
        return state["bound"] - state["objective"] <= gap * max(
            abs(state["bound"]), EPS
        )

    t2 = time.perf_counter()
    value, lam, r, rounds = tune(cp, lam, MAX_ROUNDS, deadline, on_better)
    info.update(
        {
            "rounds": rounds,
            "full_seconds": time.perf_counter() - t2,
            "bound_source": "LP relaxation" if lp is not None else "Lagrangian dual",
            "dual_bound": value,
            "r": r,
        }
    )
    return state["x"], state["bound"], lam, info
