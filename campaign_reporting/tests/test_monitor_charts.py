# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import EXPECTED_A, EXPECTED_A_CHANNELS, CampaignReportingCommon


@tagged("post_install", "-at_install")
class TestMonitorCharts(CampaignReportingCommon):
    """The data of the monitor's charts and the kanban's signal colour."""

    def only_a(self, **filters):
        (self.campaign_b | self.campaign_c).state = "draft"
        return self.env["campaign.monitor"].get_monitor_data(
            {"state": "running", "user_id": self.owner.id, **filters}
        )

    def test_responses_timeline(self):
        """Cumulative responses by the day of the answer, against the
        pro-rata target of campaign A (6 responses over 2024)."""
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign_a.id)]
        )
        responded = members.filtered(
            lambda m: m.state in ("replied", "responded", "converted", "declined")
        )
        self.assertEqual(len(responded), EXPECTED_A["members_responded"])
        # two answers dated in 2024, the third keeps its own date
        responded[0].date_responded = datetime(2024, 3, 4, 10, 0)
        responded[1].date_responded = datetime(2024, 8, 1, 10, 0)
        data = self.only_a()
        self.assertEqual([c["id"] for c in data["cards"]], [self.campaign_a.id])
        timeline = data["timeline"]
        self.assertEqual(timeline["labels"][0], "2024-01-01")
        points = dict(zip(timeline["labels"], timeline["responses"], strict=True))
        targets = dict(zip(timeline["labels"], timeline["target"], strict=True))
        # weekly points (the span exceeds 180 days): 2024-07-01 is day 182
        self.assertEqual(points["2024-07-01"], 1)
        self.assertAlmostEqual(targets["2024-07-01"], round(6 * 182 / 365, 2))
        self.assertEqual(targets[timeline["labels"][-1]], 6)
        last_known = [value for value in timeline["responses"] if value is not False]
        self.assertEqual(last_known[-1], EXPECTED_A["members_responded"])
        # the channel filter counts that channel's members only
        data = self.only_a(channel="call")
        last_known = [v for v in data["timeline"]["responses"] if v is not False]
        self.assertEqual(
            last_known[-1], EXPECTED_A_CHANNELS["call"]["members_responded"]
        )

    def test_timeline_daily_and_future(self):
        """A short campaign gets a point a day; days after today have no
        response figure yet."""
        today = fields.Date.context_today(self.env["utm.campaign"])
        self.campaign_a.write(
            {
                "date_start": date.fromordinal(today.toordinal() - 10),
                "date_end": date.fromordinal(today.toordinal() + 20),
            }
        )
        timeline = self.only_a()["timeline"]
        self.assertEqual(len(timeline["labels"]), 31)
        index = timeline["labels"].index(fields.Date.to_string(today))
        self.assertIsNot(timeline["responses"][index], False)
        self.assertIs(timeline["responses"][index + 1], False)
        self.assertAlmostEqual(timeline["target"][index], round(6 * 10 / 30, 2))

    def test_weekly_timeline_counts_up_to_today(self):
        """A long campaign gets a point a week and one for today, whatever
        the day of the week: the last response figure is every response up
        to today (it was the last weekly point's, up to six days old)."""
        today = fields.Date.context_today(self.env["utm.campaign"])
        start = date.fromordinal(today.toordinal() - 204)  # 29 weeks and a day
        self.campaign_a.write(
            {"date_start": start, "date_end": date.fromordinal(today.toordinal() + 30)}
        )
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign_a.id)]
        )
        responded = members.filtered(
            lambda m: m.state in ("replied", "responded", "converted", "declined")
        )
        # every answer today (the member's own date: its last change)
        responded.write({"date_responded": False, "date_replied": False})
        timeline = self.only_a()["timeline"]
        labels = timeline["labels"]
        self.assertEqual(labels[0], fields.Date.to_string(start))
        self.assertEqual(labels[1], fields.Date.to_string(start + timedelta(days=7)))
        index = labels.index(fields.Date.to_string(today))
        self.assertEqual(
            labels[index - 1], fields.Date.to_string(today - timedelta(days=1))
        )
        self.assertEqual(timeline["responses"][index - 1], 0)
        self.assertEqual(timeline["responses"][index], len(responded))
        self.assertIs(timeline["responses"][index + 1], False)

    def test_signal_colour_is_the_monitors(self):
        """The kanban's signal is the monitor card's, for each user."""
        for user in (self.manager, self.salesperson):
            cards = {
                card["id"]: card["signal"]
                for card in self.env["campaign.monitor"]
                .with_user(user)
                .get_monitor_data({})["cards"]
            }
            campaigns = self.env["utm.campaign"].with_user(user).browse(list(cards))
            for campaign in campaigns:
                self.assertEqual(campaign.monitor_signal, cards[campaign.id])
        self.assertEqual(self.campaign_a.monitor_signal, "off_track")
        self.assertEqual(self.campaign_a.monitor_signal_color, 1)
        # read as the kanban reads it
        rows = self.env["utm.campaign"].search_read(
            [("id", "=", self.campaign_a.id)],
            ["monitor_signal", "monitor_signal_color"],
        )
        self.assertEqual(rows[0]["monitor_signal"], "off_track")
