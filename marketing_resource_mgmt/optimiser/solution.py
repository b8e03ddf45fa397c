# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The result of a run: the chosen candidates, the objective and its bound,
one report per constraint (limit, used, shadow price, binding) and the
totals per campaign, offer and channel."""

from dataclasses import asdict, dataclass, field

import numpy as np

from .problem import (
    BUDGET,
    CAMPAIGN_BUDGET,
    CHANNEL_CAPACITY,
    CONTACT_CAP,
    CONTACT_CHANNEL_CAP,
    OFFER_MAX,
    OFFER_MIN,
)

TOL = 1e-6


def _py(value):
    """A plain Python number (XML-RPC marshals neither numpy types nor
    integers above 2**31)."""
    if value is None:
        return None
    if isinstance(value, np.integer | int) and abs(int(value)) < 2**31:
        return int(value)
    return float(value)


@dataclass
class ConstraintReport:
    """One constraint of the plan.

    :ivar kind: budget, campaign_budget, channel_capacity, offer_min,
        offer_max, contact_cap, contact_channel_cap
    :ivar key: campaign / channel / offer index (None for the total budget
        and the cap per person)
    :ivar label: its name for people
    :ivar limit: the limit
    :ivar used: how much the plan uses (for the caps per person: the most
        any one person gets)
    :ivar shadow_price: what one more unit of the limit is worth to the
        objective (one more unit of budget, one more contact of capacity;
        for a minimum volume it is negative: one more required contact
        costs that much; for the caps per person: one more contact allowed
        to every person)
    :ivar binding: the constraint holds the plan back: it is used to its
        limit (within the smallest step a candidate could add) or has a
        non-zero shadow price
    :ivar violated: the plan breaks it (only the "everyone" baseline, or a
        greedy plan that misses a minimum volume)
    """

    kind: str
    key: object
    label: str
    limit: float
    used: float
    shadow_price: float
    binding: bool
    violated: bool = False

    def to_dict(self):
        d = asdict(self)
        for k in ("key", "limit", "used", "shadow_price"):
            d[k] = _py(d[k])
        d["binding"] = bool(d["binding"])
        d["violated"] = bool(d["violated"])
        if d["key"] is None:
            d["key"] = False  # XML-RPC has no None
        return d


@dataclass
class Solution:
    """A plan.

    :ivar chosen: bool array, one entry per candidate of the Problem
    :ivar objective: sum of (value - cost) of the chosen candidates
    :ivar bound: an upper bound of the best objective (LP relaxation or
        Lagrangian dual bound; None for the baselines)
    :ivar gap: (bound - objective) / |bound| (None without a bound)
    :ivar method: "milp", "lagrangian", "greedy", "everyone"
    :ivar constraints: list of ConstraintReport
    :ivar totals: {"campaign"|"offer"|"channel": [{"key", "label", "count",
        "responses", "revenue", "cost", "profit", "roi"}]} and "all": {...}
    :ivar seconds: wall time of the run
    :ivar feasible: every constraint holds
    :ivar info: solver details (iterations, bound source...)
    """

    chosen: np.ndarray
    objective: float
    bound: float | None
    gap: float | None
    method: str
    constraints: list
    totals: dict
    seconds: float
    feasible: bool = True
    info: dict = field(default_factory=dict)

    @property
    def chosen_indices(self):
        return np.flatnonzero(self.chosen)

    def constraint(self, kind, key=None):
        """The report of one constraint (or None)."""
        for report in self.constraints:
            if report.kind == kind and report.key == key:
                return report
        return None

    def to_dict(self, with_chosen=True):
        """JSON and XML-RPC safe: plain types, string keys, no None."""
        info = {}
        for k, v in self.info.items():
            if isinstance(v, bool | str):
                info[k] = v
            elif isinstance(v, int | float | np.integer | np.floating):
                info[k] = _py(v)
        d = {
            "objective": float(self.objective),
            "bound": float(self.bound) if self.bound is not None else False,
            "gap": float(self.gap) if self.gap is not None else False,
            "method": self.method,
            "seconds": float(self.seconds),
            "feasible": bool(self.feasible),
            "count": int(self.chosen.sum()),
            "constraints": [c.to_dict() for c in self.constraints],
            "totals": self.totals,
            "info": info,
        }
        if with_chosen:
            d["chosen"] = [int(i) for i in self.chosen_indices]
        return d


def _totals(problem, chosen, kind, keys):
    """Totals of the chosen candidates grouped by ``keys``."""
    sel = np.flatnonzero(chosen)
    k = keys[sel]
    n = int(keys.max()) + 1 if keys.size else 0
    count = np.bincount(k, minlength=n)
    revenue = np.bincount(k, weights=problem.value[sel], minlength=n)
    cost = np.bincount(k, weights=problem.cost[sel], minlength=n)
    responses = (
        np.bincount(k, weights=problem.probability[sel], minlength=n)
        if problem.probability is not None
        else None
    )
    present = np.bincount(keys, minlength=n) > 0
    out = []
    for key in np.flatnonzero(present):
        out.append(
            _total_row(
                int(key),
                problem.label(kind, int(key)),
                count[key],
                None if responses is None else responses[key],
                revenue[key],
                cost[key],
            )
        )
    return out


def _total_row(key, label, count, responses, revenue, cost):
    return {
        "key": key,
        "label": label,
        "count": int(count),
        "responses": float(responses) if responses is not None else False,
        "revenue": float(revenue),
        "cost": float(cost),
        "profit": float(revenue - cost),
        "roi": float((revenue - cost) / cost) if cost > 0 else False,
    }


def totals(problem, chosen):
    """Totals per campaign, offer and channel, and for the whole plan."""
    resp = (
        float(problem.probability[chosen].sum())
        if problem.probability is not None
        else None
    )
    return {
        "campaign": _totals(problem, chosen, "campaign", problem.campaign),
        "offer": _totals(problem, chosen, "offer", problem.offer),
        "channel": _totals(problem, chosen, "channel", problem.channel),
        "all": _total_row(
            False,
            "all",
            chosen.sum(),
            resp,
            problem.value[chosen].sum(),
            problem.cost[chosen].sum(),
        ),
    }


def constraint_reports(problem, chosen, shadow=None):
    """One report per constraint of ``problem`` for the plan ``chosen``.

    :param shadow: ``{(kind, key): shadow price}`` (missing: 0)
    :return: list of ConstraintReport
    """
    shadow = shadow or {}
    sel = chosen
    profit = problem.profit
    # smallest step a candidate could still add to a budget: the cheapest
    # profitable candidate not chosen
    free = ~chosen & (profit > 0)
    reports = []

    def add(kind, key, label, limit, used, at_most, step, over=False):
        price = float(shadow.get((kind, key), 0.0))
        if kind in (CONTACT_CAP, CONTACT_CHANNEL_CAP):
            # someone is nearly always at the cap: it holds the plan back
            # when allowing one more contact per person is worth something
            # (``over``: someone got more than their own, lower cap)
            violated = used > limit or over
            binding = price > TOL and not violated
            reports.append(
                ConstraintReport(
                    kind, key, label, limit, used, price, binding, violated
                )
            )
            return
        if at_most:
            violated = used > limit + TOL * max(1.0, abs(limit))
            # no room left for the smallest candidate still waiting
            tight = limit - used < step - TOL
        else:
            violated = used < limit - TOL * max(1.0, abs(limit))
            tight = used - limit < 1 - TOL
        binding = (tight or abs(price) > TOL) and not violated
        reports.append(
            ConstraintReport(kind, key, label, limit, used, price, binding, violated)
        )

    def cheapest(mask):
        """The smallest step a waiting candidate of ``mask`` would use (0
        when none waits: then the row holds nothing back)."""
        costs = problem.cost[mask & free]
        return float(costs.min()) if costs.size else 0.0

    def waiting(mask):
        return 1 if (mask & free).any() else 0

    if problem.budget_total is not None:
        add(
            BUDGET,
            None,
            problem.row_label(BUDGET),
            problem.budget_total,
            float(problem.cost[sel].sum()),
            True,
            cheapest(np.ones(problem.size, dtype=bool)),
        )
    for k, limit in sorted(problem.budget_by_campaign.items()):
        mask = problem.campaign == k
        add(
            CAMPAIGN_BUDGET,
            k,
            problem.row_label(CAMPAIGN_BUDGET, k),
            limit,
            float(problem.cost[sel & mask].sum()),
            True,
            cheapest(mask),
        )
    for c, limit in sorted(problem.capacity_by_channel.items()):
        mask = problem.channel == c
        add(
            CHANNEL_CAPACITY,
            c,
            problem.row_label(CHANNEL_CAPACITY, c),
            limit,
            float((sel & mask).sum()),
            True,
            waiting(mask),
        )
    for o, limit in sorted(problem.offer_min.items()):
        mask = problem.offer == o
        add(
            OFFER_MIN,
            o,
            problem.row_label(OFFER_MIN, o),
            limit,
            float((sel & mask).sum()),
            False,
            1,
        )
    for o, limit in sorted(problem.offer_max.items()):
        mask = problem.offer == o
        add(
            OFFER_MAX,
            o,
            problem.row_label(OFFER_MAX, o),
            limit,
            float((sel & mask).sum()),
            True,
            waiting(mask),
        )
    # the caps per person: "used" is the most any one person gets; a plan
    # that gives someone more than their own cap (their cap_by_contact...)
    # breaks it
    if problem.max_per_contact is not None:
        people, per = np.unique(problem.contact[sel], return_counts=True)
        over = bool((per > problem.contact_caps(people)).any())
        add(
            CONTACT_CAP,
            None,
            problem.row_label(CONTACT_CAP),
            problem.max_per_contact,
            float(per.max()) if per.size else 0.0,
            True,
            1,
            over,
        )
    for c, limit in sorted(problem.max_per_contact_channel.items()):
        mask = sel & (problem.channel == c)
        people, per = np.unique(problem.contact[mask], return_counts=True)
        caps = problem.contact_channel_caps(people, np.full(people.size, c))
        add(
            CONTACT_CHANNEL_CAP,
            c,
            problem.row_label(CONTACT_CHANNEL_CAP, c),
            limit,
            float(per.max()) if per.size else 0.0,
            True,
            1,
            bool((per > caps).any()),
        )
    return reports


def make_solution(problem, chosen, method, seconds, bound=None, shadow=None, info=None):
    """Build the Solution of ``chosen`` (bool mask over the candidates)."""
    chosen = np.asarray(chosen, dtype=bool)
    objective = float(problem.profit[chosen].sum())
    reports = constraint_reports(problem, chosen, shadow)
    gap = None
    if bound is not None:
        gap = max(0.0, (bound - objective) / max(abs(bound), 1e-9))
    return Solution(
        chosen=chosen,
        objective=objective,
        bound=None if bound is None else float(bound),
        gap=gap,
        method=method,
        constraints=reports,
        totals=totals(problem, chosen),
        seconds=seconds,
        feasible=not any(r.violated for r in reports),
        info=dict(info or {}),
    )


def priced_value(constraints, offer, channel, campaign, value, cost):
    """Expected value - cost of candidates (value.py) once the global
    constraints are priced at a plan's shadow prices: what contacting them
    is worth given that the budgets and capacities they use could go to
    someone else (the reduced profit of the decomposition). With no price it
    is the expected profit next-best-action ranks by; a ranking by it
    follows a plan (next-best-action does not read a plan today).

    :param constraints: the plan's ConstraintReport list, or their
        ``to_dict()`` (as stored with a scenario)
    :param offer, channel, campaign, value, cost: arrays (or scalars), one
        entry per candidate
    :return: float array
    """
    offer, channel, campaign = (np.asarray(a) for a in (offer, channel, campaign))
    value = np.asarray(value, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    out = np.subtract(value, cost)  # expected_profit of an expected value
    for report in constraints:
        if isinstance(report, dict):
            kind, key, price = report["kind"], report["key"], report["shadow_price"]
        else:
            kind, key, price = report.kind, report.key, report.shadow_price
        if not price:
            continue
        if kind == BUDGET:
            out = out - price * cost
        elif kind == CAMPAIGN_BUDGET:
            out = out - price * cost * (campaign == key)
        elif kind == CHANNEL_CAPACITY:
            out = out - price * (channel == key)
        elif kind in (OFFER_MIN, OFFER_MAX):
            # a minimum's price is negative: its offer gains
            out = out - price * (offer == key)
    return out
