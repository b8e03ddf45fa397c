# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import json
import re

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.campaign_reporting.kpi import (
    ROI_FULLY_FUNDED,
    ROI_NO_COST,
    roi_xlsx_formula,
)
from odoo.addons.campaign_reporting.models.campaign_monitor import CONTROLLED_DOMAIN
from odoo.addons.campaign_reporting.tests.common import CampaignReportingCommon

PIVOT_VALUE = re.compile(r'PIVOT\.VALUE\((\d+),"(\w+)"((?:,"[^"]*",[^,)]+)*)\)')
PIVOT_HEADER = re.compile(r'PIVOT\.HEADER\((\d+),"#?(\w+)"')


class DashboardCommon(CampaignReportingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref(
            "campaign_reporting_dashboard.spreadsheet_dashboard_campaigns"
        )
        cls.spreadsheet = json.loads(
            base64.b64decode(cls.dashboard.spreadsheet_binary_data)
        )
        cls.pivots = cls.spreadsheet["pivots"]
        cls.admin = cls.env.ref("base.user_admin")
        cls.demo_campaigns = cls.env.ref(
            "marketing_resource_mgmt.demo_campaign_spring"
        ) | cls.env.ref("marketing_resource_mgmt.demo_campaign_autumn")

    def as_user(self, model, user=None):
        """``model`` as ``user`` in their own companies (as the web client
        asks: the test environment's company context dropped)."""
        if not user:
            return self.env[model]
        return self.env(user=user, context={})[model]

    def evaluate_pivot(self, pivot_id, user=None, extra_domain=()):
        """What the spreadsheet's pivot data source reads: ``read_group`` on
        the pivot's model, domain, row group-bys and measures (each with its
        field's aggregator), as the given user.

        :return: {row value or None for the total: {measure: value}}
        """
        pivot = self.pivots[str(pivot_id)]
        model = self.as_user(pivot["model"], user)
        measures = [m["fieldName"] for m in pivot["measures"]]
        specs = [f"{m}:{model._fields[m].aggregator}" for m in measures]
        rows = [r["fieldName"] for r in pivot["rows"]]
        domain = pivot["domain"] + list(extra_domain)
        result = {}
        for group in model.read_group(domain, specs, rows, lazy=False):
            key = None
            if rows:
                key = group[rows[0]]
                key = key[0] if isinstance(key, tuple) else key
            result[key] = {m: group[m] for m in measures}
        if rows:
            total = model.read_group(domain, specs, [], lazy=False)[0]
            result[None] = {m: total[m] for m in measures}
        return result


@tagged("post_install", "-at_install")
class TestCampaignDashboard(DashboardCommon):
    """The Campaigns dashboard shows the KPI model's figures."""

    def test_dashboard_published_in_marketing_group(self):
        self.assertTrue(self.dashboard.is_published)
        self.assertEqual(
            self.dashboard.dashboard_group_id,
            self.env.ref("spreadsheet_dashboard.spreadsheet_dashboard_group_marketing"),
        )
        # what the Dashboards app loads
        data = (
            self.as_user("spreadsheet.dashboard", self.admin)
            .browse(self.dashboard.id)
            .get_readonly_dashboard()
        )
        self.assertEqual(data["snapshot"]["pivots"].keys(), self.pivots.keys())

    def test_formulas_reference_the_pivots(self):
        """Every PIVOT.VALUE / PIVOT.HEADER of the sheets names a pivot, one
        of its measures and one of its row group-bys: no cell shows an
        error once loaded."""
        count = 0
        for sheet in self.spreadsheet["sheets"]:
            for ref, cell in sheet["cells"].items():
                content = cell.get("content", "")
                for pid, measure, args in PIVOT_VALUE.findall(content):
                    count += 1
                    pivot = self.pivots[pid]
                    self.assertIn(
                        measure,
                        [m["fieldName"] for m in pivot["measures"]],
                        f"{sheet['name']}!{ref}",
                    )
                    for field in re.findall(r',"#?(\w+)",', args + ","):
                        self.assertIn(
                            field, [r["fieldName"] for r in pivot["rows"]], ref
                        )
                for pid, field in PIVOT_HEADER.findall(content):
                    self.assertIn(
                        field, [r["fieldName"] for r in self.pivots[pid]["rows"]]
                    )
        self.assertGreater(count, 100)
        for pivot in self.pivots.values():
            model = self.env[pivot["model"]]
            for measure in pivot["measures"]:
                self.assertIn(measure["fieldName"], model._fields)
            for match in pivot["fieldMatching"].values():
                self.assertIn(match["chain"], model._fields)

    def test_scope_is_the_monitors(self):
        """The pivots' domain selects the Campaign Monitor's campaigns."""
        for user in (self.env.user, self.admin):
            kpis = self.as_user("campaign.kpi", user).search(self.pivots["1"]["domain"])
            campaigns = self.as_user("utm.campaign", user).search(CONTROLLED_DOMAIN)
            self.assertEqual(kpis.campaign_id, campaigns)
        # as admin (the last user): the demo campaigns
        self.assertLessEqual(self.demo_campaigns, campaigns)
        for pivot in self.pivots.values():
            self.assertEqual(pivot["domain"], self.pivots["1"]["domain"])

    def test_roi_formula_is_the_workbooks(self):
        """The ROI cells carry kpi.arithmetic's formula (the P&L workbook's)."""
        labels = {
            ROI_FULLY_FUNDED: "Fully funded",
            ROI_NO_COST: "No cost yet",
            None: "n/a",
        }
        cells = self.spreadsheet["sheets"][0]["cells"]
        expected = roi_xlsx_formula("B61", "E61", "D61", labels)
        self.assertEqual(cells["G61"]["content"], expected)
        expected = roi_xlsx_formula("B25", "E25", "D25", labels)
        self.assertEqual(cells["G25"]["content"], f'=IF(A25="","",{expected[1:]})')
        expected = roi_xlsx_formula("B99", "E99", "D99", labels)
        self.assertEqual(cells["G99"]["content"], expected)
        # an unknown net cost (an empty pivot cell) reads n/a, never a
        # division: the cell is tested as a number first
        self.assertTrue(expected.startswith("=IF(ISNUMBER(E99),IF(E99>0,"), expected)
        self.assertTrue(expected.endswith(',"n/a")'), expected)

    def test_figures_equal_the_kpi_model(self):
        """Each pivot's figures, read as the dashboard reads them, equal the
        campaign.kpi / campaign.kpi.channel rows of the same campaigns: the
        demo campaigns (as admin, in the demo company) and the reference
        campaigns of the tests (in the test company)."""
        for user, campaigns in (
            (self.admin, self.demo_campaigns),
            (self.env.user, self.campaign_a | self.campaign_b | self.campaign_c),
        ):
            with self.subTest(user=user.login):
                self.check_figures(user, campaigns)
        row = self.evaluate_pivot(3)[self.campaign_a.id]
        self.assertAlmostEqual(row["net_return"], 1800.0 - 350.0)
        self.assertAlmostEqual(row["roi"], (1800.0 - 350.0) / 350.0 * 100.0)

    def check_figures(self, user, campaigns):
        kpis = self.as_user("campaign.kpi", user).search(self.pivots["1"]["domain"])
        self.assertLessEqual(campaigns, kpis.campaign_id)
        totals = self.evaluate_pivot(1, user)[None]
        for measure, value in totals.items():
            self.assertAlmostEqual(value, sum(kpis.mapped(measure)), 2, measure)
        self.assertGreater(
            sum(
                kpis.filtered(lambda k: k.campaign_id in campaigns).mapped(
                    "members_targeted"
                )
            ),
            0,
        )
        # per campaign (top, bottom, targets): each row is the campaign's KPIs
        for pivot_id in (3, 4, 6):
            rows = self.evaluate_pivot(pivot_id, user)
            self.assertEqual(set(rows) - {None}, set(kpis.campaign_id.ids))
            for kpi in kpis:
                row = rows[kpi.campaign_id.id]
                for measure, value in row.items():
                    self.assertAlmostEqual(
                        value or 0.0,
                        kpi[measure],
                        2,
                        f"{kpi.campaign_id.name} {measure}",
                    )
        # the funnel per channel: the channel rows, and across channels the
        # campaign totals
        channels = self.as_user("campaign.kpi.channel", user).search(
            self.pivots["2"]["domain"]
        )
        funnel = self.evaluate_pivot(2, user)
        for channel, row in funnel.items():
            subset = channels.filtered(
                lambda r, channel=channel: channel is None or r.channel == channel
            )
            for measure, value in row.items():
                self.assertEqual(value, sum(subset.mapped(measure)), (channel, measure))
        for measure, value in funnel[None].items():
            self.assertEqual(value, sum(kpis.mapped(measure)), measure)
        # the return by channel: the channel rows' money, and each
        # campaign's channels add up to its KPI row
        by_channel = self.evaluate_pivot(7, user)
        for channel, row in by_channel.items():
            subset = channels.filtered(
                lambda r, channel=channel: channel is None or r.channel == channel
            )
            for measure, value in row.items():
                self.assertAlmostEqual(
                    value or 0.0, sum(subset.mapped(measure)), 2, (channel, measure)
                )
        for kpi in kpis.filtered(lambda k: not k.data_issue):
            rows = channels.filtered(
                lambda r, kpi=kpi: r.campaign_id == kpi.campaign_id
            )
            if not rows:
                continue
            for measure in by_channel[None]:
                self.assertAlmostEqual(
                    sum(rows.mapped(measure)),
                    kpi[measure],
                    2,
                    f"{kpi.campaign_id.name} {measure}",
                )
        # by campaign type
        for ctype, row in self.evaluate_pivot(5, user).items():
            subset = kpis.filtered(
                lambda k, ctype=ctype: ctype is None or k.campaign_type == ctype
            )
            for measure, value in row.items():
                self.assertAlmostEqual(value or 0.0, sum(subset.mapped(measure)), 2)

    def test_owner_filter(self):
        """The Owner global filter (user_id in ...) keeps the owner's campaigns."""
        fm = self.pivots["1"]["fieldMatching"]
        owner_filter = next(
            f for f in self.spreadsheet["globalFilters"] if f["label"] == "Owner"
        )
        chain = fm[owner_filter["id"]]["chain"]
        totals = self.evaluate_pivot(1, extra_domain=[(chain, "in", self.owner.ids)])
        kpis = self.env["campaign.kpi"].search(
            self.pivots["1"]["domain"] + [("user_id", "=", self.owner.id)]
        )
        self.assertIn(self.campaign_a, kpis.campaign_id)
        self.assertEqual(totals[None]["leads"], sum(kpis.mapped("leads")))

    def test_record_rules(self):
        """A marketing manager of company 1 does not see company 2's
        campaigns on the dashboard; a marketing user does not get the
        dashboard (its money figures are for managers and finance)."""
        root = self.env.ref("base.user_root")
        company_2 = self.env["res.company"].sudo().create({"name": "Dashboard Co 2"})
        other = (
            self.env["utm.campaign"]
            .sudo()
            .create(
                {
                    "name": "Other company campaign",
                    "code": "CR-CO2",
                    "company_id": company_2.id,
                    "state": "running",
                    "budget": 999.0,
                    "target_members": 77,
                }
            )
        )
        manager_1 = new_test_user(
            self.env,
            login="dash_manager_1",
            groups="marketing_resource_mgmt.group_marketing_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.env.flush_all()
        seen = self.evaluate_pivot(3, user=manager_1)
        self.assertIn(self.campaign_a.id, seen)
        self.assertNotIn(other.id, seen)
        all_rows = self.evaluate_pivot(3, user=root)
        self.assertIn(other.id, all_rows)
        own = self.as_user("campaign.kpi", manager_1).search(self.pivots["1"]["domain"])
        self.assertNotIn(other, own.campaign_id)
        self.assertEqual(
            self.evaluate_pivot(1, user=manager_1)[None]["budget"],
            sum(own.mapped("budget")),
        )
        self.assertIn(
            self.dashboard, self.as_user("spreadsheet.dashboard", manager_1).search([])
        )
        self.assertNotIn(
            self.dashboard,
            self.as_user("spreadsheet.dashboard", self.salesperson).search([]),
        )


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_dashboard_tour(self):
        """The Dashboards app opens the Campaigns dashboard, loaded (its
        global filters shown), as a marketing manager; no cell shows an
        error, and a campaign without an analytic account (costs unknown)
        reads n/a as its ROI, not #DIV/0!."""
        admin = self.env.ref("base.user_admin")
        campaign = self.env["utm.campaign"].create(
            {
                "name": "Dashboard fair without costs",
                "code": "DASH-NA",
                "state": "running",
                "user_id": admin.id,
                "company_id": admin.company_id.id,
            }
        )
        kpi = self.env["campaign.kpi"].search([("campaign_id", "=", campaign.id)])
        self.assertEqual(kpi.data_issue, "no_analytic_account")
        self.start_tour(
            "/odoo/dashboards",
            "campaign_reporting_dashboard_open",
            login="admin",
            timeout=240,
        )
