# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestBehaviour(AccountTestInvoicingCommon):
    """Recency, frequency and value from orders and invoices made here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref(
            "marketing_resource_mgmt.group_marketing_manager"
        )
        cls.Behaviour = cls.env["marketing.partner.behaviour"]
        today = fields.Date.context_today(cls.env["res.partner"])
        cls.today = today
        Partner = cls.env["res.partner"]
        cls.buyer = Partner.create({"name": "Order Buyer", "comment": "behaviour-test"})
        cls.buyer_contact = Partner.create(
            {
                "name": "Buyer Contact",
                "parent_id": cls.buyer.id,
                "comment": "behaviour-test",
            }
        )
        cls.invoiced = Partner.create(
            {"name": "Invoice Only", "comment": "behaviour-test"}
        )
        cls.quoted = Partner.create({"name": "Quote Only", "comment": "behaviour-test"})
        # a confirmed order of 100, ten days ago, invoiced and posted: counts once
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.buyer.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": cls.product_a.id,
                            "product_uom_qty": 1,
                            "price_unit": 100.0,
                            "tax_id": False,
                        },
                    )
                ],
            }
        )
        order.action_confirm()
        order.date_order = fields.Datetime.now() - timedelta(days=10)
        invoice = order._create_invoices()
        invoice.invoice_date = today - timedelta(days=9)
        invoice.action_post()
        # direct invoices: 50 five days ago, 200 long ago (outside the window)
        cls.init_invoice(
            "out_invoice",
            cls.invoiced,
            today - timedelta(days=5),
            post=True,
            amounts=[50.0],
            taxes=[],
        )
        cls.init_invoice(
            "out_invoice",
            cls.invoiced,
            today - timedelta(days=400),
            post=True,
            amounts=[200.0],
            taxes=[],
        )
        # a quotation only: no behaviour
        cls.env["sale.order"].create(
            {
                "partner_id": cls.quoted.id,
                "order_line": [
                    (0, 0, {"product_id": cls.product_a.id, "price_unit": 999.0})
                ],
            }
        )

    def _row(self, partner):
        return self.Behaviour.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)]
        )

    def test_measures(self):
        self.Behaviour._refresh()
        buyer = self._row(self.buyer)
        self.assertEqual(buyer.frequency, 1, "an invoiced order counts once")
        self.assertAlmostEqual(buyer.monetary, 100.0)
        self.assertEqual(buyer.recency_days, 10)
        invoiced = self._row(self.invoiced)
        self.assertEqual(invoiced.frequency, 1, "the old invoice is outside the window")
        self.assertAlmostEqual(invoiced.monetary, 50.0)
        self.assertEqual(invoiced.recency_days, 5)
        self.assertFalse(self._row(self.quoted))
        self.assertFalse(self._row(self.buyer_contact), "measures live on the company")

    def test_refresh_is_set_wise(self):
        self.Behaviour._refresh()
        self.env.flush_all()
        # one upsert statement and one count, whatever the number of customers
        with self.assertQueryCount(2):
            self.Behaviour._refresh()

    def test_refresh_updates_and_removes(self):
        self.Behaviour._refresh()
        self.init_invoice(
            "out_invoice",
            self.invoiced,
            self.today - timedelta(days=1),
            post=True,
            amounts=[30.0],
            taxes=[],
        )
        self.Behaviour._refresh()
        row = self._row(self.invoiced)
        self.assertEqual(row.frequency, 2)
        self.assertAlmostEqual(row.monetary, 80.0)
        self.assertEqual(row.recency_days, 1)

    def test_behaviour_criteria(self):
        self.Behaviour._refresh()
        domain = "[('comment', '=', 'behaviour-test')]"

        def match(*lines):
            segment = self.env["marketing.segment"].create(
                {
                    "name": "B",
                    "domain": domain,
                    "criterion_ids": [(0, 0, line) for line in lines],
                }
            )
            return self.env["res.partner"].browse(segment._get_partner_ids())

        self.assertEqual(
            match({"operator": "recency_lte", "value": "7"}), self.invoiced
        )
        self.assertEqual(
            match({"operator": "recency_lte", "value": "30"}),
            self.buyer | self.buyer_contact | self.invoiced,
            "a company's measures cover its contacts",
        )
        self.assertEqual(
            match({"operator": "recency_gt", "value": "7"}),
            self.buyer | self.buyer_contact,
        )
        self.assertEqual(
            match(
                {"operator": "frequency_gte", "value": "1"},
                {"operator": "monetary_gte", "value": "80"},
            ),
            self.buyer | self.buyer_contact,
        )
        self.assertEqual(
            match({"operator": "responded_gte", "value": "1"}), self.env["res.partner"]
        )

    def test_campaign_response_from_leads(self):
        campaign = self.env["utm.campaign"].create({"name": "Behaviour campaign"})
        self.env["crm.lead"].create(
            {
                "name": "Answer",
                "partner_id": self.invoiced.id,
                "campaign_id": campaign.id,
            }
        )
        self.Behaviour._refresh()
        self.assertEqual(self._row(self.invoiced).responded, 1)
        self.assertEqual(self._row(self.invoiced).converted, 0)

    def test_monetary_in_company_currency(self):
        other = self.setup_other_currency("EUR", rates=[("1900-01-01", 2.0)])
        foreigner = self.env["res.partner"].create({"name": "Euro Buyer"})
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": other.id}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": foreigner.id,
                "pricelist_id": pricelist.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_a.id,
                            "product_uom_qty": 1,
                            "price_unit": 100.0,
                            "tax_id": False,
                        },
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(order.currency_id, other)
        self.init_invoice(
            "out_invoice",
            foreigner,
            self.today,
            post=True,
            amounts=[300.0],
            taxes=[],
            currency=other,
        )
        self.Behaviour._refresh()
        row = self._row(foreigner)
        self.assertEqual(row.frequency, 2)
        # 100 EUR + 300 EUR at 2 EUR per unit of company currency
        self.assertAlmostEqual(row.monetary, 200.0)

    def test_order_confirmation_triggers_refresh(self):
        cron = self.env.ref("marketing_resource_mgmt.ir_cron_refresh_partner_behaviour")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        order = self.env["sale.order"].create(
            {
                "partner_id": self.quoted.id,
                "order_line": [
                    (0, 0, {"product_id": self.product_a.id, "price_unit": 5.0})
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1)
        self.init_invoice(
            "out_invoice", self.quoted, self.today, post=True, amounts=[5.0], taxes=[]
        )
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 2)

    def test_campaign_response_from_members(self):
        Member = self.env["marketing.campaign.member"]
        campaigns = self.env["utm.campaign"].create(
            [{"name": f"Member campaign {i}"} for i in range(3)]
        )
        Member.create(
            [
                {
                    "campaign_id": campaigns[0].id,
                    "partner_id": self.buyer_contact.id,
                    "channel": "call",
                    "state": "responded",
                },
                {
                    "campaign_id": campaigns[1].id,
                    "partner_id": self.buyer.id,
                    "channel": "email",
                    "state": "converted",
                },
                {
                    "campaign_id": campaigns[2].id,
                    "partner_id": self.buyer.id,
                    "channel": "email",
                    "state": "contacted",
                },
            ]
        )
        self.Behaviour._refresh()
        row = self._row(self.buyer)
        self.assertEqual(row.responded, 2, "a contact's answer counts for its company")
        self.assertEqual(row.converted, 1)
