# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import xmlrpc.client

from odoo.tests import HttpCase, tagged

from .common import CampaignReportingCommon


@tagged("post_install", "-at_install")
class TestTours(CampaignReportingCommon, HttpCase):
    """The Campaign Monitor and the vendor portal page in a real browser."""

    def test_monitor_tour(self):
        self.start_tour(
            "/odoo/action-campaign_reporting.campaign_monitor_action",
            "campaign_reporting_monitor",
            login="accountman",
        )

    def test_monitor_over_rpc(self):
        """Over XML-RPC, as the real users: a salesperson gets the campaigns they
        take part in and no money; reading money raises an access fault."""

        def call(login, model, method, *args, **kwargs):
            uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, uid, login, model, method, list(args), kwargs
            )

        data = call("cr_salesperson", "campaign.monitor", "get_monitor_data", {})
        self.assertEqual([c["id"] for c in data["cards"]], [self.campaign_a.id])
        self.assertFalse(data["show_money"])
        with self.assertRaisesRegex(xmlrpc.client.Fault, "not have enough rights"):
            call(
                "cr_salesperson", "campaign.kpi", "search_read", [], fields=["revenue"]
            )
        data = call("cr_finance", "campaign.monitor", "get_monitor_data", {})
        card = next(c for c in data["cards"] if c["id"] == self.campaign_a.id)
        self.assertAlmostEqual(card["money"]["cost_total"], 1350.0)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "Finance staff"):
            call(
                "cr_finance",
                "utm.campaign",
                "write",
                [self.campaign_a.id],
                {"budget": 1},
            )

    def test_vendor_portal_tour(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Tom Vendor",
                "parent_id": self.vendor_1.id,
                "email": "tom@example.com",
            }
        )
        self.env["res.users"].create(
            {
                "name": "Tom Vendor",
                "login": "cr_vendor_tour",
                "password": "cr_vendor_tour",
                "partner_id": contact.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
            }
        )
        self.start_tour(
            "/my", "campaign_reporting_vendor_portal", login="cr_vendor_tour"
        )
