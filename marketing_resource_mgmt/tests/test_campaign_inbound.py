# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaignInbound(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign.with_user(cls.owner).action_start()
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Ivy Inbound",
                "email": "ivy@inbound.example",
                "phone": "+44 113 496 0123",
            }
        )
        cls.member = cls.env["marketing.campaign.member"].create(
            {
                "campaign_id": cls.campaign.id,
                "partner_id": cls.partner.id,
                "channel": "call",
                "user_id": cls.caller_b.id,
            }
        )
        cls.activity_type = cls.env.ref(
            "marketing_resource_mgmt.mail_activity_type_inbound_answer"
        )

    def _assert_attached(self, record, route=None, user=None):
        self.assertEqual(record.campaign_id, self.campaign)
        if route:
            self.assertEqual(record.campaign_match_route, route)
        activity = record.activity_ids.filtered(
            lambda a: a.activity_type_id == self.activity_type
        )
        self.assertEqual(len(activity), 1)
        self.assertIn(self.campaign.title, activity.summary)
        self.assertEqual(activity.user_id, user or self.caller_b)

    def test_lead_by_code(self):
        stranger = self.env["res.partner"].create({"name": "New Person"})
        lead = self.env["crm.lead"].create(
            {
                "name": f"Re: offer {self.campaign.code.lower()}",
                "partner_id": stranger.id,
            }
        )
        self._assert_attached(lead, "code", user=self.owner)
        self.assertEqual(self.member.state, "targeted")

    def test_lead_by_utm(self):
        lead = self.env["crm.lead"].create(
            {"name": "From link", "campaign_id": self.campaign.id}
        )
        self._assert_attached(lead, "utm", user=self.owner)

    def test_lead_by_email(self):
        lead = self.env["crm.lead"].create(
            {"name": "Question", "email_from": "Ivy <IVY@inbound.example>"}
        )
        self._assert_attached(lead, "email")
        self.assertEqual(self.member.state, "responded")
        self.assertEqual(self.member.lead_id, lead)
        self.assertTrue(self.member.date_responded)

    def test_lead_by_phone(self):
        lead = self.env["crm.lead"].create(
            {"name": "Phone call", "phone": "0113 496 0123"}
        )
        self._assert_attached(lead, "phone")
        self.assertEqual(self.member.lead_id, lead)
        self.assertEqual(self.member.state, "responded")

    def test_inbound_email_with_code(self):
        lead = self.env["crm.lead"].message_new(
            {
                "subject": f"About {self.campaign.code}",
                "from": "Someone <someone@else.example>",
                "email_from": "Someone <someone@else.example>",
                "body": "<p>Tell me more</p>",
            }
        )
        self._assert_attached(lead, "code", user=self.owner)

    def test_quotation_and_order(self):
        order = self.env["sale.order"].create({"partner_id": self.partner.id})
        self.assertEqual(order.campaign_id, self.campaign)
        self.assertEqual(order.campaign_member_id, self.member)
        self.assertEqual(self.member.state, "responded")
        activity = order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.activity_type
        )
        self.assertEqual(activity.user_id, self.caller_b)
        product = self.env["product.product"].create(
            {"name": "Upgrade", "list_price": 100}
        )
        order.order_line = [(0, 0, {"product_id": product.id, "product_uom_qty": 1})]
        order.action_confirm()
        self.assertEqual(self.member.state, "converted")

    def test_no_match_left_alone(self):
        lead = self.env["crm.lead"].create(
            {"name": "Unrelated", "email_from": "x@y.example"}
        )
        self.assertFalse(lead.campaign_id)
        self.assertFalse(lead.activity_ids)
