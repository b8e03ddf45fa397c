# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Distributed rights on the lead: which field belongs to which kind of data
(scope), and every path Odoo offers to the data checked against the current
user's scopes.

Field classes (see readme/USAGE.md):

- *contact*, *company*, *requirement*: the fields of ``SCOPE_FIELDS``;
- *derived*: a computed or related field (not editable itself) whose value
  depends, transitively, on a field of a scope: it takes the scopes of what
  it derives from (``prorated_revenue`` from ``expected_revenue``: requirement).
  Computed from the registry's field dependencies, so that the fields other
  modules add are classified too. A search-only field (no value, a search
  method) belongs to the scopes of what its search reads: the phone fields
  for ``phone_mobile_search``, every scope for any other;
- *general*: every other field (name, stage, priority, salesperson, dates,
  ...): readable with the lead; writable when the user's assignment gives
  edit on at least one scope (an assignment that edits nothing is read only).
"""

# the lead's rights are kept apart from its routing (crm_lead.py), on purpose
# pylint: disable=consider-merging-classes-inherited
from odoo import api, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL, email_normalize_all

from ..internal import NO_SCOPE, UNMASKED, marked
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
# written by the routing, not computed: the explanation quotes the values the
# rule matched, of every kind, so it belongs to all three scopes
ALL_SCOPES_FIELDS = ("routing_explanation",)
SCOPES = tuple(SCOPE_FIELDS)
FIELD_SCOPE = {f: kind for kind, names in SCOPE_FIELDS.items() for f in names}
SCOPE_RANK = {"hidden": 0, "read": 1, "edit": 2}
FIELD_CLASSES = (*SCOPES, "derived", "general")


def fold_scopes(rows):
    """Several current assignments count with the most permissive scope of
    each kind.

    :param rows: ``(key, contact scope, company scope, requirement scope)``
    :return: ``{key: {"contact": scope, "company": ..., "requirement": ...}}``
    """
    scopes = {}
    for key, *row in rows:
        current = scopes.setdefault(key, {})
        for kind, scope in zip(SCOPES, row, strict=True):
            if SCOPE_RANK[scope] > SCOPE_RANK.get(current.get(kind), -1):
                current[kind] = scope
    return scopes


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ---- RIGHTS: FIELD CLASSES

    @api.model
    @tools.ormcache()
    def _routing_field_scopes(self):
        """The scopes each field of crm.lead belongs to.

        Explicit for the fields of ``SCOPE_FIELDS``; for a computed or related
        field that is not editable itself, the union of the scopes of the
        fields it depends on (the registry's dependencies, to a fixed point);
        empty for the general fields.

        :return: ``{field name: frozenset of scopes}`` for every field
        """
        scopes = {name: frozenset() for name in self._fields}
        for kind, names in SCOPE_FIELDS.items():
            for name in names:
                if name in scopes:
                    scopes[name] |= {kind}
        for name in ALL_SCOPES_FIELDS:
            if name in scopes:
                scopes[name] = frozenset(SCOPES)
        explicit = {name for name, kinds in scopes.items() if kinds}
        # a user-editable compute (name from the customer, salesperson from
        # the team) only proposes a value: such a field keeps its own class
        depends = {
            name: {
                path.split(".")[0] for path in self.pool.field_depends.get(field, ())
            }
            - {name}
            for name, field in self._fields.items()
            if name not in explicit
            and (field.related or (field.compute and field.readonly))
        }
        # a field that is only searched (no value, a search method) tells
        # nothing of what its search reads: the phone mixin's search reads
        # the phone fields it declares; any other such field reads, for all
        # we know, data of every kind
        for name, field in self._fields.items():
            if field.search and not (field.store or field.compute or field.related):
                if name == "phone_mobile_search":
                    depends[name] = set(self._phone_get_number_fields())
                elif name not in explicit:
                    scopes[name] = frozenset(SCOPES)
        changed = True
        while changed:
            changed = False
            for name, firsts in depends.items():
                kinds = scopes[name].union(*(scopes.get(f, ()) for f in firsts))
                if kinds != scopes[name]:
                    scopes[name] = kinds
                    changed = True
        return scopes

    @api.model
    def _routing_field_class(self, fname):
        """One of ``FIELD_CLASSES`` for a field of crm.lead (readme's table)."""
        kinds = self._routing_field_scopes()[fname]
        if not kinds:
            return "general"
        if fname in FIELD_SCOPE and len(kinds) == 1:
            return FIELD_SCOPE[fname]
        return "derived"

    # ---- RIGHTS: THE USER'S SCOPES

    def _routing_policy(self):
        return (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(POLICY_PARAM, "restrictive")
        )

    def _routing_is_exempt(self):
        return (
            self.env.su
            or marked(self.env, "routing_no_scope", NO_SCOPE)
            or self.env.user.has_group("crm_lead_routing.group_routing_manager")
        )

    def _routing_user_scopes(self, lead_ids=None):
        """The current user's distributed scopes, per lead.

        :param lead_ids: the leads to look at (default: every lead the user
            holds a current assignment on)
        :return: ``{lead_id: {"contact": scope, "company": ..., ...}}`` for
            the leads where the user is an executing assignee (and not the
            owner); the most permissive of their current assignments
        """
        if lead_ids is not None and not lead_ids:
            return {}
        self.env["crm.lead.assignment"].flush_model()
        self.env["crm.lead"].flush_model(["lead_owner_id"])
        self.env.cr.execute(
            SQL(
                "SELECT a.lead_id, a.scope_contact, a.scope_company, "
                "a.scope_requirement "
                "FROM crm_lead_assignment a JOIN crm_lead l ON l.id = a.lead_id "
                "WHERE a.user_id = %s AND a.date_to IS NULL AND a.role = 'executing' "
                "AND l.lead_owner_id IS DISTINCT FROM %s %s",
                self.env.uid,
                self.env.uid,
                SQL("AND a.lead_id = ANY(%s)", list(lead_ids))
                if lead_ids is not None
                else SQL(),
            )
        )
        return fold_scopes(self.env.cr.fetchall())

    def _get_user_scopes(self):
        """The current user's distributed scopes on these leads (see
        :meth:`_routing_user_scopes`)."""
        return self._routing_user_scopes(self.ids)

    @api.model
    def _routing_hidden_fields(self, lead_scopes):
        """The fields hidden by one lead's scopes (those of a hidden scope,
        and the fields derived from it).

        :param lead_scopes: ``{"contact": scope, ...}`` of one lead
        :return: set of field names
        """
        hidden = {kind for kind, scope in lead_scopes.items() if scope == "hidden"}
        if not hidden:
            return set()
        return {
            name
            for name, kinds in self._routing_field_scopes().items()
            if kinds & hidden
        }

    @api.model
    def _routing_hidden_lead_ids(self, fname):
        """The leads on which the field ``fname`` is hidden to the current
        user (none for an exempt user).

        :return: sorted list of ids
        """
        # the superuser's and routing's own reads first: they are most of
        # the reads, and the two checks below are cached calls, each costing
        # more than the field's SQL (every fetched column asks)
        if self.env.su or marked(self.env, "routing_no_scope", NO_SCOPE):
            return []
        kinds = self._routing_field_scopes().get(fname)
        if not kinds or self._routing_is_exempt():
            return []
        return sorted(
            lead_id
            for lead_id, scopes in self._routing_user_scopes().items()
            if any(scopes.get(kind) == "hidden" for kind in kinds)
        )

    # ---- RIGHTS: WRITE, DELETE

    def _check_routing_scopes(self, field_names):
        """Raise AccessError when the user's scope forbids writing one of
        ``field_names`` on one of these leads: a field of a scope (or derived
        from one) needs edit on that scope, a general field edit on at least
        one scope."""
        if not field_names or self._routing_is_exempt():
            return
        field_scopes = self._routing_field_scopes()
        for lead_id, scopes in self._get_user_scopes().items():
            for fname in field_names:
                kinds = field_scopes.get(fname, frozenset())
                if kinds:
                    refused = [k for k in SCOPES if k in kinds and scopes[k] != "edit"]
                    if refused:
                        self._raise_routing_scope(lead_id, scopes, refused[0])
                elif "edit" not in scopes.values():
                    self._raise_routing_read_only(lead_id)

    def _raise_routing_read_only(self, lead_id):
        raise AccessError(
            self.env._(
                "Your assignment on the lead %(lead)s is read only: you cannot "
                "change or delete it.",
                lead=self.browse(lead_id).sudo().display_name,
            )
        )

    def _raise_routing_scope(self, lead_id, scopes, kind):
        raise AccessError(
            self.env._(
                "Your assignment on the lead %(lead)s lets you %(scope)s "
                "its %(kind)s data, not change it.",
                lead=self.browse(lead_id).sudo().display_name,
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
        self._check_routing_scopes(list(vals))
        return super().write(vals)

    def unlink(self):
        """Deleting a lead removes all its data: an assignee may delete it
        only with edit on every scope."""
        if not self._routing_is_exempt():
            for lead_id, scopes in self._get_user_scopes().items():
                if "edit" not in scopes.values():
                    self._raise_routing_read_only(lead_id)
                for kind in SCOPES:
                    if scopes[kind] != "edit":
                        self._raise_routing_scope(lead_id, scopes, kind)
        return super().unlink()

    # ---- RIGHTS: READ PATHS

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load)
        field_scopes = self._routing_field_scopes()
        if not any(field_scopes.get(f) for f in fnames) or self._routing_is_exempt():
            return result
        scopes = self._get_user_scopes()
        for values in result:
            if values["id"] in scopes:
                self._routing_blank(
                    values, self._routing_hidden_fields(scopes[values["id"]])
                )
        return result

    def _routing_blank(self, values, hidden):
        """Blank the hidden fields of a dict of field values, in place."""
        for fname in hidden & values.keys():
            values[fname] = (
                [] if self._fields[fname].type in ("one2many", "many2many") else False
            )

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        """Exports read the records directly: refuse hidden data outright,
        on an export of leads and on one that reaches leads through a link
        (``lead_id/expected_revenue`` from the assignments)."""
        names = {path[0].split(".")[0] for path in fields if path}
        if not self._routing_is_exempt():
            for lead_id, scopes in self._get_user_scopes().items():
                if names & self._routing_hidden_fields(scopes):
                    raise AccessError(
                        self.env._(
                            "Some of the exported data of the lead %(lead)s are "
                            "hidden to you.",
                            lead=self.browse(lead_id).sudo().display_name,
                        )
                    )
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    def copy_data(self, default=None):
        """A duplicate does not carry over what is hidden to its author."""
        vals_list = super().copy_data(default=default)
        if self._routing_is_exempt():
            return vals_list
        scopes = self._get_user_scopes()
        for lead, vals in zip(self, vals_list, strict=True):
            if lead.id in scopes:
                hidden = self._routing_hidden_fields(scopes[lead.id])
                self._routing_blank(vals, hidden - set(default or ()))
        return vals_list

    def onchange(self, values, field_names, fields_spec):
        """Onchange results are computed from the stored lead: blank what
        is hidden to the user."""
        result = super().onchange(values, field_names, fields_spec)
        if self.ids and "value" in result and not self._routing_is_exempt():
            scopes = self._get_user_scopes().get(self.ids[0])
            if scopes:
                self._routing_blank(
                    result["value"], self._routing_hidden_fields(scopes)
                )
        return result

    def _track_filter_for_display(self, tracking_values):
        """The chatter does not show changes of fields hidden to the user;
        a notification e-mail (one text for all its recipients) none of the
        fields hidden to any assignee of the lead."""
        tracking_values = super()._track_filter_for_display(tracking_values)
        if self.env.context.get("routing_notify_email"):
            hidden = self._routing_hidden_to_assignees()
        elif self._routing_is_exempt():
            return tracking_values
        else:
            scopes = self._get_user_scopes().get(self.id)
            hidden = self._routing_hidden_fields(scopes) if scopes else set()
        return tracking_values.filtered(lambda t: t.field_id.name not in hidden)

    def _message_get_suggested_recipients(self):
        """The chatter's suggested recipients (the customer, the lead's
        e-mail) are not offered to a user from whom they are hidden."""
        recipients = super()._message_get_suggested_recipients()
        if self._routing_is_exempt():
            return recipients
        scopes = self._get_user_scopes().get(self.id)
        hidden = self._routing_hidden_fields(scopes) if scopes else set()
        if not hidden & {"partner_id", "email_from"}:
            return recipients
        lead = self.sudo()
        partner_ids = set(lead.partner_id.ids) if "partner_id" in hidden else set()
        emails = (
            set(email_normalize_all(lead.email_from or ""))
            if "email_from" in hidden
            else set()
        )
        return [
            recipient
            for recipient in recipients
            if recipient.get("partner_id") not in partner_ids
            and not emails & set(email_normalize_all(recipient.get("email") or ""))
        ]

    def _notify_by_email_prepare_rendering_context(
        self,
        message,
        msg_vals=False,
        model_description=False,
        force_email_company=False,
        force_email_lang=False,
    ):
        lead = self.with_context(routing_notify_email=True)
        return super(CrmLead, lead)._notify_by_email_prepare_rendering_context(
            message,
            msg_vals=msg_vals,
            model_description=model_description,
            force_email_company=force_email_company,
            force_email_lang=force_email_lang,
        )

    def _routing_hidden_to_assignees(self):
        """The fields of this lead hidden to at least one of its current
        executing assignees (the owner excepted).

        :return: set of field names
        """
        self.ensure_one()
        self.env["crm.lead.assignment"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT a.user_id, a.scope_contact, a.scope_company, "
                "a.scope_requirement "
                "FROM crm_lead_assignment a JOIN crm_lead l ON l.id = a.lead_id "
                "WHERE a.lead_id = %s AND a.date_to IS NULL "
                "AND a.role = 'executing' "
                "AND a.user_id IS DISTINCT FROM l.lead_owner_id",
                self.id,
            )
        )
        hidden = set()
        for scopes in fold_scopes(self.env.cr.fetchall()).values():
            hidden |= self._routing_hidden_fields(scopes)
        return hidden

    @api.model
    def _check_routing_printable(self, lead_ids):
        """Raise AccessError when some data of these leads are hidden to the
        user: a printed report shows the record as it is stored."""
        if self._routing_is_exempt():
            return
        for lead_id, scopes in self._routing_user_scopes(list(lead_ids)).items():
            if self._routing_hidden_fields(scopes):
                raise AccessError(
                    self.env._(
                        "Some data of the lead %(lead)s are hidden to you: it "
                        "cannot be printed.",
                        lead=self.browse(lead_id).sudo().display_name,
                    )
                )

    # ---- RIGHTS: SEARCH, GROUP, ORDER

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """A hidden field is NULL, for the user, on the leads where it is
        hidden: in search domains, group-by, aggregates and ordering (the
        reads themselves fetch the real values, see :meth:`_fetch_query`,
        and blank them in :meth:`_read_format`)."""
        sql = super()._field_to_sql(alias, fname, query, flush)
        if marked(self.env, "routing_unmasked", UNMASKED):
            return sql
        hidden = self._routing_hidden_lead_ids(fname.split(".")[0])
        if not hidden:
            return sql
        return SQL(
            "(CASE WHEN %s = ANY(%s) THEN NULL ELSE %s END)",
            SQL.identifier(alias, "id"),
            hidden,
            sql,
        )

    def _fetch_query(self, query, fields):
        # the values fetched go to the cache, shared by every user of the
        # transaction: they are fetched unmasked
        if marked(self.env, "routing_unmasked", UNMASKED) or self._routing_is_exempt():
            return super()._fetch_query(query, fields)
        unmasked = self.with_context(routing_unmasked=UNMASKED)
        return super(CrmLead, unmasked)._fetch_query(query, fields).with_env(self.env)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Conditions on a field hidden on some leads are false there,
        whatever the value (relational fields, paths and searchable computed
        fields included)."""
        if domain and not self._routing_is_exempt():
            domain = self._routing_mask_domain(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _routing_mask_domain(self, domain):
        field_scopes = self._routing_field_scopes()
        masked = []
        for term in domain:
            if (
                isinstance(term, list | tuple)
                and len(term) == 3
                and isinstance(term[0], str)
                and field_scopes.get(term[0].split(".")[0])
            ):
                hidden = self._routing_hidden_lead_ids(term[0].split(".")[0])
                if hidden:
                    masked.extend(["&", ("id", "not in", hidden), term])
                    continue
            masked.append(term)
        return masked

    def _read_group_groupby(self, groupby_spec, query):
        """Grouping by a hidden many2many (tags) puts its leads under
        "None", once each (other fields are masked by :meth:`_field_to_sql`).
        """
        sql = super()._read_group_groupby(groupby_spec, query)
        fname = groupby_spec.split(":")[0].split(".")[0]
        field = self._fields[fname]
        if field.type != "many2many" or field.related:
            return sql
        hidden = self._routing_hidden_lead_ids(fname)
        rel_alias = query.make_alias(self._table, fname)
        if not hidden or rel_alias not in query._joins:
            return sql
        # the relation's rows of those leads are not joined: one row per
        # lead, not one per (hidden) tag. Odoo builds this LEFT JOIN in
        # _read_group_groupby and offers no hook for its condition.
        kind, table, condition = query._joins[rel_alias]
        query._joins[rel_alias] = (
            kind,
            table,
            SQL(
                "%s AND %s <> ALL(%s)",
                condition,
                SQL.identifier(self._table, "id"),
                hidden,
            ),
        )
        return sql


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _get_rendering_context(self, report, docids, data):
        if report.model == "crm.lead" and docids:
            self.env["crm.lead"]._check_routing_printable(docids)
        return super()._get_rendering_context(report, docids, data)
