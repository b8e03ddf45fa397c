# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The optimisation problem: candidates, constraints, checks.

A *candidate* is one (contact, offer, channel) that could be contacted, with
its campaign, its expected value (probability of acceptance x value per
acceptance) and its cost of contacting. The optimiser chooses candidates so
as to maximise ``sum(value - cost)`` of the chosen ones, subject to:

- the total budget and the budget of each campaign (sum of costs);
- the capacity of each channel (number of contacts in the period);
- a minimum and a maximum volume per offer (number of contacts);
- the contact policy: at most ``max_per_contact`` contacts per person in the
  period (across campaigns, offers and channels) and at most
  ``max_per_contact_channel[c]`` per person on channel ``c``.

The first three kinds are *global* constraints (a handful of rows over every
candidate); the contact policy is *local* (one row per person). That split is
what the decomposition (lagrangian.py) uses.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

# kinds of constraints, as reported (ConstraintReport.kind)
BUDGET = "budget"
CAMPAIGN_BUDGET = "campaign_budget"
CHANNEL_CAPACITY = "channel_capacity"
OFFER_MIN = "offer_min"
OFFER_MAX = "offer_max"
CONTACT_CAP = "contact_cap"
CONTACT_CHANNEL_CAP = "contact_channel_cap"
GLOBAL_KINDS = (BUDGET, CAMPAIGN_BUDGET, CHANNEL_CAPACITY, OFFER_MIN, OFFER_MAX)
LOCAL_KINDS = (CONTACT_CAP, CONTACT_CHANNEL_CAP)


class OptimiserInputError(ValueError):
    """Invalid or infeasible input; the message names the constraint at fault
    and is meant for the user (the Odoo side raises it as a UserError)."""


@dataclass(frozen=True)
class Row:
    """One global constraint row: ``sense * sum(coef * x) <= sense * limit``.

    :ivar kind: one of GLOBAL_KINDS
    :ivar key: campaign / channel / offer index (None for the total budget)
    :ivar label: human name, e.g. ``"capacity of channel Phone"``
    :ivar sense: +1 for "at most" (<=), -1 for "at least" (>=)
    :ivar limit: right-hand side
    :ivar members: candidate indices (into the compiled arrays)
    :ivar coef: coefficient per member (cost for budgets, 1 for counts)
    """

    kind: str
    key: object
    label: str
    sense: int
    limit: float
    members: np.ndarray
    coef: np.ndarray


def _label(names, kind, key):
    return str((names or {}).get(kind, {}).get(key, f"#{key}"))


def _int_array(name, values):
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise OptimiserInputError(f"'{name}' must be a one-dimensional array.")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.number) or not np.all(
            np.isfinite(arr) & (arr == np.round(arr))
        ):
            raise OptimiserInputError(f"'{name}' must hold whole numbers (indices).")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise OptimiserInputError(f"'{name}' holds a negative index.")
    return arr


def _float_array(name, values):
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise OptimiserInputError(f"'{name}' must hold numbers.") from exc
    if arr.ndim != 1:
        raise OptimiserInputError(f"'{name}' must be a one-dimensional array.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise OptimiserInputError(
            f"'{name}' holds {int(bad.sum())} value(s) that are not numbers "
            f"(NaN or infinite), the first at candidate {int(np.argmax(bad))}."
        )
    if arr.size and arr.min() < 0:
        raise OptimiserInputError(
            f"'{name}' holds a negative value ({arr.min():g}) at candidate "
            f"{int(np.argmin(arr))}."
        )
    return arr


def _limit(label, value, integer=False):
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise OptimiserInputError(f"The {label} must be a number.") from exc
    if not np.isfinite(value):
        raise OptimiserInputError(f"The {label} is not a number ({value}).")
    if value < 0:
        raise OptimiserInputError(f"The {label} is negative ({value:g}).")
    if integer:
        value = float(np.floor(value + 1e-9))
    return value


@dataclass
class Problem:
    """The input of the optimiser. Arrays have one entry per candidate.

    :param contact: person index (any non-negative integers)
    :param offer: offer index
    :param channel: channel index
    :param campaign: campaign index
    :param value: expected value of contacting (probability x value per
        acceptance), >= 0
    :param cost: cost of contacting, >= 0
    :param budget_total: cap on the total cost (None: no cap)
    :param budget_by_campaign: ``{campaign: cap on its cost}``
    :param capacity_by_channel: ``{channel: max contacts in the period}``
    :param offer_min: ``{offer: minimum volume}``
    :param offer_max: ``{offer: maximum volume}``
    :param max_per_contact: max contacts per person in the period (None: no
        cap)
    :param max_per_contact_channel: ``{channel: max contacts per person on it}``
    :param names: ``{"offer"|"channel"|"campaign": {index: label}}``
    :param probability: optional probability of acceptance per candidate
        (for the expected responses in the totals)
    """

    contact: np.ndarray
    offer: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray
    value: np.ndarray
    cost: np.ndarray
    budget_total: float | None = None
    budget_by_campaign: dict = field(default_factory=dict)
    capacity_by_channel: dict = field(default_factory=dict)
    offer_min: dict = field(default_factory=dict)
    offer_max: dict = field(default_factory=dict)
    max_per_contact: int | None = 1
    max_per_contact_channel: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    probability: np.ndarray | None = None

    def __post_init__(self):
        self.contact = _int_array("contact", self.contact)
        self.offer = _int_array("offer", self.offer)
        self.channel = _int_array("channel", self.channel)
        self.campaign = _int_array("campaign", self.campaign)
        self.value = _float_array("value", self.value)
        self.cost = _float_array("cost", self.cost)
        arrays = ["contact", "offer", "channel", "campaign", "value", "cost"]
        if self.probability is not None:
            self.probability = _float_array("probability", self.probability)
            arrays.append("probability")
        lengths = {name: len(getattr(self, name)) for name in arrays}
        if len(set(lengths.values())) > 1:
            detail = ", ".join(f"{k}: {v}" for k, v in lengths.items())
            raise OptimiserInputError(
                f"The candidate arrays have unequal lengths ({detail})."
            )
        if self.probability is not None and self.probability.size:
            if self.probability.max() > 1:
                raise OptimiserInputError("'probability' holds a value above 1.")
        self.names = dict(self.names or {})
        if self.budget_total is not None:
            self.budget_total = _limit("total budget", self.budget_total)
        self.budget_by_campaign = {
            int(k): _limit(f"budget of campaign {self.label('campaign', k)}", v)
            for k, v in (self.budget_by_campaign or {}).items()
            if v is not None
        }
        self.capacity_by_channel = {
            int(k): _limit(
                f"capacity of channel {self.label('channel', k)}", v, integer=True
            )
            for k, v in (self.capacity_by_channel or {}).items()
            if v is not None
        }
        self.offer_min = {
            int(k): _limit(
                f"minimum volume of offer {self.label('offer', k)}", v, integer=True
            )
            for k, v in (self.offer_min or {}).items()
            if v
        }
        self.offer_max = {
            int(k): _limit(
                f"maximum volume of offer {self.label('offer', k)}", v, integer=True
            )
            for k, v in (self.offer_max or {}).items()
            if v is not None
        }
        if self.max_per_contact is not None:
            cap = _limit("cap of contacts per person", self.max_per_contact, True)
            if cap < 1:
                raise OptimiserInputError(
                    "The cap of contacts per person must be at least 1 "
                    "(leave it empty for no cap)."
                )
            self.max_per_contact = int(cap)
        self.max_per_contact_channel = {
            int(k): int(
                _limit(
                    "cap of contacts per person on channel "
                    f"{self.label('channel', k)}",
                    v,
                    integer=True,
                )
            )
            for k, v in (self.max_per_contact_channel or {}).items()
            if v is not None
        }
        self._check()

    # ---------------------------------------------------------------- labels
    @property
    def size(self):
        return len(self.value)

    @property
    def profit(self):
        return self.value - self.cost

    def label(self, kind, key):
        """The name of ``key`` of ``kind`` ("offer", "channel", "campaign")."""
        return _label(self.names, kind, key)

    # ---------------------------------------------------------------- checks
    def _check(self):
        """Raise OptimiserInputError for input no plan can satisfy, naming
        the constraint (necessary conditions only; the solver reports the
        rest)."""
        self._check_offers()
        if self.offer_min:
            self._check_minimums_together()

    def _check_offers(self):
        """Each offer on its own: a value, minimum <= maximum, a minimum
        its candidates, the contact policy and its channels can reach."""
        for o, lo in self.offer_min.items():
            hi = self.offer_max.get(o)
            if hi is not None and lo > hi:
                raise OptimiserInputError(
                    f"Offer {self.label('offer', o)}: the minimum volume ({lo:g}) "
                    f"is above the maximum volume ({hi:g})."
                )
        # an offer whose every candidate has no expected value
        if self.size:
            n_offers = int(self.offer.max()) + 1
            best = np.zeros(n_offers)
            np.maximum.at(best, self.offer, self.value)
            present = np.bincount(self.offer, minlength=n_offers) > 0
            empty = np.flatnonzero(present & (best <= 0))
            if empty.size:
                o = int(empty[0])
                raise OptimiserInputError(
                    f"Offer {self.label('offer', o)} has no value: its expected "
                    "value is 0 for every candidate (set its value per "
                    "acceptance, or its response model gives no chance)."
                )
        for o, lo in self.offer_min.items():
            reach = self._max_volume(self.offer == o)
            if lo > reach:
                raise OptimiserInputError(
                    f"Offer {self.label('offer', o)}: the minimum volume ({lo:g}) "
                    f"is above what the candidates and the contact policy allow "
                    f"({reach:g})."
                )
            channels = np.unique(self.channel[self.offer == o])
            if all(int(c) in self.capacity_by_channel for c in channels):
                cap = sum(self.capacity_by_channel[int(c)] for c in channels)
                if lo > cap:
                    names = ", ".join(self.label("channel", int(c)) for c in channels)
                    raise OptimiserInputError(
                        f"Offer {self.label('offer', o)}: the minimum volume "
                        f"({lo:g}) is above the capacity of its channels "
                        f"{names} ({cap:g})."
                    )

    def _check_minimums_together(self):
        """The minimum volumes together: within the channels' capacities,
        the contact policy and the budgets (at the cheapest candidates)."""
        mins = sorted(self.offer_min)
        used = np.isin(self.offer, mins)
        channels = np.unique(self.channel[used])
        total = sum(self.offer_min.values())
        if all(int(c) in self.capacity_by_channel for c in channels):
            cap = sum(self.capacity_by_channel[int(c)] for c in channels)
            if total > cap:
                raise OptimiserInputError(
                    f"The minimum volumes of the offers ({total:g} contacts "
                    f"together) are above the capacity of the channels "
                    f"({cap:g})."
                )
        reach = self._max_volume(used)
        if total > reach:
            raise OptimiserInputError(
                f"The minimum volumes of the offers ({total:g} contacts "
                f"together) are above what the contact policy allows "
                f"({reach:g})."
            )
        cheapest = {
            o: self._cheapest(self.offer == o, n) for o, n in self.offer_min.items()
        }
        if self.budget_total is not None:
            need = sum(cheapest.values())
            if need > self.budget_total + 1e-9:
                raise OptimiserInputError(
                    f"The total budget ({self.budget_total:g}) is below the "
                    f"cost of the minimum volumes of the offers ({need:g} at "
                    "the cheapest)."
                )
        for k, budget in self.budget_by_campaign.items():
            need = 0.0
            for o in self.offer_min:
                mask = self.offer == o
                if np.all(self.campaign[mask] == k):
                    need += cheapest[o]
            if need > budget + 1e-9:
                raise OptimiserInputError(
                    f"The budget of campaign {self.label('campaign', k)} "
                    f"({budget:g}) is below the cost of the minimum volumes of "
                    f"its offers ({need:g} at the cheapest)."
                )

    def _cheapest(self, mask, count):
        costs = np.sort(self.cost[mask])
        return float(costs[: int(count)].sum())

    def _max_volume(self, mask):
        """How many of the candidates in ``mask`` the contact policy lets
        through at most (per person: its cap, its per-channel caps)."""
        if not mask.any():
            return 0
        contact = self.contact[mask]
        channel = self.channel[mask]
        width = int(self.channel.max()) + 1
        key = contact * width + channel
        cc_key, per_cc = np.unique(key, return_counts=True)
        cc_channel = cc_key % width
        cc_contact = cc_key // width
        caps = np.full(width, np.inf)
        for c, k in self.max_per_contact_channel.items():
            if c < width:
                caps[c] = k
        per_cc = np.minimum(per_cc, caps[cc_channel])
        _, cinv = np.unique(cc_contact, return_inverse=True)
        per_contact = np.bincount(cinv.ravel(), weights=per_cc)
        if self.max_per_contact is not None:
            per_contact = np.minimum(per_contact, self.max_per_contact)
        return float(per_contact.sum())

    # ---------------------------------------------------------------- rows
    def global_rows(self, index=None):
        """The global constraint rows over the candidates ``index`` (an
        index array into the problem's arrays; all by default).

        :return: list of :class:`Row`, members indexing into ``index``
        """
        if index is None:
            index = np.arange(self.size)
        offer = self.offer[index]
        channel = self.channel[index]
        campaign = self.campaign[index]
        cost = self.cost[index]
        rows = []
        if self.budget_total is not None:
            members = np.arange(index.size)
            rows.append(
                Row(BUDGET, None, "total budget", 1, self.budget_total, members, cost)
            )
        for k, limit in sorted(self.budget_by_campaign.items()):
            members = np.flatnonzero(campaign == k)
            rows.append(
                Row(
                    CAMPAIGN_BUDGET,
                    k,
                    f"budget of campaign {self.label('campaign', k)}",
                    1,
                    limit,
                    members,
                    cost[members],
                )
            )
        for c, limit in sorted(self.capacity_by_channel.items()):
            members = np.flatnonzero(channel == c)
            rows.append(
                Row(
                    CHANNEL_CAPACITY,
                    c,
                    f"capacity of channel {self.label('channel', c)}",
                    1,
                    limit,
                    members,
                    np.ones(members.size),
                )
            )
        for o, limit in sorted(self.offer_min.items()):
            members = np.flatnonzero(offer == o)
            rows.append(
                Row(
                    OFFER_MIN,
                    o,
                    f"minimum volume of offer {self.label('offer', o)}",
                    -1,
                    limit,
                    members,
                    np.ones(members.size),
                )
            )
        for o, limit in sorted(self.offer_max.items()):
            members = np.flatnonzero(offer == o)
            rows.append(
                Row(
                    OFFER_MAX,
                    o,
                    f"maximum volume of offer {self.label('offer', o)}",
                    1,
                    limit,
                    members,
                    np.ones(members.size),
                )
            )
        return rows


def rows_matrix(rows, n):
    """The rows as a CSR matrix (len(rows) x n) of their coefficients."""
    if not rows:
        return sp.csr_matrix((0, n))
    indptr = np.cumsum([0] + [r.members.size for r in rows])
    indices = np.concatenate([r.members for r in rows])
    data = np.concatenate([r.coef for r in rows]).astype(np.float64)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n))
