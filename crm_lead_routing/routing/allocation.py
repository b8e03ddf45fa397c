# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Allocation of lead ids to assignees, over ids only.

The functions are deterministic (no randomness, ties broken by the order of
the candidates) so that a simulation gives the same distribution as the run.
Capacity is the number of leads an assignee may still take in the current
period (``None`` = unlimited); every strategy respects it.
"""

import heapq
from dataclasses import dataclass, field

SKIP_CAPACITY = "capacity"
SKIP_INACTIVE = "inactive"
SKIP_NO_WEIGHT = "no_weight"
SKIP_EXCLUDED = "excluded"
STRATEGIES = ("round_robin", "weighted", "least_loaded")


@dataclass
class Candidate:
    """One assignee of a rule as the allocation sees it.

    :param user_id: the user's id
    :param weight: share for the weighted strategy (> 0 to receive leads)
    :param capacity: maximum open leads in the period (``None``/0: unlimited)
    :param load: open leads the user already holds in the period
    :param active: inactive assignees are skipped
    :param excluded: left out of this allocation by the caller (the
        previous holder of a recycled or reassigned lead)
    """

    user_id: int
    weight: float = 1.0
    capacity: int | None = None
    load: int = 0
    active: bool = True
    excluded: bool = False

    def room(self):
        """Leads the candidate may still take (``None`` = unlimited)."""
        if not self.capacity:
            return None
        return max(self.capacity - self.load, 0)


@dataclass
class Allocation:
    """Result of :func:`allocate`.

    :ivar assigned: ``{lead_id: user_id}``
    :ivar leftover: lead ids nobody could take (every capacity full)
    :ivar skipped: ``{user_id: reason}`` for candidates left out
    :ivar next_index: round-robin pointer to keep for the next run
    :ivar skip_events: ``[(user_id, reason)]`` in the order candidates
        were left out (the ineligible ones first, then each one as it filled)
    :ivar skipped_before: ``{lead_id: n}``: when the lead was given, the
        first ``n`` skip events had happened (its explanation names those
        and no later ones)
    """

    assigned: dict = field(default_factory=dict)
    leftover: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)
    next_index: int = 0
    skip_events: list = field(default_factory=list)
    skipped_before: dict = field(default_factory=dict)

    def skip(self, user_id, reason):
        """Record that ``user_id`` is left out from now on."""
        if user_id not in self.skipped:
            self.skipped[user_id] = reason
            self.skip_events.append((user_id, reason))

    def give(self, lead_id, user_id):
        self.assigned[lead_id] = user_id
        self.skipped_before[lead_id] = len(self.skip_events)

    def skipped_for(self, lead_id):
        """``[(user_id, reason)]`` left out when ``lead_id`` was given."""
        return self.skip_events[: self.skipped_before.get(lead_id, 0)]

    def by_user(self):
        """``{user_id: [lead_ids]}`` in lead order, for grouped writes."""
        groups = {}
        for lead_id, user_id in self.assigned.items():
            groups.setdefault(user_id, []).append(lead_id)
        return groups


def _eligible(candidates, result, need_weight=False):
    eligible = []
    for candidate in candidates:
        if candidate.excluded:
            result.skip(candidate.user_id, SKIP_EXCLUDED)
        elif not candidate.active:
            result.skip(candidate.user_id, SKIP_INACTIVE)
        elif need_weight and candidate.weight <= 0:
            result.skip(candidate.user_id, SKIP_NO_WEIGHT)
        elif candidate.room() == 0:
            result.skip(candidate.user_id, SKIP_CAPACITY)
        else:
            eligible.append(candidate)
    return eligible


def _take(candidate, taken, result):
    """Whether ``candidate`` may take one more lead; counts it if so (and
    records it as full once it has no room left)."""
    room = candidate.room()
    if room is not None and taken[candidate.user_id] >= room:
        result.skip(candidate.user_id, SKIP_CAPACITY)
        return False
    taken[candidate.user_id] += 1
    return True


def round_robin(lead_ids, candidates, start_index=0):
    """Each eligible candidate in turn, starting after the last one served.

    :param lead_ids: ids to allocate, in order
    :param candidates: list of :class:`Candidate`, in the rule's order
    :param start_index: position (in ``candidates``) to start from
    :return: :class:`Allocation`
    """
    result = Allocation(next_index=start_index)
    eligible = _eligible(candidates, result)
    if not eligible:
        result.leftover = list(lead_ids)
        return result
    positions = [candidates.index(c) for c in eligible]
    # first eligible candidate at or after the pointer
    cursor = next((i for i, p in enumerate(positions) if p >= start_index), 0)
    taken = {c.user_id: 0 for c in eligible}
    for lead_id in lead_ids:
        for _attempt in range(len(eligible)):
            candidate = eligible[cursor]
            cursor = (cursor + 1) % len(eligible)
            if _take(candidate, taken, result):
                result.give(lead_id, candidate.user_id)
                result.next_index = positions[cursor]
                break
        else:
            result.leftover.append(lead_id)
    _mark_filled(eligible, taken, result)
    return result


def _heap_allocate(lead_ids, eligible, result, priority):
    """Give each lead to the candidate of lowest ``priority(candidate,
    taken)`` (ties: rule order), with a heap: O(n log m) for n leads and m
    candidates, so that 100k leads over 200 assignees stay fast."""
    taken = {c.user_id: 0 for c in eligible}
    heap = [(priority(c, 0), order, c) for order, c in enumerate(eligible)]
    heapq.heapify(heap)
    lead_iter = iter(lead_ids)
    for lead_id in lead_iter:
        if not heap:
            result.leftover.append(lead_id)
            result.leftover.extend(lead_iter)
            break
        _prio, order, candidate = heapq.heappop(heap)
        taken[candidate.user_id] += 1
        result.give(lead_id, candidate.user_id)
        room = candidate.room()
        if room is None or taken[candidate.user_id] < room:
            heapq.heappush(
                heap, (priority(candidate, taken[candidate.user_id]), order, candidate)
            )
        else:
            result.skip(candidate.user_id, SKIP_CAPACITY)
    _mark_filled(eligible, taken, result)
    return result


def weighted(lead_ids, candidates):
    """Leads shared in proportion of the weights (Sainte-Lague: the next lead
    goes to the lowest ``(taken + 0.5) / weight``), so that after n leads each
    candidate holds about ``n * w / sum(w)``.

    :return: :class:`Allocation`
    """
    result = Allocation()
    eligible = _eligible(candidates, result, need_weight=True)
    return _heap_allocate(
        lead_ids, eligible, result, lambda c, taken: (taken + 0.5) / c.weight
    )


def least_loaded(lead_ids, candidates):
    """Each lead to the candidate with the fewest open leads (load counted in
    the period plus what this run gave), ties to the first in order.

    :return: :class:`Allocation`
    """
    result = Allocation()
    eligible = _eligible(candidates, result)
    return _heap_allocate(lead_ids, eligible, result, lambda c, taken: c.load + taken)


def _mark_filled(eligible, taken, result):
    for candidate in eligible:
        room = candidate.room()
        if room is not None and taken[candidate.user_id] >= room:
            result.skip(candidate.user_id, SKIP_CAPACITY)


def allocate(strategy, lead_ids, candidates, start_index=0):
    """Dispatch to the strategy's function.

    :param strategy: one of :data:`STRATEGIES`
    :return: :class:`Allocation`
    :raise ValueError: on an unknown strategy
    """
    if strategy == "round_robin":
        return round_robin(lead_ids, candidates, start_index)
    if strategy == "weighted":
        return weighted(lead_ids, candidates)
    if strategy == "least_loaded":
        return least_loaded(lead_ids, candidates)
    raise ValueError(f"unknown strategy {strategy!r}")
