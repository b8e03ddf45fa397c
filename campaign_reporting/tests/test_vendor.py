# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.tests import HttpCase, tagged
from odoo.tools import file_open, mute_logger

from .common import CampaignReportingCommon

XSD = "campaign_reporting/schemas/campaign_status_v1.xsd"


def schema():
    with file_open(XSD, "rb") as xsd:
        return etree.XMLSchema(etree.parse(xsd))


@tagged("post_install", "-at_install")
class TestVendorFeed(CampaignReportingCommon, HttpCase):
    """The vendor's XML feed (token) and portal page (login)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token_record = cls.env["campaign.vendor.token"].create(
            {"partner_id": cls.vendor_1.id, "company_id": cls.company.id}
        )
        cls.token = cls.token_record._generate_token()
        cls.token_3 = (
            cls.env["campaign.vendor.token"]
            .create({"partner_id": cls.vendor_3.id, "company_id": cls.company.id})
            ._generate_token()
        )
        cls.vendor_contact = cls.env["res.partner"].create(
            {
                "name": "Vera Vendor",
                "parent_id": cls.vendor_1.id,
                "email": "vera@example.com",
            }
        )
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "Vera Vendor",
                "login": "cr_vendor_portal",
                "password": "cr_vendor_portal",
                "partner_id": cls.vendor_contact.id,
                "groups_id": [(6, 0, [cls.env.ref("base.group_portal").id])],
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
            }
        )
        cls.env.flush_all()

    def feed(self, code, token):
        return self.url_open(
            f"/campaign_reporting/vendor/feed/{code}.xml",
            headers={"X-Vendor-Token": token} if token else {},
        )

    def test_token_strength_and_storage(self):
        self.assertGreaterEqual(len(self.token), 43)  # 32 bytes url-safe: 256 bits
        self.assertNotIn(self.token, str(self.token_record.sudo().token_hash))
        self.assertEqual(self.token_record.token_hint, self.token[:6])

    def test_feed_valid_against_schema(self):
        response = self.feed("CR-A", self.token)
        self.assertEqual(response.status_code, 200)
        self.assertIn("application/xml", response.headers["Content-Type"])
        doc = etree.fromstring(response.content)
        schema().assertValid(doc)
        self.assertEqual(doc.get("version"), "1.0")
        camp = doc.find("campaign")
        self.assertEqual(camp.get("code"), "CR-A")
        self.assertEqual(camp.findtext("state"), "running")
        self.assertEqual(camp.findtext("dateStart"), "2024-01-01")
        kpis = {kpi.get("name"): kpi for kpi in camp.iter("kpi")}
        self.assertEqual(kpis["leads"].get("actual"), "8")
        self.assertEqual(kpis["leads"].get("target"), "16")
        self.assertEqual(kpis["orders"].get("actual"), "2")
        # granted the funnel only: no revenue, no cost
        self.assertNotIn("revenue", kpis)
        self.assertNotIn("cost_total", kpis)
        funding = camp.find("funding").findall("line")
        # only the vendor's own line, never Vendor Two's
        self.assertEqual(
            [(f.get("amount"), f.get("state")) for f in funding],
            [("1000.00", "committed")],
        )

    def test_feed_revenue_when_granted(self):
        self.cofunding_a1.vendor_share_level = "revenue"
        self.env.flush_all()
        doc = etree.fromstring(self.feed("CR-A", self.token).content)
        schema().assertValid(doc)
        kpis = {kpi.get("name"): kpi for kpi in doc.iter("kpi")}
        self.assertEqual(kpis["revenue"].get("actual"), "1800.00")

    @mute_logger("odoo.http")
    def test_bad_tokens_and_other_vendors(self):
        self.assertEqual(self.feed("CR-A", None).status_code, 403)
        response = self.feed("CR-A", "x" * 43)
        self.assertEqual(response.status_code, 403)
        self.assertIn(b"invalid_token", response.content)
        # vendor three co-funds B only: A is unknown to it
        response = self.feed("CR-A", self.token_3)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"Spring Push", response.content)
        self.assertEqual(self.feed("CR-B", self.token_3).status_code, 200)
        self.assertEqual(self.feed("NOPE", self.token).status_code, 404)
        # revoked
        self.token_record.action_revoke()
        self.env.flush_all()
        response = self.feed("CR-A", self.token)
        self.assertEqual(response.status_code, 403)
        self.assertIn(b"revoked", response.content)

    def test_feed_without_analytic_account_says_so(self):
        """Campaign B has no analytic account; the vendor sees its funnel, and
        revenue if granted, never a wrong cost."""
        self.cofunding_b3.vendor_share_level = "revenue"
        self.env.flush_all()
        doc = etree.fromstring(self.feed("CR-B", self.token_3).content)
        schema().assertValid(doc)
        kpis = {kpi.get("name"): kpi for kpi in doc.iter("kpi")}
        self.assertEqual(kpis["revenue"].get("actual"), "700.00")
        self.assertNotIn("cost_total", kpis)

    def test_schema_served(self):
        response = self.url_open("/campaign_reporting/vendor/schema/v1.xsd")
        self.assertEqual(response.status_code, 200)
        etree.XMLSchema(etree.fromstring(response.content))

    def test_portal_page_same_figures(self):
        self.authenticate("cr_vendor_portal", "cr_vendor_portal")
        response = self.url_open("/my/cofunded_campaigns")
        self.assertEqual(response.status_code, 200)
        page = etree.fromstring(response.content, etree.HTMLParser())
        cards = page.xpath("//div[contains(@class, 'o_cofunded_campaign')]")
        self.assertEqual([card.get("data-code") for card in cards], ["CR-A"])
        leads = cards[0].xpath(
            ".//tr[@data-kpi='leads']/td[contains(@class, 'o_kpi_actual')]"
        )
        self.assertEqual(leads[0].text.strip(), "8")
        self.assertNotIn(b"Autumn Fair", response.content)
        self.assertNotIn(b"Vendor Two", response.content)
