# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CampaignReportingCommon


@tagged("post_install", "-at_install")
class TestFinance(CampaignReportingCommon):
    """Co-funding claims tracked to payment, closing snapshot and cost freeze."""

    def test_claim_invoice_to_payment(self):
        line = self.cofunding_a1
        line.action_claim()
        move = line.claim_move_id
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.partner_id, self.vendor_1)
        self.assertAlmostEqual(move.amount_total, 1000.0)
        self.assertEqual(move.invoice_origin, "CR-A")
        self.assertEqual(line.state, "claimed")
        kpi = self.kpi(self.campaign_a)
        self.assertAlmostEqual(kpi.cofunding_claimed, 1000.0)
        self.assertAlmostEqual(kpi.cofunding_received, 0.0)
        # a claim is no campaign revenue
        self.assertAlmostEqual(kpi.revenue, 1800.0)
        # the vendor pays
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"payment_date": fields.Date.today()})._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(line.state, "received")
        self.env.invalidate_all()
        self.assertAlmostEqual(self.kpi(self.campaign_a).cofunding_received, 1000.0)

    def test_claim_refused_twice_or_in_draft(self):
        with self.assertRaises(UserError):
            self.cofunding_a2.action_claim()  # still draft
        self.cofunding_a1.action_claim()
        with self.assertRaises(UserError):
            self.cofunding_a1.action_claim()

    def test_cancelled_claim_goes_back_to_committed(self):
        self.cofunding_a1.action_claim()
        move = self.cofunding_a1.claim_move_id
        move.button_draft()
        move.button_cancel()
        self.assertEqual(self.cofunding_a1.state, "committed")

    def test_close_freezes_and_refuses_costs(self):
        camp = self.campaign_a
        camp.state = "closed"
        snapshot = camp.kpi_snapshot_ids
        self.assertEqual(len(snapshot), 1)
        self.assertAlmostEqual(snapshot.cost_total, 1350.0)
        self.assertAlmostEqual(snapshot.revenue, 1800.0)
        self.assertEqual(snapshot.leads, 8)
        self.assertAlmostEqual(snapshot.committed_total, 650.0)
        # no new cost of any source
        with self.assertRaisesRegex(UserError, "closed"):
            self._direct_cost(camp, 10.0)
        # refused before anything is written (no savepoint needed)
        with self.assertRaisesRegex(UserError, "closed"):
            self.env["account.analytic.line"].create(
                {"name": "late", "account_id": self.account_a.id, "amount": -5.0}
            )
        with self.assertRaisesRegex(UserError, "closed"):
            self.env["account.analytic.line"].create(
                {
                    "name": "late call",
                    "project_id": self.project_a.id,
                    "employee_id": self.timesheet_a.employee_id.id,
                    "unit_amount": 1.0,
                }
            )
        bill = self.init_invoice(
            "in_invoice", self.vendor_1, "2024-06-01", amounts=[40.0]
        )
        bill.invoice_line_ids.analytic_distribution = {str(self.account_a.id): 100.0}
        with self.assertRaisesRegex(UserError, "closed"), self.env.cr.savepoint():
            bill.action_post()
        # figures unchanged, snapshot kept for comparison
        self.env.invalidate_all()
        self.assertAlmostEqual(self.kpi(camp).cost_total, 1350.0)

    def test_reopen_by_manager_only_and_logged(self):
        camp = self.campaign_a
        camp.state = "closed"
        with self.assertRaises(AccessError):
            camp.with_user(self.owner).action_reopen_campaign()
        with self.assertRaises(AccessError):
            camp.with_user(self.owner).write({"state": "running"})
        # no context key lifts it (a client can send any key over RPC)
        with self.assertRaises(AccessError):
            camp.with_user(self.owner).with_context(campaign_reopen=True).write(
                {"state": "running"}
            )
        camp.action_reopen_campaign()
        self.assertEqual(camp.state, "running")
        if "message_ids" in camp._fields:
            self.assertIn("reopened", camp.message_ids[0].body)
        self._direct_cost(camp, 10.0)
        self.env.invalidate_all()
        self.assertAlmostEqual(self.kpi(camp).cost_direct, 130.0)
        self.assertEqual(len(camp.kpi_snapshot_ids), 1)

    def test_reconciliation_view_for_finance(self):
        """Finance reads budget vs committed vs actual without editing campaigns."""
        kpi = (
            self.env["campaign.kpi"]
            .with_user(self.finance_user)
            .search_read(
                [("campaign_id", "=", self.campaign_a.id)],
                ["budget", "committed_total", "cost_total", "budget_remaining"],
            )[0]
        )
        self.assertEqual(
            (
                kpi["budget"],
                kpi["committed_total"],
                kpi["cost_total"],
                kpi["budget_remaining"],
            ),
            (5000.0, 650.0, 1350.0, 3000.0),
        )
        camp = self.campaign_a.with_user(self.finance_user)
        self.assertAlmostEqual(camp.kpi_cost_total, 1350.0)
        with self.assertRaises(AccessError):
            camp.write({"name": "Renamed by finance"})
        with self.assertRaises(AccessError):
            camp.write({"budget": 1.0})
        with self.assertRaises(AccessError):
            self.env["utm.campaign"].with_user(self.finance_user).create({"name": "F"})
        # ... but claims the co-funding
        self.cofunding_a1.with_user(self.finance_user).action_claim()
        self.assertEqual(self.cofunding_a1.state, "claimed")
