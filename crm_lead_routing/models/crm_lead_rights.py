# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .crm_lead import POLICY_PARAM

# the lead's three kinds of data and the fields each covers (seed 003:
# contact / company ("unit") / requirement)
SCOPE_FIELDS = {
    "contact": (
        "contact_name",
        "email_from",
        "email_cc",
        "phone",
        "mobile",
        "function",
        "title",
        "lang_id",
    ),
    "company": (
        "partner_id",
        "partner_name",
        "street",
        "street2",
        "city",
        "state_id",
        "zip",
        "country_id",
        "website",
    ),
    "requirement": (
        "description",
        "expected_revenue",
        "recurring_revenue",
        "recurring_plan",
        "tag_ids",
    ),
}
FIELD_SCOPE = {f: kind for kind, names in SCOPE_FIELDS.items() for f in names}
SCOPE_RANK = {"hidden": 0, "read": 1, "edit": 2}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ---- ORM: RIGHTS

    def _routing_policy(self):
        return (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(POLICY_PARAM, "restrictive")
        )

    def _routing_is_exempt(self):
        return (
            self.env.su
            or self.env.context.get("routing_no_scope")
            or self.env.user.has_group("crm_lead_routing.group_routing_manager")
        )

    def _get_user_scopes(self):
        """The current user's distributed scopes on these leads.

        :return: ``{lead_id: {"contact": scope, "company": ..., ...}}`` for
            the leads where the user is an executing assignee (and not the
            owner); the most permissive of their current assignments
        """
        if not self.ids:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT a.lead_id, a.scope_contact, a.scope_company, "
                "a.scope_requirement "
                "FROM crm_lead_assignment a JOIN crm_lead l ON l.id = a.lead_id "
                "WHERE a.lead_id = ANY(%s) AND a.user_id = %s AND a.date_to IS NULL "
                "AND a.role = 'executing' AND l.lead_owner_id IS DISTINCT FROM %s",
                self.ids,
                self.env.uid,
                self.env.uid,
            )
        )
        scopes = {}
        for lead_id, contact, company, requirement in self.env.cr.fetchall():
            current = scopes.setdefault(lead_id, {})
            for kind, scope in (
                ("contact", contact),
                ("company", company),
                ("requirement", requirement),
            ):
                if SCOPE_RANK[scope] > SCOPE_RANK.get(current.get(kind), -1):
                    current[kind] = scope
        return scopes

    def _check_routing_scopes(self, field_names):
        """Raise AccessError when the user's scope forbids writing one of
        ``field_names`` on one of these leads."""
        kinds = {FIELD_SCOPE[f] for f in field_names if f in FIELD_SCOPE}
        if not kinds or self._routing_is_exempt():
            return
        for lead_id, scopes in self._get_user_scopes().items():
            for kind in kinds:
                if scopes.get(kind) != "edit":
                    raise AccessError(
                        self.env._(
                            "Your assignment on the lead %(lead)s lets you %(scope)s "
                            "its %(kind)s data, not change it.",
                            lead=self.browse(lead_id).display_name,
                            scope={
                                "read": self.env._("read"),
                                "hidden": self.env._("not even see"),
                            }[scopes.get(kind, "hidden")],
                            kind={
                                "contact": self.env._("contact"),
                                "company": self.env._("company"),
                                "requirement": self.env._("requirement"),
                            }[kind],
                        )
                    )

    def write(self, vals):
        self._check_routing_scopes(vals)
        return super().write(vals)

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load)
        hidden_fields = [f for f in fnames if f in FIELD_SCOPE]
        if not hidden_fields or self._routing_is_exempt():
            return result
        scopes = self._get_user_scopes()
        if not scopes:
            return result
        for values in result:
            lead_scopes = scopes.get(values["id"])
            if not lead_scopes:
                continue
            for fname in hidden_fields:
                if lead_scopes.get(FIELD_SCOPE[fname]) == "hidden" and fname in values:
                    values[fname] = (
                        []
                        if self._fields[fname].type
                        in (
                            "one2many",
                            "many2many",
                        )
                        else False
                    )
        return result

    def export_data(self, fields_to_export):
        """Exports read the records directly: refuse hidden data outright."""
        kinds = {
            FIELD_SCOPE[path.split("/")[0]]
            for path in fields_to_export
            if path.split("/")[0] in FIELD_SCOPE
        }
        if kinds and not self._routing_is_exempt():
            for lead_id, scopes in self._get_user_scopes().items():
                if any(scopes.get(kind) == "hidden" for kind in kinds):
                    raise AccessError(
                        self.env._(
                            "Some of the exported data of the lead %(lead)s are "
                            "hidden to you.",
                            lead=self.browse(lead_id).display_name,
                        )
                    )
        return super().export_data(fields_to_export)
