# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One definition per KPI rule (marketing_resource_mgmt/kpi_rules.py): each
SQL condition selects the same rows as its domain, and the campaign form,
the KPI views, the drill-downs and the monitor read the same figures."""

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.marketing_resource_mgmt.kpi_rules import (
    COFUNDING_KPIS,
    COST_SOURCES,
    MEMBER_KPIS,
    MEMBER_STATES,
    cofunding_domain,
    cofunding_sql,
    cost_source_domain,
    cost_source_sql,
    member_kpi_domain,
    member_kpi_sql,
)

from .common import CampaignReportingCommon


@tagged("post_install", "-at_install")
class TestKpiRules(CampaignReportingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        camp = cls.campaign_a
        # one member in every state, with and without mailing dates
        partners = cls.env["res.partner"].create(
            [
                {"name": f"Rule member {state}", "email": f"rule-{state}@example.com"}
                for state, _label in MEMBER_STATES
            ]
        )
        cls.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": camp.id,
                    "partner_id": partner.id,
                    "channel": "sms" if i % 2 else "email",
                    "state": state,
                    "date_opened": "2026-03-03 10:00:00" if i % 3 else False,
                    "date_clicked": "2026-03-03 11:00:00" if i % 4 == 1 else False,
                }
                for i, (partner, (state, _label)) in enumerate(
                    zip(partners, MEMBER_STATES, strict=True)
                )
            ]
        )
        # analytic lines at the edges of the cost sources: no category, a
        # customer invoice line, a direct cost entry of category "invoice"
        Line = cls.env["account.analytic.line"]
        cls.odd_lines = Line.create(
            [
                {"name": "No category", "account_id": cls.account_a.id, "amount": -7},
                {
                    "name": "Customer invoice line",
                    "account_id": cls.account_a.id,
                    "amount": 11,
                    "category": "invoice",
                },
            ]
        )
        cls.odd_lines[0].category = False
        direct = cls._direct_cost(camp, 13.0, label="Odd direct")
        direct.analytic_line_id.category = "invoice"
        cls.env.flush_all()

    def sql_ids(self, table, alias, condition, where):
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM %s %s WHERE %s AND (%s) ORDER BY 1",
                SQL.identifier(alias, "id"),
                SQL.identifier(table),
                SQL.identifier(alias),
                where,
                condition,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_member_kpis_sql_equals_domain(self):
        Member = self.env["marketing.campaign.member"].with_context(active_test=False)
        camp = self.campaign_a
        where = SQL("m.campaign_id = %s", camp.id)
        for name in MEMBER_KPIS:
            with self.subTest(kpi=name):
                by_sql = self.sql_ids(
                    "marketing_campaign_member", "m", member_kpi_sql(name, "m"), where
                )
                by_domain = Member.search(
                    [("campaign_id", "=", camp.id)] + member_kpi_domain(name),
                    order="id",
                ).ids
                self.assertEqual(by_sql, by_domain)
                if name != "members_targeted":
                    self.assertLess(len(by_sql), len(camp.member_ids), name)

    def test_cost_sources_sql_equals_domain(self):
        Line = self.env["account.analytic.line"]
        direct_ids = (
            self.env["marketing.campaign.cost"]
            .search([("campaign_id", "=", self.campaign_a.id)])
            .analytic_line_id.ids
        )
        where = SQL("l.account_id = %s", self.account_a.id)
        seen = set()
        for source in COST_SOURCES + ("total",):
            with self.subTest(source=source):
                by_sql = self.sql_ids(
                    "account_analytic_line", "l", cost_source_sql(source, "l"), where
                )
                by_domain = Line.search(
                    [("account_id", "=", self.account_a.id)]
                    + cost_source_domain(source, direct_ids),
                    order="id",
                ).ids
                self.assertEqual(by_sql, by_domain)
                self.assertTrue(by_sql, f"the world has {source} lines")
                if source != "total":
                    self.assertFalse(seen & set(by_sql), "sources do not overlap")
                    seen |= set(by_sql)
        # the odd lines: no category is "other"; a customer invoice line is
        # no cost; a direct entry is a direct cost whatever its category
        total = self.sql_ids(
            "account_analytic_line", "l", cost_source_sql("total", "l"), where
        )
        self.assertIn(self.odd_lines[0].id, total)
        self.assertNotIn(self.odd_lines[1].id, total)

    def test_cofunding_sql_equals_domain(self):
        Cofunding = self.env["marketing.campaign.cofunding"]
        world = self.campaign_a | self.campaign_b | self.campaign_c
        lines = Cofunding.search([("campaign_id", "in", world.ids)])
        lines[:1].state = "claimed"
        lines[1:2].state = "received"
        self.env.flush_all()
        where = SQL("cf.campaign_id IN %s", tuple(world.ids))
        for name in COFUNDING_KPIS:
            with self.subTest(kpi=name):
                by_sql = self.sql_ids(
                    "marketing_campaign_cofunding",
                    "cf",
                    cofunding_sql(name, "cf"),
                    where,
                )
                self.assertEqual(
                    by_sql,
                    Cofunding.search(
                        [("campaign_id", "in", world.ids)] + cofunding_domain(name),
                        order="id",
                    ).ids,
                )

    def test_views_drill_downs_and_form_agree(self):
        """The campaign form, the KPI view, the monitor and the drill-downs
        count the same members (an unsubscribed member is not a response)."""
        camp = self.campaign_a
        kpi = self.kpi(camp)
        camp.invalidate_recordset(["responded_count"])
        self.assertEqual(camp.responded_count, kpi.members_responded)
        data = self.env["campaign.monitor"].get_monitor_data({})
        card = next(c for c in data["cards"] if c["id"] == camp.id)
        figures = {k["name"]: k["actual"] for k in card["kpis"]}
        self.assertEqual(figures["members_responded"], kpi.members_responded)
        KpiModel = self.env["campaign.kpi"]
        for name in MEMBER_KPIS:
            with self.subTest(kpi=name):
                model, domain = KpiModel._drill_down_spec(camp, name)[:2]
                self.assertEqual(
                    self.env[model]
                    .with_context(active_test=False)
                    .search_count(domain),
                    kpi[name],
                )
        for source in COST_SOURCES + ("total",):
            with self.subTest(cost=source):
                model, domain = KpiModel._drill_down_spec(camp, f"cost_{source}")[:2]
                lines = self.env[model].search(domain)
                self.assertAlmostEqual(
                    -sum(lines.mapped("amount")), kpi[f"cost_{source}"]
                )
