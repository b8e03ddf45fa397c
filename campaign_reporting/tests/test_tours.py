# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
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
