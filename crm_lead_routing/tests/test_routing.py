# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import RoutingCommon


@tagged("post_install", "-at_install")
class TestRouting(RoutingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gb = cls.env.ref("base.uk")
        State = cls.env["res.country.state"]
        cls.syk = State.create(
            {"name": "Yorkshire, South", "code": "RTSY", "country_id": gb.id}
        )
        cls.nel = State.create(
            {"name": "North Eart Lincolnshire", "code": "RTNE", "country_id": gb.id}
        )
        cls.nl = State.create(
            {"name": "North Lincolnshire", "code": "RTNL", "country_id": gb.id}
        )

    def _counts(self, leads):
        return Counter(lead.user_id.name for lead in leads)

    # ---- strategies

    def test_round_robin_on_create(self):
        self._rule("RR", [self.alice, self.bob, self.carol])
        leads = self._leads(7, route=True)
        self.assertEqual(
            [lead.user_id.name for lead in leads],
            ["Alice", "Bob", "Carol", "Alice", "Bob", "Carol", "Alice"],
        )
        self.assertEqual(set(leads.mapped("routing_state")), {"assigned"})
        self.assertEqual(leads.team_id, self.team)
        self.assertEqual(leads.lead_owner_id, self.manager)
        # the pointer carries over to the next batch
        more = self._leads(2, route=True)
        self.assertEqual([lead.user_id.name for lead in more], ["Bob", "Carol"])

    def test_explicit_team_or_salesperson_not_routed_on_create(self):
        """Leads created for a team or a person are left to them, as Odoo's own
        assignment leaves them; the others are routed."""
        self._rule("RR", [self.alice, self.bob])
        other_team = self.env["crm.team"].create({"name": "Other team"})
        for_team = self._leads(1, route=True, team_id=other_team.id)
        for_carol = self._leads(1, route=True, user_id=self.carol.id)
        routed = self._leads(1, route=True)
        self.assertEqual(for_team.team_id, other_team)
        self.assertFalse(for_team.routing_state)
        self.assertEqual(for_carol.user_id, self.carol)
        self.assertFalse(for_carol.routing_state)
        self.assertEqual(routed.routing_state, "assigned")
        self.assertEqual(routed.user_id, self.alice)

    def test_weighted(self):
        self._rule(
            "W",
            [(self.alice, {"weight": 3}), (self.bob, {"weight": 1})],
            strategy="weighted",
        )
        leads = self._leads(40, route=True)
        self.assertEqual(self._counts(leads), {"Alice": 30, "Bob": 10})

    def test_least_loaded_counts_open_leads_set_wise(self):
        rule = self._rule("LL", [self.alice, self.bob], strategy="least_loaded")
        # Alice already got 4 leads today from this rule's routing
        self._rule(
            "RR-A", [self.alice], sequence=1, domain="[('name', '=like', 'Old%')]"
        )
        old = self.Lead.create([{"name": f"Old {i}", "type": "lead"} for i in range(4)])
        self.assertEqual(set(old.mapped("user_id.name")), {"Alice"})
        leads = self._leads(6, route=True)
        self.assertEqual(self._counts(leads), {"Bob": 5, "Alice": 1})
        self.assertEqual(set(leads.routing_rule_id.ids), {rule.id})

    def test_capacity_and_waiting(self):
        self._rule(
            "Cap",
            [(self.alice, {"capacity": 2}), (self.bob, {"capacity": 1})],
        )
        leads = self._leads(5, route=True)
        self.assertEqual(
            self._counts(leads.filtered("user_id")), {"Alice": 2, "Bob": 1}
        )
        waiting = leads.filtered(lambda lead: not lead.user_id)
        self.assertEqual(len(waiting), 2)
        self.assertEqual(set(waiting.mapped("routing_state")), {"waiting"})
        self.assertIn("full", waiting[0].routing_explanation)
        # the cron retries them; capacity is still full today
        self.Rule._cron_route_waiting_leads()
        self.assertFalse(waiting.user_id)
        # with room again, the cron routes them
        rule = leads.routing_rule_id
        rule.assignee_ids.filtered(lambda a: a.user_id == self.bob).capacity = 5
        self.Rule._cron_route_waiting_leads()
        self.assertEqual(waiting.user_id, self.bob)
        self.assertEqual(set(waiting.mapped("routing_state")), {"assigned"})

    def test_route_on_demand(self):
        leads = self._leads(3)
        self._rule("RR", [self.alice, self.bob])
        action = leads.with_user(self.manager).action_route()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("3 routed", action["params"]["message"])
        self.assertEqual(self._counts(leads), {"Alice": 2, "Bob": 1})
        self.assertEqual(set(leads.mapped("routing_log_ids.kind")), {"rule"})

    # ---- matchers inside rules

    def test_fuzzy_matchers_in_rules(self):
        self._rule(
            "South Yorkshire",
            [self.alice],
            criteria=[
                {
                    "field_name": "state_id",
                    "operator": "normalized",
                    "value": "South Yorkshire",
                }
            ],
            sequence=1,
        )
        self._rule(
            "NE Lincs",
            [self.bob],
            criteria=[
                {
                    "field_name": "state_id",
                    "operator": "similar",
                    "value": "North East Lincolnshire",
                    "threshold": 0.6,
                }
            ],
            sequence=2,
        )
        self._rule(
            "Leeds phones",
            [self.carol],
            criteria=[{"field_name": "phone", "operator": "prefix", "value": "0113"}],
            sequence=3,
        )
        Lead = self.Lead
        sheffield = Lead.create({"name": "S", "state_id": self.syk.id})
        grimsby = Lead.create({"name": "G", "state_id": self.nel.id})
        scunthorpe = Lead.create({"name": "N", "state_id": self.nl.id})
        leeds = Lead.create({"name": "L", "phone": "+44 (0)113 496 0000"})
        self.assertEqual(sheffield.user_id, self.alice)
        self.assertEqual(grimsby.user_id, self.bob)
        self.assertEqual(leeds.user_id, self.carol)
        # no rule: the lead keeps Odoo's default salesperson, reported
        self.assertNotIn(scunthorpe.user_id, self.alice | self.bob | self.carol)
        self.assertEqual(scunthorpe.routing_state, "unrouted")
        # explanation: rule, criterion, the lead's value, strategy
        self.assertIn("South Yorkshire", sheffield.routing_explanation)
        self.assertIn("Yorkshire, South", sheffield.routing_explanation)
        self.assertIn("Alice", sheffield.routing_explanation)
        self.assertIn("North Eart Lincolnshire", grimsby.routing_explanation)
        log = self.env["crm.routing.log"].search([("lead_id", "=", leeds.id)])
        self.assertEqual(log.kind, "rule")
        self.assertEqual(log.user_id, self.carol)
        self.assertIn("0113", log.explanation)

    def test_same_salesperson_in_rules_of_different_teams(self):
        """One batch, one salesperson in two rules: each lead gets its own
        rule's team (or the salesperson's default team for a rule without
        one), not the first rule's team for both."""
        other_team = self.env["crm.team"].create({"name": "Other routing team"})
        phone_rule = self._rule(
            "Leeds phones",
            [self.alice],
            criteria=[{"field_name": "phone", "operator": "prefix", "value": "0113"}],
            sequence=1,
        )
        city_rule = self._rule(
            "York",
            [self.alice],
            criteria=[{"field_name": "city", "operator": "=", "value": "York"}],
            sequence=2,
            team_id=other_team.id,
        )
        free_rule = self._rule(
            "Hull",
            [self.alice],
            criteria=[{"field_name": "city", "operator": "=", "value": "Hull"}],
            sequence=3,
            team_id=False,
        )
        leeds, york, hull = (
            self._leads(1, phone="0113 496 0000")
            | self._leads(1, city="York")
            | self._leads(1, city="Hull")
        )
        self.Rule._route_leads((leeds | york | hull).ids)
        self.assertEqual((leeds | york | hull).user_id, self.alice)
        self.assertEqual(leeds.routing_rule_id, phone_rule)
        self.assertEqual(leeds.team_id, self.team)
        self.assertEqual(york.routing_rule_id, city_rule)
        self.assertEqual(york.team_id, other_team)
        self.assertEqual(hull.routing_rule_id, free_rule)
        self.assertEqual(
            hull.team_id.id, self.env["crm.team"]._get_default_team_id(self.alice.id).id
        )

    def test_and_or_groups_and_domain(self):
        self._rule(
            "Combo",
            [self.alice],
            domain="[('expected_revenue', '>=', 1000)]",
            criteria=[
                {
                    "group": 1,
                    "field_name": "city",
                    "operator": "normalized",
                    "value": "Leeds",
                },
                {"group": 1, "field_name": "zip", "operator": "prefix", "value": "LS1"},
                {"group": 2, "field_name": "city", "operator": "=", "value": "York"},
            ],
        )
        Lead = self.Lead
        hit1 = Lead.create(
            {"name": "1", "city": "LEEDS", "zip": "ls1 4ap", "expected_revenue": 5000}
        )
        miss_zip = Lead.create(
            {"name": "2", "city": "Leeds", "zip": "LS14 1AA", "expected_revenue": 5000}
        )
        hit2 = Lead.create({"name": "3", "city": "York", "expected_revenue": 2000})
        miss_rev = Lead.create({"name": "4", "city": "York", "expected_revenue": 10})
        self.assertEqual((hit1 | hit2).user_id, self.alice)
        self.assertNotIn(self.alice, (miss_zip | miss_rev).user_id)
        self.assertEqual(
            set((miss_zip | miss_rev).mapped("routing_state")), {"unrouted"}
        )

    # ---- fallback and explanations

    def test_fallback_pool_and_report(self):
        self._rule(
            "Only York",
            [self.alice],
            criteria=[{"field_name": "city", "operator": "=", "value": "York"}],
        )
        fallback = self._rule(
            "Catch-all", [self.bob, self.carol], strategy="pool", is_fallback=True
        )
        york, other = self.Lead.create(
            [{"name": "Y", "city": "York"}, {"name": "O", "city": "Hull"}]
        )
        self.assertEqual(york.user_id, self.alice)
        self.assertFalse(other.user_id)
        self.assertEqual(other.routing_state, "pool")
        self.assertEqual(other.routing_rule_id, fallback)
        self.assertIn("fallback", other.routing_explanation)
        log = self.env["crm.routing.log"].search([("lead_id", "=", other.id)])
        self.assertEqual(log.kind, "fallback")

    def test_fallback_team_setting(self):
        team = self.env["crm.team"].create({"name": "Fallback team"})
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_lead_routing.fallback_team_id", team.id
        )
        lead = self.Lead.create({"name": "Nobody's"})
        self.assertEqual(lead.routing_state, "unrouted")
        self.assertEqual(lead.team_id, team)
        stats = self.Rule._route_leads(lead.ids)
        self.assertEqual(stats["unrouted"], 1)

    def test_rules_route_their_company_leads_only(self):
        """A company's rule (or fallback rule, or fallback team) never takes
        another company's lead: the lead keeps the company it was created
        with (Odoo's digest counts leads per company on that)."""
        main = self.env.company
        other = self.env["res.company"].create({"name": "Routing Other Co"})
        # the creating user may work in both (else crm moves the lead)
        self.env.user.company_ids |= other
        self._rule("Main RR", [self.alice], company_id=main.id)
        self._rule(
            "Main catch-all",
            [self.bob],
            strategy="pool",
            is_fallback=True,
            company_id=main.id,
        )
        fallback_team = self.env["crm.team"].create(
            {"name": "Main fallback", "company_id": main.id}
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_lead_routing.fallback_team_id", fallback_team.id
        )
        ours, theirs, nobodys = self.Lead.create(
            [
                {"name": "Ours", "company_id": main.id},
                {"name": "Theirs", "company_id": other.id},
                {"name": "No company", "company_id": False},
            ]
        )
        self.assertEqual(ours.user_id, self.alice)
        self.assertEqual(ours.routing_state, "assigned")
        self.assertEqual(nobodys.user_id, self.alice)
        self.assertEqual(theirs.routing_state, "unrouted")
        self.assertEqual(theirs.company_id, other)
        self.assertNotEqual(theirs.team_id, fallback_team)
        # a rule of no company routes every company's leads
        self._rule("Everyone", [self.carol], company_id=False)
        self.Rule._route_leads(theirs.ids)
        self.assertEqual(theirs.user_id, self.carol)

    def test_explanation_lists_skipped_assignees(self):
        rule = self._rule(
            "Skips",
            [(self.alice, {"active": False}), (self.bob, {"capacity": 1}), self.carol],
        )
        leads = self._leads(3, route=True)
        self.assertEqual(self._counts(leads), {"Bob": 1, "Carol": 2})
        text = leads[-1].routing_explanation
        self.assertIn("Alice (inactive)", text)
        self.assertIn("Bob (capacity full)", text)
        self.assertIn(rule.name, text)
        self.assertEqual(len(leads[0].routing_log_ids), 1)
        history = leads[0].assignment_ids
        self.assertEqual(set(history.mapped("role")), {"owner", "executing"})

    # ---- bad input

    def test_bad_input(self):
        cases = [
            dict(domain="[('no_such_field', '=', 1)]"),
            dict(domain="[('name', '=',"),
            dict(assignee_ids=[]),
            dict(assignee_ids=[(0, 0, {"user_id": self.alice.id, "weight": -1})]),
            dict(assignee_ids=[(0, 0, {"user_id": self.alice.id, "capacity": -2})]),
            dict(recycle=True, sla_hours=0),
            dict(
                criterion_ids=[
                    (0, 0, {"field_name": "nope", "operator": "=", "value": "x"})
                ]
            ),
        ]
        for vals in cases:
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError),
                mute_logger("odoo.sql_db"),
            ):
                with self.env.cr.savepoint():
                    self.Rule.create(
                        {
                            "name": "Bad",
                            "assignee_ids": [(0, 0, {"user_id": self.alice.id})],
                            **vals,
                        }
                    )
            self.assertFalse(self.Rule.search([("name", "=", "Bad")]))

    def test_failure_half_way_leaves_nothing_half_assigned(self):
        self._rule("RR", [self.alice, self.bob])
        leads = self._leads(6)
        before = [(lead.user_id, lead.routing_state) for lead in leads]
        Assignment = type(self.env["crm.lead.assignment"])
        with (
            patch.object(
                Assignment, "invalidate_model", side_effect=RuntimeError("boom")
            ),
            self.assertRaises(RuntimeError),
        ):
            self.Rule._route_leads(leads.ids)
        leads.invalidate_recordset()
        self.assertEqual([(lead.user_id, lead.routing_state) for lead in leads], before)
        self.assertNotIn(self.alice, leads.user_id)
        self.assertFalse(
            self.env["crm.routing.log"].search([("lead_id", "in", leads.ids)])
        )

    # ---- set-based

    def test_query_count_is_bounded(self):
        self._rule(
            "Fuzzy",
            [self.alice, self.bob],
            criteria=[
                {
                    "field_name": "city",
                    "operator": "similar",
                    "value": "Leeds",
                    "threshold": 0.5,
                }
            ],
            sequence=1,
        )
        self._rule("Weighted", [self.carol, self.bob], strategy="weighted", sequence=2)
        self._rule("Pool", [self.carol], strategy="pool", is_fallback=True)
        small = self._leads(10, city="Leeds") | self._leads(10, city="Hull")
        big = self._leads(500, city="Leeds") | self._leads(500, city="Hull")
        self.env.flush_all()
        counts = []
        for leads in (small, big):
            before = self.env.cr.sql_log_count
            stats = self.Rule._route_leads(leads.ids)
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(stats["routed"], len(leads))
        # 1,000 leads cost about what 20 leads cost: no per-lead query
        self.assertLess(counts[1], 200, counts)
        self.assertLess(counts[1], counts[0] + 30, counts)
        self.assertEqual(
            len(big.filtered(lambda lead: lead.city == "Leeds").user_id), 2
        )

    def test_assignees_cost_no_query_each(self):
        """The salespeople are written in one statement, not one write (and
        its recomputes) per (rule, salesperson) group."""
        sellers = [
            new_test_user(
                self.env,
                f"rt_seller_{i}",
                groups="sales_team.group_sale_salesman",
                name=f"Seller {i}",
            )
            for i in range(12)
        ]
        counts = []
        for name, users in (("Two", sellers[:2]), ("Twelve", sellers)):
            rule = self._rule(name, users)
            leads = self._leads(240)
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            stats = self.Rule._route_leads(leads.ids, rules=rule)
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(stats["routed"], 240)
            self.assertEqual(len(leads.user_id), len(users))
            rule.active = False
        # ten more salespeople, (almost) no more queries
        self.assertLess(counts[1], counts[0] + 10, counts)

    def test_batch_conditions_match_as_per_lead(self):
        """A large batch evaluates fuzzy criteria on repeated text values once
        per distinct value: the same leads match, with the same explanations,
        as when each lead's value is evaluated."""
        self._rule(
            "County",
            [self.alice],
            criteria=[
                {"field_name": "street2", "operator": "normalized", "value": "S Yorks"}
            ],
            sequence=1,
        )
        self._rule(
            "Town",
            [self.bob, self.carol],
            criteria=[
                {
                    "field_name": "city",
                    "operator": "similar",
                    "value": "Scunthorpe",
                    "threshold": 0.5,
                },
                {"field_name": "priority", "operator": "=", "value": "1", "group": 2},
            ],
            sequence=2,
        )
        self._rule("Pool", [self.carol], strategy="pool", is_fallback=True)
        streets = ["South Yorkshire", "s. yorks", "SOUTH  YORKSHIRE", "Kent", False]
        cities = ["Scunthorpe", "Scunthorp", "scunthorpe ", "Leeds", False]
        leads = self.Lead.with_context(routing_skip=True).create(
            [
                {
                    "name": f"B{i}",
                    "street2": streets[i % 5],
                    "city": cities[(i // 5) % 5],
                    "priority": str(i % 3),
                }
                for i in range(60)
            ]
        )
        results, calls = self._route_per_value_and_per_lead(
            leads, "_get_batch_conditions"
        )
        self.assertFalse([call for call in calls[10**9] if call.args[1]])
        self.assertTrue([call for call in calls[0] if call.args[1]])
        self.assertEqual(results[0], results[10**9])
        by_user = Counter(d.user_id or False for d in results[0].values())
        # 3 of 5 street spellings are South Yorkshire: 36 leads; of the 24
        # others, 16 have a spelling of Scunthorpe and 3 more priority 1
        self.assertEqual(by_user[self.alice.id], 36)
        self.assertEqual(by_user[self.bob.id] + by_user[self.carol.id], 19)
        self.assertEqual(by_user[False], 5)

    def _route_per_value_and_per_lead(self, leads, method):
        """Simulate routing ``leads`` with the per-value evaluation of a
        large batch turned off, then on, spying on the criterion's
        ``method``.

        :return: ``({minimum: decisions}, {minimum: the method's calls})``
            for the minimums 10**9 (off) and 0 (on)
        """
        module = "odoo.addons.crm_lead_routing.models.crm_routing_rule"
        Criterion = type(self.env["crm.routing.rule.criterion"])
        results, calls = {}, {}
        for minimum in (10**9, 0):
            with (
                patch(f"{module}.BATCH_CONDITIONS_MIN", minimum),
                patch.object(
                    Criterion,
                    method,
                    autospec=True,
                    side_effect=getattr(Criterion, method),
                ) as spy,
            ):
                stats = self.Rule._route_leads(leads.ids, simulate=True)
            results[minimum] = stats["decisions"]
            calls[minimum] = list(spy.mock_calls)
        return results, calls

    def test_batch_prefix_conditions_match_as_per_lead(self):
        """A large batch evaluates 'starts with' lines (postcodes, phones)
        on the batch's distinct values, each normalised once for every line:
        the same leads match, with the same explanations (the other rules
        that matched included), as when each lead's value is evaluated."""
        self._rule(
            "Leeds postcodes",
            [self.alice],
            criteria=[{"field_name": "zip", "operator": "prefix", "value": "LS1-LS3"}],
            sequence=1,
        )
        self._rule(
            "Leeds phones",
            [self.bob],
            criteria=[
                {"field_name": "phone", "operator": "prefix", "value": "0113"},
                {"field_name": "zip", "operator": "prefix", "value": "DN", "group": 2},
            ],
            sequence=2,
        )
        self._rule("Pool", [self.carol], strategy="pool", is_fallback=True)
        zips = ["ls1 4ap", "LS2-7QT", "LS14 1AA", "dn31 2ab", "YO1 7HH", False]
        phones = ["0113 496 0123", "+44 113 4960123", "0044 (0)114 4960000", False]
        leads = self.Lead.with_context(routing_skip=True).create(
            [
                {"name": f"P{i}", "zip": zips[i % 6], "phone": phones[(i // 6) % 4]}
                for i in range(48)
            ]
        )
        results, calls = self._route_per_value_and_per_lead(
            leads, "_batch_prefix_matching"
        )
        self.assertEqual((len(calls[10**9]), len(calls[0])), (0, 3))
        self.assertEqual(results[0], results[10**9])
        by_user = Counter(d.user_id or False for d in results[0].values())
        # LS1 and LS2 (not LS14): 16 leads; of the 32 others, a Leeds phone
        # (16 of them) or a DN postcode (8, 4 with a Leeds phone)
        self.assertEqual(by_user[self.alice.id], 16)
        self.assertEqual(by_user[self.bob.id], 20)
        self.assertEqual(by_user[False], 12)
        also = [d for d in results[0].values() if "Also matched" in d.explanation]
        # Leeds postcodes with a Leeds phone: the phone rule is named
        self.assertEqual(len(also), 8)
        self.assertTrue(all("Leeds phones" in d.explanation for d in also))

    def test_rules_matched_in_one_query_as_each_alone(self):
        """All the rules of a run are matched in one query over the batch:
        for each rule, the same leads, the same criteria that matched and
        the same values as the rule's own query, with a domain, a company,
        OR-ed groups, a related field, a shared condition, fuzzy lines
        (per lead and per value), no criterion, a domain that matches
        nothing, and a domain that joins (matched alone)."""
        other = self.env["res.company"].create({"name": "Match Other Co"})
        uk = self.env.ref("base.uk")
        county = {"field_name": "street2", "operator": "normalized", "value": "S Yorks"}
        rules = [
            self._rule("County", [self.alice], criteria=[county], sequence=1),
            self._rule(
                "Groups",
                [self.bob],
                criteria=[
                    {
                        "field_name": "city",
                        "operator": "similar",
                        "value": "Scunthorpe",
                        "threshold": 0.5,
                    },
                    {"field_name": "priority", "operator": "=", "value": "1"},
                    {
                        "field_name": "zip",
                        "operator": "prefix",
                        "value": "DN",
                        "group": 2,
                    },
                ],
                domain="[('type', '=', 'lead')]",
                sequence=2,
            ),
            self._rule(
                "Other company",
                [self.carol],
                criteria=[
                    county,
                    {
                        "field_name": "expected_revenue",
                        "operator": ">=",
                        "value": "500",
                    },
                ],
                company_id=other.id,
                sequence=3,
            ),
            self._rule(
                "Country",
                [self.alice],
                criteria=[
                    {
                        "field_name": "country_id",
                        "operator": "similar",
                        "value": "United Kingdom",
                    }
                ],
                sequence=4,
            ),
            self._rule(
                "No criterion",
                [self.bob],
                domain="[('name', '=like', 'M%')]",
                sequence=5,
            ),
            self._rule("Nothing", [self.bob], domain="[('id', 'in', [])]", sequence=6),
            self._rule("Joined", [self.carol], criteria=[county], sequence=7),
        ]
        rules = self.Rule.browse([rule.id for rule in rules])
        streets = ["South Yorkshire", "s. yorks", "Kent", False]
        cities = ["Scunthorpe", "Scunthorp", "Leeds", False]
        zips = ["DN31 2AB", "ls1 4ap", False]
        leads = self.Lead.with_context(routing_skip=True).create(
            [
                {
                    "name": f"{'M' if i % 5 == 0 else 'L'}{i}",
                    "type": "lead",
                    "street2": streets[i % 4],
                    "city": cities[(i // 4) % 4],
                    "zip": zips[i % 3],
                    "priority": str(i % 3),
                    "expected_revenue": 100 * (i % 9),
                    "country_id": uk.id if i % 2 else False,
                    "company_id": other.id if i % 7 == 0 else self.env.company.id,
                }
                for i in range(96)
            ]
        )
        Rule = type(self.Rule)
        get_query = Rule._get_domain_query

        def domain_query(rule):
            query = get_query(rule)
            if rule.name == "Joined":
                query.add_join(
                    "LEFT JOIN",
                    "joined_company",
                    "res_company",
                    SQL("joined_company.id = crm_lead.company_id"),
                )
            return query

        module = "odoo.addons.crm_lead_routing.models.crm_routing_rule"
        ids = leads.ids
        with patch.object(Rule, "_get_domain_query", domain_query):
            for minimum in (10**9, 0):
                with patch(f"{module}.BATCH_CONDITIONS_MIN", minimum):
                    batch = self.Rule._prepare_batch_conditions(ids)
                    alone = {rule.id: rule._match(ids, batch) for rule in rules}
                    batch = self.Rule._prepare_batch_conditions(ids)
                    before = self.env.cr.sql_log_count
                    together = rules._match_rules(ids, batch)
                    queries = self.env.cr.sql_log_count - before
                self.assertEqual(together, alone, minimum)
                self.assertEqual(
                    list(together), rules.ids, "every rule, in priority order"
                )
                for rule_id in rules.ids:
                    self.assertEqual(list(together[rule_id]), list(alone[rule_id]))
                if minimum:
                    # one query for six rules, one for the joined one
                    self.assertEqual(queries, 2)
                else:
                    # the two county lines of the rules matched together:
                    # each street spelling normalised once for both
                    self.assertEqual(len(batch["value_matches"]), 2)
        by_name = {rule.name: together[rule.id] for rule in rules}
        self.assertFalse(by_name["Nothing"])
        # every rule but "Nothing" matched some leads
        self.assertTrue(all(by_name[n] for n in by_name if n != "Nothing"), by_name)
        # the company rule only took leads of its company (or of none)
        self.assertTrue(
            set(by_name["Other company"])
            <= set(leads.filtered(lambda lead: lead.company_id == other).ids)
        )
        # the groups: a lead matched by its postcode alone lists that line only
        dn_only = [
            matched
            for lead_id, matched in by_name["Groups"].items()
            if [c.field_name for c, _v in matched] == ["zip"]
        ]
        self.assertTrue(dn_only)
        self.assertEqual(
            {value for matched in dn_only for _c, value in matched}, {"DN31 2AB"}
        )

    def test_assignment_does_what_crm_write_does(self):
        """Routing gives the same lead as crm's own write of the salesperson
        and team: assignment date, company, stage, probabilities."""
        self._rule("RR", [self.alice])
        won = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        # some history in the team, so that lead scoring has something to say
        history = self._leads(
            6, team_id=self.team.id, country_id=self.env.ref("base.uk").id
        )
        history[:4].write({"stage_id": won.id})
        history[4:].action_set_lost()
        vals = {"country_id": self.env.ref("base.uk").id, "email_from": "x@example.com"}
        routed, written = self._leads(2, **vals)
        (routed | written).date_open = "2020-01-01 10:00:00"
        self.env.flush_all()
        self.Rule._route_leads(routed.ids)
        written.with_context(tracking_disable=True).write(
            {"user_id": self.alice.id, "team_id": self.team.id}
        )
        self.env.flush_all()
        (routed | written).invalidate_recordset()
        self.assertEqual(routed.user_id, self.alice)
        self.assertEqual(routed.routing_state, "assigned")
        for fname in (
            "user_id",
            "team_id",
            "company_id",
            "stage_id",
            "probability",
            "automated_probability",
            "date_open",
            "message_partner_ids",
        ):
            self.assertEqual(routed[fname], written[fname], fname)
        self.assertNotEqual(str(routed.date_open), "2020-01-01 10:00:00")
        self.assertEqual(routed.write_uid, self.env.user)
