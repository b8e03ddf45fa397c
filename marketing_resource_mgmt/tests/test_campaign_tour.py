# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import HttpCase, tagged

from .common import tagged_audience


@tagged("post_install", "-at_install")
class TestCampaignControllerTour(HttpCase):
    def test_campaign_from_six_step_template(self):
        """A manager runs a campaign from the six-step template through
        generation into measurement, in the browser."""
        partners, segment = tagged_audience(self.env, "Tour Contact", 3)
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Tour campaign",
                "template_id": self.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": self.env.ref("base.user_admin").id,
                "date_start": date(2026, 4, 1),
                "segment_ids": [(6, 0, segment.ids)],
                "use_email": True,
                "use_call": False,
                "use_mail": False,
            }
        )
        self.start_tour(
            f"/odoo/action-marketing_resource_mgmt.action_utm_campaign_controller/{campaign.id}",
            "mrm_campaign_controller_tour",
            login="admin",
        )
        self.assertEqual(campaign.phase_id.name, "Measurement")
        self.assertEqual(
            campaign.phase_ids.filtered(lambda p: p.state == "done").mapped(
                "override_reason"
            )[:1],
            ["Outline agreed in the kick-off"],
        )
        self.assertEqual(campaign.generation_state, "done")
        self.assertEqual(campaign.member_ids.partner_id, partners)
        self.assertEqual(
            campaign.mailing_id.mailing_model_real, "marketing.campaign.member"
        )
        self.assertEqual(campaign.mailing_id.total, 3)
