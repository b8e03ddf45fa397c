# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import CampaignReportingCommon


class MonitorScopeCommon(CampaignReportingCommon):
    """A plain UTM campaign, one starting in ten days, a draft one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's own kind of campaign: a plain UTM campaign, no plan
        cls.plain = cls.env["utm.campaign"].create({"name": "Newsletter (plain)"})
        today = fields.Date.context_today(cls.env["utm.campaign"])
        cls.future = cls._new_campaign(
            "Winter Launch",
            "CR-FUT",
            date_start=today + timedelta(days=10),
            date_end=today + timedelta(days=70),
            target_responses=60,
        )
        cls.draft = cls._new_campaign(
            "Draft with team", "CR-DRAFT", state="draft", target_responses=60
        )
        cls.env["marketing.campaign.team"].create(
            {"campaign_id": cls.draft.id, "user_id": cls.owner.id}
        )


@tagged("post_install", "-at_install")
class TestMonitorScope(MonitorScopeCommon):
    """The monitor shows controlled campaigns by default, a campaign before
    its start as "not started", and no drill-down behind an "n/a"."""

    def cards(self, filters=None):
        data = self.env["campaign.monitor"].get_monitor_data(filters or {})
        return data, {card["id"]: card for card in data["cards"]}

    def test_controlled_by_default(self):
        _data, cards = self.cards()
        self.assertNotIn(self.plain.id, cards)
        self.assertIn(self.campaign_a.id, cards)
        self.assertIn(self.draft.id, cards)
        _data, cards = self.cards({"scope": "all"})
        self.assertIn(self.plain.id, cards)

    def test_controlled_domain_is_is_controlled(self):
        """The monitor's domain selects what utm.campaign._is_controlled says."""
        from ..models.campaign_monitor import CONTROLLED_DOMAIN

        campaigns = self.env["utm.campaign"].search([])
        self.assertTrue(campaigns.filtered(lambda c: not c._is_controlled()))
        self.assertEqual(
            campaigns.filtered_domain(CONTROLLED_DOMAIN),
            campaigns.filtered(lambda c: c._is_controlled()),
        )

    def test_not_started(self):
        data, cards = self.cards()
        for campaign in (self.future, self.draft):
            with self.subTest(campaign=campaign.name):
                card = cards[campaign.id]
                self.assertEqual(card["signal"], "not_started")
                responses = next(
                    k for k in card["kpis"] if k["name"] == "members_responded"
                )
                self.assertEqual((responses["actual"], responses["target"]), (0, 60))
                self.assertEqual(responses["signal"], "not_started")
        self.assertEqual(data["signal_counts"]["not_started"], 2)
        # started and judged: campaign A is off track, not "not started"
        self.assertEqual(cards[self.campaign_a.id]["signal"], "off_track")
        data, cards = self.cards({"signal": "not_started"})
        self.assertEqual(set(cards), {self.future.id, self.draft.id})

    def test_no_drill_down_behind_na(self):
        """Campaign B has no analytic account: its cost is "n/a", and asking
        for the records behind it says why, in words, not with a field name."""
        _data, cards = self.cards()
        self.assertIs(cards[self.campaign_b.id]["money"]["cost_total"], False)
        monitor = self.env["campaign.monitor"]
        for kpi in ("cost_total", "cost_bill", "net_cost", "roi"):
            with self.subTest(kpi=kpi):
                with self.assertRaises(UserError) as caught:
                    monitor.action_drill_down(self.campaign_b.id, kpi)
                message = str(caught.exception)
                self.assertNotIn(kpi, message)
                self.assertIn("Autumn Fair", message)
                self.assertIn("No analytic account", message)
        with self.assertRaisesRegex(UserError, "Actual cost"):
            monitor.action_drill_down(self.campaign_b.id, "cost_total")
        with self.assertRaisesRegex(UserError, "no such figure"):
            monitor.action_drill_down(self.campaign_a.id, "password")
        # a known figure still opens its records
        action = monitor.action_drill_down(self.campaign_b.id, "revenue")
        self.assertEqual(action["res_model"], "account.move")


@tagged("post_install", "-at_install")
class TestMonitorTours(MonitorScopeCommon, HttpCase):
    """The same in a real browser, and the finance list's campaign names."""

    def test_monitor_signals_tour(self):
        self.cofunding_a1.amount = 4200.0  # fully funded
        self.start_tour(
            "/odoo/action-campaign_reporting.campaign_monitor_action",
            "campaign_reporting_monitor_signals",
            login="accountman",
        )

    def test_finance_names_tour(self):
        self.campaign_a.title = "Spring Push for the Northern Regional Distributors"
        self.start_tour(
            "/odoo/action-campaign_reporting.campaign_kpi_action_finance",
            "campaign_reporting_finance_names",
            login="accountman",
        )
