# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from decimal import Decimal

from odoo.tests import TransactionCase, tagged

from ..routing import pg_array


@tagged("post_install", "-at_install")
class TestPgArray(TransactionCase):
    def test_literal_reads_back_as_the_values(self):
        """The text literal gives PostgreSQL the same array as psycopg2's
        ARRAY[...] of the same list, quotes, backslashes and NULLs included."""
        cases = [
            ([1, None, 3, -7], "int[]"),
            (
                ["a", 'b"c', "d\\e", None, "NULL", "", " x ", "{,}", "é", "l'x"],
                "text[]",
            ),
            # texts without NULL (explanations, states): escaped all at once
            (["a", 'b"c', "d\\e", "", "{,}", " x ", "NULL", 'e\\"', "a"], "text[]"),
            ([""], "text[]"),
            ([True, False, None], "bool[]"),
            ([1.5, 0.1, None, 1e20, 1 / 3], "float8[]"),
            (["12.30", None, Decimal("1.005")], "numeric[]"),
            ([datetime.datetime(2026, 1, 2, 3, 4, 5, 678), None], "timestamp[]"),
            ([datetime.date(2026, 1, 2)], "date[]"),
            ([], "int[]"),
        ]
        for values, sql_type in cases:
            self.env.cr.execute(
                f"SELECT %s::{sql_type}, %s::{sql_type}, "
                f"%s::{sql_type} IS NOT DISTINCT FROM %s::{sql_type}",
                [pg_array(values), values, pg_array(values), values],
            )
            read, expected, same = self.env.cr.fetchone()
            self.assertTrue(same, (values, sql_type))
            self.assertEqual(read, expected, sql_type)
            self.assertEqual(len(read), len(values))
        # generators are read once
        self.assertEqual(pg_array(i * 2 for i in range(3)), "{0,2,4}")
