# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import EXPECTED_A, EXPECTED_A_CHANNELS, CampaignReportingCommon


@tagged("post_install", "-at_install")
class TestCampaignKpi(CampaignReportingCommon):
    """Every KPI of the SQL views against hand-computed figures and against
    what Odoo's own screens (read_group on the source models) show."""

    def test_campaign_a_every_kpi(self):
        kpi = self.kpi(self.campaign_a)
        self.assertEqual(len(kpi), 1)
        self.assertFalse(kpi.data_issue)
        for name, expected in EXPECTED_A.items():
            with self.subTest(kpi=name):
                self.assertAlmostEqual(kpi[name], expected, places=2)

    def test_campaign_a_per_channel(self):
        self.env.flush_all()
        rows = self.env["campaign.kpi.channel"].search(
            [("campaign_id", "=", self.campaign_a.id)]
        )
        by_channel = {row.channel: row for row in rows}
        self.assertEqual(set(by_channel), {"email", "call", "none"})
        for channel, expected in EXPECTED_A_CHANNELS.items():
            for name, value in expected.items():
                with self.subTest(channel=channel, kpi=name):
                    self.assertEqual(by_channel[channel][name], value)
        # the channels add up to the campaign's figures
        kpi = self.kpi(self.campaign_a)
        for name in ("members_targeted", "leads", "opportunities", "won", "orders"):
            self.assertEqual(sum(rows.mapped(name)), kpi[name])

    def test_equal_to_odoo_screens(self):
        """The same figures as read_group on crm.lead, sale.order, account.move
        and account.analytic.line give for the same records."""
        kpi = self.kpi(self.campaign_a)
        camp = self.campaign_a
        Lead = self.env["crm.lead"].with_context(active_test=False)
        self.assertEqual(Lead.search_count([("campaign_id", "=", camp.id)]), kpi.leads)
        groups = dict(
            Lead._read_group([("campaign_id", "=", camp.id)], ["type"], ["__count"])
        )
        self.assertEqual(groups["opportunity"], kpi.opportunities)
        # CRM's own "Won" and "Lost" filters
        won = self.env["crm.lead"].search_count(
            [("campaign_id", "=", camp.id), ("stage_id.is_won", "=", True)]
        )
        lost = Lead.search_count(
            [
                ("campaign_id", "=", camp.id),
                ("active", "=", False),
                ("probability", "=", 0),
            ]
        )
        self.assertEqual((won, lost), (kpi.won, kpi.lost))
        orders = dict(
            self.env["sale.order"]._read_group(
                [("campaign_id", "=", camp.id)], ["state"], ["__count"]
            )
        )
        self.assertEqual(orders.get("draft", 0) + orders.get("sent", 0), kpi.quotations)
        self.assertEqual(orders["sale"], kpi.orders)
        [[revenue]] = self.env["account.move"]._read_group(
            [
                ("campaign_id", "=", camp.id),
                ("state", "=", "posted"),
                ("move_type", "in", ["out_invoice", "out_refund"]),
            ],
            [],
            ["amount_untaxed_signed:sum"],
        )
        self.assertAlmostEqual(revenue, kpi.revenue)
        # the sale order's invoice carries the campaign (sale's utm mixin)
        self.assertEqual(self.invoice_a.campaign_id, camp)
        [[analytic]] = self.env["account.analytic.line"]._read_group(
            [("account_id", "=", self.account_a.id), ("category", "!=", "invoice")],
            [],
            ["amount:sum"],
        )
        self.assertAlmostEqual(-analytic, kpi.cost_total)
        [[timesheets]] = self.env["account.analytic.line"]._read_group(
            [("account_id", "=", self.account_a.id), ("project_id", "!=", False)],
            [],
            ["amount:sum"],
        )
        self.assertAlmostEqual(-timesheets, kpi.cost_timesheet)

    def test_figures_follow_the_records(self):
        """A new lead and a second posted bill move the figures at once (live view)."""
        before = self.kpi(self.campaign_a)
        leads, cost = before.leads, before.cost_bill
        self.env["crm.lead"].create({"name": "late", "campaign_id": self.campaign_a.id})
        bill = self.init_invoice(
            "in_invoice", self.vendor_1, "2024-06-01", amounts=[40.0]
        )
        bill.invoice_line_ids.analytic_distribution = {str(self.account_a.id): 100.0}
        bill.action_post()
        self.env.invalidate_all()
        after = self.kpi(self.campaign_a)
        self.assertEqual(after.leads, leads + 1)
        self.assertAlmostEqual(after.cost_bill, cost + 40.0)

    def test_billing_the_purchase_order_moves_committed_to_actual(self):
        """Billing the open purchase order: committed falls, actual rises."""
        self.purchase_a.action_create_invoice()
        bill = self.purchase_a.invoice_ids
        bill.invoice_date = "2024-06-02"
        self.env.flush_all()
        mid = self.kpi(self.campaign_a)
        # the draft bill is still committed: 500 from it + 150 from the other draft
        self.assertAlmostEqual(mid.committed_po, 0.0)
        self.assertAlmostEqual(mid.committed_total, 650.0)
        bill.action_post()
        self.env.invalidate_all()
        after = self.kpi(self.campaign_a)
        self.assertAlmostEqual(after.committed_total, 150.0)
        self.assertAlmostEqual(after.cost_bill, 1500.0)

    def test_no_analytic_account_withholds_costs(self):
        kpi = self.kpi(self.campaign_b)
        self.assertEqual(kpi.data_issue, "no_analytic_account")
        self.assertAlmostEqual(kpi.revenue, 700.0)
        self.assertEqual(kpi.leads, 1)
        self.env.cr.execute(
            "SELECT cost_total, net_cost, roi FROM campaign_kpi WHERE id = %s",
            [self.campaign_b.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (None, None, None))

    def test_differing_currency_withholds_money(self):
        kpi = self.kpi(self.campaign_c)
        self.assertEqual(kpi.data_issue, "currency")
        self.env.cr.execute(
            "SELECT revenue, cost_total, cofunding_committed FROM campaign_kpi "
            "WHERE id = %s",
            [self.campaign_c.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (None, None, None))

    def test_cofunding_in_other_currency_withholds_money(self):
        self.cofunding_a2.write(
            {"currency_id": self.env.ref("base.EUR").id, "state": "committed"}
        )
        self.assertEqual(self.kpi(self.campaign_a).data_issue, "currency")

    def test_companies_apart(self):
        """A user of another company sees no KPI row of this company."""
        other = self.setup_other_company(name="Other Co")["company"]
        user = self.env["res.users"].create(
            {
                "name": "Other manager",
                "login": "cr_other_manager",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref(
                                "marketing_resource_mgmt.group_marketing_manager"
                            ).id,
                            self.env.ref(
                                "campaign_reporting.group_campaign_finance"
                            ).id,
                        ],
                    )
                ],
            }
        )
        self.env.flush_all()
        rows = (
            self.env["campaign.kpi"]
            .with_user(user)
            .with_context(allowed_company_ids=other.ids)
            .search([])
        )
        self.assertNotIn(self.campaign_a, rows.campaign_id)
        self.assertTrue(
            self.env["campaign.kpi"].search([("campaign_id", "=", self.campaign_a.id)])
        )
