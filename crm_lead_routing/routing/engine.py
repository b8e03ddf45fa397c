# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The routing engine: plain Python, no ORM.

A :class:`RoutingRun` holds what one routing operation needs and decides:
the assignees of each rule (:class:`~.allocation.Candidate`, with their
capacities), their loads, the round-robin pointers and one
:class:`Decision` per lead. Routing on create, batch routing, recycling,
bulk reassignment, simulation and claims all fill a run; ``crm.lead``
applies its decisions in SQL and ``crm.routing.rule`` stores the pointers
the run moved.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from .allocation import allocate

# kinds of decision (the routing log's kinds)
RULE = "rule"
POOL = "pool"
WAITING = "waiting"
FALLBACK = "fallback"
UNROUTED = "unrouted"
CLAIM = "claim"
RECYCLE = "recycle"
REASSIGN = "reassign"
KINDS = (RULE, POOL, WAITING, FALLBACK, UNROUTED, CLAIM, RECYCLE, REASSIGN)
# the lead's routing state a decision of each kind leaves without a user
STATE_WITHOUT_USER = {
    POOL: "pool",
    FALLBACK: "pool",
    RECYCLE: "pool",
    UNROUTED: "unrouted",
    WAITING: "waiting",
    CLAIM: "waiting",
    REASSIGN: "waiting",
    RULE: "waiting",
}
# the stats counter each kind adds to
STAT_OF_KIND = {RULE: "routed", POOL: "pooled"}


def period_start(now, period):
    """Start of the capacity period holding ``now``: the day, or the week
    (from Monday).

    :param period: ``"day"`` or ``"week"``
    """
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        start -= timedelta(days=start.weekday())
    return start


@dataclass(frozen=True)
class Decision:
    """What happens to one lead, and why.

    :ivar kind: one of :data:`KINDS`
    :ivar rule_id: the rule that decided (``None``: none)
    :ivar user_id: the salesperson who gets the lead (``None``: nobody, the
        lead goes to a pool, waits or stays unrouted)
    :ivar explanation: the sentence shown on the lead and in the log
    """

    kind: str
    rule_id: int | None = None
    user_id: int | None = None
    explanation: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown decision kind {self.kind!r}")

    @property
    def state(self):
        """The lead's ``routing_state`` after the decision."""
        return "assigned" if self.user_id else STATE_WITHOUT_USER[self.kind]

    @property
    def moves(self):
        """Whether the decision ends the lead's current assignments."""
        return self.kind not in (WAITING, UNROUTED)


@dataclass
class RoutingRun:
    """One routing operation's state.

    :ivar candidates: ``{rule_id: [Candidate]}`` in the rule's order, with
        their capacities (loads are taken from :attr:`loads` when allocating)
    :ivar loads: ``{(rule_id, user_id): open leads of the user in the
        rule's period}``, moved by each allocation of the run
    :ivar pointers: ``{rule_id: round-robin index}``
    :ivar moved_pointers: rule ids whose pointer this run moved (to store)
    :ivar decisions: ``{lead_id: Decision}``
    :ivar matched_by: ``{lead_id: [rule ids]}``, every rule that matched the
        lead, in priority order
    """

    candidates: dict = field(default_factory=dict)
    loads: dict = field(default_factory=dict)
    pointers: dict = field(default_factory=dict)
    moved_pointers: set = field(default_factory=set)
    decisions: dict = field(default_factory=dict)
    matched_by: dict = field(default_factory=dict)

    def capacity(self, rule_id, user_id):
        """The capacity of ``user_id`` on the rule (``None``: unlimited)."""
        for candidate in self.candidates.get(rule_id, ()):
            if candidate.user_id == user_id:
                return candidate.capacity
        return None

    def has_room(self, rule_id, user_id):
        capacity = self.capacity(rule_id, user_id)
        return not capacity or self.loads.get((rule_id, user_id), 0) < capacity

    def allocate(self, rule_id, strategy, lead_ids, exclude_user_ids=()):
        """Allocate ``lead_ids`` over the rule's candidates with their
        current loads, from the rule's pointer; moves the pointer and the
        loads.

        :return: :class:`~.allocation.Allocation`
        """
        candidates = []
        for candidate in self.candidates.get(rule_id, ()):
            candidates.append(
                type(candidate)(
                    user_id=candidate.user_id,
                    weight=candidate.weight,
                    capacity=candidate.capacity,
                    load=self.loads.get((rule_id, candidate.user_id), 0),
                    active=candidate.active,
                    excluded=candidate.user_id in exclude_user_ids,
                )
            )
        strategy = "round_robin" if strategy == "pool" else strategy
        result = allocate(strategy, lead_ids, candidates, self.pointers.get(rule_id, 0))
        if strategy == "round_robin" and result.assigned:
            self.pointers[rule_id] = result.next_index
            self.moved_pointers.add(rule_id)
        for user_id in result.assigned.values():
            key = (rule_id, user_id)
            self.loads[key] = self.loads.get(key, 0) + 1
        return result

    def decide(self, lead_id, decision):
        self.decisions[lead_id] = decision

    def undecided(self, lead_ids):
        return [lead_id for lead_id in lead_ids if lead_id not in self.decisions]

    def stats(self, lead_count):
        """Counts of the decisions: ``leads``, ``routed``, ``pooled``,
        ``waiting``, ``fallback``, ``unrouted``, ``per_rule`` and
        ``per_user`` (``{id: count}``), ``conflicts`` (``{lead_id: [rule
        ids]}`` for leads several rules matched) and ``decisions``."""
        stats = dict.fromkeys(
            ("routed", "pooled", "waiting", "fallback", "unrouted"), 0
        )
        stats.update(leads=lead_count, per_rule={}, per_user={})
        for decision in self.decisions.values():
            key = STAT_OF_KIND.get(decision.kind, decision.kind)
            stats[key] = stats.get(key, 0) + 1
            if decision.rule_id:
                per_rule = stats["per_rule"]
                per_rule[decision.rule_id] = per_rule.get(decision.rule_id, 0) + 1
            if decision.user_id:
                per_user = stats["per_user"]
                per_user[decision.user_id] = per_user.get(decision.user_id, 0) + 1
        stats["conflicts"] = {
            lead_id: rules
            for lead_id, rules in self.matched_by.items()
            if len(rules) > 1
        }
        stats["decisions"] = self.decisions
        return stats
