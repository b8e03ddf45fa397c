# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaignTemplate(CampaignCase):
    def test_shipped_templates(self):
        tm = self.env.ref("marketing_resource_mgmt.template_telemarketing_mail")
        self.assertEqual(
            self.template.phase_ids.mapped("name"),
            [
                "Outline",
                "Team and tasks",
                "Selection and generation",
                "Launch",
                "Measurement",
                "Reporting and review",
            ],
        )
        self.assertTrue(all(p.task_ids for p in self.template.phase_ids))
        self.assertTrue(tm.use_call and tm.use_mail and not tm.use_email)
        self.assertGreater(tm.planned_hours, 0)

    def test_code_unique_and_readable(self):
        other = self.env["utm.campaign"].create({"title": "Other"})
        self.assertRegex(self.campaign.code, r"^CMP-\d{4}-\d{4}$")
        self.assertNotEqual(other.code, self.campaign.code)
        self.assertIn(self.campaign.code, self.campaign.display_name)
        found = self.env["utm.campaign"].name_search(self.campaign.code)
        self.assertEqual([r[0] for r in found], [self.campaign.id])
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            other.code = self.campaign.code
            other.flush_recordset()

    def test_template_values_copied(self):
        self.assertEqual(self.campaign.target_revenue, self.template.target_revenue)
        self.assertTrue(self.campaign.use_call)
        self.assertEqual(self.campaign.campaign_type, "mixed")

    def test_start_creates_project_tasks_schedule(self):
        campaign = self.campaign.with_user(self.owner)
        campaign.action_start()
        self.assertEqual(campaign.state, "running")
        self.assertEqual(len(campaign.phase_ids), 6)
        self.assertEqual(campaign.phase_id.name, "Outline")
        self.assertEqual(campaign.phase_id.state, "open")
        project = campaign.sudo().project_id
        self.assertTrue(project)
        self.assertEqual(campaign.sudo().analytic_account_id, project.account_id)
        tasks = project.task_ids
        self.assertEqual(len(tasks), len(self.template.phase_ids.task_ids))
        # scheduled from the start date: offset 8 days, duration 10 days
        call_task = tasks.filtered(lambda t: t.name == "Work the call list")
        self.assertEqual(call_task.campaign_date_begin, date(2026, 3, 10))
        self.assertEqual(call_task.date_deadline.date(), date(2026, 3, 19))
        self.assertEqual(call_task.allocated_hours, 24)
        # assigned by role: both callers; roles nobody holds go to the owner
        self.assertEqual(call_task.user_ids, self.caller_a | self.caller_b)
        analyst_task = tasks.filtered(lambda t: t.campaign_role == "analyst")[:1]
        self.assertEqual(analyst_task.user_ids, self.analyst)
        manager_task = tasks.filtered(lambda t: t.campaign_role == "manager")[:1]
        self.assertEqual(manager_task.user_ids, self.owner)
        # the tasks land in the callers' to-do: they can read them
        self.assertTrue(call_task.with_user(self.caller_a).read(["name"]))
        self.assertIn("started from the template", campaign.message_ids[0].body)

    def test_template_without_phases_refused(self):
        empty = self.env["marketing.campaign.template"].create({"name": "Empty"})
        campaign = self.env["utm.campaign"].create(
            {"title": "Bare", "template_id": empty.id, "user_id": self.owner.id}
        )
        projects_before = self.env["project.project"].search_count([])
        with self.assertRaisesRegex(UserError, "no phases"):
            campaign.with_user(self.owner).action_start()
        self.assertEqual(campaign.state, "draft")
        self.assertFalse(campaign.phase_ids)
        self.assertEqual(self.env["project.project"].search_count([]), projects_before)


@tagged("post_install", "-at_install")
class TestCampaignPhases(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign.with_user(cls.owner).action_start()

    def _done(self, phase):
        phase.task_ids.sudo().write({"state": "1_done"})

    def test_gate_blocks_open_tasks(self):
        phase = self.campaign.phase_id
        with self.assertRaisesRegex(UserError, "open tasks"):
            self.campaign.with_user(self.owner).action_next_phase()
        self.assertEqual(self.campaign.phase_id, phase)
        self.assertEqual(phase.state, "open")

    def test_gate_closes_when_done_and_logs(self):
        phase = self.campaign.phase_id
        self._done(phase)
        self.campaign.with_user(self.owner).action_next_phase()
        self.assertEqual(phase.state, "done")
        self.assertEqual(phase.closed_by_id, self.owner)
        self.assertEqual(self.campaign.phase_id.name, "Team and tasks")
        self.assertEqual(self.campaign.phase_id.state, "open")
        self.assertIn("Phase Outline closed", self.campaign.message_ids[0].body)

    def test_override_by_manager_with_reason(self):
        phase = self.campaign.phase_id
        wizard = (
            self.env["marketing.campaign.phase.override"]
            .with_user(self.manager)
            .create(
                {"campaign_id": self.campaign.id, "reason": "Budget agreed by phone"}
            )
        )
        wizard.action_confirm()
        self.assertEqual(phase.state, "done")
        self.assertEqual(phase.override_reason, "Budget agreed by phone")
        self.assertIn("Budget agreed by phone", self.campaign.message_ids[0].body)
        self.assertEqual(self.campaign.phase_id.name, "Team and tasks")

    def test_override_refused_to_non_manager(self):
        phase = self.campaign.phase_id
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.owner).action_override_phase()
        with self.assertRaises(AccessError):
            phase.with_user(self.owner)._close(override_reason="because")
        self.assertEqual(phase.state, "open")

    def test_team_member_cannot_move_phase(self):
        self._done(self.campaign.phase_id)
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.caller_a).action_next_phase()
        self.assertEqual(self.campaign.phase_id.name, "Outline")

    def test_last_phase(self):
        for _i in range(6):
            self._done(self.campaign.phase_id)
            self.campaign.with_user(self.owner).action_next_phase()
            if self.campaign.phase_id.state == "done":
                break
        self.assertEqual(self.campaign.phase_ids.mapped("state"), ["done"] * 6)
        self.assertIn("last phase", self.campaign.message_ids[0].body)
