# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""ROI: one definition (kpi/arithmetic.py) read by the KPI views, the Campaign
Monitor, the digest and the P&L workbook; co-funding above the cost makes a
campaign "fully funded", never a negative ROI."""

import io

import openpyxl

from odoo.tests import tagged
from odoo.tools import SQL

from ..kpi import roi, roi_basis, roi_basis_sql, roi_sql
from .common import CampaignReportingCommon

REPORT = "campaign_reporting.action_report_campaign_pnl"


@tagged("post_install", "-at_install")
class TestRoi(CampaignReportingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the vendor funds 4,200 of a cost of 1,350: net cost -2,850
        cls.cofunding_a1.amount = 4200.0

    def test_sql_equals_python(self):
        """roi_sql / roi_basis_sql give what roi / roi_basis give, on the
        edges too (zero, negative, unknown net cost)."""
        cases = [
            (1800.0, 350.0, 1000.0),
            (6000.0, -2850.0, 4200.0),
            (0.0, 0.0, 0.0),
            (500.0, 0.0, 1350.0),
            (0.0, 120.0, 0.0),
            (None, 100.0, 0.0),
            (100.0, None, None),
        ]
        for revenue, net, cofunding in cases:
            with self.subTest(revenue=revenue, net=net, cofunding=cofunding):
                self.env.cr.execute(
                    SQL(
                        "SELECT %s, %s",
                        roi_sql(SQL("%s::numeric", revenue), SQL("%s::numeric", net)),
                        roi_basis_sql(
                            SQL("%s::numeric", net), SQL("%s::numeric", cofunding)
                        ),
                    )
                )
                value, basis = self.env.cr.fetchone()
                expected = roi(revenue, net)
                if expected is None:
                    self.assertIsNone(value)
                else:
                    self.assertAlmostEqual(float(value), expected, places=6)
                self.assertEqual(basis, roi_basis(net, cofunding))

    def test_kpi_view_fully_funded(self):
        kpi = self.kpi(self.campaign_a)
        self.assertAlmostEqual(kpi.cost_total, 1350.0)
        self.assertAlmostEqual(kpi.net_cost, -2850.0)
        self.assertAlmostEqual(kpi.net_return, 1800.0 + 2850.0)
        self.assertEqual(kpi.roi_basis, "fully_funded")
        self.env.cr.execute(
            "SELECT roi FROM campaign_kpi WHERE id = %s", [self.campaign_a.id]
        )
        self.assertIsNone(self.env.cr.fetchone()[0])
        # the pivot's average leaves a fully funded campaign out
        groups = self.env["campaign.kpi"].read_group(
            [("campaign_id", "=", self.campaign_a.id)], ["roi:avg"], []
        )
        self.assertFalse(groups[0]["roi"])

    def test_kpi_view_percent(self):
        self.cofunding_a1.amount = 1000.0
        kpi = self.kpi(self.campaign_a)
        self.assertEqual(kpi.roi_basis, "percent")
        self.assertAlmostEqual(kpi.roi, (1800.0 - 350.0) / 350.0 * 100.0)
        self.assertAlmostEqual(kpi.net_return, 1450.0)

    def test_monitor_card(self):
        data = self.env["campaign.monitor"].get_monitor_data({})
        card = next(c for c in data["cards"] if c["id"] == self.campaign_a.id)
        self.assertIs(card["money"]["roi"], False)
        self.assertEqual(card["money"]["roi_basis"], "fully_funded")
        self.assertAlmostEqual(card["money"]["net_return"], 4650.0)
        self.assertAlmostEqual(card["money"]["net_cost"], -2850.0)
        # a campaign without analytic account: nothing shown, no "fully funded"
        card_b = next(c for c in data["cards"] if c["id"] == self.campaign_b.id)
        self.assertIs(card_b["money"]["roi_basis"], False)
        self.assertIs(card_b["money"]["net_return"], False)

    def test_digest(self):
        lines = {line["name"]: line for line in self.campaign_a._get_kpi_digest_lines()}
        self.assertAlmostEqual(lines["roi"]["actual"], 4650.0)
        self.assertTrue(lines["roi"]["monetary"])
        self.assertIn("Fully funded", lines["roi"]["label"])

    def test_workbook(self):
        content, _kind = self.env["ir.actions.report"]._render_xlsx(
            REPORT, self.campaign_a.ids, {}
        )
        summary = openpyxl.load_workbook(io.BytesIO(content))["Summary"]
        self.assertEqual(summary["A18"].value, "ROI")
        self.assertEqual(
            summary["B18"].value,
            '=IF(B15>0,(B16-B15)/B15,IF(B14<>0,"Fully funded","No cost yet"))',
        )
        self.assertEqual(summary["A17"].value, "Net return")
        self.assertEqual(summary["B17"].value, "=B16-B15")
        # the cached values (what a viewer without recalculation shows)
        cached = openpyxl.load_workbook(io.BytesIO(content), data_only=True)["Summary"]
        self.assertEqual(cached["B18"].value, "Fully funded")
        self.assertAlmostEqual(cached["B15"].value, -2850.0)
        self.assertAlmostEqual(cached["B17"].value, 4650.0)

    def test_workbook_percent(self):
        self.cofunding_a1.amount = 1000.0
        content, _kind = self.env["ir.actions.report"]._render_xlsx(
            REPORT, self.campaign_a.ids, {}
        )
        cached = openpyxl.load_workbook(io.BytesIO(content), data_only=True)["Summary"]
        self.assertAlmostEqual(cached["B18"].value, 1450.0 / 350.0)
