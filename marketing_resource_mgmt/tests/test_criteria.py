# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SegmentCase


@tagged("post_install", "-at_install")
class TestCriteria(SegmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # phone prefixes are national numbers of the company's country
        cls.env.company.country_id = cls.env.ref("base.uk")
        town = "Critville"
        make = cls.Partner.create
        cls.town = town
        cls.south = make(
            {
                "name": "South One",
                "city": "Sheffield",
                "mrm_county": "Yorkshire, South",
                "zip": "S1 2HE",
                "phone": "+44 114 276 0001",
                "comment": town,
            }
        )
        cls.south2 = make(
            {
                "name": "South Two",
                "city": "Rotherham",
                "mrm_county": "south  YORKSHIRE",
                "zip": "S60 1AA",
                "phone": "0044 114 276 0002",
                "comment": town,
            }
        )
        cls.north = make(
            {
                "name": "North One",
                "city": "Leeds",
                "mrm_county": "North Yorkshire",
                "zip": "LS2 2BB",
                "phone": "0113 245 0003",
                "mobile": "07700 900003",
                "comment": town,
            }
        )
        cls.lincs = make(
            {
                "name": "Lincs One",
                "city": "Grimsby",
                "mrm_county": "North Eart Lincolnshire",
                "zip": "DN31 1AA",
                "phone": "01472 000004",
                "comment": town,
            }
        )
        cls.other = make(
            {
                "name": "Far Away",
                "city": "Ståvanger",
                "mrm_county": "Rogaland",
                "zip": "LS14 1AA",
                "comment": town,
            }
        )
        cls.all = cls.south | cls.south2 | cls.north | cls.lincs | cls.other
        # response scores live on the customers' behaviour rows (the
        # contact's field reads them)
        cls.env["marketing.partner.behaviour"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": cls.env.company.id,
                    "response_score": score,
                }
                for partner, score in ((cls.lincs, 0.7), (cls.other, 0.3))
            ]
        )
        cls.env.company.sudo().mrm_response_baseline = 0.0
        cls.alias_list = cls.env["crm.match.alias.list"].create(
            {
                "name": "Yorkshire cities",
                "line_ids": [(0, 0, {"name": "Leeds"}), (0, 0, {"name": "Sheffield"})],
            }
        )

    def _match(self, *lines):
        segment = self.Segment.create(
            {
                "name": "C",
                "domain": f"[('comment', '=', '{self.town}')]",
                "criterion_ids": [(0, 0, line) for line in lines],
            }
        )
        return self.Partner.browse(segment._get_partner_ids())

    def test_odoo_operators(self):
        self.assertEqual(
            self._match({"field_name": "city", "operator": "=", "value": "Leeds"}),
            self.north,
        )
        self.assertEqual(
            self._match({"field_name": "city", "operator": "!=", "value": "Leeds"}),
            self.all - self.north,
        )
        self.assertEqual(
            self._match({"field_name": "name", "operator": "ilike", "value": "south"}),
            self.south | self.south2,
        )
        self.assertEqual(
            self._match(
                {"field_name": "name", "operator": "not ilike", "value": "south"}
            ),
            self.north | self.lincs | self.other,
        )
        self.assertEqual(
            self._match(
                {"field_name": "city", "operator": "in", "value": "Leeds; Grimsby"}
            ),
            self.north | self.lincs,
        )
        self.assertEqual(
            self._match({"field_name": "mobile", "operator": "set"}), self.north
        )
        self.assertEqual(
            self._match({"field_name": "mobile", "operator": "not set"}),
            self.all - self.north,
        )
        score = {"field_name": "mrm_response_score"}
        self.assertEqual(
            self._match(dict(score, operator=">=", value="0.6")), self.lincs
        )
        self.assertEqual(
            self._match(dict(score, operator=">", value="0.7")), self.Partner
        )
        self.assertEqual(
            self._match(dict(score, operator="<=", value="0.3")), self.all - self.lincs
        )
        self.assertEqual(
            self._match(dict(score, operator="<", value="0.3")),
            self.all - self.lincs - self.other,
        )

    def test_fuzzy_operators(self):
        self.assertEqual(
            self._match(
                {
                    "field_name": "mrm_county",
                    "operator": "normalized",
                    "value": "South Yorkshire",
                }
            ),
            self.south | self.south2,
            "case, punctuation, word order ignored",
        )
        self.assertEqual(
            self._match(
                {
                    "field_name": "mrm_county",
                    "operator": "similar",
                    "value": "North East Lincolnshire",
                    "threshold": 0.6,
                }
            ),
            self.lincs,
            "a misspelling is caught",
        )
        self.assertEqual(
            self._match(
                {
                    "field_name": "city",
                    "operator": "alias",
                    "alias_list_id": self.alias_list.id,
                    "threshold": 1,
                }
            ),
            self.south | self.north,
        )
        self.assertEqual(
            self._match(
                {"field_name": "zip", "operator": "prefix", "value": "LS2; S1"}
            ),
            self.north | self.south,
            "LS2 is not LS14 nor S1 S60",
        )
        self.assertEqual(
            self._match({"field_name": "phone", "operator": "prefix", "value": "0114"}),
            self.south | self.south2,
            "+44 114 and 0044 114 are 0114",
        )

    def test_groups_and_or(self):
        found = self._match(
            {
                "group": 1,
                "field_name": "mrm_county",
                "operator": "normalized",
                "value": "South Yorkshire",
            },
            {"group": 1, "field_name": "city", "operator": "=", "value": "Sheffield"},
            {"group": 2, "field_name": "city", "operator": "=", "value": "Grimsby"},
        )
        self.assertEqual(found, self.south | self.lincs)

    def test_invalid_criteria_save_nothing(self):
        before = self.Segment.search_count([])
        bad_lines = [
            {"field_name": "no_such_field", "operator": "=", "value": "x"},
            {
                "field_name": "mrm_county",
                "operator": "similar",
                "value": "x",
                "threshold": 1.5,
            },
            {
                "field_name": "mrm_county",
                "operator": "similar",
                "value": "x",
                "threshold": 0,
            },
            {"field_name": "mrm_response_score", "operator": ">=", "value": "high"},
            {"operator": "frequency_gte", "value": "many"},
        ]
        for line in bad_lines:
            with self.subTest(line=line), self.assertRaises(ValidationError):
                self.Segment.create({"name": "Bad", "criterion_ids": [(0, 0, line)]})
        self.assertEqual(self.Segment.search_count([]), before)

    def test_preview_reasons(self):
        segment = self.Segment.create(
            {
                "name": "Prev",
                "domain": f"[('comment', '=', '{self.town}')]",
                "criterion_ids": [
                    (
                        0,
                        0,
                        {
                            "group": 1,
                            "field_name": "mrm_county",
                            "operator": "similar",
                            "value": "South Yorkshire",
                            "threshold": 0.5,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "group": 2,
                            "field_name": "city",
                            "operator": "=",
                            "value": "Leeds",
                        },
                    ),
                ],
            }
        )
        action = segment.action_preview()
        wizard = self.env["marketing.segment.preview"].browse(action["res_id"])
        self.assertEqual(wizard.total_count, 3)
        by_partner = {line.partner_id: line.reason for line in wizard.line_ids}
        self.assertEqual(set(by_partner), {self.south, self.south2, self.north})
        self.assertIn("trigram similarity", by_partner[self.south])
        self.assertNotIn("Leeds", by_partner[self.south])
        self.assertIn("Leeds", by_partner[self.north])
        self.assertIn("Domain", by_partner[self.north])

    def test_overlap(self):
        seg_a = self.Segment.create(
            {
                "name": "A",
                "domain": f"[('comment', '=', '{self.town}')]",
                "criterion_ids": [
                    (
                        0,
                        0,
                        {
                            "field_name": "mrm_county",
                            "operator": "ilike",
                            "value": "york",
                        },
                    )
                ],
            }
        )
        seg_b = self.Segment.create(
            {
                "name": "B",
                "domain": f"[('comment', '=', '{self.town}')]",
                "criterion_ids": [
                    (0, 0, {"field_name": "name", "operator": "ilike", "value": "one"})
                ],
            }
        )
        wizard = self.env["marketing.segment.overlap"].create(
            {"segment_a_id": seg_a.id, "segment_b_id": seg_b.id}
        )
        self.assertEqual(wizard.a_only_count, 1)
        self.assertEqual(wizard.a_only_partner_ids, self.south2)
        self.assertEqual(wizard.both_count, 2)
        self.assertEqual(wizard.both_partner_ids, self.south | self.north)
        self.assertEqual(wizard.b_only_count, 1)
        self.assertEqual(wizard.b_only_partner_ids, self.lincs)
        with self.assertQueryCount(1):
            wizard._get_overlap()
