# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unit tests of the campaign optimiser (plain Python, no database): the
exact optimum against brute force, each constraint binding in turn with the
sign and meaning of its shadow price, the messages of infeasible input, the
decomposition against the exact MILP, and the two baselines."""

import json
import xmlrpc.client
from unittest.mock import patch

import numpy as np

from odoo.tests import BaseCase, tagged

from odoo.addons.marketing_resource_mgmt import optimiser
from odoo.addons.marketing_resource_mgmt.optimiser import (
    BUDGET,
    CAMPAIGN_BUDGET,
    CHANNEL_CAPACITY,
    CONTACT_CAP,
    CONTACT_CHANNEL_CAP,
    OFFER_MAX,
    OFFER_MIN,
    OptimiserInputError,
    Problem,
    everyone,
    greedy,
    priced_value,
    solve,
)
from odoo.addons.marketing_resource_mgmt.optimiser import compiled as compiled_mod
from odoo.addons.marketing_resource_mgmt.optimiser import lagrangian as lagrangian_mod

METHODS = ("milp", "lagrangian")


def _problem(rows, **kwargs):
    """A Problem from ``[(contact, offer, channel, campaign, value, cost)]``."""
    cols = list(zip(*rows, strict=True))
    return Problem(*[np.array(c) for c in cols], **kwargs)


def _meets_constraints(problem, subsets):
    """Which rows of ``subsets`` (0/1 matrix, one column per candidate) meet
    every constraint, each checked on its own (not through the optimiser)."""
    p = problem
    subsets = np.asarray(subsets, dtype=np.int64)
    ok = np.ones(subsets.shape[0], dtype=bool)
    eps = 1e-9
    if p.budget_total is not None:
        ok &= subsets @ p.cost <= p.budget_total + eps
    for k, limit in p.budget_by_campaign.items():
        ok &= subsets @ (p.cost * (p.campaign == k)) <= limit + eps
    for c, limit in p.capacity_by_channel.items():
        ok &= subsets @ (p.channel == c) <= limit
    for o, limit in p.offer_min.items():
        ok &= subsets @ (p.offer == o) >= limit
    for o, limit in p.offer_max.items():
        ok &= subsets @ (p.offer == o) <= limit
    for person in np.unique(p.contact).tolist():
        mine = p.contact == person
        cap = _own_cap(p.max_per_contact, p.cap_by_contact.get(person))
        if cap is not None:
            ok &= subsets @ mine <= cap
        for c in np.unique(p.channel).tolist():
            cap = _own_cap(
                p.max_per_contact_channel.get(c),
                p.cap_by_contact_channel.get((person, c)),
            )
            if cap is not None:
                ok &= subsets @ (mine & (p.channel == c)) <= cap
    return ok


def _within_own_caps(problem, chosen):
    """Every person of the plan ``chosen`` within their own caps."""
    p = problem
    for person in np.unique(p.contact).tolist():
        mine = chosen & (p.contact == person)
        cap = _own_cap(p.max_per_contact, p.cap_by_contact.get(person))
        if cap is not None and mine.sum() > cap:
            return False
        for c in np.unique(p.channel).tolist():
            cap = _own_cap(
                p.max_per_contact_channel.get(c),
                p.cap_by_contact_channel.get((person, c)),
            )
            if cap is not None and (mine & (p.channel == c)).sum() > cap:
                return False
    return True


def _own_cap(uniform, own):
    """A person's cap: the uniform one lowered by their own (None: none)."""
    caps = [k for k in (uniform, own) if k is not None]
    return min(caps) if caps else None


def _brute_force(problem):
    """The best objective over every subset of the candidates (n <= 14)."""
    n = problem.size
    subsets = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    ok = _meets_constraints(problem, subsets)
    return float((subsets @ problem.profit)[ok].max())


def _random_problem(rng, n_contacts, **constraints):
    rows = []
    for c in range(n_contacts):
        for o in range(3):
            for ch in range(2):
                if rng.random() < 0.55:
                    rows.append(
                        (
                            c,
                            o,
                            ch,
                            o % 2,
                            round(rng.uniform(0, 10), 2),
                            round(rng.uniform(0.5, 5), 2),
                        )
                    )
    rows = rows[:14]
    if not rows:
        rows = [(0, 0, 0, 0, 5.0, 1.0)]
    # every offer present must have some value
    return _problem(rows, **constraints)


def _medium_problem(n_contacts=1000, seed=3, **overrides):
    """About 5 candidates per person, 5 offers, 3 channels, every global
    constraint binding or close (the benchmark's generator, smaller)."""
    rng = np.random.default_rng(seed)
    contact = np.repeat(np.arange(n_contacts), 5)
    offer = np.tile(np.arange(5), n_contacts)
    channel = rng.integers(0, 3, contact.size)
    campaign = np.array([0, 0, 1, 1, 2])[offer]
    prob = np.clip(
        np.array([0.03, 0.02, 0.012, 0.008, 0.004])[offer]
        * np.array([1.0, 1.8, 4.0])[channel]
        * rng.lognormal(0, 0.8, n_contacts)[contact],
        0,
        0.95,
    )
    value = prob * np.array([40.0, 90.0, 150.0, 260.0, 500.0])[offer]
    cost = np.array([0.05, 1.1, 4.5])[channel] * rng.uniform(0.9, 1.1, contact.size)
    k = n_contacts / 1000
    kwargs = {
        "budget_total": 900 * k,
        "budget_by_campaign": {1: 250 * k},
        "capacity_by_channel": {2: 60 * k, 1: 300 * k},
        "offer_min": {4: 600 * k},
        "offer_max": {0: 150 * k},
        "max_per_contact": 2,
        "max_per_contact_channel": {2: 1},
        "probability": prob,
    }
    kwargs.update(overrides)
    return Problem(contact, offer, channel, campaign, value, cost, **kwargs)


def _loop_greedy(problem):
    """The greedy baseline as a plain loop (reference for the vectorised
    one)."""
    p = problem
    order = sorted(
        (i for i in range(p.size) if p.profit[i] > 1e-9), key=lambda i: -p.profit[i]
    )
    spent = 0.0
    spent_campaign, used_channel, used_offer = {}, {}, {}
    per_contact, per_cc = {}, {}
    chosen = np.zeros(p.size, dtype=bool)
    for i in order:
        c, o, ch, k = p.contact[i], p.offer[i], p.channel[i], p.campaign[i]
        cost = p.cost[i]
        if p.budget_total is not None and spent + cost > p.budget_total + 1e-9:
            continue
        if k in p.budget_by_campaign and (
            spent_campaign.get(k, 0) + cost > p.budget_by_campaign[k] + 1e-9
        ):
            continue
        if ch in p.capacity_by_channel and (
            used_channel.get(ch, 0) + 1 > p.capacity_by_channel[ch]
        ):
            continue
        if o in p.offer_max and used_offer.get(o, 0) + 1 > p.offer_max[o]:
            continue
        cap = _own_cap(p.max_per_contact, p.cap_by_contact.get(c))
        if cap is not None and per_contact.get(c, 0) >= cap:
            continue
        cap = _own_cap(
            p.max_per_contact_channel.get(ch), p.cap_by_contact_channel.get((c, ch))
        )
        if cap is not None and per_cc.get((c, ch), 0) >= cap:
            continue
        chosen[i] = True
        spent += cost
        spent_campaign[k] = spent_campaign.get(k, 0) + cost
        used_channel[ch] = used_channel.get(ch, 0) + 1
        used_offer[o] = used_offer.get(o, 0) + 1
        per_contact[c] = per_contact.get(c, 0) + 1
        per_cc[(c, ch)] = per_cc.get((c, ch), 0) + 1
    return chosen


@tagged("post_install", "-at_install")
class TestOptimiser(BaseCase):
    """The pure optimisation engine, without a database."""

    # ---------------------------------------------------------------- optimum
    def test_brute_force_optimum_on_small_random_instances(self):
        rng = np.random.default_rng(42)
        checked = 0
        for t in range(40):
            constraints = {
                "budget_total": round(rng.uniform(2, 15), 2),
                "budget_by_campaign": {0: round(rng.uniform(2, 10), 2)},
                "capacity_by_channel": {0: int(rng.integers(1, 4))},
                "offer_max": {1: int(rng.integers(1, 3))},
                "max_per_contact": int(rng.integers(1, 3)),
                "max_per_contact_channel": {1: 1},
            }
            if t % 3 == 0:
                constraints["offer_min"] = {2: 1}
            try:
                problem = _random_problem(rng, 3 + t % 3, **constraints)
            except OptimiserInputError:
                continue  # a random minimum nobody can reach
            best = _brute_force(problem)
            exact = solve(problem, gap=0)
            self.assertEqual(exact.method, "milp")
            self.assertTrue(exact.feasible)
            self.assertAlmostEqual(exact.objective, best, places=6, msg=f"instance {t}")
            self.assertGreaterEqual(exact.bound, best - 1e-6)
            self.assertTrue(_meets_constraints(problem, [exact.chosen])[0])
            decomposed = solve(problem, gap=0, method="lagrangian")
            self.assertTrue(decomposed.feasible, f"instance {t}")
            self.assertTrue(_meets_constraints(problem, [decomposed.chosen])[0])
            self.assertLessEqual(decomposed.objective, best + 1e-6)
            # its bound is a true bound of the optimum
            self.assertGreaterEqual(decomposed.bound, best - 1e-6)
            checked += 1
        self.assertGreaterEqual(checked, 30)

    def test_brute_force_optimum_with_caps_of_each_person(self):
        """The contact policy's remaining contacts per person (0, 1 or 2 in
        total, 0 or 1 on a channel) are exact constraints: the MILP finds
        the brute-force optimum, and the decomposition's plan keeps every
        person within their own caps (and its bound is a true bound)."""
        rng = np.random.default_rng(7)
        checked = 0
        for t in range(40):
            constraints = {
                "budget_total": round(rng.uniform(2, 15), 2),
                "capacity_by_channel": {0: int(rng.integers(1, 4))},
                "max_per_contact": 2,
            }
            if t % 2:
                constraints["max_per_contact_channel"] = {1: 1}
            if t % 4 == 1:
                constraints["offer_min"] = {2: 1}
            problem = None
            try:
                problem = _random_problem(rng, 3 + t % 3, **constraints)
                people = np.unique(problem.contact).tolist()
                own = {p: int(rng.integers(0, 3)) for p in people}
                own_channel = {
                    (p, int(c)): int(rng.integers(0, 2))
                    for p in people
                    for c in (0, 1)
                    if rng.random() < 0.3
                }
                problem = _problem(
                    list(
                        zip(
                            problem.contact,
                            problem.offer,
                            problem.channel,
                            problem.campaign,
                            problem.value,
                            problem.cost,
                            strict=True,
                        )
                    ),
                    cap_by_contact=own,
                    cap_by_contact_channel=own_channel,
                    **constraints,
                )
            except OptimiserInputError:
                continue  # a random minimum the caps leave out of reach
            best = _brute_force(problem)
            exact = solve(problem, gap=0)
            self.assertTrue(exact.feasible, f"instance {t}")
            self.assertAlmostEqual(exact.objective, best, places=6, msg=f"instance {t}")
            self.assertTrue(_meets_constraints(problem, [exact.chosen])[0])
            self.assertGreaterEqual(exact.bound, best - 1e-6)
            decomposed = solve(problem, gap=0, method="lagrangian")
            self.assertTrue(decomposed.feasible, f"instance {t}")
            self.assertTrue(_meets_constraints(problem, [decomposed.chosen])[0])
            self.assertLessEqual(decomposed.objective, best + 1e-6)
            self.assertGreaterEqual(decomposed.bound, best - 1e-6)
            # the greedy baseline too (it may miss a minimum volume, not a cap)
            plan = greedy(problem)
            self.assertFalse(plan.constraint(CONTACT_CAP).violated, f"instance {t}")
            self.assertTrue(_within_own_caps(problem, plan.chosen), f"instance {t}")
            checked += 1
        self.assertGreaterEqual(checked, 30)

    def test_caps_of_each_person_are_not_a_pre_filter(self):
        """Keeping only a person's best candidates up to their cap before
        solving (the former pre-filter) is not exact: here the best one
        does not fit the budget, the second best does."""
        rows = [
            (0, 0, 0, 0, 20.0, 9.0),  # profit 11, but 9 of a budget of 5
            (0, 1, 1, 0, 8.0, 1.0),  # profit 7
            (0, 2, 1, 0, 7.0, 1.0),  # profit 6
            (1, 0, 0, 0, 6.0, 1.0),  # profit 5
        ]
        problem = _problem(
            rows, budget_total=5.0, max_per_contact=2, cap_by_contact={0: 1}
        )
        for method in METHODS:
            solution = solve(problem, gap=0, method=method)
            self.assertEqual(solution.chosen.tolist(), [False, True, False, True])
            self.assertAlmostEqual(solution.objective, 12.0)
            self.assertFalse(solution.constraint(CONTACT_CAP).violated)
        # a person with nothing left gets nothing; the others their cap
        problem = _problem(rows, max_per_contact=2, cap_by_contact={0: 0, 1: 1})
        for method in METHODS:
            self.assertEqual(
                solve(problem, gap=0, method=method).chosen.tolist(),
                [False, False, False, True],
            )
        # on one channel: person 0 may get one more on channel 1
        problem = _problem(rows, max_per_contact=3, cap_by_contact_channel={(0, 1): 1})
        for method in METHODS:
            self.assertEqual(
                solve(problem, gap=0, method=method).chosen.tolist(),
                [True, True, False, True],
            )
        # the everyone baseline breaks a person's own cap: reported
        plan = everyone(_problem(rows, max_per_contact=3, cap_by_contact={0: 1}))
        self.assertTrue(plan.constraint(CONTACT_CAP).violated)
        with self.assertRaisesRegex(OptimiserInputError, "cap of contacts of person 0"):
            _problem(rows, cap_by_contact={0: -1})

    def test_decomposition_respects_each_persons_cap(self):
        """At scale (every stage of the decomposition runs), no person
        gets more than their own caps, and the plan is within the gap of
        the exact MILP."""
        base = _medium_problem(n_contacts=1000, offer_min={4: 400})
        rng = np.random.default_rng(5)
        own = {p: int(rng.integers(0, 3)) for p in range(0, 1000, 2)}
        own_channel = {(p, 1): int(rng.integers(0, 2)) for p in range(0, 1000, 3)}
        problem = _medium_problem(
            n_contacts=1000,
            offer_min={4: 400},
            cap_by_contact=own,
            cap_by_contact_channel=own_channel,
        )
        exact = solve(problem, gap=1e-5, method="milp")
        with (
            patch.object(lagrangian_mod, "SAMPLE_LP_CONTACTS", 150),
            patch.object(lagrangian_mod, "SAMPLE_TUNE_CONTACTS", 500),
        ):
            decomposed = solve(problem, gap=0.005, method="lagrangian")
        for solution in (exact, decomposed):
            self.assertTrue(_meets_constraints(problem, [solution.chosen])[0])
            chosen = solution.chosen
            per = np.bincount(problem.contact[chosen], minlength=1000)
            for person, cap in own.items():
                self.assertLessEqual(per[person], cap, person)
            on_1 = np.bincount(
                problem.contact[chosen & (problem.channel == 1)], minlength=1000
            )
            for (person, _c), cap in own_channel.items():
                self.assertLessEqual(on_1[person], cap, person)
        self.assertGreaterEqual(decomposed.objective, exact.objective * (1 - 0.005))
        self.assertGreaterEqual(decomposed.bound, exact.objective - 1e-6)
        # the caps cost something: the same people without them do better
        self.assertGreater(solve(base, gap=1e-5).objective, exact.objective)

    def test_unprofitable_candidates_are_left_out(self):
        problem = _problem(
            [(0, 0, 0, 0, 5.0, 6.0), (1, 0, 0, 0, 5.0, 1.0), (2, 0, 0, 0, 2.0, 2.0)]
        )
        for method in METHODS:
            solution = solve(problem, method=method)
            self.assertEqual(solution.chosen.tolist(), [False, True, False])
            self.assertAlmostEqual(solution.objective, 4.0)

    # ---------------------------------------------------------------- binding
    def _check_binding(self, problem, kind, key, sign, relaxed, step, also=()):
        """``kind``/``key`` binds with a shadow price of ``sign`` in both
        methods (and no other constraint but the kinds ``also``), and
        loosening it by ``step`` (``relaxed``: the same problem loosened)
        moves the optimum by the shadow price x step."""
        exact = solve(problem, gap=0)
        for method in METHODS:
            solution = solve(problem, gap=0, method=method)
            self.assertTrue(solution.feasible, method)
            self.assertAlmostEqual(solution.objective, exact.objective, 6, method)
            report = solution.constraint(kind, key)
            self.assertTrue(report.binding, f"{method}: {report}")
            self.assertFalse(report.violated)
            self.assertEqual(np.sign(report.shadow_price), sign, f"{method}: {report}")
            others = [
                r
                for r in solution.constraints
                if r.binding and (r.kind, r.key) != (kind, key) and r.kind not in also
            ]
            self.assertFalse(others, f"{method}: only {kind} binds")
        # the meaning of the price: one more unit is worth that much
        price = exact.constraint(kind, key).shadow_price
        gain = solve(relaxed, gap=0).objective - exact.objective
        self.assertAlmostEqual(gain, price * step, places=6)

    def test_budget_binds(self):
        rows = [(c, 0, 0, 0, v, 2.0) for c, v in enumerate([10.0, 9.0, 8.0, 7.0])]
        # 2 of the 4 (cost 2 each) fit in 4; the third is worth 8 - 2 = 6
        problem = _problem(rows, budget_total=4.0)
        self._check_binding(
            problem, BUDGET, None, 1, _problem(rows, budget_total=6.0), 2.0
        )
        self.assertAlmostEqual(solve(problem).constraint(BUDGET).shadow_price, 3.0)

    def test_campaign_budget_binds(self):
        rows = [(c, 0, 0, 0, v, 2.0) for c, v in enumerate([10.0, 9.0, 8.0])]
        rows += [(c + 3, 1, 0, 1, 6.0, 2.0) for c in range(3)]
        problem = _problem(rows, budget_by_campaign={0: 4.0, 1: 100.0})
        relaxed = _problem(rows, budget_by_campaign={0: 6.0, 1: 100.0})
        self._check_binding(problem, CAMPAIGN_BUDGET, 0, 1, relaxed, 2.0)
        self.assertFalse(solve(problem).constraint(CAMPAIGN_BUDGET, 1).binding)

    def test_channel_capacity_binds(self):
        rows = [(c, 0, 1, 0, v, 1.0) for c, v in enumerate([10.0, 9.0, 8.0, 7.0])]
        rows += [(9, 0, 0, 0, 5.0, 1.0)]
        problem = _problem(rows, capacity_by_channel={1: 2})
        relaxed = _problem(rows, capacity_by_channel={1: 3})
        self._check_binding(problem, CHANNEL_CAPACITY, 1, 1, relaxed, 1)
        # one more call is worth the third best call: 8 - 1
        self.assertAlmostEqual(
            solve(problem).constraint(CHANNEL_CAPACITY, 1).shadow_price, 7.0
        )

    def test_offer_minimum_binds_with_a_negative_price(self):
        # one contact each: offer 0 earns 9, offer 1 only 2; at least 2 of
        # offer 1, so two people swap, each swap costs 7
        rows = []
        for c in range(4):
            rows += [(c, 0, 0, 0, 10.0, 1.0), (c, 1, 0, 0, 3.0, 1.0)]
        problem = _problem(rows, offer_min={1: 2})
        relaxed = _problem(rows, offer_min={1: 1})
        # the cap per person binds too: it is what makes the offers compete
        self._check_binding(problem, OFFER_MIN, 1, -1, relaxed, -1, also=(CONTACT_CAP,))
        solution = solve(problem)
        self.assertEqual(solution.constraint(OFFER_MIN, 1).used, 2)
        self.assertAlmostEqual(solution.constraint(OFFER_MIN, 1).shadow_price, -7.0)

    def test_offer_maximum_binds(self):
        rows = []
        for c in range(4):
            rows += [(c, 0, 0, 0, 10.0, 1.0), (c, 1, 0, 0, 4.0, 1.0)]
        problem = _problem(rows, offer_max={0: 2})
        relaxed = _problem(rows, offer_max={0: 3})
        self._check_binding(problem, OFFER_MAX, 0, 1, relaxed, 1, also=(CONTACT_CAP,))
        self.assertAlmostEqual(
            solve(problem).constraint(OFFER_MAX, 0).shadow_price, 6.0
        )

    def test_cap_per_person_binds(self):
        rows = []
        for c in range(3):
            rows += [(c, 0, 0, 0, 10.0, 1.0), (c, 1, 1, 0, 5.0, 1.0)]
        problem = _problem(rows, max_per_contact=1)
        relaxed = _problem(rows, max_per_contact=2)
        # allowing each of the 3 people a second contact adds 3 x 4
        self._check_binding(problem, CONTACT_CAP, None, 1, relaxed, 1)
        self.assertAlmostEqual(
            solve(problem).constraint(CONTACT_CAP).shadow_price, 12.0
        )

    def test_cap_per_person_and_channel_binds(self):
        rows = []
        for c in range(3):
            rows += [(c, 0, 0, 0, 10.0, 1.0), (c, 1, 0, 0, 5.0, 1.0)]
            rows += [(c, 2, 1, 0, 3.0, 1.0)]
        problem = _problem(rows, max_per_contact=None, max_per_contact_channel={0: 1})
        relaxed = _problem(rows, max_per_contact=None, max_per_contact_channel={0: 2})
        self._check_binding(problem, CONTACT_CHANNEL_CAP, 0, 1, relaxed, 1)

    # ---------------------------------------------------------------- input
    def test_infeasible_and_invalid_input_name_the_constraint(self):
        rows = [(c, 0, 0, 0, 10.0, 2.0) for c in range(5)]
        rows += [(c, 1, 1, 1, 4.0, 1.0) for c in range(5)]
        names = {
            "offer": {0: "Gold card", 1: "Loan"},
            "channel": {0: "Phone", 1: "Mail"},
        }
        cases = [
            (
                {"capacity_by_channel": {0: 2}, "offer_min": {0: 3}},
                "capacity of its channels Phone",
            ),
            (
                {"budget_total": -5},
                "The total budget must be a number, 0 or more (not -5)",
            ),
            ({"budget_by_campaign": {1: -1}}, "The budget of campaign #1 must be"),
            (
                {"offer_min": {0: 4}, "offer_max": {0: 3}},
                "Gold card: the minimum volume (4) is above the maximum",
            ),
            (
                {"offer_min": {0: 4}, "budget_total": 7},
                "total budget (7) is below the cost of the minimum",
            ),
            (
                {"offer_min": {0: 6}},
                "Gold card: the minimum volume (6) is above what the candidates",
            ),
            (
                {"capacity_by_channel": {1: float("nan")}},
                "capacity of channel Mail must be a number",
            ),
            ({"max_per_contact": 0}, "contacts per person must be a number, 1 or more"),
            # the two minimums together need 10 contacts of 5 people with one each
            ({"offer_min": {0: 3, 1: 3}}, "above what the contact policy allows"),
        ]
        for kwargs, message in cases:
            with self.assertRaises(OptimiserInputError, msg=str(kwargs)) as caught:
                _problem(rows, names=names, **kwargs)
            self.assertIn(message, str(caught.exception))
        # the template is the same whatever the figures (Odoo translates it,
        # then fills in the figures)
        errors = []
        for budget in (-5, -7):
            with self.assertRaises(OptimiserInputError) as caught:
                _problem(rows, budget_total=budget)
            errors.append(caught.exception)
        self.assertEqual(errors[0].template, errors[1].template)
        self.assertEqual(errors[0].template % errors[0].params, str(errors[0]))
        self.assertEqual(errors[1].params, {"name": "", "value": "-7"})
        # an offer without value
        bad = rows + [(0, 2, 0, 0, 0.0, 1.0), (1, 2, 0, 0, 0.0, 1.0)]
        with self.assertRaisesRegex(OptimiserInputError, "Offer #2 has no value"):
            _problem(bad)
        # arrays of unequal length, NaN, negative cost
        c = np.arange(3)
        with self.assertRaisesRegex(OptimiserInputError, "unequal lengths"):
            Problem(c, c, c, c, np.ones(3), np.ones(2))
        with self.assertRaisesRegex(
            OptimiserInputError, "value hold 1 value\\(s\\) that are not numbers"
        ):
            Problem(c, c * 0, c * 0, c * 0, np.array([1.0, np.nan, 2.0]), np.ones(3))
        with self.assertRaisesRegex(
            OptimiserInputError, "cost hold a negative value \\(-1\\) at candidate 1"
        ):
            Problem(c, c * 0, c * 0, c * 0, np.ones(3), np.array([1.0, -1.0, 1.0]))
        with self.assertRaisesRegex(OptimiserInputError, "whole numbers"):
            Problem(c + 0.5, c * 0, c * 0, c * 0, np.ones(3), np.ones(3))

    def test_infeasible_combination_found_by_the_solver(self):
        # each check passes on its own, together the budget cannot pay for
        # both minimums on the channels that have room
        rows = [(c, 0, 0, 0, 10.0, 1.0) for c in range(4)]
        rows += [(c, 1, 1, 0, 10.0, 5.0) for c in range(4)]
        rows += [(c, 1, 0, 0, 10.0, 1.0) for c in range(4)]
        problem = _problem(
            rows,
            offer_min={0: 3, 1: 3},
            capacity_by_channel={0: 4},
            budget_total=13,
            max_per_contact=2,
        )
        for method in METHODS:
            with self.assertRaisesRegex(
                OptimiserInputError,
                "No plan meets every constraint together: the minimum volumes "
                "of the offers #0, #1 cannot be reached",
            ):
                solve(problem, method=method)

    # ---------------------------------------------------------------- scale
    def test_decomposition_within_the_gap_of_the_exact_milp(self):
        problem = _medium_problem()
        exact = solve(problem, gap=1e-5, method="milp")
        # a sample smaller than the instance, so every stage runs
        with (
            patch.object(lagrangian_mod, "SAMPLE_LP_CONTACTS", 150),
            patch.object(lagrangian_mod, "SAMPLE_TUNE_CONTACTS", 500),
        ):
            decomposed = solve(problem, gap=0.005, method="lagrangian")
        self.assertEqual(decomposed.info["bound_source"], "Lagrangian dual")
        self.assertIn("sample_rounds", decomposed.info)
        self.assertTrue(decomposed.feasible)
        self.assertTrue(_meets_constraints(problem, [decomposed.chosen])[0])
        self.assertGreaterEqual(decomposed.objective, exact.objective * (1 - 0.005))
        self.assertLessEqual(decomposed.objective, exact.objective + 1e-6)
        self.assertGreaterEqual(decomposed.bound, exact.objective - 1e-6)
        self.assertLessEqual(decomposed.gap, 0.005)
        # the same constraints bind, with prices of the same sign
        for report in exact.constraints:
            if report.kind in (CONTACT_CAP, CONTACT_CHANNEL_CAP):
                continue
            other = decomposed.constraint(report.kind, report.key)
            # the clearly priced rows (a row priced near 0 is degenerate)
            if abs(report.shadow_price) > 0.25:
                self.assertEqual(
                    np.sign(other.shadow_price), np.sign(report.shadow_price), report
                )
        binding = {(r.kind, r.key) for r in exact.constraints if r.binding}
        self.assertTrue(
            {(CHANNEL_CAPACITY, 1), (CHANNEL_CAPACITY, 2), (OFFER_MIN, 4)} <= binding,
            binding,
        )

    def test_a_short_time_limit_still_gives_a_feasible_plan(self):
        problem = _medium_problem()
        # the sampled LP cannot finish in no time: the prices start from 0
        with (
            patch.object(lagrangian_mod, "SAMPLE_LP_CONTACTS", 150),
            patch.object(lagrangian_mod, "lp_relaxation", side_effect=TimeoutError),
        ):
            solution = solve(problem, method="lagrangian", time_limit=0.001)
        self.assertTrue(solution.feasible)
        self.assertTrue(_meets_constraints(problem, [solution.chosen])[0])
        self.assertGreater(solution.objective, 0)
        self.assertGreaterEqual(solution.bound, solution.objective)

    def test_auto_switches_to_the_decomposition_above_the_threshold(self):
        problem = _medium_problem(n_contacts=400)
        with patch.object(optimiser.engine, "EXACT_MAX_CANDIDATES", 100):
            self.assertEqual(solve(problem).method, "lagrangian")
        self.assertEqual(solve(problem).method, "milp")

    # ---------------------------------------------------------------- baselines
    def test_greedy_takes_the_best_first_and_skips_what_does_not_fit(self):
        rows = [
            (0, 0, 0, 0, 15.0, 5.0),
            (1, 0, 0, 0, 10.0, 2.0),
            (2, 0, 0, 0, 10.0, 3.0),
        ]
        problem = _problem(rows, budget_total=5.0)
        plan = greedy(problem)
        self.assertEqual(plan.chosen.tolist(), [True, False, False])
        self.assertAlmostEqual(plan.objective, 10.0)
        best = solve(problem)
        self.assertEqual(best.chosen.tolist(), [False, True, True])
        self.assertAlmostEqual(best.objective, 15.0)

    def test_greedy_equals_the_plain_loop(self):
        # small windows, so the vectorised rounds really split the work
        with patch.object(compiled_mod, "FILL_WINDOW", 64):
            for seed in range(4):
                problem = _medium_problem(n_contacts=300, seed=seed, offer_min={})
                plan = greedy(problem)
                self.assertTrue(plan.feasible)
                self.assertEqual(
                    np.flatnonzero(plan.chosen).tolist(),
                    np.flatnonzero(_loop_greedy(problem)).tolist(),
                    f"seed {seed}",
                )
        optimum = solve(problem)
        self.assertGreater(optimum.objective, plan.objective)

    def test_everyone_reports_every_broken_constraint(self):
        problem = _medium_problem(n_contacts=300)
        plan = everyone(problem)
        self.assertTrue(plan.chosen.all())
        self.assertFalse(plan.feasible)
        broken = {(r.kind, r.key) for r in plan.constraints if r.violated}
        self.assertIn((BUDGET, None), broken)
        self.assertIn((CHANNEL_CAPACITY, 2), broken)
        self.assertIn((CONTACT_CAP, None), broken)
        self.assertNotIn((OFFER_MIN, 4), broken)
        self.assertAlmostEqual(plan.objective, float(problem.profit.sum()))

    def test_priced_value(self):
        """Candidates priced at a plan's shadow prices: the arithmetic, and
        each person's best by priced value within their caps is the plan."""
        stored = [
            {"kind": BUDGET, "key": False, "shadow_price": 0.5},
            {"kind": CAMPAIGN_BUDGET, "key": 1, "shadow_price": 0.25},
            {"kind": CHANNEL_CAPACITY, "key": 2, "shadow_price": 3.0},
            {"kind": OFFER_MIN, "key": 4, "shadow_price": -1.5},
            {"kind": OFFER_MAX, "key": 0, "shadow_price": 2.0},
            {"kind": CONTACT_CAP, "key": False, "shadow_price": 99.0},
        ]
        priced = priced_value(
            stored,
            offer=[0, 4, 2],
            channel=[2, 0, 1],
            campaign=[0, 2, 1],
            value=[10.0, 10.0, 10.0],
            cost=[2.0, 2.0, 2.0],
        )
        # 8 - 0.5x2 - 3 - 2; 8 - 0.5x2 + 1.5; 8 - 0.5x2 - 0.25x2
        self.assertEqual(priced.tolist(), [2.0, 8.5, 6.5])
        problem = _medium_problem(n_contacts=300)
        solution = solve(problem, method="lagrangian")
        p = problem
        priced = priced_value(
            solution.to_dict()["constraints"],
            p.offer,
            p.channel,
            p.campaign,
            p.value,
            p.cost,
        )
        cp = compiled_mod.Compiled(problem)
        local = cp.local_choice(priced[cp.index])
        agree = np.mean(local == solution.chosen[cp.index])
        self.assertGreater(agree, 0.97)

    # ---------------------------------------------------------------- report
    def test_totals_and_to_dict_are_rpc_safe(self):
        problem = _medium_problem(
            n_contacts=300,
            names={
                "offer": {0: "Gold"},
                "channel": {2: "Phone"},
                "campaign": {1: "Spring"},
            },
        )
        solution = solve(problem)
        data = solution.to_dict()
        xmlrpc.client.dumps((data,), allow_none=False)
        json.dumps(data)
        self.assertEqual(data["count"], int(solution.chosen.sum()))
        self.assertEqual(len(data["chosen"]), data["count"])
        total = data["totals"]["all"]
        self.assertAlmostEqual(total["profit"], solution.objective, places=6)
        for kind in ("campaign", "offer", "channel"):
            rows = data["totals"][kind]
            self.assertAlmostEqual(
                sum(r["profit"] for r in rows), solution.objective, 6
            )
            self.assertAlmostEqual(
                sum(r["responses"] for r in rows), total["responses"], 6
            )
        chosen = solution.chosen
        self.assertAlmostEqual(total["responses"], problem.probability[chosen].sum())
        labels = {r["key"]: r["label"] for r in data["totals"]["offer"]}
        self.assertEqual(labels[0], "Gold")
        labels = {r["key"]: r["label"] for r in data["totals"]["campaign"]}
        self.assertEqual(labels[1], "Spring")
        capacity = next(
            c
            for c in data["constraints"]
            if c["kind"] == CHANNEL_CAPACITY and c["key"] == 2
        )
        self.assertEqual(capacity["label"], "capacity of channel Phone")
