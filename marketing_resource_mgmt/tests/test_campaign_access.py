# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import xmlrpc.client

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaignAccess(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign.with_user(cls.owner).action_start()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Paula Prospect", "email": "paula@example.com"}
        )
        cls.member = cls.env["marketing.campaign.member"].create(
            {
                "campaign_id": cls.campaign.id,
                "partner_id": cls.partner.id,
                "channel": "call",
                "user_id": cls.caller_a.id,
            }
        )

    def test_outsider_cannot_see(self):
        Campaign = self.env["utm.campaign"].with_user(self.outsider)
        self.assertFalse(Campaign.search([("id", "=", self.campaign.id)]))
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.outsider).read(["title"])
        with self.assertRaises(AccessError):
            self.member.with_user(self.outsider).read(["state"])
        self.assertFalse(
            self.env["marketing.campaign.member"].with_user(self.outsider).search([])
        )
        with self.assertRaises(AccessError):
            self.campaign.phase_ids.with_user(self.outsider).read(["name"])

    def test_team_member_works_but_does_not_plan(self):
        campaign = self.campaign.with_user(self.caller_a)
        self.assertEqual(campaign.title, "Spring upgrade")
        # works the campaign: its members and activities
        self.member.with_user(self.caller_a).action_mark_contacted()
        self.assertEqual(self.member.state, "contacted")
        self.member.with_user(self.caller_a).activity_schedule(
            "mail.mail_activity_data_call",
            summary="Call again",
            user_id=self.caller_a.id,
        )
        # but not its plan
        with self.assertRaises(AccessError):
            campaign.budget = 99999
        with self.assertRaises(AccessError):
            campaign.write({"target_leads": 1})
        with self.assertRaises(AccessError):
            self.env["marketing.campaign.team"].with_user(self.caller_a).create(
                {
                    "campaign_id": self.campaign.id,
                    "user_id": self.outsider.id,
                    "role": "caller",
                }
            )
        with self.assertRaises(AccessError):
            self.campaign.cost_ids.with_user(self.caller_a).create(
                {"campaign_id": self.campaign.id, "amount": 10}
            )
        self.assertEqual(self.campaign.budget, 5000)

    def test_owner_and_manager_plan(self):
        self.campaign.with_user(self.owner).budget = 6000
        self.campaign.with_user(self.manager).target_leads = 12
        self.assertEqual(self.campaign.budget, 6000)
        self.assertEqual(self.campaign.target_leads, 12)

    def test_companies_apart(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        other_user = new_test_user(
            self.env,
            login="mrm_other_co",
            groups="marketing_resource_mgmt.group_marketing_manager",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        self.assertFalse(
            self.env["utm.campaign"]
            .with_user(other_user)
            .search([("id", "=", self.campaign.id)])
        )
        with self.assertRaises(AccessError):
            self.campaign.with_user(other_user).read(["title"])
        with self.assertRaises(AccessError):
            self.member.with_user(other_user).read(["state"])

    def test_salesman_opens_lead_with_campaign(self):
        """Odoo's own flows keep working: a salesperson outside the campaign
        (with or without the marketing groups) opens a lead that carries it."""
        salesman = new_test_user(
            self.env, login="mrm_salesman", groups="sales_team.group_sale_salesman"
        )
        sales_marketer = new_test_user(
            self.env,
            login="mrm_sales_marketer",
            groups="sales_team.group_sale_salesman,marketing_resource_mgmt.group_marketing_user",
        )
        for user in (salesman, sales_marketer):
            lead = (
                self.env["crm.lead"]
                .with_user(user)
                .create(
                    {
                        "name": "Walk-in",
                        "campaign_id": self.campaign.id,
                        "user_id": user.id,
                    }
                )
            )
            data = lead.web_read(
                {"name": {}, "campaign_id": {"fields": {"display_name": {}}}}
            )
            self.assertEqual(data[0]["campaign_id"]["id"], self.campaign.id)
            self.assertEqual(lead.campaign_id, self.campaign)


@tagged("post_install", "-at_install")
class TestCampaignAccessRpc(HttpCase):
    """The same rules hold over RPC."""

    def test_outsider_over_rpc(self):
        groups = "marketing_resource_mgmt.group_marketing_user"
        owner = new_test_user(
            self.env, login="rpc_owner", password="rpc_owner_pw1", groups=groups
        )
        caller = new_test_user(
            self.env, login="rpc_caller", password="rpc_caller_pw1", groups=groups
        )
        new_test_user(
            self.env, login="rpc_outsider", password="rpc_outsider_pw1", groups=groups
        )
        campaign = self.env["utm.campaign"].create(
            {
                "title": "RPC campaign",
                "user_id": owner.id,
                "team_ids": [(0, 0, {"user_id": caller.id, "role": "caller"})],
            }
        )
        db = self.env.cr.dbname

        def call(login, method, args, kwargs=None):
            uid = self.xmlrpc_common.authenticate(db, login, f"{login}_pw1", {})
            return self.xmlrpc_object.execute_kw(
                db, uid, f"{login}_pw1", "utm.campaign", method, args, kwargs or {}
            )

        self.assertEqual(
            call("rpc_outsider", "search", [[("id", "=", campaign.id)]]), []
        )
        with self.assertRaises(xmlrpc.client.Fault) as fault:
            call(
                "rpc_outsider", "read", [[campaign.id]], {"fields": ["title", "budget"]}
            )
        self.assertIn("doesn't have 'read' access", fault.exception.faultString)
        rows = call("rpc_caller", "read", [[campaign.id]], {"fields": ["title"]})
        self.assertEqual(rows[0]["title"], "RPC campaign")
        with self.assertRaises(xmlrpc.client.Fault):
            call("rpc_caller", "write", [[campaign.id], {"budget": 1}])
