# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CampaignReportingCommon


def text(element):
    """The element's text, white space collapsed."""
    return " ".join("".join(element.itertext()).split())


@tagged("post_install", "-at_install")
class TestVendorPortalFeed(CampaignReportingCommon, HttpCase):
    """A vendor gets its feed from the portal: a feed link that works while
    logged in, a token of its own, labels and formatted money; the back
    office shows a new token once in a dialog with a copy button."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor_contact = cls.env["res.partner"].create(
            {"name": "Vera Vendor", "parent_id": cls.vendor_1.id}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="cr_vendor_feed",
            password="cr_vendor_feed",
            groups="base.group_portal",
            partner_id=cls.vendor_contact.id,
            company_id=cls.company.id,
        )
        cls.env.flush_all()

    def feed(self, code, token=None):
        return self.url_open(
            f"/campaign_reporting/vendor/feed/{code}.xml",
            headers={"X-Vendor-Token": token} if token else {},
        )

    def page(self):
        response = self.url_open("/my/cofunded_campaigns")
        self.assertEqual(response.status_code, 200)
        return response, etree.fromstring(response.content, etree.HTMLParser())

    def get_token(self):
        response = self.url_open(
            "/my/cofunded_campaigns/token",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertEqual(response.status_code, 200)
        page = etree.fromstring(response.content, etree.HTMLParser())
        inputs = page.xpath("//input[contains(@class, 'o_vendor_token_value')]")
        self.assertEqual(len(inputs), 1)
        return inputs[0].get("value")

    def csrf_token(self):
        _response, page = self.page()
        return page.xpath("//form[contains(@class, 'o_vendor_token_form')]//input")[
            0
        ].get("value")

    @mute_logger("odoo.http")
    def test_feed_link_while_logged_in(self):
        # not logged in, no token: refused
        self.assertEqual(self.feed("CR-A").status_code, 403)
        self.authenticate("cr_vendor_feed", "cr_vendor_feed")
        _response, page = self.page()
        links = page.xpath("//a[contains(@class, 'o_vendor_feed_link')]/@href")
        self.assertEqual(links, ["/campaign_reporting/vendor/feed/CR-A.xml"])
        response = self.url_open(links[0])
        self.assertEqual(response.status_code, 200)
        doc = etree.fromstring(response.content)
        self.assertEqual(doc.find("campaign").get("code"), "CR-A")
        # a campaign the vendor does not co-fund stays hidden
        self.assertEqual(self.feed("CR-B").status_code, 404)

    @mute_logger("odoo.http")
    def test_portal_token(self):
        self.authenticate("cr_vendor_feed", "cr_vendor_feed")
        _response, page = self.page()
        button = page.xpath("//button[contains(@class, 'o_vendor_get_token')]")[0]
        self.assertEqual(text(button), "Get a feed token")
        token = self.get_token()
        self.assertGreaterEqual(len(token), 43)
        record = self.env["campaign.vendor.token"].search(
            [("user_id", "=", self.portal_user.id)]
        )
        self.assertEqual(record.partner_id, self.vendor_1)
        # only the hash is kept
        self.assertNotIn(token, str(record.sudo().read()))
        # the token opens the feed for anyone holding it (the vendor's systems)
        self.authenticate(None, None)
        self.assertEqual(self.feed("CR-A", token).status_code, 200)
        # a second token replaces the first
        self.authenticate("cr_vendor_feed", "cr_vendor_feed")
        second = self.get_token()
        self.assertNotEqual(second, token)
        self.authenticate(None, None)
        self.assertEqual(self.feed("CR-A", token).status_code, 403)
        self.assertEqual(self.feed("CR-A", second).status_code, 200)
        self.assertEqual(
            self.env["campaign.vendor.token"].search_count(
                [("user_id", "=", self.portal_user.id)]
            ),
            1,
        )

    @mute_logger("odoo.http")
    def test_portal_token_refused_without_cofunding(self):
        stranger = self.env["res.partner"].create({"name": "Stranger Ltd"})
        new_test_user(
            self.env,
            login="cr_stranger",
            password="cr_stranger",
            groups="base.group_portal",
            partner_id=stranger.id,
            company_id=self.company.id,
        )
        self.authenticate("cr_stranger", "cr_stranger")
        response = self.url_open("/my/cofunded_campaigns")
        csrf = etree.fromstring(response.content, etree.HTMLParser()).xpath(
            "//input[@name='csrf_token']/@value"
        )
        response = self.url_open(
            "/my/cofunded_campaigns/token",
            data={"csrf_token": csrf[0] if csrf else ""},
        )
        self.assertIn(response.status_code, (400, 403))
        self.assertFalse(
            self.env["campaign.vendor.token"].search([("partner_id", "=", stranger.id)])
        )

    def test_labels_and_money(self):
        self.cofunding_a1.vendor_share_level = "revenue"
        self.authenticate("cr_vendor_feed", "cr_vendor_feed")
        response, page = self.page()
        card = page.xpath("//div[contains(@class, 'o_cofunded_campaign')]")[0]
        state = card.xpath(".//span[contains(@class, 'o_cofunded_state')]")[0]
        self.assertEqual(text(state), "Running")
        amount = card.xpath(".//td[contains(@class, 'o_cofunded_amount')]")[0]
        amount_text = text(amount)
        symbol = self.company.currency_id.symbol
        self.assertIn("1,000.00", amount_text)
        self.assertIn(symbol, amount_text)
        self.assertNotIn(b"1000.00 USD", response.content)
        funding_state = card.xpath(
            ".//td[contains(@class, 'o_cofunded_funding_state')]"
        )[0]
        self.assertEqual(text(funding_state), "Committed")
        labels = [text(row.xpath("./td")[0]) for row in card.xpath(".//tr[@data-kpi]")]
        self.assertIn("Leads", labels)
        self.assertIn("Invoiced revenue", labels)
        revenue = card.xpath(
            ".//tr[@data-kpi='revenue']/td[contains(@class, 'o_kpi_actual')]"
        )[0]
        self.assertIn("1,800.00", text(revenue))

    def test_portal_tile_icon(self):
        self.authenticate("cr_vendor_feed", "cr_vendor_feed")
        response = self.url_open("/my")
        page = etree.fromstring(response.content, etree.HTMLParser())
        icons = page.xpath(
            "//a[@href='/my/cofunded_campaigns']//div[contains(@class,"
            " 'o_portal_icon')]/img/@src"
        )
        self.assertEqual(
            icons, ["/campaign_reporting/static/src/img/cofunded_campaigns.svg"]
        )
        self.assertEqual(self.url_open(icons[0]).status_code, 200)

    def test_backoffice_token_dialog(self):
        record = self.env["campaign.vendor.token"].create(
            {"partner_id": self.vendor_1.id, "company_id": self.company.id}
        )
        action = record.action_generate_token()
        self.assertEqual(action["res_model"], "campaign.vendor.token.show")
        self.assertEqual(action["target"], "new")
        token = action["context"]["default_token"]
        self.assertEqual(record._authenticate(token), record)
        # the dialog's form shows it with Odoo's copy-to-clipboard widget
        arch = self.env["campaign.vendor.token.show"].get_view(action["views"][0][0])[
            "arch"
        ]
        field = etree.fromstring(arch).xpath("//field[@name='token']")[0]
        self.assertEqual(field.get("widget"), "CopyClipboardChar")
        # nothing saved the token in clear
        self.assertFalse(
            self.env["campaign.vendor.token.show"].search([("token", "=", token)])
        )

    def test_vendor_tour(self):
        self.start_tour("/my", "campaign_reporting_vendor_feed", login="cr_vendor_feed")
