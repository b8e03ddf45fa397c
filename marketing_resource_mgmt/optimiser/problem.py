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
  ``max_per_contact_channel[c]`` per person on channel ``c``; a person may
  have lower caps of their own (``cap_by_contact``,
  ``cap_by_contact_channel``: what the contact policy still allows them in
  the period, after the contacts they already had).

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


def _lt(source):
    """Mark ``source`` for Odoo's export of translatable terms (it picks up
    ``_lt("...")`` in every Python file of the addon); the Odoo side
    translates the templates with its own ``_()`` (the engine has no Odoo)."""
    return source


class OptimiserInputError(ValueError):
    """Invalid or infeasible input; the message names the constraint at fault
    and is meant for the user.

    :ivar template: the message with ``%(name)s`` placeholders, marked for
        translation: the Odoo side raises
        ``UserError(self.env._(exc.template, **exc.params))``
    :ivar params: the placeholders' values (strings)
    """

    def __init__(self, template, **params):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


# a constraint's label, ``%(name)s`` the campaign's, channel's or offer's name
LABELS = {
    BUDGET: _lt("total budget"),
    CAMPAIGN_BUDGET: _lt("budget of campaign %(name)s"),
    CHANNEL_CAPACITY: _lt("capacity of channel %(name)s"),
    OFFER_MIN: _lt("minimum volume of offer %(name)s"),
    OFFER_MAX: _lt("maximum volume of offer %(name)s"),
    CONTACT_CAP: _lt("contacts per person"),
    CONTACT_CHANNEL_CAP: _lt("contacts per person on channel %(name)s"),
}
# what each kind's key names
KEY_KIND = {
    CAMPAIGN_BUDGET: "campaign",
    CHANNEL_CAPACITY: "channel",
    OFFER_MIN: "offer",
    OFFER_MAX: "offer",
    CONTACT_CHANNEL_CAP: "channel",
}
# a limit that is not a number of 0 or more
BAD_LIMIT = {
    BUDGET: _lt("The total budget must be a number, 0 or more (not %(value)s)."),
    CAMPAIGN_BUDGET: _lt(
        "The budget of campaign %(name)s must be a number, 0 or more "
        "(not %(value)s)."
    ),
    CHANNEL_CAPACITY: _lt(
        "The capacity of channel %(name)s must be a number, 0 or more "
        "(not %(value)s)."
    ),
    OFFER_MIN: _lt(
        "The minimum volume of offer %(name)s must be a number, 0 or more "
        "(not %(value)s)."
    ),
    OFFER_MAX: _lt(
        "The maximum volume of offer %(name)s must be a number, 0 or more "
        "(not %(value)s)."
    ),
    CONTACT_CAP: _lt(
        "The cap of contacts per person must be a number, 1 or more "
        "(not %(value)s); leave it empty for no cap."
    ),
    CONTACT_CHANNEL_CAP: _lt(
        "The cap of contacts per person on channel %(name)s must be a number, "
        "0 or more (not %(value)s)."
    ),
}
# a person's own cap (cap_by_contact, cap_by_contact_channel): not a kind of
# constraint of its own, only of the message
CONTACT_CAP_OF = "contact_cap_of"
BAD_LIMIT[CONTACT_CAP_OF] = _lt(
    "The cap of contacts of person %(name)s must be a number, 0 or more "
    "(not %(value)s)."
)


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


def _lookup(keys, values, wanted, default):
    """``values`` of ``wanted`` in the sorted ``keys`` (``default`` where
    absent), vectorised."""
    out = np.full(wanted.size, default, dtype=np.float64)
    if not keys.size:
        return out
    pos = np.clip(np.searchsorted(keys, wanted), 0, keys.size - 1)
    hit = keys[pos] == wanted
    out[hit] = values[pos[hit]]
    return out


def _label(names, kind, key):
    return str((names or {}).get(kind, {}).get(key, f"#{key}"))


NOT_ONE_DIMENSIONAL = _lt("The candidates' %(array)s must be a one-dimensional array.")


def _int_array(name, values):
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise OptimiserInputError(NOT_ONE_DIMENSIONAL, array=name)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.number) or not np.all(
            np.isfinite(arr) & (arr == np.round(arr))
        ):
            raise OptimiserInputError(
                _lt("The candidates' %(array)s must be whole numbers (indices)."),
                array=name,
            )
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise OptimiserInputError(
            _lt("The candidates' %(array)s hold a negative index."), array=name
        )
    return arr


def _float_array(name, values):
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise OptimiserInputError(
            _lt("The candidates' %(array)s must be numbers."), array=name
        ) from exc
    if arr.ndim != 1:
        raise OptimiserInputError(NOT_ONE_DIMENSIONAL, array=name)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise OptimiserInputError(
            _lt(
                "The candidates' %(array)s hold %(count)s value(s) that are not "
                "numbers (NaN or infinite), the first at candidate %(first)s."
            ),
            array=name,
            count=str(int(bad.sum())),
            first=str(int(np.argmax(bad))),
        )
    if arr.size and arr.min() < 0:
        raise OptimiserInputError(
            _lt(
                "The candidates' %(array)s hold a negative value (%(value)s) at "
                "candidate %(first)s."
            ),
            array=name,
            value=f"{arr.min():g}",
            first=str(int(np.argmin(arr))),
        )
    return arr


def _limit(kind, value, name="", integer=False, least=0):
    """``value`` as a float (floored when ``integer``), else the kind's
    BAD_LIMIT error."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not np.isfinite(number) or number < least:
        raise OptimiserInputError(BAD_LIMIT[kind], name=name, value=str(value))
    if integer:
        number = float(np.floor(number + 1e-9))
    return number


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
    :param cap_by_contact: ``{contact: max contacts of that person}``, 0 or
        more: lowers ``max_per_contact`` for that person (the contact
        policy's remaining contacts in the period)
    :param cap_by_contact_channel: ``{(contact, channel): max contacts of
        that person on that channel}``, 0 or more: lowers
        ``max_per_contact_channel`` for that person
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
    cap_by_contact: dict = field(default_factory=dict)
    cap_by_contact_channel: dict = field(default_factory=dict)
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
                _lt("The candidate arrays have unequal lengths (%(lengths)s)."),
                lengths=detail,
            )
        if self.probability is not None and self.probability.size:
            if self.probability.max() > 1:
                raise OptimiserInputError(
                    _lt("The candidates' probability holds a value above 1.")
                )
        self.names = dict(self.names or {})
        if self.budget_total is not None:
            self.budget_total = _limit(BUDGET, self.budget_total)
        self.budget_by_campaign = self._limits(CAMPAIGN_BUDGET, self.budget_by_campaign)
        self.capacity_by_channel = self._limits(
            CHANNEL_CAPACITY, self.capacity_by_channel, integer=True
        )
        self.offer_min = {
            k: v
            for k, v in self._limits(OFFER_MIN, self.offer_min, integer=True).items()
            if v
        }
        self.offer_max = self._limits(OFFER_MAX, self.offer_max, integer=True)
        if self.max_per_contact is not None:
            self.max_per_contact = int(
                _limit(CONTACT_CAP, self.max_per_contact, integer=True, least=1)
            )
        self.max_per_contact_channel = {
            k: int(v)
            for k, v in self._limits(
                CONTACT_CHANNEL_CAP, self.max_per_contact_channel, integer=True
            ).items()
        }
        self.cap_by_contact = {
            int(k): int(_limit(CONTACT_CAP_OF, v, name=str(k), integer=True))
            for k, v in (self.cap_by_contact or {}).items()
            if v is not None
        }
        self.cap_by_contact_channel = {
            (int(k), int(c)): int(_limit(CONTACT_CAP_OF, v, name=str(k), integer=True))
            for (k, c), v in (self.cap_by_contact_channel or {}).items()
            if v is not None
        }
        self._check()

    def _limits(self, kind, limits, integer=False):
        """``{int key: checked limit}`` of a ``{key: limit}`` (None: no limit)."""
        return {
            int(k): _limit(kind, v, name=self.label(KEY_KIND[kind], k), integer=integer)
            for k, v in (limits or {}).items()
            if v is not None
        }

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

    def row_label(self, kind, key=None):
        """The label of a constraint, e.g. "capacity of channel Phone"."""
        name = self.label(KEY_KIND[kind], key) if kind in KEY_KIND else ""
        return LABELS[kind] % {"name": name}

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
                    _lt(
                        "Offer %(offer)s: the minimum volume (%(min)s) is above "
                        "the maximum volume (%(max)s)."
                    ),
                    offer=self.label("offer", o),
                    min=f"{lo:g}",
                    max=f"{hi:g}",
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
                    _lt(
                        "Offer %(offer)s has no value: its expected value is 0 "
                        "for every candidate (set its value per acceptance, or "
                        "its response model gives no chance)."
                    ),
                    offer=self.label("offer", o),
                )
        for o, lo in self.offer_min.items():
            reach = self._max_volume(self.offer == o)
            if lo > reach:
                raise OptimiserInputError(
                    _lt(
                        "Offer %(offer)s: the minimum volume (%(min)s) is above "
                        "what the candidates and the contact policy allow "
                        "(%(reach)s)."
                    ),
                    offer=self.label("offer", o),
                    min=f"{lo:g}",
                    reach=f"{reach:g}",
                )
            channels = np.unique(self.channel[self.offer == o])
            if all(int(c) in self.capacity_by_channel for c in channels):
                cap = sum(self.capacity_by_channel[int(c)] for c in channels)
                if lo > cap:
                    names = ", ".join(self.label("channel", int(c)) for c in channels)
                    raise OptimiserInputError(
                        _lt(
                            "Offer %(offer)s: the minimum volume (%(min)s) is "
                            "above the capacity of its channels %(channels)s "
                            "(%(capacity)s)."
                        ),
                        offer=self.label("offer", o),
                        min=f"{lo:g}",
                        channels=names,
                        capacity=f"{cap:g}",
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
                    _lt(
                        "The minimum volumes of the offers (%(total)s contacts "
                        "together) are above the capacity of the channels "
                        "(%(capacity)s)."
                    ),
                    total=f"{total:g}",
                    capacity=f"{cap:g}",
                )
        reach = self._max_volume(used)
        if total > reach:
            raise OptimiserInputError(
                _lt(
                    "The minimum volumes of the offers (%(total)s contacts "
                    "together) are above what the contact policy allows "
                    "(%(reach)s)."
                ),
                total=f"{total:g}",
                reach=f"{reach:g}",
            )
        cheapest = {
            o: self._cheapest(self.offer == o, n) for o, n in self.offer_min.items()
        }
        if self.budget_total is not None:
            need = sum(cheapest.values())
            if need > self.budget_total + 1e-9:
                raise OptimiserInputError(
                    _lt(
                        "The total budget (%(budget)s) is below the cost of the "
                        "minimum volumes of the offers (%(need)s at the "
                        "cheapest)."
                    ),
                    budget=f"{self.budget_total:g}",
                    need=f"{need:g}",
                )
        for k, budget in self.budget_by_campaign.items():
            need = 0.0
            for o in self.offer_min:
                mask = self.offer == o
                if np.all(self.campaign[mask] == k):
                    need += cheapest[o]
            if need > budget + 1e-9:
                raise OptimiserInputError(
                    _lt(
                        "The budget of campaign %(campaign)s (%(budget)s) is "
                        "below the cost of the minimum volumes of its offers "
                        "(%(need)s at the cheapest)."
                    ),
                    campaign=self.label("campaign", k),
                    budget=f"{budget:g}",
                    need=f"{need:g}",
                )

    def _cheapest(self, mask, count):
        costs = np.sort(self.cost[mask])
        return float(costs[: int(count)].sum())

    def contact_caps(self, contacts):
        """The cap of each of ``contacts`` on all channels together:
        ``max_per_contact``, lowered by the person's own cap.

        :param contacts: contact indices (int array)
        :return: float array (inf: no cap)
        """
        contacts = np.asarray(contacts, dtype=np.int64)
        base = np.inf if self.max_per_contact is None else self.max_per_contact
        caps = np.full(contacts.size, float(base))
        if self.cap_by_contact and contacts.size:
            keys = np.array(sorted(self.cap_by_contact), dtype=np.int64)
            vals = np.array([self.cap_by_contact[k] for k in keys], dtype=np.float64)
            caps = np.minimum(caps, _lookup(keys, vals, contacts, np.inf))
        return caps

    def contact_channel_caps(self, contacts, channels):
        """The cap of each (person, channel) of ``contacts`` x ``channels``
        (aligned arrays): ``max_per_contact_channel``, lowered by the
        person's own cap on the channel.

        :return: float array (inf: no cap)
        """
        contacts = np.asarray(contacts, dtype=np.int64)
        channels = np.asarray(channels, dtype=np.int64)
        caps = np.full(contacts.size, np.inf)
        for c, k in self.max_per_contact_channel.items():
            caps[channels == c] = np.minimum(caps[channels == c], k)
        if self.cap_by_contact_channel and contacts.size:
            width = (
                int(
                    max(channels.max(), max(c for _k, c in self.cap_by_contact_channel))
                )
                + 1
            )
            pairs = sorted(self.cap_by_contact_channel)
            keys = np.array([k * width + c for k, c in pairs], dtype=np.int64)
            vals = np.array(
                [self.cap_by_contact_channel[p] for p in pairs], dtype=np.float64
            )
            caps = np.minimum(
                caps, _lookup(keys, vals, contacts * width + channels, np.inf)
            )
        return caps

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
        per_cc = np.minimum(per_cc, self.contact_channel_caps(cc_contact, cc_channel))
        people, cinv = np.unique(cc_contact, return_inverse=True)
        per_contact = np.bincount(cinv.ravel(), weights=per_cc)
        per_contact = np.minimum(per_contact, self.contact_caps(people))
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
                Row(
                    BUDGET,
                    None,
                    self.row_label(BUDGET),
                    1,
                    self.budget_total,
                    members,
                    cost,
                )
            )
        for k, limit in sorted(self.budget_by_campaign.items()):
            members = np.flatnonzero(campaign == k)
            rows.append(
                Row(
                    CAMPAIGN_BUDGET,
                    k,
                    self.row_label(CAMPAIGN_BUDGET, k),
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
                    self.row_label(CHANNEL_CAPACITY, c),
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
                    self.row_label(OFFER_MIN, o),
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
                    self.row_label(OFFER_MAX, o),
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
