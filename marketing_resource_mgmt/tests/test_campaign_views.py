# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import HttpCase, TransactionCase, tagged


class CampaignViewsCommon(TransactionCase):
    """Two campaigns of the six-step template: one in its first phase
    (Outline), one moved on to the second (Team and tasks)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("marketing_resource_mgmt.template_six_step")
        admin = cls.env.ref("base.user_admin")
        cls.first, cls.second = cls.env["utm.campaign"].create(
            [
                {
                    "title": title,
                    "template_id": cls.template.id,
                    "user_id": admin.id,
                    "date_start": date(2026, 4, 1),
                    "date_end": date(2026, 6, 30),
                }
                for title in ("Kanban Outline campaign", "Kanban Team campaign")
            ]
        )
        (cls.first | cls.second).action_start()
        cls.second.phase_id.task_ids.write({"state": "1_done"})
        cls.second.action_next_phase()


@tagged("post_install", "-at_install")
class TestCampaignViews(CampaignViewsCommon):
    def test_phase_step_follows_the_phase(self):
        outline, team = self.template.phase_ids.sorted("sequence")[:2]
        self.assertEqual(self.first.phase_step_id, outline)
        self.assertEqual(self.second.phase_step_id, team)
        self.assertEqual(self.second.phase_id.name, "Team and tasks")

    def test_kanban_groups_by_template_phase(self):
        """read_group as the kanban asks it: one column per template phase,
        the empty ones too (group_expand), each campaign in its phase."""
        domain = [("id", "in", (self.first | self.second).ids)]
        groups = self.env["utm.campaign"].web_read_group(
            domain, ["phase_step_id"], ["phase_step_id"]
        )["groups"]
        by_phase = {
            group["phase_step_id"][1]: group["phase_step_id_count"]
            for group in groups
            if group["phase_step_id"]
        }
        self.assertEqual(by_phase["Outline"], 1)
        self.assertEqual(by_phase["Team and tasks"], 1)
        self.assertEqual(
            set(by_phase), set(self.template.phase_ids.mapped("name")), by_phase
        )
        self.assertEqual(
            self.env["utm.campaign"].search(
                domain + [("phase_step_id.name", "=", "Outline")]
            ),
            self.first,
        )

    def test_views_load(self):
        """The controller's action offers kanban, calendar, pivot and graph."""
        action = self.env.ref("marketing_resource_mgmt.action_utm_campaign_controller")
        modes = [view.view_mode for view in action.view_ids]
        for mode in ("kanban", "calendar", "pivot", "graph"):
            self.assertIn(mode, modes)
        for view in action.view_ids:
            self.env["utm.campaign"].get_views([(view.view_id.id, view.view_mode)])
        pivot = self.env["utm.campaign"].read_group(
            [("id", "in", (self.first | self.second).ids)],
            ["budget:sum", "target_leads:sum"],
            ["phase_step_id"],
        )
        # every phase of the template, the empty ones too (group_expand)
        self.assertEqual(len(pivot), len(self.template.phase_ids))
        counts = {
            group["phase_step_id"][1]: group["phase_step_id_count"] for group in pivot
        }
        self.assertEqual(counts["Outline"], 1)
        self.assertEqual(counts["Team and tasks"], 1)

    def test_task_calendar(self):
        action = self.first.action_view_task_calendar()
        self.assertEqual(action["views"][0][1], "calendar")
        self.assertEqual(action["res_model"], "project.task")
        tasks = self.env["project.task"].search(action["domain"])
        self.assertTrue(tasks)
        self.assertEqual(tasks.project_id, self.first.project_id)


@tagged("post_install", "-at_install")
class TestCampaignKanbanTour(CampaignViewsCommon, HttpCase):
    def test_kanban_by_phase_tour(self):
        self.start_tour(
            "/odoo/action-marketing_resource_mgmt.action_utm_campaign_controller",
            "mrm_campaign_kanban_tour",
            login="admin",
        )
