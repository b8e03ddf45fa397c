# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A parent campaign's KPIs rolled up with its follow-ons' in the Campaign
Monitor (issue 14): the parent's card shows its own figures plus its
follow-ons' (any depth), equal to the sum read_group gives over the family."""

from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL

from ..kpi import (
    roi,
    rollup_data_issue,
    rollup_sum,
    rollup_sum_sql,
)
from ..models.campaign_monitor import (
    FUNNEL_FIELDS,
    ROLLUP_MONEY_FIELDS,
    ROLLUP_PLAIN_FIELDS,
)
from .common import CampaignReportingCommon


class TestRollupArithmetic(BaseCase):
    def test_rollup_sum(self):
        self.assertEqual(rollup_sum([1, 2, 3]), 6)
        self.assertEqual(rollup_sum([]), 0)
        self.assertIsNone(rollup_sum([1, None, 3]))

    def test_rollup_data_issue(self):
        self.assertIsNone(rollup_data_issue([False, None]))
        self.assertEqual(
            rollup_data_issue([False, "no_analytic_account"]), "no_analytic_account"
        )
        self.assertEqual(
            rollup_data_issue(["no_analytic_account", "analytic_plan"]),
            "analytic_plan",
        )
        self.assertEqual(rollup_data_issue([False], currency_count=2), "currency")


@tagged("post_install", "-at_install")
class TestFollowOnRollup(CampaignReportingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        A = cls.campaign_a

        def follow_on(name, code, parent, leads, cost, **vals):
            account = cls.env["account.analytic.account"].create(
                {"name": name, "plan_id": cls.project_plan.id}
            )
            campaign = cls._new_campaign(
                name,
                code,
                parent_id=parent.id,
                analytic_account_id=account.id,
                **vals,
            )
            cls.env["crm.lead"].create(
                [
                    {
                        "name": f"{code} lead {i}",
                        "type": "lead",
                        "campaign_id": campaign.id,
                    }
                    for i in range(leads)
                ]
            )
            cls._direct_cost(campaign, cost)
            partner = cls.env["res.partner"].create(
                {"name": f"{code} member", "email": f"{code.lower()}@example.com"}
            )
            cls.env["marketing.campaign.member"].create(
                {
                    "campaign_id": campaign.id,
                    "partner_id": partner.id,
                    "channel": "email",
                    "state": "responded",
                }
            )
            return campaign

        cls.campaign_d = follow_on(
            "Spring follow-on", "CR-D", A, 3, 50.0, target_leads=4, budget=500.0
        )
        cls.campaign_e = follow_on(
            "Spring last call", "CR-E", cls.campaign_d, 1, 20.0, target_leads=2
        )
        cls.env.flush_all()

    def card(self, data, campaign):
        return next(card for card in data["cards"] if card["id"] == campaign.id)

    def family_sums(self, campaigns, channel=None):
        """read_group over the family: the sum of each campaign's own row."""
        if channel:
            model = self.env["campaign.kpi.channel"]
            domain = [("campaign_id", "in", campaigns.ids), ("channel", "=", channel)]
            names = FUNNEL_FIELDS
        else:
            model = self.env["campaign.kpi"]
            domain = [("campaign_id", "in", campaigns.ids)]
            names = ROLLUP_PLAIN_FIELDS + ROLLUP_MONEY_FIELDS
        row = model.read_group(domain, [f"{name}:sum" for name in names], [])[0]
        return {name: row[name] for name in names}

    def test_parent_rolls_up_children(self):
        A, D, E = self.campaign_a, self.campaign_d, self.campaign_e
        data = self.env["campaign.monitor"].get_monitor_data({})
        card_a = self.card(data, A)
        card_d = self.card(data, D)
        card_e = self.card(data, E)
        self.assertEqual(card_a["rollup"]["count"], 2)
        self.assertEqual(card_a["rollup"]["campaign_ids"], [A.id, D.id, E.id])
        self.assertEqual(card_d["rollup"]["campaign_ids"], [D.id, E.id])
        self.assertNotIn("rollup", card_e)
        for card, family in ((card_a, A | D | E), (card_d, D | E)):
            sums = self.family_sums(family)
            kpis = {kpi["name"]: kpi for kpi in card["kpis"]}
            for name in FUNNEL_FIELDS:
                self.assertEqual(card["figures"][name], sums[name], name)
            self.assertEqual(kpis["leads"]["actual"], sums["leads"])
            self.assertEqual(kpis["leads"]["target"], sums["target_leads"])
            for name in ("revenue", "cost_total", "cofunding_committed", "net_cost"):
                self.assertAlmostEqual(card["money"][name], sums[name], msg=name)
            self.assertAlmostEqual(kpis["cost_total"]["target"], sums["budget"])
            # the ratios from the sums, by kpi/arithmetic.py
            expected_roi = roi(sums["revenue"], sums["net_cost"])
            self.assertAlmostEqual(card["money"]["roi"], round(expected_roi, 2))
        # by hand: A's 8 leads, D's 3 and E's 1; costs 1350 + 50 + 20
        self.assertEqual(card_a["figures"]["leads"], 12)
        self.assertAlmostEqual(card_a["money"]["cost_total"], 1420.0)
        self.assertEqual(card_a["rollup"]["own_figures"]["leads"], 8)
        self.assertEqual(card_d["figures"]["leads"], 4)
        self.assertEqual(card_e["figures"]["leads"], 1)
        # the totals count each campaign once
        own = self.family_sums(A | D | E)
        self.assertEqual(
            data["totals"]["leads"]
            - sum(
                c["figures"]["leads"]
                for c in data["cards"]
                if c["id"] not in (A | D | E).ids
            ),
            own["leads"],
        )

    def test_drill_down_lists_the_family(self):
        """A figure of a parent's card opens the records behind it: its own
        and its follow-ons'."""
        monitor = self.env["campaign.monitor"]
        card = self.card(monitor.get_monitor_data({}), self.campaign_a)
        for kpi in ("leads", "members_responded"):
            action = monitor.action_drill_down(self.campaign_a.id, kpi, False, True)
            records = (
                self.env[action["res_model"]]
                .with_context(active_test=False)
                .search(action["domain"])
            )
            self.assertEqual(len(records), card["figures"][kpi], kpi)
            own = monitor.action_drill_down(self.campaign_a.id, kpi)
            self.assertEqual(
                self.env[own["res_model"]]
                .with_context(active_test=False)
                .search_count(own["domain"]),
                card["rollup"]["own_figures"][kpi],
            )
        self.campaign_b.parent_id = self.campaign_d
        with self.assertRaisesRegex(UserError, "not available"):
            monitor.action_drill_down(self.campaign_a.id, "cost_total", False, True)

    def test_rollup_per_channel(self):
        A, D, E = self.campaign_a, self.campaign_d, self.campaign_e
        data = self.env["campaign.monitor"].get_monitor_data({"channel": "email"})
        card = self.card(data, A)
        sums = self.family_sums(A | D | E, channel="email")
        for name in FUNNEL_FIELDS:
            self.assertEqual(card["figures"][name], sums[name], name)
        self.assertEqual(card["figures"]["members_responded"], 1 + 2)

    def test_unknown_costs_and_currencies_withheld(self):
        """A follow-on without analytic account makes the family's costs
        unknown; one in another currency withholds every amount."""
        self.campaign_b.parent_id = self.campaign_a
        data = self.env["campaign.monitor"].get_monitor_data({})
        card = self.card(data, self.campaign_a)
        self.assertEqual(card["data_issue"], "no_analytic_account")
        self.assertIs(card["money"]["cost_total"], False)
        self.assertAlmostEqual(
            card["money"]["revenue"],
            self.family_sums(
                self.campaign_a | self.campaign_b | self.campaign_d | self.campaign_e
            )["revenue"],
        )
        self.campaign_b.parent_id = False
        self.campaign_c.parent_id = self.campaign_e
        data = self.env["campaign.monitor"].get_monitor_data({})
        card = self.card(data, self.campaign_a)
        self.assertEqual(card["data_issue"], "currency")
        self.assertIs(card["money"]["revenue"], False)
        # the figures that are no money still roll up
        self.assertEqual(
            card["figures"]["leads"],
            self.family_sums(
                self.campaign_a | self.campaign_c | self.campaign_d | self.campaign_e
            )["leads"],
        )

    def test_marketing_user_rollup_without_money(self):
        data = self.env["campaign.monitor"].with_user(self.owner).get_monitor_data({})
        card = self.card(data, self.campaign_a)
        self.assertNotIn("money", card)
        self.assertEqual(card["figures"]["leads"], 12)

    def test_rollup_sql_equals_python(self):
        for values in ([1, 2, 3], [1, None], [None], [4.5, 0.5]):
            rows = SQL(", ").join(SQL("(%s::numeric)", value) for value in values)
            self.env.cr.execute(
                SQL(
                    "SELECT %s FROM (VALUES %s) AS t(x)",
                    rollup_sum_sql(SQL("t.x")),
                    rows,
                )
            )
            result = self.env.cr.fetchone()[0]
            expected = rollup_sum(values)
            if expected is None:
                self.assertIsNone(result)
            else:
                self.assertEqual(float(result), float(expected))
