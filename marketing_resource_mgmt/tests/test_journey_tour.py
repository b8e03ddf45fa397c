# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, tagged

T0 = datetime(2026, 4, 1, 9, 0)


@tagged("post_install", "-at_install")
class TestJourneyTour(HttpCase):
    def test_two_step_journey(self):
        """A marketer builds a two-step journey in the browser (a mail, then a
        call for those who did not open it after three days), runs it, and
        sees the counts move after the scheduler's passes (time frozen on
        the server)."""
        admin = self.env.ref("base.user_admin")
        campaign = self.env["utm.campaign"].create(
            {"title": "Journey tour campaign", "user_id": admin.id}
        )
        campaign.mailing_id = self.env["mailing.mailing"].create(
            {
                "subject": "Welcome",
                "campaign_id": campaign.id,
                "mailing_type": "mail",
                "body_html": "<p>Welcome</p>",
            }
        )
        partners = self.env["res.partner"].create(
            [
                {"name": f"Journey Tour {i}", "email": f"journeytour{i}@example.com"}
                for i in range(3)
            ]
        )
        members = self.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": campaign.id,
                    "partner_id": p.id,
                    "channel": "email",
                    "date_targeted": T0 - timedelta(days=1),
                }
                for p in partners
            ]
        )
        with patch.object(fields.Datetime, "now", return_value=T0):
            self.start_tour(
                "/odoo/action-marketing_resource_mgmt.action_marketing_journey",
                "mrm_journey_build_tour",
                login="admin",
            )
        journey = self.env["marketing.journey"].search(
            [("campaign_id", "=", campaign.id)]
        )
        self.assertEqual(journey.state, "running")
        mail_step, call_step = journey.step_ids.sorted("id")
        self.assertEqual(call_step.parent_id, mail_step)
        self.assertEqual(mail_step.done_count, 3)
        # one opens; three days later the scheduler runs
        members[0].date_opened = T0 + timedelta(hours=2)
        with patch.object(
            fields.Datetime, "now", return_value=T0 + timedelta(days=3, hours=1)
        ):
            self.env["marketing.journey"]._cron_run_journeys()
            self.start_tour(
                f"/odoo/action-marketing_resource_mgmt.action_marketing_journey/{journey.id}",
                "mrm_journey_counts_tour",
                login="admin",
            )
        calls = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", campaign.id), ("channel", "=", "call")]
        )
        self.assertEqual(calls.partner_id, partners[1:])
        self.assertTrue(all(c.activity_ids for c in calls))
