# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unit tests of the pure modules (no database)."""

import io
import math

from odoo.tests import BaseCase

from ..tools import clustering, contact_import, scoring


class TestScoring(BaseCase):
    def test_feature_vector(self):
        self.assertEqual(scoring.feature_vector(None, 0, 0), [3650, 0.0, 0.0])
        self.assertEqual(scoring.feature_vector(10, 3, math.e - 1)[:2], [10.0, 3.0])
        self.assertAlmostEqual(scoring.feature_vector(10, 3, math.e - 1)[2], 1.0)
        self.assertEqual(scoring.feature_vector(99999, 1, -5)[0], 3650)
        self.assertEqual(scoring.feature_vector(99999, 1, -5)[2], 0.0)

    def test_train_predict(self):
        features = [[5 + i, 20, 9] for i in range(6)] + [
            [700 + i, 1, 3] for i in range(6)
        ]
        labels = [1] * 6 + [0] * 6
        model = scoring.train(features, labels)
        high, low = scoring.predict(model, [[8, 18, 9], [650, 1, 3]])
        self.assertGreater(high, 0.6)
        self.assertLess(low, 0.4)
        with self.assertRaises(ValueError):
            scoring.train(features, [1] * 12)


class TestClustering(BaseCase):
    def test_split_and_nearest(self):
        rows = [[5, 20, 9]] * 4 + [[700, 1, 3]] * 4
        rows = [[r[0] + i, r[1], r[2]] for i, r in enumerate(rows)]
        labels, model = clustering.kmeans_split(rows, 2)
        self.assertEqual(labels, [0, 0, 0, 0, 1, 1, 1, 1], "cluster 0 = most recent")
        self.assertEqual(clustering.nearest_cluster(model, [3, 25, 9]), 0)
        self.assertEqual(clustering.nearest_cluster(model, [900, 0, 2]), 1)
        profiles = clustering.profiles(rows, labels, 2)
        self.assertEqual([p["size"] for p in profiles], [4, 4])
        self.assertAlmostEqual(profiles[0]["recency"], 6.5)
        # deterministic
        self.assertEqual(clustering.kmeans_split(rows, 2), (labels, model))

    def test_bad_k(self):
        with self.assertRaises(ValueError):
            clustering.kmeans_split([[1, 2, 3]] * 5, 1)
        with self.assertRaises(ValueError):
            clustering.kmeans_split([[1, 2, 3]] * 2, 3)


class TestContactImport(BaseCase):
    CSV = (
        b"first_name,last_name,company_name,address,city,county,postal,phone1,phone2,email\r\n"
        b"Ann,Able,Able Ltd,1 A St,Leeds,West Yorkshire,LS1 1AA,0113 245 0001,,"
        b"ann@able.example\r\n"
        b"Bob,Best,,2 B St,Leeds,,LS2 2BB,+44 113 245 0002,,\r\n"
        b",,,3 C St,Leeds,,LS3 3CC,0113 245 0003,,c@c.example\r\n"
        b"Dan,Dup,,,,,,,,ann@able.example\r\n"
        b"Eve,Bad,,,,,,,,not-an-email\r\n"
        b"Fay,Nophone,,,,,,,,\r\n"
        b"Gus,Short,,,,,,12,,\r\n"
        b"Hal,Known,Known Co,,,,,,,\r\n"
    )

    def test_read_csv_and_xlsx(self):
        rows = contact_import.read_rows(self.CSV, "list.csv")
        self.assertEqual(rows[0][0], 2)
        self.assertEqual(rows[0][1]["zip"], "LS1 1AA")
        self.assertEqual(rows[0][1]["company"], "Able Ltd")
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["Name", "E-mail", "Phone"])
        sheet.append(["Xavier X", "x@x.example", "0113 245 0009"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        rows = contact_import.read_rows(buffer.getvalue(), "list.xlsx")
        self.assertEqual(
            rows,
            [
                (
                    2,
                    {
                        "name": "Xavier X",
                        "email": "x@x.example",
                        "phone": "0113 245 0009",
                    },
                )
            ],
        )

    def test_unreadable(self):
        for data, name in (
            (b"", "a.csv"),
            (b"x", "a.pdf"),
            (b"PK\x03\x04garbage", "a.xlsx"),
            (b"foo,bar\n1,2\n", "a.csv"),
        ):
            with (
                self.subTest(name=name),
                self.assertRaises(contact_import.ImportFileError),
            ):
                contact_import.read_rows(data, name)

    def test_plan(self):
        rows = contact_import.read_rows(self.CSV, "list.csv")
        plan = contact_import.plan_import(
            rows,
            by_email={},
            by_phone={"132450002": 42},
            by_name_company={("hal known", "known co"): 7},
        )
        by_row = {item["row"]: item for item in plan}
        self.assertEqual(by_row[2]["status"], "created")
        self.assertEqual(
            (by_row[3]["status"], by_row[3]["partner_id"]), ("matched", 42)
        )
        self.assertIn("phone", by_row[3]["reason"])
        self.assertEqual(by_row[4]["status"], "rejected")
        self.assertIn("no name", by_row[4]["reason"])
        self.assertIn("duplicate of row 2", by_row[5]["reason"])
        self.assertIn("invalid e-mail", by_row[6]["reason"])
        self.assertIn("no e-mail and no phone", by_row[7]["reason"])
        self.assertIn("invalid phone", by_row[8]["reason"])
        self.assertEqual(by_row[9]["status"], "rejected")  # no e-mail/phone

    def test_match_priority(self):
        rows = [
            (
                2,
                {
                    "name": "Ann Able",
                    "company": "Able Ltd",
                    "email": "ANN@able.example",
                    "phone": "0113 245 0001",
                },
            )
        ]
        plan = contact_import.plan_import(
            rows,
            {"ann@able.example": 1},
            {"132450001": 2},
            {("ann able", "able ltd"): 3},
        )
        self.assertEqual(
            (plan[0]["partner_id"], plan[0]["reason"]), (1, "matched by e-mail")
        )
        plan = contact_import.plan_import(
            rows, {}, {"132450001": 2}, {("ann able", "able ltd"): 3}
        )
        self.assertEqual(plan[0]["partner_id"], 2)
        rows[0][1]["phone"] = ""
        plan = contact_import.plan_import(rows, {}, {}, {("ann able", "able ltd"): 3})
        self.assertEqual(plan[0]["partner_id"], 3)
