# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import Form, tagged

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaignCurrency(CampaignCase):
    """A campaign's currency is its own: it never writes through to the
    company (sale's related field company_id.currency_id did)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_currency = cls.company.currency_id
        cls.other_currency = (
            cls.env.ref("base.EUR")
            if cls.company_currency != cls.env.ref("base.EUR")
            else cls.env.ref("base.USD")
        )
        cls.other_currency.active = True

    def test_other_currency_leaves_company_untouched(self):
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Euro campaign",
                "currency_id": self.other_currency.id,
                "budget": 1000,
            }
        )
        self.company.invalidate_recordset()
        self.assertEqual(campaign.currency_id, self.other_currency)
        self.assertEqual(self.company.currency_id, self.company_currency)
        # an empty currency (what a form without the field sends) keeps the
        # campaign's, and still leaves the company alone
        campaign.write({"currency_id": False})
        campaign.with_user(self.manager).write(
            {"currency_id": self.company_currency.id}
        )
        campaign.write({"currency_id": self.other_currency.id})
        self.company.invalidate_recordset()
        self.assertEqual(campaign.currency_id, self.other_currency)
        self.assertEqual(self.company.currency_id, self.company_currency)

    def test_default_is_company_currency(self):
        plain = self.env["utm.campaign"].create({"title": "Plain"})
        self.assertEqual(plain.currency_id, self.company_currency)
        blank = self.env["utm.campaign"].create(
            {"title": "Blank currency", "currency_id": False}
        )
        self.assertEqual(blank.currency_id, self.company_currency)
        other_company = self.env["res.company"].create(
            {"name": "MRM Euro Co", "currency_id": self.other_currency.id}
        )
        theirs = self.env["utm.campaign"].create(
            {"title": "Theirs", "company_id": other_company.id}
        )
        self.assertEqual(theirs.currency_id, self.other_currency)
        self.assertEqual(other_company.currency_id, self.other_currency)

    def test_form_save_keeps_company_currency(self):
        """Saved from the campaign form as its owner, as the Campaigns menu
        does (the form's onchange, then create)."""
        form = Form(
            self.env["utm.campaign"].with_user(self.manager),
            view="marketing_resource_mgmt.utm_campaign_view_form_controller",
        )
        form.title = "Saved from the form"
        form.template_id = self.template
        form.date_start = date(2026, 4, 1)
        campaign = form.save()
        self.company.invalidate_recordset()
        self.assertEqual(campaign.currency_id, self.company_currency)
        self.assertEqual(self.company.currency_id, self.company_currency)
