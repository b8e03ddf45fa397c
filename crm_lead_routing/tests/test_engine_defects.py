# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 18 (defects 4, 5, 9) and issue 16's routing wizards: each test
fails on the code before the routing engine."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import RoutingCommon

T0 = datetime(2030, 3, 4, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestLastAssignee(RoutingCommon):
    def test_unlinking_the_last_assignee_line_is_refused(self):
        rule = self._rule("Solo", [self.alice, self.bob])
        rule.assignee_ids[0].unlink()
        with self.assertRaisesRegex(ValidationError, "'Solo' is active"):
            rule.assignee_ids.unlink()
        # the key of the rule's own write, sent by a client, lifts nothing
        with self.assertRaisesRegex(ValidationError, "'Solo' is active"):
            rule.assignee_ids.with_context(routing_rule_checks_assignees=True).unlink()
        self.env.invalidate_all()
        self.assertEqual(rule.assignee_ids.user_id, self.bob)
        # moving the line to another rule is the same loss
        other = self._rule("Other", [self.carol])
        with self.assertRaisesRegex(ValidationError, "keep at least one"):
            rule.assignee_ids.write({"rule_id": other.id})
        self.env.invalidate_all()
        # the rule's form may replace its last line in one save
        rule.write(
            {
                "assignee_ids": [
                    (2, rule.assignee_ids.id),
                    (0, 0, {"user_id": self.carol.id}),
                ]
            }
        )
        self.assertEqual(rule.assignee_ids.user_id, self.carol)
        # an archived (draft) rule may be emptied
        rule.active = False
        rule.assignee_ids.unlink()
        self.assertFalse(rule.assignee_ids)


@tagged("post_install", "-at_install")
class TestExplanations(RoutingCommon):
    def test_chosen_assignee_is_never_listed_as_skipped(self):
        self._rule("Solo", [(self.alice, {"capacity": 1})])
        lead = self._leads(1, route=True)
        text = lead.routing_explanation
        self.assertEqual(lead.user_id, self.alice)
        self.assertIn("chose Alice", text)
        self.assertNotIn("Alice (capacity full)", text)
        self.assertNotIn("Passed over", text)

    def test_skipped_with_their_true_reason_when_the_lead_was_given(self):
        self._rule(
            "Team",
            [(self.alice, {"capacity": 1}), (self.bob, {"active": False}), self.carol],
        )
        first, second, third = self._leads(3, route=True)
        self.assertEqual((first + second + third).user_id, self.alice | self.carol)
        self.assertEqual(third.user_id, self.carol)
        # Alice was free when she took the first lead, and not her turn for
        # the second; her turn again for the third, she was full
        self.assertIn("Passed over: Bob (inactive).", first.routing_explanation)
        self.assertIn("Passed over: Bob (inactive).", second.routing_explanation)
        self.assertIn(
            "Passed over: Bob (inactive), Alice (capacity full).",
            third.routing_explanation,
        )

    def test_every_matching_rule_is_named(self):
        criteria = [{"field_name": "city", "operator": "normalized", "value": "york"}]
        self._rule("York first", [self.alice], criteria=criteria, sequence=1)
        self._rule("York too", [self.bob], criteria=criteria, sequence=5)
        self._rule("Elsewhere", [self.carol], criteria=[dict(criteria[0], value="x")])
        lead = self._leads(1, route=True, city="York")
        text = lead.routing_explanation
        self.assertEqual(lead.user_id, self.alice)
        self.assertIn("Rule 'York first' (priority 1) matched", text)
        self.assertIn("city", text)
        self.assertIn("'York'", text)
        self.assertIn(
            "Also matched, lower in priority so not applied: 'York too' (priority 5)",
            text,
        )
        self.assertNotIn("Elsewhere", text)

    def test_waiting_lead_says_why_each_assignee_cannot_take_it(self):
        self._rule(
            "Full", [(self.alice, {"capacity": 1}), (self.bob, {"active": False})]
        )
        _first, second = self._leads(2, route=True)
        self.assertEqual(second.routing_state, "waiting")
        self.assertIn(
            "No assignee of 'Full' can take it (Bob (inactive), Alice (capacity "
            "full))",
            second.routing_explanation,
        )


@tagged("post_install", "-at_install")
class TestRoundRobinPointer(RoutingCommon):
    def test_recycling_moves_the_pointer_for_the_next_run(self):
        self._rule("SLA", [self.alice, self.bob, self.carol], recycle=True)
        with freeze_time(T0):
            lead = self._leads(1, route=True)
        self.assertEqual(lead.user_id, self.alice)
        with freeze_time(T0 + timedelta(hours=25)):
            self.Lead._recycle_expired_leads()
            self.assertEqual(lead.user_id, self.bob)
            # the next lead goes on from Bob, not from Bob again
            self.assertEqual(self._leads(1, route=True).user_id, self.carol)

    def test_bulk_reassignment_moves_the_pointer(self):
        rule = self._rule("Spread", [self.alice, self.bob])
        leads = self._leads(2, user_id=self.carol.id)
        for lead, expected in zip(leads, (self.alice, self.bob), strict=True):
            wizard = self.env["crm.routing.reassign"].create(
                {
                    "from_user_id": self.carol.id,
                    "rule_id": rule.id,
                    "lead_domain": f"[('id', '=', {lead.id})]",
                }
            )
            wizard.action_reassign()
            self.assertEqual(lead.user_id, expected)
        # and routing goes on after them
        self.assertEqual(self._leads(1, route=True).user_id, self.alice)


@tagged("post_install", "-at_install")
class TestRoutingWizards(RoutingCommon):
    def test_reassign_counts_and_says_how_many_moved(self):
        self._leads(7, user_id=self.carol.id)
        self._leads(1, user_id=self.carol.id, probability=100)
        form = Form(self.env["crm.routing.reassign"].with_user(self.manager))
        form.from_user_id = self.carol
        self.assertEqual(form.lead_count, 7)
        form.to_user_ids.add(self.alice)
        form.to_user_ids.add(self.bob)
        wizard = form.save()
        self.assertEqual(wizard.lead_count, 7)
        action = wizard.action_reassign()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            action["params"]["message"], "7 leads moved from Carol to Alice, Bob."
        )
        self.assertEqual(
            action["params"]["next"]["type"], "ir.actions.act_window_close"
        )

    def test_simulation_lines_add_up_and_are_read_only(self):
        criteria = [{"field_name": "city", "operator": "normalized", "value": "york"}]
        york = self._rule("York", [self.alice, self.bob], criteria=criteria)
        pool = self._rule("Pool", [self.carol], strategy="pool", sequence=20)
        leads = self._leads(5, city="York") | self._leads(4, city="Hull")
        wizard = (
            self.env["crm.routing.simulation"]
            .with_user(self.manager)
            .create(
                {
                    "rule_ids": [(6, 0, (york | pool).ids)],
                    "lead_domain": f"[('id', 'in', {leads.ids})]",
                }
            )
        )
        action = wizard.action_simulate()
        self.assertEqual(action["name"], "Routing Simulation: Result")
        self.assertEqual(wizard.lead_count, 9)
        self.assertEqual(sum(wizard.line_ids.mapped("lead_count")), 9)
        rows = {
            (line.rule_id.name, line.outcome, line.user_id.name): line.lead_count
            for line in wizard.line_ids
        }
        self.assertEqual(
            rows,
            {
                ("York", "assigned", "Alice"): 3,
                ("York", "assigned", "Bob"): 2,
                ("Pool", "pool", False): 4,
            },
        )
        arch = self.env["crm.routing.simulation"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        self.assertIn('name="line_ids" invisible="not lead_count" readonly="1"', arch)
        self.assertIn('create="0" delete="0"', arch)

    def test_claim_is_confirmed(self):
        self._rule("Pool", [self.alice], strategy="pool")
        first, second = self._leads(2, route=True)
        action = second.with_user(self.alice).action_claim()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("You claimed the lead", action["params"]["message"])
        action = self.Lead.with_user(self.alice).action_claim_next()
        self.assertIn(first.name, action["params"]["message"])
        self.assertEqual(action["params"]["next"]["res_id"], first.id)
