# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unit tests of the journey engine (tools/journey.py, no database)."""

from collections import Counter
from datetime import datetime

from odoo.tests import BaseCase

from ..tools import journey as engine


def _step(sid, parent=None, **kw):
    vals = {
        "id": sid,
        "name": f"S{sid}",
        "parent_id": parent,
        "trigger": "joined",
        "trigger_days": 0,
        "action": "tag",
        "wait_days": 0,
        "branch": "done",
        "ab_percent": 0,
        "ab_winner_percent": 0,
    }
    vals.update(kw)
    return vals


class TestJourneyGraph(BaseCase):
    def assertRule(self, steps, code):
        with self.assertRaises(engine.JourneyError) as caught:
            engine.validate_steps(steps)
        self.assertEqual(caught.exception.args[0], code)

    def test_valid_two_steps(self):
        self.assertIsNone(
            engine.validate_steps(
                [
                    _step(1, action="mail"),
                    _step(2, 1, trigger="no_reaction", trigger_days=3, action="call"),
                ]
            )
        )

    def test_loop(self):
        self.assertRule([_step(1, 2), _step(2, 1)], "loop")
        self.assertRule([_step(1), _step(2, 3), _step(3, 4), _step(4, 2)], "loop")
        self.assertRule([_step(1, 1)], "loop")

    def test_no_action(self):
        self.assertRule([_step(1), _step(2, 1, action=False)], "no_action")

    def test_zero_wait_and_zero_days(self):
        self.assertRule([_step(1, action="wait", wait_days=0)], "zero_wait")
        self.assertRule([_step(1, action="wait", wait_days=-2)], "zero_wait")
        self.assertRule([_step(1, trigger="no_reaction", trigger_days=0)], "zero_days")
        self.assertRule([_step(1, trigger="quotation", trigger_days=0)], "zero_days")
        # a date trigger may count zero days (the date itself)
        engine.validate_steps([_step(1, trigger="date", trigger_days=0)])

    def test_ab_split_total(self):
        split = _step(1, action="ab_split", ab_winner_percent=80)
        a = _step(2, 1, branch="variant", ab_percent=10, action="mail")
        b = _step(3, 1, branch="variant", ab_percent=10, action="mail")
        engine.validate_steps([split, a, b])
        self.assertRule([split, a, dict(b, ab_percent=15)], "ab_total")  # 105 %
        self.assertRule([split, a], "ab_total")  # one variant
        # a split being built (no variant yet) is saved, but cannot run
        engine.validate_steps([split])
        with self.assertRaises(engine.JourneyError):
            engine.validate_steps([split], complete=True)
        self.assertRule(
            [dict(split, ab_winner_percent=100), dict(a, ab_percent=0), b],
            "ab_total",
        )
        self.assertRule([split, a, dict(b, branch="done")], "ab_child")
        self.assertRule([_step(1), dict(a, parent_id=1)], "variant_outside")


class TestJourneyArithmetic(BaseCase):
    def test_due_time(self):
        self.assertEqual(
            engine.due_time(datetime(2026, 3, 30, 9), 3), datetime(2026, 4, 2, 9)
        )

    def test_ab_bucket_is_seeded_and_spread(self):
        buckets = [engine.ab_bucket(7, pid) for pid in range(1, 10001)]
        self.assertEqual(buckets, [engine.ab_bucket(7, pid) for pid in range(1, 10001)])
        self.assertTrue(all(0 <= b < 100 for b in buckets))
        counts = Counter(b // 10 for b in buckets)
        # ten deciles of 1,000 each, within 10 %
        self.assertTrue(all(900 <= n <= 1100 for n in counts.values()), counts)
        other = [engine.ab_bucket(8, pid) for pid in range(1, 10001)]
        self.assertNotEqual(buckets, other)

    def test_ab_ranges_and_assign(self):
        ranges = engine.ab_ranges([("a", 10), ("b", 20)])
        self.assertEqual(ranges, [("a", 0, 10), ("b", 10, 30)])
        self.assertEqual(engine.ab_assign(ranges, 0), "a")
        self.assertEqual(engine.ab_assign(ranges, 9), "a")
        self.assertEqual(engine.ab_assign(ranges, 10), "b")
        self.assertIsNone(engine.ab_assign(ranges, 30))

    def test_choose_winner(self):
        self.assertEqual(engine.choose_winner([("a", 3, 10), ("b", 5, 10)]), "b")
        self.assertEqual(engine.choose_winner([("a", 5, 10), ("b", 1, 2)]), "a")
        self.assertEqual(engine.choose_winner([("a", 0, 0), ("b", 0, 4)]), "b")
        self.assertIsNone(engine.choose_winner([("a", 0, 0)]))
