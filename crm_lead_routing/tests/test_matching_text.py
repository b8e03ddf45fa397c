# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unit tests of the pure-Python matchers (no database)."""

from odoo.tests import BaseCase, tagged

from odoo.addons.crm_lead_routing.matching import (
    expand_prefix_ranges,
    normalize_phone,
    normalize_postcode,
    normalize_text,
    postcode_matches_prefix,
    prepare_abbreviations,
    split_values,
)

ABBREVIATIONS = {"st": "saint", "rd": "road", "the": "", "yorks": "yorkshire"}


@tagged("post_install", "-at_install")
class TestMatchingText(BaseCase):
    """The pure-Python matchers, without a database: run by Odoo's test
    runner and by pytest."""

    def test_normalize_text_equal(self):
        for left, right in [
            ("Yorkshire, South", "South Yorkshire"),
            ("SOUTH   yorkshire", "south-yorkshire"),
            ("St. Stephens", "Saint Stephens"),
            ("St Stephen's", "saint stephens"),
            ("Zürich", "zurich"),
            ("Crème Brûlée", "creme brulee"),
            ("Straße", "strasse"),
            ("Ærø Ø", "aero o"),
            ("The High Rd.", "high road"),
            ("S. Yorks", "yorks s"),
            ("Lincoln Lincoln", "lincoln"),
        ]:
            with self.subTest(left=left, right=right):
                assert normalize_text(left, ABBREVIATIONS) == normalize_text(
                    right, ABBREVIATIONS
                )

    def test_normalize_text_different(self):
        for left, right in [
            ("North East Lincolnshire", "North Lincolnshire"),
            ("North Eart Lincolnshire", "North East Lincolnshire"),
            ("Stephens", "Saint Stephens"),
        ]:
            with self.subTest(left=left, right=right):
                assert normalize_text(left, ABBREVIATIONS) != normalize_text(
                    right, ABBREVIATIONS
                )

    def test_normalize_text_values(self):
        assert normalize_text("Yorkshire, South") == "south yorkshire"
        assert normalize_text("St. Stephens", {"st": "saint"}) == "saint stephens"
        assert normalize_text(None) == ""
        assert normalize_text(False) == ""
        assert normalize_text("  ,.;  ") == ""
        assert normalize_text("St. Stephens") == "st stephens"
        assert normalize_text("The Crescent", {"the": ""}) == "crescent"

    def test_prepare_abbreviations(self):
        assert prepare_abbreviations(
            {"St.": "Saint", "Rd": "Road ", "two words": "x"}
        ) == {"st": ("saint",), "rd": ("road",)}
        prepared = prepare_abbreviations({"nel": "North-East Lincolnshire"})
        assert normalize_text("NEL", prepared) == "east lincolnshire north"

    def test_normalize_postcode(self):
        for value, expected in [
            ("ls1 4ap", "LS1 4AP"),
            ("LS14AP", "LS1 4AP"),
            (" ls1-4ap ", "LS1 4AP"),
            ("EC1A1BB", "EC1A 1BB"),
            ("W1A 0AX", "W1A 0AX"),
            ("75008", "75008"),
            ("D02 X285", "D02X285"),
            ("", ""),
            (None, ""),
        ]:
            with self.subTest(value=value, expected=expected):
                assert normalize_postcode(value) == expected

    def test_normalize_phone(self):
        for value, expected in [
            ("+44 113 496 0000", "01134960000"),
            ("0044 113 496 0000", "01134960000"),
            ("+44 (0)113 496 0000", "01134960000"),
            ("(0113) 496-0000", "01134960000"),
            ("0113 4960000", "01134960000"),
            ("+33 1 23 45 67 89", "+33123456789"),
            ("0033 1 23 45 67 89", "+33123456789"),
            ("  +44 20 7946 0000", "02079460000"),
            ("", ""),
            (None, ""),
        ]:
            with self.subTest(value=value, expected=expected):
                assert normalize_phone(value) == expected

    def test_normalize_phone_other_country(self):
        assert (
            normalize_phone("+44 (0)113 496 0000", country_code="1") == "+441134960000"
        )
        assert normalize_phone("0044 113 496 0000", country_code="1") == "+441134960000"
        assert normalize_phone("+353 1 234 5678", country_code="353") == "012345678"
        assert (
            normalize_phone("+44 113 496 0000", country_code="353") == "+441134960000"
        )

    def test_split_values_keeps_commas(self):
        assert split_values("Yorkshire, South; Leeds\nBradford;;") == [
            "Yorkshire, South",
            "Leeds",
            "Bradford",
        ]
        assert split_values(False) == []

    def test_expand_prefix_ranges(self):
        assert expand_prefix_ranges("LS1-LS3; bd", "postcode") == [
            "LS1",
            "LS2",
            "LS3",
            "BD",
        ]
        assert expand_prefix_ranges("0113-0115", "phone") == ["0113", "0114", "0115"]
        assert expand_prefix_ranges("LS1, BD1,S", "postcode") == ["LS1", "BD1", "S"]
        assert expand_prefix_ranges("+44 113; 0044 114; (0115)", "phone") == [
            "0113",
            "0114",
            "0115",
        ]
        assert expand_prefix_ranges("ls1 4", "postcode") == ["LS1 4"]
        with self.assertRaises(ValueError):
            expand_prefix_ranges("LS9-LS1", "postcode")
        with self.assertRaises(ValueError):
            expand_prefix_ranges("LS1-BD3", "postcode")
        with self.assertRaises(ValueError):
            expand_prefix_ranges("1-99999", "phone")
        with self.assertRaises(ValueError):
            expand_prefix_ranges("LS1-", "postcode")

    def test_postcode_matches_prefix(self):
        for postcode, prefix, expected in [
            ("LS1 4AP", "LS1", True),
            ("LS14 1AA", "LS1", False),
            ("LS14 1AA", "LS", True),
            ("L1 8JQ", "L", True),
            ("LS1 4AP", "L", False),
            ("EC1A 1BB", "EC1", True),
            ("LS1 4AP", "LS1 4", True),
            ("LS1 5AP", "LS1 4", False),
            ("LS1", "LS1", True),
            ("", "LS1", False),
        ]:
            with self.subTest(postcode=postcode, prefix=prefix, expected=expected):
                assert postcode_matches_prefix(postcode, prefix) is expected
