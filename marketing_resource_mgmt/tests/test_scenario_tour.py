# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import HttpCase, tagged

from .common import tagged_segment
from .offer_common import offer_partner_vals


@tagged("post_install", "-at_install")
class TestScenarioTour(HttpCase):
    def test_scenario_tour(self):
        admin = self.env.ref("base.user_admin")
        tag = self.env["res.partner.category"].create({"name": "MRM tour offers"})
        partners = self.env["res.partner"].create(
            [offer_partner_vals(i, tag, "Tour contact") for i in range(12)]
        )
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Tour offers",
                "template_id": self.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": admin.id,
                "date_start": date(2026, 3, 2),
                "segment_ids": [(6, 0, tagged_segment(self.env, tag).ids)],
                "use_email": True,
                "use_call": False,
                "use_mail": False,
            }
        )
        campaign.action_start()
        offer = self.env["marketing.offer"].create(
            {"name": "Tour upgrade", "campaign_id": campaign.id, "value": 50}
        )
        Scenario = self.env["marketing.scenario"]
        wide = Scenario.create(
            {
                "name": "Tour wide plan",
                "campaign_ids": [(6, 0, campaign.ids)],
                "budget_total": 0.1,
            }
        )
        wide.action_run()
        tight = Scenario.create(
            {
                "name": "Tour tight plan",
                "campaign_ids": [(6, 0, campaign.ids)],
                "budget_total": 0.04,
            }
        )
        self.start_tour(
            f"/odoo/action-marketing_resource_mgmt.action_marketing_scenario/{tight.id}",
            "mrm_scenario_tour",
            login="admin",
        )
        self.assertEqual(tight.state, "applied")
        self.assertEqual(wide.state, "done")
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", campaign.id)]
        )
        self.assertEqual(len(members), 4)
        self.assertEqual(members.offer_id, offer)
        self.assertLessEqual(members.partner_id, partners)
