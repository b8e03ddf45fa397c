# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaignCostEffort(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign.with_user(cls.owner).action_start()
        cls.account = cls.campaign.analytic_account_id
        cls.vendor = cls.env["res.partner"].create({"name": "Print Shop Ltd"})
        cls.partner = cls.env["res.partner"].create({"name": "Peter Prospect"})

    def test_direct_cost_posts_analytic_line(self):
        cost = (
            self.env["marketing.campaign.cost"]
            .with_user(self.owner)
            .create(
                {
                    "campaign_id": self.campaign.id,
                    "partner_id": self.vendor.id,
                    "category": "print",
                    "amount": 1200,
                    "date": "2026-03-05",
                }
            )
        )
        line = cost.analytic_line_id
        self.assertEqual(line.account_id, self.account)
        self.assertEqual(line.amount, -1200)
        self.assertEqual(line.partner_id, self.vendor)
        cost.amount = 1500
        self.assertEqual(line.amount, -1500)
        self.assertEqual(self.campaign.actual_cost, 1500)

    def test_timesheets_and_bills_count(self):
        employee = self.env["hr.employee"].create(
            {"name": "Carl", "user_id": self.caller_a.id, "hourly_cost": 40}
        )
        task = self.campaign.project_id.task_ids[:1]
        self.env["account.analytic.line"].create(
            {
                "name": "Calls",
                "project_id": self.campaign.project_id.id,
                "task_id": task.id,
                "employee_id": employee.id,
                "unit_amount": 3,
            }
        )
        self.env["marketing.campaign.cost"].create(
            {"campaign_id": self.campaign.id, "category": "media", "amount": 100}
        )
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.vendor.id,
                "invoice_date": "2026-03-06",
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Leaflets",
                            "quantity": 1,
                            "price_unit": 250,
                            "tax_ids": [(5, 0, 0)],
                            "analytic_distribution": {str(self.account.id): 100},
                        },
                    )
                ],
            }
        )
        bill.action_post()
        self.campaign.invalidate_recordset(["actual_cost"])
        # 3 h x 40 + 100 direct + 250 bill
        self.assertAlmostEqual(self.campaign.actual_cost, 470)

    def test_member_with_answer_not_deleted(self):
        member = self.env["marketing.campaign.member"].create(
            {
                "campaign_id": self.campaign.id,
                "partner_id": self.partner.id,
                "state": "declined",
                "answer": "not_interested",
            }
        )
        with self.assertRaisesRegex(UserError, "archive"):
            member.unlink()
        self.assertTrue(member.exists())
        member.active = False
        self.assertFalse(member.active)

    def test_member_with_done_activity_not_deleted(self):
        member = self.env["marketing.campaign.member"].create(
            {
                "campaign_id": self.campaign.id,
                "partner_id": self.partner.id,
                "channel": "call",
            }
        )
        activity = member.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.caller_a.id
        )
        activity.action_feedback(feedback="No answer")
        with self.assertRaisesRegex(UserError, "done activities"):
            member.unlink()
        fresh = self.env["marketing.campaign.member"].create(
            {
                "campaign_id": self.campaign.id,
                "partner_id": self.partner.id,
                "channel": "mail",
            }
        )
        fresh.unlink()
        self.assertFalse(fresh.exists())

    def test_lead_with_effort_is_archived_not_deleted(self):
        """The product's one logged-work policy for leads (crm_lead_routing's
        helper, extended here with campaign answers): archived, with a note
        saying so, never deleted; a lead without work is deleted."""
        Lead = self.env["crm.lead"].with_context(routing_skip=True)
        called = Lead.create({"name": "Call log", "partner_id": self.partner.id})
        called.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.owner.id
        ).action_feedback(feedback="Spoke to Peter")
        answered = Lead.create({"name": "Answer", "partner_id": self.partner.id})
        self.env["marketing.campaign.member"].create(
            {
                "campaign_id": self.campaign.id,
                "partner_id": self.partner.id,
                "channel": "mail",
                "lead_id": answered.id,
            }
        )
        empty = Lead.create({"name": "Typo"})
        (called | answered | empty).unlink()
        self.assertFalse(empty.exists())
        for lead in called | answered:
            self.assertFalse(lead.active)
            self.assertIn(
                "Archived instead of deleted",
                lead.message_ids[0].body,
            )

    def test_campaign_with_effort_not_deleted(self):
        self.env["marketing.campaign.cost"].create(
            {"campaign_id": self.campaign.id, "category": "media", "amount": 100}
        )
        with self.assertRaisesRegex(UserError, "archive"):
            self.campaign.with_user(self.manager).unlink()
        self.assertTrue(self.campaign.exists())
        called = self.env["utm.campaign"].create({"title": "Called once"})
        called.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.owner.id
        ).action_feedback(feedback="Briefed the agency")
        with self.assertRaisesRegex(UserError, "1 done activities"):
            called.with_user(self.manager).unlink()
        self.assertTrue(called.exists())
        bare = self.env["utm.campaign"].create({"title": "Never used"})
        bare.with_user(self.manager).unlink()
        self.assertFalse(bare.exists())
