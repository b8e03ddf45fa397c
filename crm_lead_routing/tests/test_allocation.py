# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unit tests of the pure allocation functions (no database)."""

from collections import Counter

from odoo.tests import BaseCase, tagged

from odoo.addons.crm_lead_routing.routing import (
    SKIP_CAPACITY,
    SKIP_EXCLUDED,
    SKIP_INACTIVE,
    SKIP_NO_WEIGHT,
    Candidate,
    Decision,
    RoutingRun,
    allocate,
)
from odoo.addons.crm_lead_routing.routing.engine import POOL, RULE, UNROUTED

LEADS = list(range(1, 13))


def _counts(allocation):
    return Counter(allocation.assigned.values())


@tagged("post_install", "-at_install")
class TestAllocation(BaseCase):
    """The pure allocation functions, without a database: run by Odoo's
    test runner and by pytest."""

    def test_round_robin_in_turn_and_pointer(self):
        candidates = [Candidate(10), Candidate(20), Candidate(30)]
        result = allocate("round_robin", LEADS[:5], candidates)
        assert [result.assigned[i] for i in LEADS[:5]] == [10, 20, 30, 10, 20]
        assert result.next_index == 2
        again = allocate("round_robin", [100, 101], candidates, result.next_index)
        assert again.assigned == {100: 30, 101: 10}

    def test_round_robin_skips_inactive_and_full(self):
        candidates = [
            Candidate(10, capacity=5, load=5),
            Candidate(20, active=False),
            Candidate(30, capacity=2),
            Candidate(40),
        ]
        result = allocate("round_robin", LEADS[:6], candidates)
        assert _counts(result) == {30: 2, 40: 4}
        assert result.skipped == {
            10: SKIP_CAPACITY,
            20: SKIP_INACTIVE,
            30: SKIP_CAPACITY,
        }
        assert result.leftover == []

    def test_weighted_proportions(self):
        candidates = [
            Candidate(10, weight=3),
            Candidate(20, weight=1),
            Candidate(30, weight=0),
        ]
        result = allocate("weighted", list(range(400)), candidates)
        assert _counts(result) == {10: 300, 20: 100}
        assert result.skipped == {30: SKIP_NO_WEIGHT}
        first = allocate("weighted", LEADS[:4], candidates)
        assert _counts(first) == {10: 3, 20: 1}

    def test_least_loaded_fills_the_lightest_first(self):
        candidates = [
            Candidate(10, load=4),
            Candidate(20, load=0),
            Candidate(30, load=2),
        ]
        result = allocate("least_loaded", LEADS[:6], candidates)
        assert _counts(result) == {20: 4, 30: 2}
        result = allocate("least_loaded", LEADS, candidates)
        assert _counts(result) == {10: 2, 20: 6, 30: 4}

    def test_capacity_is_a_hard_limit(self):
        for strategy in ["round_robin", "weighted", "least_loaded"]:
            with self.subTest(strategy=strategy):
                candidates = [
                    Candidate(10, capacity=3, load=1),
                    Candidate(20, capacity=4),
                ]
                result = allocate(strategy, LEADS, candidates)
                assert _counts(result) == {10: 2, 20: 4}
                assert result.leftover == LEADS[6:]
                assert result.skipped == {10: SKIP_CAPACITY, 20: SKIP_CAPACITY}
                assert set(result.by_user()) == {10, 20}

    def test_nobody_eligible(self):
        for strategy in ["round_robin", "weighted", "least_loaded"]:
            with self.subTest(strategy=strategy):
                result = allocate(strategy, LEADS[:3], [Candidate(10, active=False)])
                assert result.assigned == {}
                assert result.leftover == LEADS[:3]

    def test_unknown_strategy(self):
        with self.assertRaises(ValueError):
            allocate("lottery", LEADS, [Candidate(10)])

    def test_large_allocation_is_fast_enough(self):
        candidates = [Candidate(i, weight=1 + i % 3, capacity=1000) for i in range(200)]
        result = allocate("weighted", list(range(100000)), candidates)
        assert len(result.assigned) == 100000
        assert max(_counts(result).values()) <= 1000

    def test_skipped_as_they_were_when_each_lead_was_given(self):
        candidates = [
            Candidate(10, capacity=1),
            Candidate(20, active=False),
            Candidate(30),
        ]
        for strategy in ("round_robin", "weighted", "least_loaded"):
            with self.subTest(strategy=strategy):
                result = allocate(strategy, [1, 2, 3], candidates)
                self.assertEqual(result.assigned[1], 10)
                # the first lead's chosen one is never "skipped" for it
                self.assertEqual(result.skipped_for(1), [(20, SKIP_INACTIVE)])
                self.assertEqual(
                    result.skipped_for(3), [(20, SKIP_INACTIVE), (10, SKIP_CAPACITY)]
                )


@tagged("post_install", "-at_install")
class TestRoutingRun(BaseCase):
    """The engine's run object and typed decisions, without a database."""

    def test_run_moves_loads_and_pointer(self):
        run = RoutingRun(
            candidates={7: [Candidate(10, capacity=2), Candidate(20)]},
            loads={(7, 10): 1},
            pointers={7: 1},
        )
        result = run.allocate(7, "round_robin", [1, 2, 3])
        # from the pointer: 20, then 10 (one room left), then 20
        self.assertEqual(result.assigned, {1: 20, 2: 10, 3: 20})
        self.assertEqual(run.loads, {(7, 10): 2, (7, 20): 2})
        self.assertEqual(run.pointers[7], 0)
        self.assertEqual(run.moved_pointers, {7})
        self.assertFalse(run.has_room(7, 10))
        self.assertTrue(run.has_room(7, 20))
        # a second allocation of the same run goes on from there
        again = run.allocate(7, "round_robin", [4], exclude_user_ids={20})
        self.assertEqual(again.assigned, {})
        self.assertEqual(again.skip_events, [(10, SKIP_CAPACITY), (20, SKIP_EXCLUDED)])

    def test_decisions_and_stats(self):
        run = RoutingRun()
        run.decide(1, Decision(RULE, 7, 10, "by rule"))
        run.decide(2, Decision(POOL, 7, None, "pool"))
        run.decide(3, Decision(UNROUTED, explanation="none"))
        run.matched_by = {1: [7, 8], 2: [7]}
        self.assertEqual(run.undecided([1, 2, 3, 4]), [4])
        self.assertEqual(
            [run.decisions[i].state for i in (1, 2, 3)],
            ["assigned", "pool", "unrouted"],
        )
        self.assertTrue(run.decisions[2].moves)
        self.assertFalse(run.decisions[3].moves)
        stats = run.stats(4)
        self.assertEqual(
            {k: stats[k] for k in ("leads", "routed", "pooled", "unrouted")},
            {"leads": 4, "routed": 1, "pooled": 1, "unrouted": 1},
        )
        self.assertEqual(stats["per_rule"], {7: 2})
        self.assertEqual(stats["per_user"], {10: 1})
        self.assertEqual(stats["conflicts"], {1: [7, 8]})
        with self.assertRaises(ValueError):
            Decision("lottery")
