# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The SQL side of the matchers against the real database: the immutable
functions agree with their Python twins, and criterion lines of the mixin
filter leads as documented."""

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.crm_lead_routing.matching import (
    SQL_FUNCTIONS,
    normalize_phone,
    normalize_postcode,
    normalize_text,
    sql_normalized_in,
    sql_prefix_in,
    sql_similar,
)

TRICKY_TEXTS = [
    "Yorkshire, South",
    "South Yorkshire",
    "St. Stephens",
    "St Stephen's",
    "Saint  Stephens",
    "Zürich",
    "Crème Brûlée",
    "Straße",
    "Ærø",
    "North-East  Lincolnshire",
    "The High Rd.",
    "O’Brien & Sons Ltd",
    "  ",
    "123 Main St",
]
TRICKY_POSTCODES = ["ls1 4ap", "LS14AP", "EC1A1BB", " w1a-0ax ", "75008", "D02 X285"]
TRICKY_PHONES = [
    "+44 113 496 0000",
    "0044 113 496 0000",
    "+44 (0)113 496 0000",
    "(0113) 496-0000",
    "+33 1 23 45 67 89",
    "0033 1 23 45 67 89",
    "  +44 20 7946 0000",
    "n/a",
]


@tagged("post_install", "-at_install")
class TestMatchingSql(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        gb = cls.env.ref("base.uk")
        cls.env.company.country_id = gb
        State = cls.env["res.country.state"]
        cls.state_south_yorks = State.create(
            {"name": "Yorkshire, South", "code": "MRMSY", "country_id": gb.id}
        )
        cls.state_nel = State.create(
            {"name": "North Eart Lincolnshire", "code": "MRMNEL", "country_id": gb.id}
        )
        cls.state_nl = State.create(
            {"name": "North Lincolnshire", "code": "MRMNL", "country_id": gb.id}
        )
        Lead = cls.env["crm.lead"]
        cls.lead_sheffield = Lead.create(
            {
                "name": "Sheffield",
                "city": "Sheffield",
                "state_id": cls.state_south_yorks.id,
                "zip": "s1 2hh",
                "phone": "+44 114 496 0000",
            }
        )
        cls.lead_grimsby = Lead.create(
            {
                "name": "Grimsby",
                "city": "Grimsby",
                "state_id": cls.state_nel.id,
                "zip": "DN31 1HU",
                "phone": "0044 (0)1472 000000",
            }
        )
        cls.lead_scunthorpe = Lead.create(
            {
                "name": "Scunthorpe",
                "city": "Scunthorpe",
                "state_id": cls.state_nl.id,
                "zip": "DN15 6NL",
                "phone": "01724 000000",
            }
        )
        cls.lead_leeds = Lead.create(
            {
                "name": "Leeds",
                "city": "St. Stephens",
                "zip": "LS1 4AP",
                "phone": "(0113) 496 0000",
            }
        )
        cls.lead_leeds14 = Lead.create(
            {
                "name": "Leeds 14",
                "city": "Seacroft",
                "zip": "LS14 1AA",
                "phone": "+33 1 2345",
            }
        )
        cls.leads = (
            cls.lead_sheffield
            | cls.lead_grimsby
            | cls.lead_scunthorpe
            | cls.lead_leeds
            | cls.lead_leeds14
        )
        cls.abbreviations = cls.env["crm.match.abbreviation"]._get_abbreviation_map()

    # helpers

    def _matching(self, condition):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT crm_lead.id FROM crm_lead WHERE crm_lead.id = ANY(%s) AND %s",
                self.leads.ids,
                condition,
            )
        )
        return self.env["crm.lead"].browse(sorted(r[0] for r in self.env.cr.fetchall()))

    def _line(self, **vals):
        return self.env["crm.routing.rule.criterion"].new(vals)

    def _select(self, expression, *params):
        self.env.cr.execute(SQL(expression, *params))
        return self.env.cr.fetchone()[0]

    # the functions

    def test_extensions_and_immutable_functions(self):
        self.env.cr.execute(
            "SELECT extname FROM pg_extension WHERE extname IN ('unaccent', 'pg_trgm')"
        )
        self.assertEqual(
            {r[0] for r in self.env.cr.fetchall()}, {"unaccent", "pg_trgm"}
        )
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT provolatile FROM pg_proc WHERE proname = ANY(%s)",
                list(SQL_FUNCTIONS),
            )
        )
        self.assertEqual([r[0] for r in self.env.cr.fetchall()], ["i"])
        # immutable, hence usable in a functional trigram index
        self.env.cr.execute(
            "CREATE INDEX mrm_test_city_trgm ON crm_lead "
            "USING gin (mrm_normalize_text(city) gin_trgm_ops)"
        )

    def test_sql_twins_agree_with_python(self):
        keys = sorted(self.abbreviations)
        expansions = [" ".join(self.abbreviations[k]) for k in keys]
        for text in TRICKY_TEXTS:
            with self.subTest(text=text):
                self.assertEqual(
                    self._select("SELECT mrm_normalize_text(%s)", text),
                    normalize_text(text),
                )
                self.assertEqual(
                    self._select(
                        "SELECT mrm_normalize_text(%s, %s::text[], %s::text[])",
                        text,
                        keys,
                        expansions,
                    ),
                    normalize_text(text, self.abbreviations),
                )
        for postcode in TRICKY_POSTCODES:
            with self.subTest(postcode=postcode):
                self.assertEqual(
                    self._select("SELECT mrm_normalize_postcode(%s)", postcode),
                    normalize_postcode(postcode),
                )
        for phone in TRICKY_PHONES:
            with self.subTest(phone=phone):
                self.assertEqual(
                    self._select("SELECT mrm_normalize_phone(%s, '44')", phone),
                    normalize_phone(phone),
                )

    # the builders

    def test_builders(self):
        city = SQL.identifier("crm_lead", "city")
        zip_code = SQL.identifier("crm_lead", "zip")
        phone = SQL.identifier("crm_lead", "phone")
        self.assertEqual(
            self._matching(
                sql_normalized_in(city, ["Saint Stephens"], self.abbreviations)
            ),
            self.lead_leeds,
        )
        # without the abbreviations "St." is not "Saint"
        self.assertFalse(self._matching(sql_normalized_in(city, ["Saint Stephens"])))
        self.assertEqual(
            self._matching(sql_similar(city, "Sheffeild", 0.3)), self.lead_sheffield
        )
        self.assertFalse(self._matching(sql_similar(city, "Sheffeild", 0.9)))
        self.assertEqual(
            self._matching(sql_prefix_in(zip_code, "LS1", "postcode")), self.lead_leeds
        )
        self.assertEqual(
            self._matching(sql_prefix_in(zip_code, "LS", "postcode")),
            self.lead_leeds | self.lead_leeds14,
        )
        self.assertEqual(
            self._matching(sql_prefix_in(zip_code, "DN30-DN32; s", "postcode")),
            self.lead_grimsby | self.lead_sheffield,
        )
        self.assertEqual(
            self._matching(sql_prefix_in(phone, "+44 113; 0044 1472", "phone")),
            self.lead_leeds | self.lead_grimsby,
        )
        self.assertEqual(
            self._matching(sql_prefix_in(phone, "0113-0114", "phone")),
            self.lead_leeds | self.lead_sheffield,
        )
        self.assertEqual(
            self._matching(sql_normalized_in(city, [])), self.env["crm.lead"]
        )

    # the mixin's lines

    def test_line_normalized_on_many2one(self):
        line = self._line(
            field_name="state_id", operator="normalized", value="South Yorkshire"
        )
        self.assertEqual(
            self._matching(line._get_condition_sql("crm_lead")), self.lead_sheffield
        )

    def test_line_similar_misspelling(self):
        line = self._line(
            field_name="state_id.name",
            operator="similar",
            value="North East Lincolnshire",
            threshold=0.6,
        )
        # the misspelled county is caught; "North Lincolnshire" is not
        self.assertEqual(
            self._matching(line._get_condition_sql("crm_lead")), self.lead_grimsby
        )

    def test_line_alias_list(self):
        alias_list = self.env["crm.match.alias.list"].create(
            {
                "name": "South Yorkshire",
                "line_ids": [
                    (0, 0, {"name": "S. Yorks"}),
                    (0, 0, {"name": "Sth Yorkshire"}),
                ],
            }
        )
        self.assertEqual(alias_list.line_ids[0].normalized, "south yorkshire")
        line = self._line(
            field_name="state_id",
            operator="alias",
            alias_list_id=alias_list.id,
            threshold=1.0,
        )
        self.assertEqual(
            self._matching(line._get_condition_sql("crm_lead")), self.lead_sheffield
        )

    def test_line_phone_and_postcode_prefix(self):
        phone = self._line(field_name="phone", operator="prefix", value="+44 (0)114")
        self.assertEqual(
            self._matching(phone._get_condition_sql("crm_lead")), self.lead_sheffield
        )
        postcode = self._line(field_name="zip", operator="prefix", value="LS1")
        self.assertEqual(
            self._matching(postcode._get_condition_sql("crm_lead")), self.lead_leeds
        )

    def test_line_odoo_operators(self):
        cases = [
            (dict(field_name="city", operator="=", value="Grimsby"), self.lead_grimsby),
            (
                dict(field_name="city", operator="ilike", value="thorp"),
                self.lead_scunthorpe,
            ),
            (
                dict(field_name="city", operator="in", value="Grimsby;Sheffield"),
                self.lead_grimsby | self.lead_sheffield,
            ),
            (
                dict(field_name="state_id", operator="not set"),
                self.lead_leeds | self.lead_leeds14,
            ),
            (
                dict(field_name="state_id.code", operator="=", value="MRMNL"),
                self.lead_scunthorpe,
            ),
        ]
        for vals, expected in cases:
            with self.subTest(**vals):
                line = self._line(**vals)
                self.assertEqual(
                    self._matching(line._get_condition_sql("crm_lead")), expected
                )

    def test_groups_and_or(self):
        Line = self.env["crm.routing.rule.criterion"]
        lines = Line.new(
            {"group": 1, "field_name": "zip", "operator": "prefix", "value": "LS"}
        )
        lines |= Line.new(
            {
                "group": 1,
                "field_name": "city",
                "operator": "normalized",
                "value": "Saint Stephens",
            }
        )
        lines |= Line.new(
            {"group": 2, "field_name": "city", "operator": "=", "value": "Grimsby"}
        )
        # (LS and St Stephens) or Grimsby
        self.assertEqual(
            self._matching(lines._get_criteria_sql("crm_lead")),
            self.lead_leeds | self.lead_grimsby,
        )
        self.assertEqual(Line._get_criteria_sql("crm_lead").code, "TRUE")

    def test_validation(self):
        bad = [
            dict(field_name="no_such_field", operator="=", value="x"),
            dict(field_name="city.name", operator="=", value="x"),
            dict(field_name="city", operator="similar", value="x", threshold=0),
            dict(field_name="city", operator="similar", value="x", threshold=1.5),
            dict(field_name="city", operator="similar", value="x", threshold=-0.2),
            dict(field_name="city", operator="alias"),
            dict(field_name="city", operator="normalized", value=""),
            dict(field_name="expected_revenue", operator="normalized", value="10"),
            dict(field_name="zip", operator="prefix", value="LS9-LS1"),
            dict(field_name="expected_revenue", operator=">", value="ten"),
        ]
        for vals in bad:
            with self.subTest(**vals), self.assertRaises(ValidationError):
                self._line(**vals)._check_criterion()
