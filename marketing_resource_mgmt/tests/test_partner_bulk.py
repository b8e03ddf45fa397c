# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""tools/partner_bulk.py against the public API: the same contacts created
through ``res.partner.create()`` and through ``insert_partners`` give the
same rows, column by column (every stored column of res_partner, whatever
module added it), from the messy UK sample list."""

import csv
import io
import threading

from odoo import api
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..tools import partner_bulk
from .common import SegmentCase
from .test_import import _uk500_path

# the import's context (wizards/marketing_segment_import.py _partner_model)
IMPORT_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
}
# not compared: the ids themselves and the times of the writes
SKIPPED_COLUMNS = {"id", "create_date", "write_date", "calendar_last_notif_ack"}
# columns holding a contact's id (mapped from one side to the other)
ID_COLUMNS = {"parent_id", "commercial_partner_id"}


@tagged("post_install", "-at_install")
class TestPartnerBulk(SegmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        text = _uk500_path().read_text(encoding="utf-8")
        cls.sample = list(csv.DictReader(io.StringIO(text)))[:40]
        cls.uk = cls.env.ref("base.uk")
        cls.Bulk = cls.env["res.partner"].with_context(**IMPORT_CONTEXT)
        # an existing company with commercial fields set, in two companies
        cls.company2 = cls.env["res.company"].create({"name": "Bulk Second Co"})
        cls.industry = cls.env["res.partner.industry"].create({"name": "Bulk Trade"})
        cls.position = cls.env["account.fiscal.position"].create(
            {"name": "Bulk Position"}
        )
        cls.term = cls.env["account.payment.term"].create({"name": "Bulk 45 days"})
        cls.pricelist = cls.env["product.pricelist"].create({"name": "Bulk List"})
        cls.salesman_user = new_test_user(cls.env, login="mrm_bulk_sales")
        cls.existing = cls.Partner.create(
            {
                "name": "Bulk Existing Holdings",
                "is_company": True,
                "vat": "GB123456789",
                "company_registry": "0123456",
                "industry_id": cls.industry.id,
                "street": "1 Existing Road",
                "city": "Leeds",
                "zip": "LS1 1AA",
                "country_id": cls.uk.id,
                "user_id": cls.salesman_user.id,
                "property_account_position_id": cls.position.id,
                "property_payment_term_id": cls.term.id,
                "property_product_pricelist": cls.pricelist.id,
            }
        )
        cls.existing.with_company(cls.company2).write(
            {"property_payment_term_id": cls.term.id}
        )

    # ---- helpers ------------------------------------------------------------
    def _company_vals(self, tag):
        """New companies, the first from the sample (its address), one without
        an address (it takes its first contact's address)."""
        rows = self.sample[:3]
        vals = [
            {
                "name": f"{row['company_name']} {tag}",
                "is_company": True,
                "street": row["address"],
                "city": row["city"],
                "zip": row["postal"],
                "mrm_county": row["county"],
                "website": row["web"].removeprefix("http://"),
                "country_id": self.uk.id,
            }
            for row in rows
        ]
        vals.append({"name": f"Bare Company {tag}", "is_company": True})
        return vals

    def _person_vals(self, companies):
        """The sample's people, each under one of ``companies`` (or none), with
        the import's fields, messy values as they come."""
        vals = []
        for i, row in enumerate(self.sample[3:]):
            parent = companies[i % len(companies)] if i % 5 else False
            if i == 7:
                parent = companies[-1]  # the bare company's only contact
            elif parent == companies[-1]:
                parent = self.existing.id
            vals.append(
                {
                    "name": f"{row['first_name']} {row['last_name']}",
                    "email": row["email"].upper() if i % 3 == 0 else row["email"],
                    "phone": row["phone1"],
                    "mobile": row["phone2"] if i % 4 else False,
                    "street": row["address"] if i % 6 else False,
                    "city": row["city"],
                    "zip": row["postal"],
                    "mrm_county": row["county"],
                    "website": row["web"] if i % 2 else "www.example.co.uk",
                    "country_id": self.uk.id if i % 7 else False,
                    "parent_id": parent,
                }
            )
        # rows setting other fields (their defaults differ: is_company)
        del vals[9]["mobile"], vals[9]["website"]
        vals[10] = {"name": vals[10]["name"], "email": vals[10]["email"]}
        vals.append({"name": "Mixed In Company", "is_company": True})
        return vals

    def _rows(self, ids):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT * FROM res_partner WHERE id = ANY(%s) ORDER BY id", [list(ids)]
        )
        names = [column.name for column in self.env.cr.description]
        rows = {
            row[0]: dict(zip(names, row, strict=True)) for row in self.env.cr.fetchall()
        }
        return [rows[i] for i in ids]

    def _create_both(self, Bulk):
        """:return: (ORM ids, bulk ids), companies then people"""
        orm_companies = Bulk.create(self._company_vals("[orm]")).ids
        bulk_companies = partner_bulk.insert_partners(
            Bulk.env, self._company_vals("[bulk]")
        )
        orm_people = Bulk.create(self._person_vals(orm_companies)).ids
        bulk_people = partner_bulk.insert_partners(
            Bulk.env, self._person_vals(bulk_companies)
        )
        return orm_companies + orm_people, bulk_companies + bulk_people

    # ---- tests ----------------------------------------------------------------
    def test_same_rows_as_create(self):
        self._check_same_rows(self.Bulk)

    def test_same_rows_in_second_company(self):
        """Imported while working in the second company: its pricelist and
        properties, the first company's copied as create() copies them."""
        self._check_same_rows(self.Bulk.with_company(self.company2))

    def _check_same_rows(self, Bulk):
        orm_ids, bulk_ids = self._create_both(Bulk)
        id_map = dict(zip(orm_ids, bulk_ids, strict=True))
        orm_rows, bulk_rows = self._rows(orm_ids), self._rows(bulk_ids)
        columns = set(orm_rows[0]) - SKIPPED_COLUMNS
        # every column of the table is compared, whatever module added it
        self.assertIn("phone_sanitized", columns)
        self.assertIn("specific_property_product_pricelist", columns)
        self.assertIn("mrm_norm_city", columns)
        self.maxDiff = None
        differences = []
        for orm_row, bulk_row in zip(orm_rows, bulk_rows, strict=True):
            for column in sorted(columns):
                expected = orm_row[column]
                if column in ID_COLUMNS:
                    expected = id_map.get(expected, expected)
                if column in ("name", "complete_name", "commercial_company_name"):
                    expected = expected and expected.replace("[orm]", "[bulk]")
                if bulk_row[column] != expected:
                    differences.append(
                        (orm_row["name"], column, expected, bulk_row[column])
                    )
        self.assertEqual(differences, [], "(contact, column, create(), bulk)")
        # the cases are there: synced commercial fields, a company's address,
        # the pricelist per company, phones, the bare company's address
        by_name = {row["name"]: row for row in bulk_rows}
        people = [row for row in bulk_rows[4:] if not row["is_company"]]
        synced = [row for row in people if row["parent_id"] == self.existing.id]
        self.assertTrue(synced)
        self.assertTrue(all(row["vat"] == "GB123456789" for row in synced))
        self.assertTrue(all(row["street"] == "1 Existing Road" for row in synced))
        self.assertTrue(all(row["user_id"] == self.salesman_user.id for row in synced))
        self.assertTrue(
            all(row["property_payment_term_id"] for row in synced),
            "the payment term of both companies",
        )
        self.assertTrue(
            all(row["specific_property_product_pricelist"] for row in synced)
        )
        self.assertTrue(any(row["phone_sanitized"] for row in people))
        self.assertTrue(all(row["email_normalized"] for row in people))
        bare = by_name["Bare Company [bulk]"]
        self.assertTrue(bare["street"] or bare["city"], "took its contact's address")
        self.assertTrue(by_name[bulk_rows[0]["name"]]["website"].startswith("http://"))
        # the ORM reads the new contacts as it wrote them
        bulk = self.Partner.browse(bulk_ids)
        for partner in bulk:
            expected = partner if not partner.parent_id else partner.parent_id
            self.assertEqual(
                partner.commercial_partner_id, expected.commercial_partner_id
            )
        self.assertEqual(
            self.Partner.search_count(
                [("id", "in", bulk_ids), ("parent_id", "!=", False)]
            ),
            self.Partner.search_count(
                [("id", "in", orm_ids), ("parent_id", "!=", False)]
            ),
        )
        self.assertIn(
            bulk_ids[5], self.Partner.browse(bulk[5].parent_id.id).child_ids.ids
        )

    def test_access_rights(self):
        """The user's rights apply as in create(): a user who may not create
        contacts (a marketing user alone) creates none; a salesman may."""
        count = self.Partner.search_count([])
        with self.assertRaises(AccessError):
            self.Bulk.with_user(self.marketer).create([{"name": "Not Allowed"}])
        with self.assertRaises(AccessError):
            partner_bulk.insert_partners(
                self.Bulk.with_user(self.marketer).env, [{"name": "Not Allowed"}]
            )
        self.assertEqual(self.Partner.search_count([]), count)
        ids = partner_bulk.insert_partners(
            self.Bulk.with_user(self.salesman).env,
            [{"name": "Allowed", "email": "Allowed@Example.org"}],
        )
        partner = self.Partner.browse(ids)
        self.assertEqual(partner.create_uid, self.salesman)
        self.assertEqual(partner.email_normalized, "allowed@example.org")
        self.assertEqual(partner.with_user(self.salesman).name, "Allowed")

    def test_unsupported_field(self):
        with self.assertRaises(ValueError):
            partner_bulk.insert_partners(
                self.Bulk.env, [{"name": "Tagged", "category_id": [(6, 0, [])]}]
            )

    def test_add_list_partners(self):
        segment = self.Segment.create({"name": "Bulk list"})
        partners = self.Partner.create([{"name": f"Listed {i}"} for i in range(3)])
        self.assertEqual(
            partner_bulk.add_list_partners(segment, "list_partner_ids", partners.ids), 3
        )
        self.assertEqual(
            partner_bulk.add_list_partners(
                segment, "list_partner_ids", partners[:1].ids + partners[:1].ids
            ),
            0,
            "existing links kept, none twice",
        )
        self.assertEqual(segment.list_partner_ids, partners)
        with self.assertRaises(AccessError):
            partner_bulk.add_list_partners(
                segment.with_user(self.salesman), "list_partner_ids", partners.ids
            )


@tagged("post_install", "-at_install")
class TestPartnerBulkConcurrent(TransactionCase):
    """Two imports and a contact form at once, each with its own committed
    cursor: the ids insert_partners takes from the table's sequence never
    meet another's."""

    ROWS = 150

    def _worker(self, how, tag, barrier, created, errors):
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, IMPORT_CONTEXT)
                vals_list = [
                    {"name": f"Race {tag} {i}", "email": f"race.{tag}.{i}@example.org"}
                    for i in range(self.ROWS)
                ]
                barrier.wait()
                if how == "bulk":
                    ids = partner_bulk.insert_partners(env, vals_list, batch_size=50)
                else:
                    ids = env["res.partner"].create(vals_list).ids
                cr.commit()  # pylint: disable=invalid-commit
                created[tag] = ids
        except Exception as exc:  # noqa: BLE001  (reported to the main thread)
            errors.append(exc)

    def test_concurrent_imports(self):
        barrier = threading.Barrier(3)
        created, errors = {}, []
        threads = [
            threading.Thread(
                target=self._worker, args=(how, tag, barrier, created, errors)
            )
            for how, tag in (("bulk", "a"), ("bulk", "b"), ("orm", "c"))
        ]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            self.assertFalse(errors, errors)
            ids = [i for tag_ids in created.values() for i in tag_ids]
            self.assertEqual(len(ids), 3 * self.ROWS)
            self.assertEqual(len(set(ids)), len(ids))
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT split_part(name, ' ', 2), count(*) FROM res_partner "
                    "WHERE id = ANY(%s) AND email_normalized = lower(email) "
                    "GROUP BY 1",
                    [ids],
                )
                self.assertEqual(
                    dict(cr.fetchall()),
                    {"a": self.ROWS, "b": self.ROWS, "c": self.ROWS},
                )
        finally:
            ids = [i for tag_ids in created.values() for i in tag_ids]
            with self.registry.cursor() as cr:
                cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [ids])
