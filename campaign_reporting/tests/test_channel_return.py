# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The return by channel: a campaign's money shared out to its channels by
the rule of kpi/arithmetic.py (revenue by orders, cost by contacts)."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.campaign_reporting.kpi import (
    COST_SHARE_BASIS,
    REVENUE_SHARE_BASIS,
    channel_shares,
)

from .common import EXPECTED_A, CampaignReportingCommon

MONEY = ("revenue", "cost_total", "cofunding_committed", "net_cost", "net_return")


@tagged("post_install", "-at_install")
class TestChannelShares(TransactionCase):
    """The rule, without a database."""

    def row(self, **counts):
        return {name: counts.get(name, 0) for name in REVENUE_SHARE_BASIS}

    def test_revenue_by_orders_then_won_then_contacts(self):
        rows = [self.row(orders=1, won=3), self.row(orders=3)]
        self.assertEqual(channel_shares(rows, REVENUE_SHARE_BASIS), [0.25, 0.75])
        rows = [self.row(won=1, members_contacted=9), self.row(won=1)]
        self.assertEqual(channel_shares(rows, REVENUE_SHARE_BASIS), [0.5, 0.5])
        rows = [self.row(members_contacted=1), self.row(members_contacted=3)]
        self.assertEqual(channel_shares(rows, REVENUE_SHARE_BASIS), [0.25, 0.75])

    def test_cost_by_contacts_then_targeted_then_equal(self):
        rows = [self.row(members_contacted=4), self.row(members_contacted=0)]
        self.assertEqual(channel_shares(rows, COST_SHARE_BASIS), [1.0, 0.0])
        rows = [self.row(members_targeted=1), self.row(members_targeted=1)]
        self.assertEqual(channel_shares(rows, COST_SHARE_BASIS), [0.5, 0.5])
        rows = [self.row(), self.row(), self.row(), self.row()]
        self.assertEqual(channel_shares(rows, COST_SHARE_BASIS), [0.25] * 4)
        self.assertEqual(channel_shares([], COST_SHARE_BASIS), [])


@tagged("post_install", "-at_install")
class TestChannelReturn(CampaignReportingCommon):
    def channels(self, campaign, stored=False):
        model = self.env["campaign.kpi.channel"]
        if stored:
            self.env["campaign.kpi"]._refresh_stored_funnel()
            model = model.with_context(campaign_kpi_stored=True)
        rows = model.search([("campaign_id", "=", campaign.id)])
        return {row.channel: row for row in rows}

    def test_campaign_a_by_hand(self):
        """Campaign A: orders e-mail 0, call 1, none 1 (revenue 1,800 in
        halves); contacted e-mail 4, call 3, none 0 (cost 1,350 and
        co-funding 1,000, so net cost 350, in sevenths)."""
        for stored in (False, True):
            rows = self.channels(self.campaign_a, stored=stored)
            self.assertEqual(set(rows), {"email", "call", "none"})
            email, call, none = rows["email"], rows["call"], rows["none"]
            self.assertEqual((email.members_contacted, call.members_contacted), (4, 3))
            self.assertAlmostEqual(email.revenue, 0.0, 2)
            self.assertAlmostEqual(call.revenue, 900.0, 2)
            self.assertAlmostEqual(none.revenue, 900.0, 2)
            self.assertAlmostEqual(email.cost_total, 1350.0 * 4 / 7, 2)
            self.assertAlmostEqual(call.cost_total, 1350.0 * 3 / 7, 2)
            self.assertAlmostEqual(none.cost_total, 0.0, 2)
            self.assertAlmostEqual(email.cofunding_committed, 1000.0 * 4 / 7, 2)
            self.assertAlmostEqual(email.net_cost, 200.0, 2)
            self.assertAlmostEqual(call.net_cost, 150.0, 2)
            self.assertAlmostEqual(none.net_cost, 0.0, 2)
            self.assertAlmostEqual(email.net_return, -200.0, 2)
            self.assertAlmostEqual(call.net_return, 750.0, 2)
            self.assertAlmostEqual(none.net_return, 900.0, 2)
            # ROI by the campaign's rule: none for a channel without cost
            self.assertAlmostEqual(email.roi, -100.0, 2)
            self.assertAlmostEqual(call.roi, 500.0, 2)
            self.assertFalse(none.roi)

    def test_channels_reconcile_with_the_campaign(self):
        """Summed over its channels, each campaign's money is its KPI row's
        (unknown money stays unknown: campaign B's costs)."""
        for campaign in (self.campaign_a, self.campaign_b):
            kpi = self.env["campaign.kpi"].search([("campaign_id", "=", campaign.id)])
            rows = self.channels(campaign).values()
            self.assertTrue(rows)
            for field in MONEY:
                values = [row[field] for row in rows]
                self.assertAlmostEqual(sum(values), kpi[field], 2, field)
        # campaign B's costs are unknown (no analytic account): unknown on
        # its channels too (NULL, which the ORM reads as 0.0), its revenue
        # known
        self.env.cr.execute(
            "SELECT revenue, cost_total, net_cost, net_return"
            "  FROM campaign_kpi_channel WHERE campaign_id = %s",
            [self.campaign_b.id],
        )
        rows = self.env.cr.fetchall()
        self.assertEqual(len(rows), 1)
        self.assertAlmostEqual(float(rows[0][0]), 700.0, 2)
        self.assertEqual(rows[0][1:], (None, None, None))
        kpi_a = self.env["campaign.kpi"].search(
            [("campaign_id", "=", self.campaign_a.id)]
        )
        self.assertAlmostEqual(kpi_a.net_return, 1800.0 - EXPECTED_A["net_cost"], 2)
        # the same through read_group, as the pivot and the dashboard read it
        groups = self.env["campaign.kpi.channel"].read_group(
            [("campaign_id", "=", self.campaign_a.id)],
            [f"{field}:sum" for field in MONEY],
            [],
        )
        for field in MONEY:
            self.assertAlmostEqual(groups[0][field], kpi_a[field], 2, field)

    def test_money_for_managers_only(self):
        """The channel's money has the KPI's money groups: a salesperson
        reads the funnel, not the money."""
        rows = self.env["campaign.kpi.channel"].with_user(self.salesperson)
        self.assertFalse(rows.fields_get(["revenue"]))
        self.assertTrue(rows.fields_get(["leads"]))
