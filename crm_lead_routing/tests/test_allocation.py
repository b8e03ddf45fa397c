# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unit tests of the pure allocation functions (no database)."""

from collections import Counter

import pytest

from odoo.addons.crm_lead_routing.routing import (
    SKIP_CAPACITY,
    SKIP_INACTIVE,
    SKIP_NO_WEIGHT,
    Candidate,
    allocate,
)

LEADS = list(range(1, 13))


def _counts(allocation):
    return Counter(allocation.assigned.values())


def test_round_robin_in_turn_and_pointer():
    candidates = [Candidate(10), Candidate(20), Candidate(30)]
    result = allocate("round_robin", LEADS[:5], candidates)
    assert [result.assigned[i] for i in LEADS[:5]] == [10, 20, 30, 10, 20]
    # the next run starts after the last one served
    assert result.next_index == 2
    again = allocate("round_robin", [100, 101], candidates, result.next_index)
    assert again.assigned == {100: 30, 101: 10}


def test_round_robin_skips_inactive_and_full():
    candidates = [
        Candidate(10, capacity=5, load=5),
        Candidate(20, active=False),
        Candidate(30, capacity=2),
        Candidate(40),
    ]
    result = allocate("round_robin", LEADS[:6], candidates)
    assert _counts(result) == {30: 2, 40: 4}
    assert result.skipped == {10: SKIP_CAPACITY, 20: SKIP_INACTIVE, 30: SKIP_CAPACITY}
    assert result.leftover == []


def test_weighted_proportions():
    candidates = [
        Candidate(10, weight=3),
        Candidate(20, weight=1),
        Candidate(30, weight=0),
    ]
    result = allocate("weighted", list(range(400)), candidates)
    assert _counts(result) == {10: 300, 20: 100}
    assert result.skipped == {30: SKIP_NO_WEIGHT}
    # smooth: never more than one lead ahead of the exact share
    first = allocate("weighted", LEADS[:4], candidates)
    assert _counts(first) == {10: 3, 20: 1}


def test_least_loaded_fills_the_lightest_first():
    candidates = [Candidate(10, load=4), Candidate(20, load=0), Candidate(30, load=2)]
    result = allocate("least_loaded", LEADS[:6], candidates)
    # 20 goes 0->2, then 20 and 30 alternate to 4, then ties go in order
    assert _counts(result) == {20: 4, 30: 2}
    result = allocate("least_loaded", LEADS, candidates)
    assert _counts(result) == {10: 2, 20: 6, 30: 4}


@pytest.mark.parametrize("strategy", ["round_robin", "weighted", "least_loaded"])
def test_capacity_is_a_hard_limit(strategy):
    candidates = [Candidate(10, capacity=3, load=1), Candidate(20, capacity=4)]
    result = allocate(strategy, LEADS, candidates)
    assert _counts(result) == {10: 2, 20: 4}
    assert result.leftover == LEADS[6:]
    assert result.skipped == {10: SKIP_CAPACITY, 20: SKIP_CAPACITY}
    assert set(result.by_user()) == {10, 20}


@pytest.mark.parametrize("strategy", ["round_robin", "weighted", "least_loaded"])
def test_nobody_eligible(strategy):
    result = allocate(strategy, LEADS[:3], [Candidate(10, active=False)])
    assert result.assigned == {}
    assert result.leftover == LEADS[:3]


def test_unknown_strategy():
    with pytest.raises(ValueError):
        allocate("lottery", LEADS, [Candidate(10)])


def test_large_allocation_is_fast_enough():
    candidates = [Candidate(i, weight=1 + i % 3, capacity=1000) for i in range(200)]
    result = allocate("weighted", list(range(100_000)), candidates)
    assert len(result.assigned) == 100_000
    assert max(_counts(result).values()) <= 1000
