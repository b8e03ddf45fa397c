# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCampaignCloseTour(HttpCase):
    def test_close_then_unsubscribe_through_old_link(self):
        """The owner closes a running campaign (after a confirmation); the
        status bar says Closed; a member then unsubscribes through the link
        mailed before."""
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Tour closing campaign",
                "template_id": self.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": self.env.ref("base.user_admin").id,
                "date_start": date(2026, 4, 1),
            }
        )
        campaign.action_start()
        partner = self.env["res.partner"].create(
            {
                "name": "Old Link Holder",
                "email": "old.link@example.com",
                "phone": "+44 113 496 0123",
            }
        )
        member = self.env["marketing.campaign.member"].create(
            {"campaign_id": campaign.id, "partner_id": partner.id}
        )
        old_link = member.answer_url
        self.start_tour(
            f"/odoo/action-marketing_resource_mgmt.action_utm_campaign_controller/{campaign.id}",
            "mrm_campaign_close_tour",
            login="admin",
        )
        self.assertEqual(campaign.state, "closed")
        self.start_tour(
            old_link.replace(member.get_base_url(), ""),
            "mrm_campaign_ended_unsubscribe_tour",
        )
        member.invalidate_recordset()
        self.assertEqual(member.state, "unsubscribed")
        self.assertTrue(partner.is_blacklisted)
        self.assertTrue(
            self.env["phone.blacklist"].search([("number", "=", "+441134960123")])
        )
