"""Smoke runs of the data generator and the benchmarks' hot paths, at a small
scale, on data created inside the test transaction (rolled back after).

They keep the benchmark code working in CI and fail when a hot path falls
back to record-by-record work: each asserts a query count that must not grow
with the number of rows (measured at two sizes), or a row count. No timing.
"""

import pathlib
import sys

from odoo.tests import TransactionCase, tagged

ROOT = pathlib.Path(__file__).resolve().parent.parent
for _path in (ROOT / "data", ROOT / "tests" / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import generate  # noqa: E402  (data/generate.py)
import messy  # noqa: E402


def query_count(env, func):
    """Run ``func`` and return (its result, the number of queries it ran)."""
    env.flush_all()
    before = env.cr.sql_log_count
    result = func()
    env.flush_all()
    return result, env.cr.sql_log_count - before


@tagged("post_install", "-at_install")
class TestGeneratorSmoke(TransactionCase):
    """The generator loads a consistent database (size XS, in the transaction)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gen, cls.queries = query_count(
            cls.env, lambda: generate.generate(cls.env, "XS", 20261122)
        )

    def test_row_counts_and_bulk_loading(self):
        size = generate.SIZES["XS"]
        counts = self.gen.counts
        self.assertEqual(counts["res_partner"], size["contacts"])
        self.assertEqual(counts["crm_lead"], size["leads"])
        self.assertEqual(counts["sale_order_line"], size["order_lines"])
        self.assertEqual(counts["account_analytic_line"], size["timesheets"])
        self.assertEqual(counts["utm_campaign"], size["campaigns"])
        # rows go through COPY in chunks: a row-by-row insert would run
        # thousands of queries for the ~6,000 bulk rows
        bulk_rows = sum(counts.values())
        self.assertGreater(bulk_rows, 6_000)
        self.assertLess(self.queries, 2_000, "the generator inserts row by row")

    def test_invoices_are_balanced_posted_and_agree_with_odoo(self):
        moves = self.env["account.move"].search(
            [("id", ">=", self.gen_first_move()), ("move_type", "=", "out_invoice")]
        )
        self.assertTrue(moves)
        self.env.cr.execute(
            "SELECT count(*) FROM (SELECT move_id FROM account_move_line WHERE move_id = ANY(%s) "
            "GROUP BY move_id HAVING sum(balance) <> 0) x",
            [moves.ids],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        sample = moves[:20]
        stored = [
            (m.amount_total, m.amount_residual, m.state, m.payment_state)
            for m in sample
        ]
        sample._compute_amount()
        self.assertEqual(
            stored,
            [
                (m.amount_total, m.amount_residual, m.state, m.payment_state)
                for m in sample
            ],
        )

    def gen_first_move(self):
        self.env.cr.execute(
            "SELECT min(id) FROM account_move WHERE name LIKE 'INV/%%' AND invoice_origin LIKE 'S%%'"
        )
        return self.env.cr.fetchone()[0] or 0

    def test_orders_agree_with_odoo(self):
        orders = self.env["sale.order"].search(
            [("user_id.login", "like", "bench.sales.%")], limit=30
        )
        self.assertEqual(len(orders), 30)
        stored = [(o.amount_total, o.invoice_status) for o in orders]
        orders._compute_amounts()
        orders.order_line._compute_qty_invoiced()
        orders.order_line._compute_invoice_status()
        orders._compute_invoice_status()
        self.assertEqual(stored, [(o.amount_total, o.invoice_status) for o in orders])
        self.assertTrue(any(o.invoice_status == "invoiced" for o in orders))

    def test_contacts_are_messy_like_real_lists(self):
        partners = self.env["res.partner"].search(
            [("email", "like", "%@%"), ("street2", "!=", False)], limit=2000
        )
        counties = set(partners.mapped("street2"))
        self.assertIn("Yorkshire, South", counties)
        self.assertIn("South Yorkshire", counties)
        phones = partners.mapped("phone")
        self.assertTrue(any(p.startswith("+44") for p in phones if p))
        self.assertTrue(any(p.startswith("0044") for p in phones if p))
        # the sanitized phone is what Odoo's phone blacklist and matching use
        one = partners.filtered(lambda p: p.phone and p.phone.startswith("0044"))[:1]
        self.assertEqual(one.phone_sanitized, messy.e164(one.phone))
        self.assertTrue(
            one.phone_sanitized.startswith("+44") and "0" != one.phone_sanitized[3]
        )

    def test_leads_wait_for_routing(self):
        unassigned = self.env["crm.lead"].search_count(
            [
                ("user_id", "=", False),
                ("team_id", "=", False),
                ("name", "like", "enquiry"),
            ]
        )
        self.assertGreater(unassigned, 0.15 * generate.SIZES["XS"]["leads"])
