# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestCampaignNewTour(AccountTestInvoicingCommon, HttpCase):
    """A new campaign saved from an empty form on a company with posted
    journal entries (where Odoo refuses to change the company's currency)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.init_invoice("out_invoice", amounts=[1200.0], post=True)
        cls.env.user.groups_id |= cls.env.ref(
            "marketing_resource_mgmt.group_marketing_manager"
        )

    def test_new_campaign_from_empty_form(self):
        company = self.env.user.company_id
        currency = company.currency_id
        self.assertEqual(self.invoice.state, "posted")
        self.assertTrue(
            self.env["account.move.line"].search_count(
                [("company_id", "=", company.id), ("parent_state", "=", "posted")]
            )
        )
        self.start_tour(
            "/odoo/action-marketing_resource_mgmt.action_utm_campaign_controller",
            "mrm_campaign_new_tour",
            login=self.env.user.login,
        )
        campaign = self.env["utm.campaign"].search(
            [("title", "=", "Tour new campaign")]
        )
        self.assertEqual(len(campaign), 1)
        self.assertEqual(campaign.company_id, company)
        self.assertEqual(campaign.currency_id, currency)
        self.assertEqual(
            campaign.template_id,
            self.env.ref("marketing_resource_mgmt.template_six_step"),
        )
        self.assertEqual(campaign.target_members, 500)
        self.assertTrue(campaign.use_call)
        company.invalidate_recordset()
        self.assertEqual(company.currency_id, currency)
