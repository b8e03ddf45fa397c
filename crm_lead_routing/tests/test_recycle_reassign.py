# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RoutingCommon

T0 = datetime(2030, 3, 4, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestRecycling(RoutingCommon):
    def test_recycle_to_next_assignee_after_sla(self):
        self._rule("SLA", [self.alice, self.bob], recycle=True, sla_hours=24)
        with freeze_time(T0):
            idle, busy = self._leads(2, route=True)
        self.assertEqual((idle.user_id, busy.user_id), (self.alice, self.bob))
        busy.activity_schedule("mail.mail_activity_data_call", user_id=self.bob.id)
        # before the SLA nothing moves
        with freeze_time(T0 + timedelta(hours=23)):
            self.assertFalse(self.Lead._recycle_expired_leads())
        with freeze_time(T0 + timedelta(hours=25)):
            recycled = self.Lead._recycle_expired_leads()
        self.assertEqual(recycled, idle)
        self.assertEqual(idle.user_id, self.bob)
        self.assertEqual(busy.user_id, self.bob)
        log = idle.routing_log_ids.filtered(lambda g: g.kind == "recycle")
        self.assertEqual(log.previous_user_id, self.alice)
        self.assertIn("24", log.explanation)
        # the previous assignee is told
        message = idle.message_ids.filtered(
            lambda m: self.alice.partner_id in m.partner_ids
        )
        self.assertTrue(message)
        history = idle.assignment_ids.filtered(lambda a: a.user_id == self.alice)
        self.assertTrue(history.date_to)

    def test_recycle_back_to_pool(self):
        rule = self._rule(
            "SLA pool", [self.alice], recycle=True, sla_hours=2, recycle_target="pool"
        )
        with freeze_time(T0):
            lead = self._leads(1, route=True)
        self.assertEqual(lead.user_id, self.alice)
        with freeze_time(T0 + timedelta(hours=3)):
            self.Rule._cron_recycle_leads()
        self.assertFalse(lead.user_id)
        self.assertEqual(lead.routing_state, "pool")
        self.assertEqual(lead.routing_rule_id, rule)


@tagged("post_install", "-at_install")
class TestSimulationAndReassign(RoutingCommon):
    def test_simulation_changes_nothing(self):
        york = self._rule(
            "York",
            [self.alice, self.bob],
            criteria=[
                {"field_name": "city", "operator": "normalized", "value": "york"}
            ],
            sequence=1,
        )
        yorkshire = self._rule(
            "Yorkshire",
            [self.carol],
            criteria=[
                {
                    "field_name": "city",
                    "operator": "similar",
                    "value": "York",
                    "threshold": 0.3,
                }
            ],
            sequence=2,
            active=False,  # a draft rule
        )
        leads = (
            self._leads(4, city="York")
            | self._leads(2, city="Yorkk")
            | self._leads(1, city="Hull")
        )
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, user_id, routing_state, write_date FROM crm_lead "
            "WHERE id = ANY(%s) ORDER BY id",
            [leads.ids],
        )
        before = self.env.cr.fetchall()
        logs_before = self.env["crm.routing.log"].search_count([])
        wizard = (
            self.env["crm.routing.simulation"]
            .with_user(self.manager)
            .create(
                {
                    "rule_ids": [(6, 0, (york | yorkshire).ids)],
                    "lead_domain": f"[('id', 'in', {leads.ids})]",
                }
            )
        )
        wizard.action_simulate()
        self.assertEqual(wizard.lead_count, 7)
        self.assertEqual(wizard.routed_count, 6)
        self.assertEqual(wizard.unmatched_count, 1)
        self.assertEqual(wizard.unmatched_lead_ids.city, "Hull")
        # "York" leads match both rules: the higher priority wins, reported
        self.assertEqual(wizard.conflict_count, 4)
        per_user = {
            (line.rule_id.name, line.user_id.name): line.lead_count
            for line in wizard.line_ids
            if line.user_id
        }
        self.assertEqual(
            per_user,
            {("York", "Alice"): 2, ("York", "Bob"): 2, ("Yorkshire", "Carol"): 2},
        )
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, user_id, routing_state, write_date FROM crm_lead "
            "WHERE id = ANY(%s) ORDER BY id",
            [leads.ids],
        )
        self.assertEqual(self.env.cr.fetchall(), before)
        self.assertEqual(self.env["crm.routing.log"].search_count([]), logs_before)
        york.invalidate_recordset()
        self.assertEqual(york.round_robin_index, 0)

    def test_bulk_reassignment(self):
        rule = self._rule("Team", [self.alice, self.bob, self.carol])
        leads = self._leads(6, user_id=self.alice.id)
        won = self._leads(1, user_id=self.alice.id, probability=100)
        wizard = (
            self.env["crm.routing.reassign"]
            .with_user(self.manager)
            .create(
                {
                    "from_user_id": self.alice.id,
                    "rule_id": rule.id,
                    "reason": "Holidays",
                }
            )
        )
        self.assertEqual(wizard.lead_count, 6)
        wizard.action_reassign()
        self.assertEqual(len(leads.filtered(lambda lead: lead.user_id == self.bob)), 3)
        self.assertEqual(
            len(leads.filtered(lambda lead: lead.user_id == self.carol)), 3
        )
        self.assertEqual(won.user_id, self.alice)
        logs = self.env["crm.routing.log"].search([("lead_id", "in", leads.ids)])
        self.assertEqual(set(logs.mapped("kind")), {"reassign"})
        self.assertEqual(set(logs.mapped("previous_user_id")), {self.alice})
        self.assertIn("Holidays", logs[0].explanation)
        # explicit list, filtered part of the leads
        wizard = self.env["crm.routing.reassign"].create(
            {
                "from_user_id": self.bob.id,
                "to_user_ids": [(6, 0, self.alice.ids)],
                "lead_domain": f"[('id', 'in', {leads[:2].ids})]",
            }
        )
        bobs = leads[:2].filtered(lambda lead: lead.user_id == self.bob)
        self.assertTrue(bobs)
        wizard.action_reassign()
        self.assertEqual(bobs.user_id, self.alice)
        with self.assertRaises(UserError):
            self.env["crm.routing.reassign"].create(
                {"from_user_id": self.manager.id}
            ).action_reassign()

    def test_bulk_reassignment_is_set_based(self):
        self._rule("Team", [self.bob, self.carol])
        counts = []
        for count in (10, 300):
            leads = self._leads(count, user_id=self.alice.id)
            wizard = self.env["crm.routing.reassign"].create(
                {
                    "from_user_id": self.alice.id,
                    "to_user_ids": [(6, 0, (self.bob | self.carol).ids)],
                }
            )
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            wizard.action_reassign()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertFalse(leads.filtered(lambda lead: lead.user_id == self.alice))
        # 30 times the leads, about the same number of queries
        self.assertLess(counts[1], counts[0] + 20, counts)


@tagged("post_install", "-at_install")
class TestKeepEffort(RoutingCommon):
    def test_lead_with_work_is_archived_not_deleted(self):
        worked, empty = self._leads(2)
        worked.message_post(body="Called, left a message", message_type="comment")
        (worked | empty).unlink()
        self.assertFalse(empty.exists())
        self.assertTrue(worked.exists())
        self.assertFalse(worked.active)
        self.assertEqual(
            len(worked.message_ids.filtered(lambda m: m.message_type == "comment")), 1
        )

    def test_planned_work_is_not_logged_work(self):
        """A lead with only a planned call or meeting is deleted as in Odoo."""
        planned, meeting = self._leads(2)
        planned.activity_schedule("mail.mail_activity_data_call", user_id=self.alice.id)
        event = self.env["calendar.event"].create(
            {
                "name": "Demo",
                "res_id": meeting.id,
                "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                "start": "2026-07-12 08:00:00",
                "stop": "2026-07-12 09:00:00",
            }
        )
        (planned | meeting).unlink()
        self.assertFalse((planned | meeting).exists())
        self.assertTrue(event.exists())

    def test_merge_keeps_the_worked_duplicate(self):
        head, worked, empty = self._leads(3, email_from="dup@example.com")
        head.probability = 60  # the most advanced lead becomes the merge head
        worked.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.alice.id
        ).action_feedback(feedback="Called back")
        merged = (head | worked | empty)._merge_opportunity(
            auto_unlink=True, max_length=0
        )
        self.assertEqual(merged, head)
        # the done call moved to the head, the worked duplicate is archived
        self.assertTrue(head.message_ids.filtered("mail_activity_type_id"))
        self.assertTrue(worked.exists())
        self.assertFalse(worked.active)
        self.assertFalse(empty.exists())
