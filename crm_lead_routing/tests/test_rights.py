# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Distributed rights (edit / read only / hidden) enforced over RPC, under
both conflict policies."""

import xmlrpc.client

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import DISABLED_MAIL_CONTEXT

ACCESS_ERROR = 4  # odoo.addons.base.controllers.rpc.RPC_FAULT_CODE_ACCESS_ERROR


class RightsCommon(HttpCase):
    # the policy is set before any request: the HTTP worker then reads it
    # like any other setting
    POLICY = "restrictive"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.env["ir.config_parameter"].sudo().set_param(
            "crm_lead_routing.conflict_policy", cls.POLICY
        )
        cls.env["crm.routing.rule"].search([]).write({"active": False})
        cls.env.company.country_id = cls.env.ref("base.uk")
        salesman = "sales_team.group_sale_salesman"
        # new_test_user pads short passwords: give them explicitly
        cls.alice = new_test_user(
            cls.env, "rr_alice", groups=salesman, name="Alice", password="rr_alice"
        )
        cls.bob = new_test_user(
            cls.env, "rr_bob", groups=salesman, name="Bob", password="rr_bob"
        )
        cls.rule = cls.env["crm.routing.rule"].create(
            {
                "name": "Scoped",
                "assignee_ids": [
                    (
                        0,
                        0,
                        {
                            "user_id": cls.alice.id,
                            "scope_contact": "edit",
                            "scope_company": "read",
                            "scope_requirement": "hidden",
                        },
                    )
                ],
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Scoped lead",
                "phone": "0113 000",
                "city": "Leeds",
                "expected_revenue": 5000,
                "description": "<p>Budget approved</p>",
            }
        )
        # Bob executes too, with full rights, though the lead is Alice's:
        # crm's "Personal Leads" record rule keeps him out administratively
        cls.env["crm.lead.assignment"].create(
            {"lead_id": cls.lead.id, "user_id": cls.bob.id, "reason": "help"}
        )

    def _rpc(self, user, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            user.id,
            user.login,
            "crm.lead",
            method,
            list(args),
            kwargs,
        )

    def _assert_refused(self, user, method, *args, **kwargs):
        with (
            self.assertRaises(xmlrpc.client.Fault) as cm,
            mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"),
        ):
            self._rpc(user, method, *args, **kwargs)
        self.assertEqual(cm.exception.faultCode, ACCESS_ERROR, cm.exception.faultString)


@tagged("post_install", "-at_install")
class TestRightsRestrictive(RightsCommon):
    POLICY = "restrictive"

    def test_scopes_over_rpc(self):
        self.assertEqual(self.lead.user_id, self.alice)
        # edit: contact data
        self._rpc(self.alice, "write", [self.lead.id], {"phone": "0113 999"})
        self.assertEqual(self.lead.phone, "0113 999")
        # read only: company data
        self._assert_refused(self.alice, "write", [self.lead.id], {"city": "York"})
        values = self._rpc(
            self.alice,
            "read",
            [self.lead.id],
            ["city", "expected_revenue", "description"],
        )
        self.assertEqual(values[0]["city"], "Leeds")
        # hidden: requirement data, neither readable nor writable
        self.assertFalse(values[0]["expected_revenue"])
        self.assertFalse(values[0]["description"])
        searched = self._rpc(
            self.alice,
            "search_read",
            [("id", "=", self.lead.id)],
            fields=["expected_revenue"],
        )
        self.assertFalse(searched[0]["expected_revenue"])
        self._assert_refused(
            self.alice, "write", [self.lead.id], {"expected_revenue": 1}
        )
        self.assertEqual(self.lead.city, "Leeds")
        self.assertEqual(self.lead.expected_revenue, 5000)
        # the same through the ORM as the user, and the web client's path
        with self.assertRaises(AccessError):
            self.lead.with_user(self.alice).write({"street": "1 Main St"})
        web = self.lead.with_user(self.alice).web_read({"expected_revenue": {}})
        self.assertFalse(web[0]["expected_revenue"])
        # nor through an export
        self.alice.groups_id |= self.env.ref("base.group_allow_export")
        with self.assertRaises(AccessError):
            self.lead.with_user(self.alice).export_data(["name", "expected_revenue"])
        exported = self.lead.with_user(self.alice).export_data(["name", "phone"])
        self.assertEqual(exported["datas"][0][0], "Scoped lead")
        # a routing manager is not restricted
        self.assertEqual(
            self.lead.read(["expected_revenue"])[0]["expected_revenue"], 5000
        )

    def test_most_restrictive_wins(self):
        self._assert_refused(self.bob, "read", [self.lead.id], ["phone"])
        self._assert_refused(self.bob, "write", [self.lead.id], {"phone": "1"})
        self.assertEqual(self.lead.phone, "0113 000")


@tagged("post_install", "-at_install")
class TestRightsGrant(RightsCommon):
    POLICY = "grant"

    def test_distribution_grants_access(self):
        values = self._rpc(self.bob, "read", [self.lead.id], ["phone"])
        self.assertEqual(values[0]["phone"], "0113 000")
        self._rpc(self.bob, "write", [self.lead.id], {"phone": "0113 111"})
        self.assertEqual(self.lead.phone, "0113 111")
        # the grant covers assigned leads only
        other = self.env["crm.lead"].create({"name": "Other", "user_id": self.alice.id})
        self._assert_refused(self.bob, "read", [other.id], ["phone"])
        # and still no more than the scope: Alice stays read-only on company data
        self._assert_refused(self.alice, "write", [self.lead.id], {"city": "York"})
