# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.marketing_resource_mgmt.models import (
    marketing_partner_behaviour as behaviour_model,
)
from odoo.addons.marketing_resource_mgmt.models import (
    marketing_partner_behaviour_sql as behaviour_sql,
)


class BehaviourCommon(AccountTestInvoicingCommon):
    """Customers with orders, invoices and a quotation."""

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


@tagged("post_install", "-at_install")
class TestBehaviour(BehaviourCommon):
    """Recency, frequency and value from orders and invoices made here."""

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
        # the same statements whatever the number of customers: clear the
        # marks, measures into a temporary table (drop, create, index),
        # delete, upsert, count
        with self.assertQueryCount(7):
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
        cron = self.env.ref(
            "marketing_resource_mgmt.ir_cron_refresh_partner_behaviour_marked"
        )
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


@tagged("post_install", "-at_install")
class TestBehaviourIncremental(BehaviourCommon):
    """The incremental refresh (customers marked by the tables' triggers)
    writes the same rows as the full refresh."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls.env["utm.campaign"].create({"name": "Incremental"})
        cls.lead_only = cls.env["res.partner"].create({"name": "Lead Only"})
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Only a lead",
                "partner_id": cls.lead_only.id,
                "campaign_id": cls.campaign.id,
            }
        )
        cls.member = cls.env["marketing.campaign.member"].create(
            {
                "campaign_id": cls.campaign.id,
                "partner_id": cls.quoted.id,
                "channel": "email",
                "state": "contacted",
            }
        )

    def _table(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT partner_id, company_id, last_date, recency_days, frequency, "
            "monetary, responded, converted FROM marketing_partner_behaviour "
            "ORDER BY partner_id, company_id"
        )
        return self.env.cr.fetchall()

    def _marked(self):
        self.env.flush_all()
        # the triggers mark contacts; the refresh reads their customers
        self.env.cr.execute(
            "SELECT DISTINCT p.commercial_partner_id "
            "FROM marketing_partner_behaviour_dirty d "
            "JOIN res_partner p ON p.id = d.partner_id"
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _order(self, partner, amount):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_a.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_id": False,
                        },
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def test_incremental_equals_full(self):
        self.Behaviour._refresh()
        self.assertFalse(self._marked(), "the full refresh clears the marks")
        before = self._table()
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        newcomer_contact = self.env["res.partner"].create(
            {"name": "Newcomer Contact", "parent_id": newcomer.id}
        )
        # an order, invoiced from the order and posted (the link makes the
        # invoice count through its order), for a company's contact
        order = self._order(newcomer_contact, 70.0)
        invoice = order._create_invoices()
        invoice.invoice_date = self.today
        invoice.action_post()
        # a direct invoice and a refund of another customer
        self.init_invoice(
            "out_invoice", self.invoiced, self.today, post=True, amounts=[40.0]
        )
        self.init_invoice(
            "out_refund", self.invoiced, self.today, post=True, amounts=[15.0]
        )
        # the order of the first customer moved in time
        self.env["sale.order"].search([("partner_id", "=", self.buyer.id)]).write(
            {"date_order": fields.Datetime.now() - timedelta(days=2)}
        )
        # campaign answers: a member answers, a lead of another customer goes
        self.member.state = "converted"
        self.lead.unlink()
        marked = self._marked()
        self.assertEqual(
            marked,
            {
                newcomer.id,
                self.invoiced.id,
                self.buyer.id,
                self.quoted.id,
                self.lead_only.id,
            },
            "the commercial partners of the changed rows are marked",
        )
        self.assertEqual(self.Behaviour._refresh_marked(), len(marked))
        self.assertFalse(self._marked())
        incremental = self._table()
        self.assertNotEqual(incremental, before)
        partners = {row[0] for row in incremental}
        self.assertIn(newcomer.id, partners)
        self.assertNotIn(self.lead_only.id, partners, "no activity left")
        self.Behaviour._refresh()
        self.assertEqual(incremental, self._table())

    def test_marks_follow_sql_and_read_columns(self):
        self.Behaviour._refresh()
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.buyer.id)], limit=1
        )
        # a column the measures do not read marks nothing, even in SQL
        self.env.cr.execute(
            "UPDATE sale_order SET client_order_ref = 'x' WHERE id = %s", [order.id]
        )
        self.assertFalse(self._marked())
        # a bulk SQL write to the orders marks their customer
        self.env.cr.execute(
            "UPDATE sale_order SET amount_untaxed = amount_untaxed * 2 "
            "WHERE id = %s",
            [order.id],
        )
        self.assertEqual(self._marked(), {self.buyer.id})
        self.Behaviour._refresh_marked()
        self.assertAlmostEqual(self._row(self.buyer).monetary, 200.0)
        self.assertEqual(self.Behaviour._refresh_marked(), 0, "nothing marked")

    def test_no_correlated_link_probe(self):
        """The invoice-to-order link is read once: no sub-plan over it,
        whatever plan the statistics lead to."""
        query = behaviour_sql.measures_sql(
            365, self.Behaviour._get_campaign_event_sql()
        )
        self.env.cr.execute(SQL("EXPLAIN (FORMAT JSON) %s", query))
        plan = self.env.cr.fetchone()[0][0]["Plan"]
        link_scans = []

        def walk(node, subplan):
            subplan = subplan or node.get("Parent Relationship") == "SubPlan"
            if node.get("Relation Name") == "sale_order_line_invoice_rel":
                link_scans.append(subplan)
            for child in node.get("Plans", ()):
                walk(child, subplan)

        walk(plan, False)
        self.assertEqual(link_scans, [False])

    def test_cron_refreshes_marked(self):
        self.Behaviour._refresh()
        self.init_invoice(
            "out_invoice", self.quoted, self.today, post=True, amounts=[12.0]
        )
        self.env.ref(
            "marketing_resource_mgmt.ir_cron_refresh_partner_behaviour_marked"
        ).method_direct_trigger()
        self.assertEqual(self._row(self.quoted).frequency, 1)
        self.assertFalse(self._marked())

    def test_only_marked_customers_unless_many(self):
        self.Behaviour._refresh()
        # an unmarked customer's row made wrong by hand, two customers marked
        self.env.cr.execute(
            "UPDATE marketing_partner_behaviour SET frequency = 99 "
            "WHERE partner_id = %s",
            [self.invoiced.id],
        )
        mark = (
            "INSERT INTO marketing_partner_behaviour_dirty (partner_id) "
            "VALUES (%s), (%s)"
        )
        self.env.cr.execute(mark, [self.buyer.id, self.quoted.id])
        self.assertEqual(self.Behaviour._refresh_marked(), 2)
        self.Behaviour.invalidate_model()
        self.assertEqual(self._row(self.invoiced).frequency, 99, "not marked")
        # above the limit (a bulk import), everyone is recomputed
        self.env.cr.execute(mark, [self.buyer.id, self.quoted.id])
        with patch.object(behaviour_model, "INCREMENTAL_LIMIT", 1):
            self.assertEqual(self.Behaviour._refresh_marked(), 2)
        self.Behaviour.invalidate_model()
        self.assertEqual(self._row(self.invoiced).frequency, 1)

    def test_many_contacts_leave_one_mark(self):
        """A statement changing more contacts than the incremental refresh
        takes (an audience of 500,000 members, a bulk import) leaves the one
        mark of everyone instead of a row per contact, and the refresh then
        runs the full one; up to the limit, each contact is marked."""
        self.Behaviour._refresh()
        self.env.cr.execute(
            "UPDATE marketing_partner_behaviour SET frequency = 99 "
            "WHERE partner_id = %s",
            [self.invoiced.id],
        )
        orders = self.env["sale.order"].search(
            [("partner_id", "in", (self.buyer | self.quoted).ids)]
        )
        self.assertEqual(orders.partner_id, self.buyer | self.quoted)
        marks = "SELECT partner_id FROM marketing_partner_behaviour_dirty"
        self.env.flush_all()
        try:
            with patch.object(behaviour_sql, "INCREMENTAL_LIMIT", 1):
                behaviour_sql.install_triggers(self.env.cr)
            self.env.cr.execute(
                "UPDATE sale_order SET amount_untaxed = amount_untaxed + 1 "
                "WHERE id = ANY(%s)",
                [orders.ids],
            )
            self.env.cr.execute(marks)
            self.assertEqual(self.env.cr.fetchall(), [(behaviour_sql.EVERYONE,)])
            self.Behaviour._refresh_marked()
            self.Behaviour.invalidate_model()
            self.assertEqual(self._row(self.invoiced).frequency, 1, "full refresh")
            self.assertFalse(self._marked())
            # one contact: marked as such
            self.env.cr.execute(
                "UPDATE sale_order SET amount_untaxed = amount_untaxed + 1 "
                "WHERE id = ANY(%s)",
                [orders.filtered(lambda o: o.partner_id == self.quoted).ids],
            )
            self.env.cr.execute(marks)
            self.assertEqual(self.env.cr.fetchall(), [(self.quoted.id,)])
        finally:
            behaviour_sql.install_triggers(self.env.cr)
