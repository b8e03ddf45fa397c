# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The fast write of routing assignments (models/fast_write.py, below the
public ORM API) gives what plain ``write()`` gives, on every stored field
of crm.lead, those of every installed module included; an override of
``crm.lead.write`` the test did not cover turns the fast path off."""

from contextlib import contextmanager
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

    @contextmanager
    def _recorded_statements(self):
        """The text of every statement run inside, whitespace folded."""
        statements = []
        Cursor = type(self.env.cr)
        original = Cursor.execute

        def execute(cr, query, params=None, log_exceptions=True):
            statements.append(" ".join(str(getattr(query, "code", query)).split()))
            return original(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", execute):
            yield statements

    def test_one_lead_reads_related_inputs_in_one_statement(self):
        """A claim's lead (one lead): what crm's computes read of its new
        salesperson, team, companies and currency comes from one statement
        (``fast_write.RELATED_INPUTS``), not from one ORM fetch per field;
        the values are those of ``write()`` (see the equivalence test)."""
        lead = self.Lead.with_context(routing_skip=True).create(
            {"name": "Alone", "type": "lead", "expected_revenue": 1234.5}
        )
        self.env.flush_all()
        self.env.invalidate_all()
        with self._recorded_statements() as statements:
            self._route(lead)
        self.assertTrue(lead.user_id and lead.team_id and lead.company_id)
        related = [s for s in statements if '"cur"."rounding"' in s]
        self.assertEqual(len(related), 1, "the related inputs in one statement")
        # what the computes and the company check read afterwards
        after = statements[statements.index(related[0]) + 1 :]
        self.assertTrue(any(s.startswith("UPDATE crm_lead l SET") for s in after))
        fetched = {
            (model, fname)
            for model, _alias, fnames in fast_write.RELATED_INPUTS
            for fname in fnames
            for s in after
            if s.startswith(f'SELECT "{model.replace(".", "_")}"."id"')
            and f'"{model.replace(".", "_")}"."{fname}"' in s.split(" FROM ")[0]
        }
        self.assertEqual(fetched, set(), "fetched again by the ORM, field by field")

    def test_claim_lock_reads_the_compute_inputs_as_the_orm_fetches_them(self):
        """A claim in its own transaction reads the lead columns crm's
        computes need with its lock on the lead
        (``fast_write.claim_columns``, learnt from a one-lead write): the
        values it puts in the cache are those the ORM's fetch puts there,
        on leads as they come; the claim then fetches none of them again."""
        pool = self._rule("Pool", [self.alice], strategy="pool")
        self._route(self.Lead.with_context(routing_skip=True).create({"name": "L"}))
        columns = fast_write.claim_columns(self.Lead)
        self.assertLess(
            {"company_id", "partner_id", "stage_id", "type", "lead_properties"},
            set(columns),
        )
        leads = self.Lead.with_context(routing_skip=True, active_test=False).create(
            self._lead_vals()
        )
        leads.write({"routing_state": "pool", "routing_rule_id": pool.id})
        self.env.flush_all()
        cache = self.env.cache
        for lead in leads.filtered("active"):
            self.env.invalidate_all()
            self.env.cr.execute(
                self.Lead._pool_lead_sql([pool.id], lead.id, columns=columns)
            )
            row = self.env.cr.fetchone()
            fast_write.put_in_cache(lead, columns, row[6:])
            read = {name: cache.get(lead, lead._fields[name]) for name in columns}
            self.env.invalidate_all()
            lead.fetch(columns)
            fetched = {name: cache.get(lead, lead._fields[name]) for name in columns}
            self.assertEqual(read, fetched, lead.name)
        # a claim on its own transaction's path: no fetch of those columns
        self.env.invalidate_all()
        Claimer = self.Lead.with_user(self.alice)
        with self._recorded_statements() as statements:
            won, _name = Claimer._claim_on_cursor(pool.id, read_committed=True)
        self.assertEqual(self.Lead.browse(won).user_id, self.alice)
        lead_fetches = [
            s
            for s in statements
            if s.startswith('SELECT "crm_lead"."id"')
            and any(f'"crm_lead"."{name}"' in s.split(" FROM ")[0] for name in columns)
        ]
        self.assertEqual(lead_fetches, [])
