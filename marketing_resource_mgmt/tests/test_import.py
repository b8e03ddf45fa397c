# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import csv
import io
import json
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import SegmentCase


def _uk500_path():
    """<repo>/../shared/data/uk-500.csv, looking further up for a worktree."""
    repo = Path(__file__).resolve().parents[2]
    for parent in [repo, *repo.parents]:
        candidate = parent / "shared" / "data" / "uk-500.csv"
        if candidate.exists():
            return candidate
    raise FileNotFoundError("shared/data/uk-500.csv not found above " + str(repo))


@tagged("post_install", "-at_install")
class TestImport(SegmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.uk500 = _uk500_path().read_bytes()

    def _wizard(self, data, filename, **vals):
        return self.env["marketing.segment.import"].create(
            dict(
                {
                    "file": base64.b64encode(data),
                    "filename": filename,
                    "segment_name": "UK 500",
                },
                **vals,
            )
        )

    def test_import_uk500(self):
        rows = list(csv.DictReader(io.StringIO(self.uk500.decode())))
        existing = self.Partner.create(
            {"name": "Someone Else", "email": rows[0]["email"].upper()}
        )
        partners_before = self.Partner.search_count([])
        wizard = self._wizard(self.uk500, "uk-500.csv")
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.matched_count, 1)
        self.assertEqual(
            wizard.created_count + wizard.matched_count + wizard.rejected_count,
            len(rows),
        )
        self.assertGreater(wizard.created_count, 450)
        matched = wizard.line_ids.filtered(lambda line: line.status == "matched")
        self.assertEqual(matched.partner_id, existing)
        segment = wizard.result_segment_id
        self.assertEqual(segment.name, "UK 500")
        self.assertEqual(
            len(segment.list_partner_ids), wizard.created_count + wizard.matched_count
        )
        self.assertEqual(segment._get_count(), len(segment.list_partner_ids))
        created = self.Partner.search([("email", "=", rows[1]["email"])])
        self.assertEqual(created.mrm_county, rows[1]["county"])
        self.assertEqual(created.zip, rows[1]["postal"])
        self.assertEqual(created.parent_id.name, rows[1]["company_name"])
        self.assertTrue(created.parent_id.is_company)
        self.assertGreater(self.Partner.search_count([]), partners_before + 450)
        # importing again matches every row, creates nothing
        again = self._wizard(self.uk500, "uk-500.csv", segment_id=segment.id)
        again.action_import()
        self.assertEqual(again.created_count, 0)
        self.assertEqual(
            again.matched_count, wizard.created_count + wizard.matched_count
        )

    def test_bad_rows_report(self):
        data = (
            b"first_name,last_name,company_name,phone1,email\n"
            b"Ann,Able,Able Ltd,0113 245 0101,ann.able@example.org\n"
            b",,,0113 245 0102,nobody@example.org\n"
            b"Eve,Bad,,,not-an-email\n"
            b"Fay,Nocontact,,,\n"
            b"Ann,Again,,,ann.able@example.org\n"
            b"Olive,Ok,,0113 245 0001,\n"
        )
        wizard = self._wizard(data, "bad.csv")
        wizard.action_import()
        report = {line.row: line for line in wizard.line_ids}
        self.assertEqual(
            (wizard.created_count, wizard.matched_count, wizard.rejected_count),
            (1, 1, 4),
        )
        self.assertEqual(report[2].status, "created")
        self.assertIn("no name", report[3].reason)
        self.assertIn("invalid e-mail", report[4].reason)
        self.assertIn("no e-mail and no phone", report[5].reason)
        self.assertIn("duplicate of row 2", report[6].reason)
        self.assertEqual(report[7].partner_id, self.p_ok, "matched by phone")

    def test_unreadable_file_saves_nothing(self):
        segments_before = self.Segment.search_count([])
        partners_before = self.Partner.search_count([])
        for data, name in (
            (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.csv"),
            (b"PK\x03\x04 not really a workbook", "list.xlsx"),
            (b"colour,size\nred,3\n", "list.csv"),
            (b"a,b", "list.pdf"),
        ):
            with self.subTest(name=name), self.assertRaises(UserError):
                self._wizard(data, name).action_import()
        self.assertEqual(self.Segment.search_count([]), segments_before)
        self.assertEqual(self.Partner.search_count([]), partners_before)


@tagged("post_install", "-at_install")
class TestImportProgress(SegmentCase):
    """A large file shows its progress in the import dialog: the import
    tells the user's browser (bus notifications to the user) how many rows
    it has done after each batch; a small file sends nothing."""

    def _file(self, rows):
        sample = list(csv.DictReader(io.StringIO(_uk500_path().read_text())))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["first_name", "last_name", "company_name", "email", "phone1"])
        for i in range(rows):
            row = sample[i % len(sample)]
            local, _at, domain = row["email"].partition("@")
            writer.writerow(
                [
                    row["first_name"],
                    row["last_name"],
                    row["company_name"],
                    f"{local}.{i}@{domain}",
                    f"0113 {i:06d}",
                ]
            )
        return out.getvalue().encode()

    def _import(self, rows):
        from ..wizards.marketing_segment_import import PROGRESS_TYPE

        user = self.env.user
        wizard = self.env["marketing.segment.import"].create(
            {
                "file": base64.b64encode(self._file(rows)),
                "filename": "progress.csv",
                "segment_name": f"Progress {rows}",
            }
        )
        Bus = self.env["bus.bus"].sudo()
        last = Bus.search([], order="id desc", limit=1).id or 0
        wizard.action_import()
        self.env.cr.flush()  # runs the pre-commit hook of the bus: its rows
        channel = json.dumps([self.env.cr.dbname, "res.partner", user.partner_id.id])
        messages = [
            json.loads(row.message)
            for row in Bus.search([("id", ">", last)], order="id")
            if json.loads(row.channel) == json.loads(channel)
        ]
        return wizard, [m["payload"] for m in messages if m["type"] == PROGRESS_TYPE]

    def test_large_file_reports_progress(self):
        from ..wizards.marketing_segment_import import IMPORT_BATCH, PROGRESS_MIN_ROWS

        rows = 2 * IMPORT_BATCH + IMPORT_BATCH // 2
        self.assertGreaterEqual(rows, PROGRESS_MIN_ROWS)
        wizard, progress = self._import(rows)
        self.assertEqual(wizard.created_count, rows)
        self.assertEqual({p["wizard_id"] for p in progress}, {wizard.id})
        self.assertEqual({p["total"] for p in progress}, {rows})
        done = [p["done"] for p in progress]
        # start, after matching, after each batch of created contacts
        self.assertEqual(done, [0, 0, IMPORT_BATCH, 2 * IMPORT_BATCH, rows])
        self.assertTrue(all(p["step"] for p in progress))

    def test_small_file_sends_nothing(self):
        from ..wizards.marketing_segment_import import PROGRESS_MIN_ROWS

        wizard, progress = self._import(PROGRESS_MIN_ROWS - 1)
        self.assertEqual(wizard.created_count, PROGRESS_MIN_ROWS - 1)
        self.assertEqual(progress, [])


@tagged("post_install", "-at_install")
class TestImportRights(SegmentCase):
    """The contacts are written below the ORM (tools/partner_bulk.py): the
    importing user's rights still decide, and a refusal leaves nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.uk500 = _uk500_path().read_bytes()
        cls.importer = new_test_user(
            cls.env,
            login="mrm_importer",
            groups="marketing_resource_mgmt.group_marketing_user,"
            "sales_team.group_sale_salesman",
        )

    def _wizard(self, user, **vals):
        return (
            self.env["marketing.segment.import"]
            .with_user(user)
            .create(
                dict(
                    {
                        "file": base64.b64encode(self.uk500),
                        "filename": "uk-500.csv",
                        "segment_name": "UK 500 rights",
                    },
                    **vals,
                )
            )
        )

    def test_importer_creates_contacts(self):
        wizard = self._wizard(self.importer)
        wizard.action_import()
        created = wizard.line_ids.filtered(lambda line: line.status == "created")
        self.assertGreater(len(created), 450)
        partners = created.partner_id
        self.assertEqual(partners.create_uid, self.importer)
        # people under their companies, as create() links and syncs them
        people = partners.filtered("parent_id")
        self.assertGreater(len(people), 450)
        for person in people[:50]:
            self.assertEqual(person.commercial_partner_id, person.parent_id)
            self.assertEqual(person.street, person.parent_id.street)
            self.assertEqual(
                person.complete_name, f"{person.parent_id.name}, {person.name}"
            )
        self.assertTrue(all(people.mapped("email_normalized")))
        # the ORM finds them as the import wrote them
        self.assertEqual(
            self.Partner.with_user(self.importer).search_count(
                [("id", "in", partners.ids), ("email", "!=", False)]
            ),
            len(partners),
        )
        self.assertEqual(
            wizard.result_segment_id.list_partner_ids,
            wizard.line_ids.partner_id,
        )
        # the messy rows keep their messages
        rejected = wizard.line_ids.filtered(lambda line: line.status == "rejected")
        self.assertEqual(len(rejected), wizard.rejected_count)
        self.assertTrue(all(rejected.mapped("reason")))

    def test_user_who_may_not_create_contacts(self):
        """A marketing user alone may not create contacts: nothing is kept."""
        partners_before = self.Partner.search_count([])
        segments_before = self.Segment.search_count([])
        with self.assertRaisesRegex(UserError, "nothing was imported"):
            self._wizard(self.marketer).action_import()
        self.assertEqual(self.Partner.search_count([]), partners_before)
        self.assertEqual(self.Segment.search_count([]), segments_before)

    def test_refused_at_the_end_keeps_nothing(self):
        """The list of another user's private segment cannot be written: the
        contacts created before that are rolled back with the rest."""
        private = self.Segment.with_user(self.marketer).create(
            {"name": "Private list", "visibility": "private"}
        )
        partners_before = self.Partner.search_count([])
        with self.assertRaisesRegex(UserError, "nothing was imported"):
            self._wizard(self.importer, segment_id=private.id).action_import()
        self.assertEqual(self.Partner.search_count([]), partners_before)
        self.assertFalse(private.list_partner_ids)
