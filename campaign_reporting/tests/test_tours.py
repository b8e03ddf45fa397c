# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

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
        """Over JSON-RPC, as the real users (the web client's own route): a
        salesperson gets the campaigns they take part in and no money; reading
        money is refused; finance reads money but cannot edit a campaign."""

        def call(login, model, method, *args, **kwargs):
            self.authenticate(login, login)
            return self.make_jsonrpc_request(
                f"/web/dataset/call_kw/{model}/{method}",
                {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                },
            )

        data = call("cr_salesperson", "campaign.monitor", "get_monitor_data", {})
        self.assertEqual([c["id"] for c in data["cards"]], [self.campaign_a.id])
        self.assertFalse(data["show_money"])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            call("cr_salesperson", "campaign.kpi", "search_read", [], ["revenue"])
        data = call("cr_finance", "campaign.monitor", "get_monitor_data", {})
        card = next(c for c in data["cards"] if c["id"] == self.campaign_a.id)
        self.assertAlmostEqual(card["money"]["cost_total"], 1350.0)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            call(
                "cr_finance",
                "utm.campaign",
                "write",
                [self.campaign_a.id],
                {"budget": 1},
            )
        self.assertEqual(self.campaign_a.budget, 5000.0)

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
