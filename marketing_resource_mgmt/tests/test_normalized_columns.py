# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.crm_lead_routing.matching import normalize_text, sql_normalized

from ..models.res_partner import NORMALIZED_COMPANIONS, NORMALIZED_PARAM
from .common import SegmentCase

TRICKY = [
    "Yorkshire, South",
    "SOUTH  yorkshire",
    "South-Yorkshire.",
    "Sthn Yorkshire",
    "North Yorkshire",
    "North Eart Lincolnshire",
    "North Lincolnshire",
    "St. Helens",
    "Saint Helens",
    "Ståvanger",
    "O'Brien's Town",
    "  ",
    "",
    False,
]


@tagged("post_install", "-at_install")
class TestNormalizedColumns(SegmentCase):
    """The stored normalised columns of the contacts (res.partner
    NORMALIZED_COMPANIONS) and the indexed path of the fuzzy criteria that
    reads them must give the same contacts as the expression on the raw
    column."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.town = "NormTown"
        cls.partners = cls.Partner.create(
            [
                {
                    "name": f"Norm {index}",
                    "comment": cls.town,
                    "street2": value,
                    "mrm_county": value,
                    "city": value,
                }
                for index, value in enumerate(TRICKY)
            ]
        )

    def _ids(self, line, **context):
        segment = self.Segment.with_context(**context).create(
            {
                "name": "Norm",
                "domain": f"[('comment', '=', '{self.town}')]",
                "criterion_ids": [(0, 0, line)],
            }
        )
        ids = set(segment._get_partner_ids())
        condition = segment.criterion_ids._get_condition_sql("res_partner")
        return ids, condition.code

    def _stale_rows(self):
        """Rows of the whole table whose companion differs from the SQL
        normalisation with the active abbreviations."""
        abbreviations = self.env["crm.match.abbreviation"]._get_abbreviation_map()
        self.env["res.partner"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM res_partner WHERE %s",
                SQL(" OR ").join(
                    SQL(
                        "%s IS DISTINCT FROM %s",
                        SQL.identifier(companion),
                        sql_normalized(SQL.identifier(source), abbreviations),
                    )
                    for source, companion in NORMALIZED_COMPANIONS.items()
                ),
            )
        )
        return self.env.cr.fetchone()[0]

    def test_stored_equals_python_and_sql(self):
        abbreviations = self.env["crm.match.abbreviation"]._get_abbreviation_map()
        self.assertIn("st", abbreviations, "the default abbreviations are loaded")
        saint = self.partners[TRICKY.index("St. Helens")]
        self.assertEqual(saint.mrm_norm_county, "helens saint")
        for partner, value in zip(self.partners, TRICKY, strict=True):
            expected = normalize_text(value, abbreviations) if value else value
            for companion in NORMALIZED_COMPANIONS.values():
                self.assertEqual(partner[companion] or "", expected or "", value)
        # the whole table (install fill, ORM writes) agrees with the SQL twin
        self.assertEqual(self._stale_rows(), 0)
        self.assertTrue(self.Partner._mrm_normalized_columns_ready())

    def test_stored_path_equals_expression_path(self):
        lines = []
        for field_name in NORMALIZED_COMPANIONS:
            for value in ("South Yorkshire", "North East Lincolnshire", "St Helens"):
                for threshold in (0.3, 0.5, 0.6, 0.8, 1.0):
                    lines.append(
                        {
                            "field_name": field_name,
                            "operator": "similar",
                            "value": value,
                            "threshold": threshold,
                        }
                    )
            lines.append(
                {
                    "field_name": field_name,
                    "operator": "normalized",
                    "value": "South Yorkshire; saint helens; Stavanger",
                }
            )
        matched = 0
        for line in lines:
            expression, expression_sql = self._ids(line, mrm_no_normalized_columns=True)
            companion = NORMALIZED_COMPANIONS[line["field_name"]]
            self.assertNotIn(companion, expression_sql)
            self.assertIn("mrm_normalize_text", expression_sql)
            for path, marker in (("trigram", "%%"), ("values", "WITH RECURSIVE")):
                stored, stored_sql = self._ids(line, mrm_similar_path=path)
                self.assertIn(companion, stored_sql, "the indexed column is used")
                if line["operator"] == "similar":
                    self.assertIn(marker, stored_sql)
                self.assertEqual(stored, expression, (path, line))
            matched += bool(stored)
        south = set(self.partners[:3].ids)
        ids, _sql = self._ids(
            {
                "field_name": "mrm_county",
                "operator": "similar",
                "value": "South Yorkshire",
                "threshold": 0.6,
            }
        )
        self.assertEqual(ids, south)
        self.assertGreater(matched, len(lines) // 2)

    def test_abbreviation_change_refills_set_wise(self):
        sth = self.partners[TRICKY.index("Sthn Yorkshire")]
        line = {
            "field_name": "city",
            "operator": "normalized",
            "value": "South Yorkshire",
        }
        self.assertNotIn(sth.id, self._ids(line)[0])
        queries_before = self.env.cr.sql_log_count
        self.env["crm.match.abbreviation"].create(
            {"name": "sthn", "expansion": "south"}
        )
        # a handful of queries whatever the number of contacts: one UPDATE
        self.assertLess(self.env.cr.sql_log_count - queries_before, 20)
        self.assertEqual(sth.mrm_norm_city, "south yorkshire")
        self.assertEqual(self._stale_rows(), 0)
        self.assertTrue(self.Partner._mrm_normalized_columns_ready())
        ids, code = self._ids(line)
        self.assertIn("mrm_norm_city", code)
        self.assertEqual(ids, set(self.partners[:4].ids))
        # nothing left to refresh
        self.assertEqual(self.Partner._mrm_refresh_normalized(force=True), 0)

    def test_stale_columns_fall_back_to_expression(self):
        self.env["ir.config_parameter"].sudo().set_param(NORMALIZED_PARAM, "stale")
        self.assertFalse(self.Partner._mrm_normalized_columns_ready())
        ids, code = self._ids(
            {
                "field_name": "mrm_county",
                "operator": "similar",
                "value": "South Yorkshire",
                "threshold": 0.6,
            }
        )
        self.assertNotIn("mrm_norm_county", code)
        self.assertEqual(ids, set(self.partners[:3].ids))

    def test_bulk_sql_rows_are_filled_in_one_update(self):
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET mrm_norm_street2 = NULL WHERE id = ANY(%s)",
                self.partners.ids,
            )
        )
        self.Partner.invalidate_model(["mrm_norm_street2"])
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM res_partner"
                " WHERE id = ANY(%s) AND street2 IS NOT NULL",
                self.partners.ids,
            )
        )
        expected = self.env.cr.fetchone()[0]
        self.assertGreaterEqual(expected, len(TRICKY) - 3)
        filled = self.Partner._mrm_refresh_normalized()
        self.assertEqual(filled, expected, "only the emptied rows are written")
        self.assertEqual(self._stale_rows(), 0)

    def test_indexes_exist(self):
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'res_partner'"
        )
        definitions = " ".join(row[0] for row in self.env.cr.fetchall())
        for companion in NORMALIZED_COMPANIONS.values():
            self.assertIn(f"({companion} gin_trgm_ops)", definitions)
            self.assertIn(f"btree ({companion})", definitions)

    def test_set_criterion_is_inline(self):
        with_email = self.partners[:2]
        with_email.write({"email": "norm@example.com"})
        segment = self.Segment.create(
            {
                "name": "Norm e-mail",
                "domain": f"[('comment', '=', '{self.town}')]",
                "criterion_ids": [(0, 0, {"field_name": "email", "operator": "set"})],
            }
        )
        code = segment.criterion_ids._get_condition_sql("res_partner").code
        self.assertNotIn("SELECT", code, "no sub-select of the whole table")
        self.assertEqual(set(segment._get_partner_ids()), set(with_email.ids))
        segment.criterion_ids.operator = "not set"
        self.assertEqual(
            set(segment._get_partner_ids()), set((self.partners - with_email).ids)
        )
