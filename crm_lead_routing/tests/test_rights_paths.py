# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Distributed rights on every path Odoo offers to the data.

A field hidden to a user cannot be observed through any path (read, group,
search, order, export, copy, onchange, chatter, report, name search), fields
derived from it included; "read only" is read only for every field, the
general ones included; every stored field of crm.lead has a class."""

import xmlrpc.client

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tools.discuss import Store

from ..models.crm_lead_rights import FIELD_CLASSES, SCOPE_FIELDS
from .test_rights import RightsCommon


class PathsCommon(RightsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env["crm.tag"].create({"name": "Secret tag"})
        cls.lead.write({"tag_ids": [(4, cls.tag.id)], "probability": 50})
        # a second lead routed to Alice with the same scopes, and one of
        # hers without any assignment (fully visible)
        cls.lead2 = cls.env["crm.lead"].create(
            {"name": "Scoped lead 2", "expected_revenue": 100}
        )
        cls.visible = cls.env["crm.lead"].create(
            {
                "name": "Visible lead",
                "user_id": cls.alice.id,
                "expected_revenue": 7,
                "probability": 100,
            }
        )
        cls.ids = [cls.lead.id, cls.lead2.id, cls.visible.id]
        cls.as_alice = cls.env["crm.lead"].with_user(cls.alice)


@tagged("post_install", "-at_install")
class TestHiddenPaths(PathsCommon):
    def test_setup(self):
        self.assertEqual((self.lead | self.lead2 | self.visible).user_id, self.alice)
        scopes = self.lead.with_user(self.alice)._get_user_scopes()
        self.assertEqual(scopes[self.lead.id]["requirement"], "hidden")
        self.assertNotIn(self.visible.id, scopes)

    def test_context_key_cannot_lift_the_scopes(self):
        """Routing's own keys for skipping the scopes or the masking, sent
        by a client in its RPC context, turn nothing off: the hidden values stay hidden
        and the read-only ones read only."""
        context = {"context": {"routing_no_scope": True}}
        values = self._rpc(
            self.alice, "read", [self.lead.id], ["expected_revenue"], **context
        )
        self.assertFalse(values[0]["expected_revenue"])
        self.assertFalse(
            self._rpc(
                self.alice,
                "search",
                [("expected_revenue", "=", 5000), ("id", "=", self.lead.id)],
                **context,
            )
        )
        self._assert_refused(
            self.alice, "write", [self.lead.id], {"city": "York"}, **context
        )
        self.assertEqual(self.lead.city, "Leeds")
        # nor does the key that fetches values unmasked into the cache
        groups = self._rpc(
            self.alice,
            "read_group",
            [("id", "in", self.ids)],
            ["expected_revenue:sum"],
            ["stage_id"],
            context={"routing_unmasked": True},
        )
        self.assertEqual(sum(g["expected_revenue"] for g in groups), 7)

    def test_derived_field_read(self):
        self.assertEqual(self.lead.prorated_revenue, 2500)
        for fnames in (["prorated_revenue"], ["tag_ids", "expected_revenue"]):
            values = self.lead.with_user(self.alice).read(fnames)[0]
            for fname in fnames:
                self.assertFalse(values[fname], fname)
        web = self.as_alice.web_search_read(
            [("id", "=", self.lead.id)],
            {"prorated_revenue": {}, "tag_ids": {"fields": {"name": {}}}},
        )
        self.assertFalse(web["records"][0]["prorated_revenue"])
        self.assertFalse(web["records"][0]["tag_ids"])

    def test_read_group(self):
        # aggregates count the visible leads only
        [[total, prorated]] = self.as_alice._read_group(
            [("id", "in", self.ids)],
            aggregates=["expected_revenue:sum", "prorated_revenue:sum"],
        )
        self.assertEqual((total, prorated), (7, 7))
        groups = self.as_alice.read_group(
            [("id", "in", self.ids)], ["expected_revenue:sum"], ["stage_id"]
        )
        self.assertEqual(sum(g["expected_revenue"] for g in groups), 7)
        # group-by puts the hidden values under "None"
        for groupby in ("description", "expected_revenue", "tag_ids"):
            groups = self.as_alice._read_group(
                [("id", "in", self.ids)], [groupby], ["__count"]
            )
            keys = {key for key, _count in groups}
            self.assertNotIn("<p>Budget approved</p>", keys)
            self.assertNotIn(5000, keys)
            self.assertNotIn(100, keys)
            self.assertNotIn(self.tag, keys)
        # a hidden lead counts once under "None", not once per hidden tag
        self.lead.tag_ids |= self.env["crm.tag"].create({"name": "Second tag"})
        groups = dict(
            self.as_alice._read_group(
                [("id", "in", self.ids)], ["tag_ids"], ["__count"]
            )
        )
        self.assertEqual(groups, {self.env["crm.tag"]: 3})
        # the same over RPC, as the web client's pipeline asks it
        groups = self._rpc(
            self.alice,
            "web_read_group",
            [("id", "in", self.ids)],
            ["expected_revenue:sum"],
            ["description"],
        )["groups"]
        self.assertEqual(sum(g["expected_revenue"] for g in groups), 7)
        self.assertNotIn("<p>Budget approved</p>", [g["description"] for g in groups])

    def test_search_domains(self):
        domains = [
            [("expected_revenue", "=", 5000)],
            [("expected_revenue", ">", 4000)],
            [("prorated_revenue", "=", 2500)],
            [("description", "ilike", "Budget")],
            [("tag_ids", "in", self.tag.ids)],
            [("tag_ids.name", "=", "Secret tag")],
        ]
        for domain in domains:
            self.assertFalse(
                self.as_alice.search_count(domain + [("id", "in", self.ids)]),
                domain,
            )
            self.assertEqual(
                self.env["crm.lead"].search_count(domain + [("id", "=", self.lead.id)]),
                1,
            )
            # a negation reveals nothing either: hidden leads answer the same
            # whatever the value
            self.assertEqual(
                self.as_alice.search(["!", *domain, ("id", "in", self.ids)]),
                self.as_alice.search(
                    ["!", ("expected_revenue", "=", -1), ("id", "in", self.ids)]
                ),
            )
        # through another model's link to the lead
        Assignment = self.env["crm.lead.assignment"].with_user(self.alice)
        self.assertFalse(
            Assignment.search_count([("lead_id.expected_revenue", "=", 5000)])
        )
        self.assertTrue(Assignment.search_count([("lead_id.phone", "=", "0113 000")]))
        # the ordering does not sort the hidden leads by their value
        for direction in ("asc", "desc"):
            found = self.as_alice.search(
                [("id", "in", [self.lead.id, self.lead2.id])],
                order=f"expected_revenue {direction}, id",
            )
            self.assertEqual(found.ids, sorted(found.ids), direction)
        # and over XML-RPC
        count = self._rpc(
            self.alice,
            "search_count",
            [("expected_revenue", "=", 5000), ("id", "in", self.ids)],
        )
        self.assertEqual(count, 0)
        groups = self._rpc(
            self.alice,
            "read_group",
            [("id", "in", self.ids)],
            ["expected_revenue:sum"],
            [],
        )
        self.assertEqual(groups[0]["expected_revenue"], 7)

    def test_export_copy_onchange(self):
        self.alice.groups_id |= self.env.ref("base.group_allow_export")
        for fnames in (["prorated_revenue"], ["tag_ids/name"]):
            with self.assertRaises(AccessError):
                self.lead.with_user(self.alice).export_data(["name", *fnames])
        with (
            self.assertRaises(xmlrpc.client.Fault),
            mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"),
        ):
            self._rpc(self.alice, "export_data", [self.lead.id], ["prorated_revenue"])
        # nor through a link from another model
        with self.assertRaises(AccessError):
            self.env["crm.lead.assignment"].with_user(self.alice).search(
                [("lead_id", "=", self.lead.id)]
            ).export_data(["lead_id/expected_revenue"])
        exported = (
            self.env["crm.lead.assignment"]
            .with_user(self.alice)
            .search([("lead_id", "=", self.lead.id), ("user_id", "=", self.alice.id)])
            .export_data(["lead_id/phone"])
        )
        self.assertEqual(exported["datas"], [["0113 000"]])
        # Duplicate: the copy does not carry the hidden data
        copy = self.lead.with_user(self.alice).copy()
        self.assertEqual(copy.sudo().phone, "0113 000")
        self.assertFalse(copy.sudo().expected_revenue)
        self.assertFalse(copy.sudo().description)
        self.assertFalse(copy.sudo().tag_ids)
        # onchange results are computed from the stored lead
        result = self.lead.with_user(self.alice).onchange(
            {"probability": 60},
            ["probability"],
            {"probability": {}, "prorated_revenue": {}, "expected_revenue": {}},
        )
        self.assertFalse(result["value"].get("prorated_revenue"))
        self.assertFalse(result["value"].get("expected_revenue"))
        # a routing manager's onchange is not restricted
        result = self.lead.onchange(
            {"probability": 60}, ["probability"], {"prorated_revenue": {}}
        )
        self.assertEqual(result["value"]["prorated_revenue"], 3000)

    def test_chatter_tracking(self):
        lead = self.lead.with_context(tracking_disable=False, mail_notrack=False)
        lead.write(
            {"expected_revenue": 6000, "stage_id": self.env.ref("crm.stage_lead2").id}
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        message = lead.message_ids.filtered("tracking_value_ids")[:1]
        self.assertTrue(message)
        fields_of = {}
        for user in (self.env.user, self.alice):
            store = Store()
            message.with_user(user)._to_store(store, for_current_user=True)
            [vals] = store.get_result()["mail.message"]
            fields_of[user] = {t["fieldName"] for t in vals["trackingValues"]}
        self.assertIn("expected_revenue", fields_of[self.env.user])
        self.assertNotIn("expected_revenue", fields_of[self.alice])
        self.assertIn("stage_id", fields_of[self.alice])
        # the tracking values themselves are the administrators' only
        with self.assertRaises(AccessError):
            self.env["mail.tracking.value"].with_user(self.alice).search_read(
                [("mail_message_id", "=", message.id)], ["new_value_float"]
            )
        # the notification e-mail (one text for every follower) leaves out
        # what an assignee of the lead may not see
        context = lead._notify_by_email_prepare_rendering_context(message)
        labels = [label for label, _old, _new in context["tracking_values"]]
        self.assertIn(lead._fields["stage_id"].string, labels)
        self.assertNotIn(lead._fields["expected_revenue"].string, labels)

    def test_report(self):
        view = self.env["ir.ui.view"].create(
            {
                "name": "crm_lead_routing.test_lead_report",
                "type": "qweb",
                "key": "crm_lead_routing.test_lead_report",
                "arch": '<t t-name="crm_lead_routing.test_lead_report">'
                '<t t-foreach="docs" t-as="o"><p t-field="o.name"/>'
                '<p t-field="o.expected_revenue"/></t></t>',
            }
        )
        report = self.env["ir.actions.report"].create(
            {
                "name": "Lead sheet",
                "model": "crm.lead",
                "report_type": "qweb-html",
                "report_name": view.key,
            }
        )
        Report = self.env["ir.actions.report"].with_user(self.alice)
        html, _type = Report._render_qweb_html(report.id, self.visible.ids)
        self.assertIn(b"Visible lead", html)
        with self.assertRaises(AccessError):
            Report._render_qweb_html(report.id, self.lead.ids)

    def test_search_through_computed_fields(self):
        """A user who sees every lead (salesman "all leads") with the
        contact data hidden by an assignment: the fields computed from the
        contact data, and the searchable non-stored ones, reveal nothing."""
        dave = new_test_user(
            self.env,
            "rr_dave",
            groups="sales_team.group_sale_salesman_all_leads",
            name="Dave",
        )
        self.lead.email_from = "buyer@acme-widgets.co.uk"
        self.env["crm.lead.assignment"].create(
            {
                "lead_id": self.lead.id,
                "user_id": dave.id,
                "scope_contact": "hidden",
                "scope_company": "edit",
                "scope_requirement": "edit",
            }
        )
        as_dave = self.env["crm.lead"].with_user(dave)
        domains = [
            [("phone_mobile_search", "like", "0113")],
            [("email_normalized", "=", "buyer@acme-widgets.co.uk")],
            [("email_domain_criterion", "ilike", "acme-widgets")],
            [("email_from", "=ilike", "BUYER@acme-widgets.co.uk")],
        ]
        for domain in domains:
            domain = [*domain, ("id", "=", self.lead.id)]
            self.assertEqual(self.env["crm.lead"].search_count(domain), 1, domain)
            self.assertEqual(as_dave.search_count(domain), 0, domain)
        values = self.lead.with_user(dave).read(["email_normalized", "phone_sanitized"])
        self.assertFalse(values[0]["email_normalized"])
        self.assertFalse(values[0]["phone_sanitized"])

        # nor does the chatter suggest the hidden e-mail as a recipient
        def suggested(lead):
            return [r.get("email") for r in lead._message_get_suggested_recipients()]

        self.assertIn("buyer@acme-widgets.co.uk", suggested(self.lead))
        self.assertNotIn(
            "buyer@acme-widgets.co.uk", suggested(self.lead.with_user(dave))
        )
        # the requirement stays his to see and change
        self.assertEqual(self.lead.with_user(dave).expected_revenue, 5000)
        self.assertEqual(
            as_dave.search_count(
                [("expected_revenue", "=", 5000), ("id", "=", self.lead.id)]
            ),
            1,
        )

    def test_name_search(self):
        self.lead.sudo().name = "Scoped lead"
        found = self.as_alice.name_search("Scoped lead 2")
        self.assertEqual([row[0] for row in found], self.lead2.ids)
        self.assertFalse(self.as_alice.name_search("Budget approved"))
        self.assertFalse(self.as_alice.search([("display_name", "ilike", "Budget")]))
        self.assertEqual(self.lead.with_user(self.alice).display_name, "Scoped lead")


@tagged("post_install", "-at_install")
class TestReadOnlyGrant(PathsCommon):
    POLICY = "grant"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = new_test_user(
            cls.env,
            "rr_carol",
            groups="sales_team.group_sale_salesman",
            name="Carol",
            password="rr_carol",
        )
        # read only on everything, on Alice's lead
        cls.env["crm.lead.assignment"].create(
            {
                "lead_id": cls.lead.id,
                "user_id": cls.carol.id,
                "scope_contact": "read",
                "scope_company": "read",
                "scope_requirement": "read",
            }
        )

    def test_read_only_is_read_only(self):
        values = self._rpc(self.carol, "read", [self.lead.id], ["name", "phone"])
        self.assertEqual(values[0]["phone"], "0113 000")
        for vals in (
            {"name": "Renamed"},
            {"priority": "3"},
            {"stage_id": self.env.ref("crm.stage_lead2").id},
            {"phone": "1"},
            {"expected_revenue": 1},
        ):
            self._assert_refused(self.carol, "write", [self.lead.id], vals)
        with self.assertRaises(AccessError):
            self.lead.with_user(self.carol).unlink()
        self.assertEqual(self.lead.name, "Scoped lead")
        self.assertEqual(self.lead.priority, "0")
        # Alice edits her contact data: she works the lead, general fields too
        self._rpc(self.alice, "write", [self.lead.id], {"priority": "2"})
        self.assertEqual(self.lead.priority, "2")
        # and her read-only company data stay read only
        self._assert_refused(self.alice, "write", [self.lead.id], {"city": "York"})


@tagged("post_install", "-at_install")
class TestFieldClasses(PathsCommon):
    def test_every_stored_field_is_classified(self):
        Lead = self.env["crm.lead"]
        stored = [name for name, field in Lead._fields.items() if field.store]
        for fname in stored:
            self.assertIn(Lead._routing_field_class(fname), FIELD_CLASSES, fname)
        classes = {fname: Lead._routing_field_class(fname) for fname in stored}
        for kind, names in SCOPE_FIELDS.items():
            for fname in names:
                self.assertEqual(classes[fname], kind, fname)
        scopes = Lead._routing_field_scopes()
        # derived fields take the scope of what they derive from, computed
        # from the registry (fields of crm, sale_crm, mail, ...)
        self.assertEqual(classes["prorated_revenue"], "derived")
        self.assertIn("requirement", scopes["prorated_revenue"])
        self.assertEqual(scopes["email_normalized"], frozenset({"contact"}))
        # the number is read in the lead's country: contact and company
        self.assertEqual(scopes["phone_sanitized"], frozenset({"contact", "company"}))
        # a readonly computed field (not of a scope itself) is derived
        # exactly when one of its dependencies has a scope
        for fname in stored:
            field = Lead._fields[fname]
            if field.compute and field.readonly and classes[fname] not in SCOPE_FIELDS:
                firsts = {
                    path.split(".")[0] for path in self.registry.field_depends[field]
                } - {fname}
                self.assertEqual(
                    classes[fname] == "derived",
                    any(scopes[f] for f in firsts if f in scopes),
                    fname,
                )
        for fname in ("name", "priority", "stage_id", "user_id", "team_id"):
            self.assertEqual(classes[fname], "general", fname)
        # a field another installed addon adds is classified too
        other_addon = [
            fname
            for fname in stored
            if Lead._fields[fname]._module not in ("crm", "crm_lead_routing")
        ]
        self.assertTrue(other_addon)
