# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SegmentCase


@tagged("post_install", "-at_install")
class TestSegmentFieldPaths(SegmentCase):
    """Criteria on a path through relations (as Odoo's field selector
    builds them), the segment list's contact count, titled dialogs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        uk, ireland = cls.env.ref("base.uk"), cls.env.ref("base.ie")
        cls.uk_co = cls.Partner.create(
            {"name": "Path UK Ltd", "is_company": True, "country_id": uk.id}
        )
        cls.ie_co = cls.Partner.create(
            {"name": "Path IE Ltd", "is_company": True, "country_id": ireland.id}
        )
        cls.people = cls.Partner.create(
            [
                {"name": f"Path person {i}", "comment": "path-test", "parent_id": co.id}
                for i, co in enumerate([cls.uk_co, cls.uk_co, cls.ie_co])
            ]
        )

    def segment(self, field_name, operator, value, name="Path"):
        return self.Segment.create(
            {
                "name": name,
                "domain": "[('comment', '=', 'path-test')]",
                "criterion_ids": [
                    (
                        0,
                        0,
                        {
                            "field_name": field_name,
                            "operator": operator,
                            "value": value,
                        },
                    )
                ],
            }
        )

    def test_path_through_two_relations(self):
        """Company > Country > Country Name, with a fuzzy operator (SQL
        sub-selects) and with Odoo's own (a domain path): the same contacts
        as the ORM's search."""
        expected = self.Partner.search(
            [
                ("comment", "=", "path-test"),
                ("parent_id.country_id.name", "=", "United Kingdom"),
            ]
        )
        self.assertEqual(len(expected), 2)
        for operator, value in (
            ("normalized", "united kingdom"),
            ("similar", "United Kingdm"),
            ("=", "United Kingdom"),
        ):
            with self.subTest(operator=operator):
                segment = self.segment("parent_id.country_id.name", operator, value)
                self.assertEqual(set(segment._get_partner_ids()), set(expected.ids))
        line = segment.criterion_ids
        self.assertEqual(
            line._get_field_label(), "Related Company > Country > Country Name"
        )
        self.assertTrue(line.display_name.startswith("Related Company > Country"))

    def test_bad_paths(self):
        with self.assertRaises(ValidationError):
            self.segment("parent_id.country_id.nope", "=", "x")
        with self.assertRaises(ValidationError):
            self.segment("name.country_id", "=", "x")  # a text is no relation
        with self.assertRaises(ValidationError):
            self.segment("parent_id.parent_id.parent_id.parent_id.name", "=", "x")
        # a many2many can be followed by Odoo's operators, not the fuzzy ones
        self.assertTrue(self.segment("category_id.name", "=", "VIP"))
        with self.assertRaises(ValidationError):
            self.segment("category_id.name", "normalized", "vip")

    def test_contact_count_column(self):
        """The list's count equals each segment's own count, in one statement
        whatever the number of segments."""
        segments = self.Segment.browse()
        for value in ("united kingdom", "ireland", "france"):
            segments |= self.segment("parent_id.country_id.name", "normalized", value)
        self.env.invalidate_all()
        self.assertEqual(
            segments.mapped("contact_count"), [s._get_count() for s in segments]
        )
        self.assertEqual(segments.mapped("contact_count"), [2, 1, 0])
        more = segments
        for i in range(6):
            more |= self.segment("name", "ilike", f"person {i}", name=f"More {i}")
        queries = []
        for records in (segments, more):
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            records.mapped("contact_count")
            queries.append(self.env.cr.sql_log_count - before)
        self.assertEqual(queries[0], queries[1])
        # read by the list view as a marketer
        rows = segments.with_user(self.marketer).read(["contact_count"])
        self.assertEqual([row["contact_count"] for row in rows], [2, 1, 0])

    def test_result_dialogs_have_titles(self):
        segment = self.segment("name", "ilike", "Path person")
        self.assertEqual(segment.action_preview()["name"], "Preview of Path")
        wizard = self.env["marketing.segment.import"].create(
            {
                "file": base64.b64encode(
                    b"first_name,last_name,email\nAnn,Able,ann@x.org\n"
                ),
                "filename": "few.csv",
                "segment_name": "Few",
            }
        )
        self.assertEqual(wizard.action_import()["name"], "Import into Few: result")
