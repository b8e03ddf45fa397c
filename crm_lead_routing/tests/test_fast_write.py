# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The fast write of routing assignments (models/fast_write.py, below the
public ORM API) gives what plain ``write()`` gives, on every stored field
of crm.lead, those of every installed module included; an override of
``crm.lead.write`` the test did not cover turns the fast path off."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models import fast_write
from .common import RoutingCommon


@tagged("post_install", "-at_install")
class TestFastWrite(RoutingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._rule("All", [cls.alice, cls.bob, cls.carol])
        cls.partner = cls.env["res.partner"].create(
            {"name": "Acme Ltd", "email": "buyer@acme.example", "city": "Leeds"}
        )
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)

    def _lead_vals(self):
        """Leads as they come: bare, with a customer, an opportunity in a
        stage, another company's salesperson, a lost one, some tags."""
        tag = self.env["crm.tag"].create({"name": "Hot"})
        return [
            {"name": "Bare", "type": "lead"},
            {
                "name": "Customer",
                "type": "lead",
                "partner_id": self.partner.id,
                "expected_revenue": 5000,
                "tag_ids": [(6, 0, tag.ids)],
            },
            {
                "name": "Opportunity",
                "type": "opportunity",
                "probability": 40,
                "email_from": "x@y.example",
                "phone": "+44 113 496 0000",
            },
            {"name": "Had Bob", "type": "lead", "user_id": self.bob.id},
            {"name": "Lost", "type": "lead", "active": False, "probability": 0},
            {"name": "Priority", "type": "lead", "priority": "3", "city": "York"},
        ]

    def _route(self, leads):
        self.Rule._route_leads(leads.ids, rules=self.rule)
        self.env.flush_all()
        self.env.invalidate_all()

    def test_same_result_as_write_on_every_stored_field(self):
        self._compare_with_write(one_by_one=False)

    def test_same_result_as_write_one_lead_at_a_time(self):
        # one lead (a claim) takes the narrow fetches (prefetch_fields=False
        # and the computes' dependencies fetched together)
        self._compare_with_write(one_by_one=True)

    def _compare_with_write(self, one_by_one):
        self.assertTrue(
            fast_write.fast_path_allowed(self.Lead),
            "an installed module overrides crm.lead.write: audit it and add it "
            "to fast_write.KNOWN_WRITE_MODULES",
        )
        Lead = self.Lead.with_context(routing_skip=True, active_test=False)
        vals = self._lead_vals()
        fast = Lead.create(vals)
        plain = Lead.create(vals)
        for leads, allowed in ((fast, True), (plain, False)):
            with (
                patch.object(fast_write, "fast_path_allowed", return_value=allowed),
                freeze_time("2030-03-04 09:00:00"),
            ):
                # the round-robin pointer starts where it did for the fast run
                self.rule.round_robin_index = 0
                for batch in leads if one_by_one else [leads]:
                    self._route(batch)
        stored = [
            name
            for name, field in Lead._fields.items()
            if field.store
            and field.type != "one2many"  # other records (history, log)
            and name not in ("id", "create_date", "write_date")
        ]
        # every installed module's stored fields are compared
        self.assertIn("routing_state", stored)
        modules = {Lead._fields[name]._module for name in stored}
        self.assertLess({"crm", "crm_lead_routing", "mail"}, modules)
        for one, other in zip(fast, plain, strict=True):
            left = one.read(stored)[0]
            right = other.read(stored)[0]
            differences = {
                name: (left[name], right[name])
                for name in stored
                if left[name] != right[name]
            }
            self.assertEqual(differences, {}, one.name)
        self.assertTrue(all(fast.mapped("user_id")))

    def test_unknown_write_override_is_honoured(self):
        """A module the equivalence test does not cover overrides
        ``crm.lead.write``: routing goes through ``write()``."""
        LeadClass = type(self.Lead)
        original = LeadClass.write
        seen = []

        def write(records, vals):
            seen.append(dict(vals))
            res = original(records, vals)
            if vals.get("user_id"):
                original(records, {"priority": "2"})
            return res

        lead = self.Lead.with_context(routing_skip=True).create({"name": "Watched"})
        with patch.object(LeadClass, "write", write):
            self.assertFalse(fast_write.fast_path_allowed(self.Lead))
            self._route(lead)
        self.assertEqual(lead.user_id, self.alice)
        self.assertEqual(lead.priority, "2")
        self.assertTrue(any(v.get("user_id") == self.alice.id for v in seen))

    def test_currencies_read_for_all_leads_at_once(self):
        """The monetary columns are rounded in each lead's own company
        currency, read for the whole batch in one pass: leads of two
        companies with different currencies each get theirs."""
        yen = self.env.ref("base.JPY")
        yen.active = True
        company_2 = self.env["res.company"].create(
            {"name": "Second Co", "currency_id": yen.id}
        )
        Lead = self.Lead.with_context(routing_skip=True)
        home = Lead.create({"name": "Home", "expected_revenue": 10.25})
        away = Lead.with_company(company_2).create(
            {"name": "Away", "company_id": company_2.id, "expected_revenue": 10.25}
        )
        currencies = {}
        ids = (home | away).ids
        fast_write._read_currencies(self.Lead, "company_currency", ids, currencies)
        self.assertEqual(
            currencies,
            {
                ("company_currency", home.id): home.company_id.currency_id.id,
                ("company_currency", away.id): yen.id,
            },
        )
        # the converted column rounds each value in its own currency (the
        # cache holds an unrounded value, as a compute may leave it)
        field = self.Lead._fields["expected_revenue"]
        self.env.invalidate_all()
        for lead in home | away:
            self.env.cache.set(lead, field, 10.25)
        column = fast_write._column_values(self.Lead, field, set(ids), ids, {})
        self.assertEqual([float(value) for value in column], [10.25, 10.0])

    def test_crm_computes_run_once_on_the_whole_batch(self):
        """crm's computes that routing's values trigger run once on all the
        assigned leads, not once per ``PREFETCH_MAX`` leads as the ORM
        batches them (lead scoring reads its frequency tables and the
        leads' values once per call); the values are those of ``write()``
        (see the equivalence test)."""
        Lead = self.Lead.with_context(routing_skip=True)
        leads = Lead.create([{"name": f"Batch {i}", "type": "lead"} for i in range(5)])
        LeadClass = type(self.Lead)
        original = LeadClass._compute_probabilities
        calls = []

        def compute(records):
            calls.append(len(records))
            return original(records)

        # the ORM would compute 2 leads at a time
        with (
            patch("odoo.fields.PREFETCH_MAX", 2),
            patch.object(LeadClass, "_compute_probabilities", compute),
        ):
            self._route(leads)
        self.assertEqual(calls, [5])
        self.assertTrue(all(leads.mapped("user_id")))
