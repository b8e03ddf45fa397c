# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSegmentUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="mrm_rpc_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.marketer = new_test_user(
            cls.env,
            login="mrm_rpc_marketer",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        cls.segment = cls.env["marketing.segment"].create({"name": "RPC shared"})
        cls.private = cls.env["marketing.segment"].create(
            {
                "name": "RPC private",
                "visibility": "private",
                "user_id": cls.env.ref("base.user_admin").id,
            }
        )

    def _rpc(self, login, model, method, *args, **kwargs):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, login, model, method, list(args), kwargs
        )

    def test_rpc_access(self):
        for method, args in (
            ("search_read", ([],)),
            ("read", ([self.segment.id], ["name"])),
            ("write", ([self.segment.id], {"name": "hacked"})),
            ("create", ({"name": "new"},)),
        ):
            with self.subTest(method=method), self.assertRaises(Fault) as caught:
                self._rpc("mrm_rpc_salesman", "marketing.segment", method, *args)
            self.assertIn("not allowed", caught.exception.faultString)
        self.assertEqual(self.segment.name, "RPC shared")
        found = self._rpc(
            "mrm_rpc_marketer",
            "marketing.segment",
            "search_read",
            [("id", "in", [self.segment.id, self.private.id])],
            fields=["name"],
        )
        self.assertEqual([row["name"] for row in found], ["RPC shared"])
        with self.assertRaises(Fault):
            self._rpc(
                "mrm_rpc_marketer",
                "marketing.segment",
                "read",
                [self.private.id],
                ["name"],
            )

    def test_tour_build_segment(self):
        counties = [
            "Yorkshire, South",
            "SOUTH YORKSHIRE",
            "Sout Yorkshire",
            "Kent",
            "Lincolnshire",
            "Cornwall",
        ]
        uk, ireland = self.env.ref("base.uk"), self.env.ref("base.ie")
        self.env["res.partner"].create(
            [
                {
                    "name": f"Tour contact {i}",
                    "ref": "tour-mrm",
                    "mrm_county": county,
                    "email": f"tour{i}@example.com",
                    # one South Yorkshire spelling lives in Ireland
                    "country_id": (ireland if county == "Sout Yorkshire" else uk).id,
                }
                for i, county in enumerate(counties)
            ]
        )
        self.start_tour("/odoo", "marketing_segment_tour", login="admin")
        segment = self.env["marketing.segment"].search(
            [("name", "=", "Tour South Yorkshire")]
        )
        # the fields were picked by their labels; the paths are stored
        self.assertEqual(
            segment.criterion_ids.sorted("id").mapped("field_name"),
            ["ref", "mrm_county", "country_id.name"],
        )
        self.assertEqual(
            segment.criterion_ids.sorted("id")[-1].display_name,
            "Country > Country Name is (normalised) 'United Kingdom'",
        )
        self.assertEqual(segment._get_count(), 2)
        self.assertEqual(segment.contact_count, 2)
