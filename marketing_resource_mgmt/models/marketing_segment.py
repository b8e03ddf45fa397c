# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from odoo.addons.crm_lead_routing.progress import Progress

from .chatter import log_note

CHANNELS = [
    ("email", "E-mail"),
    ("call", "Phone call"),
    ("mail", "Direct mail"),
    ("sms", "SMS"),
]

# context key: the id of the saved segment whose form runs an onchange
ONCHANGE_ORIGIN_KEY = "mrm_segment_onchange_origin"

# Which exclusion reasons apply to which channel. Every channel honours the
# "do not contact" flag (on the contact or its company) and the general opt-out.
CHANNEL_REASONS = {
    "email": ["do_not_contact", "opt_out", "email_missing", "email_blacklist"],
    "sms": ["do_not_contact", "opt_out", "phone_missing", "phone_blacklist"],
    "call": [
        "do_not_contact",
        "opt_out",
        "opt_out_call",
        "phone_missing",
        "phone_blacklist",
    ],
    "mail": ["do_not_contact", "opt_out", "opt_out_mail", "address_missing"],
}


def _reason_labels(env):
    return {
        "do_not_contact": env._("Do not contact (contact or its company)"),
        "opt_out": env._("Opted out of marketing"),
        "opt_out_call": env._("Asked not to be called"),
        "opt_out_mail": env._("Asked for no direct mail"),
        "email_missing": env._("No e-mail address"),
        "email_blacklist": env._("E-mail on the blacklist"),
        "phone_missing": env._("No phone number"),
        "phone_blacklist": env._("Phone on the blacklist"),
        "address_missing": env._("No postal address"),
    }


class MarketingSegment(models.Model):
    """A campaign profile: a saved definition of an audience, evaluated afresh
    each time it is used (never a frozen list)."""

    _name = "marketing.segment"
    _description = "Segment (Campaign Profile)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "last_used_date desc nulls last, name"

    # ---- FIELDS -----------------------------------------------------------
    name = fields.Char(required=True, tracking=True, translate=True)
    description = fields.Text(tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    color = fields.Integer()
    tag_ids = fields.Many2many(
        "marketing.library.tag",
        "marketing_segment_library_tag_rel",
        "segment_id",
        "tag_id",
        string="Tags",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        required=True,
        tracking=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        tracking=True,
        index=True,
    )
    visibility = fields.Selection(
        [("shared", "Shared"), ("private", "Private")],
        default="shared",
        required=True,
        tracking=True,
        help="A private segment is seen by its owner and the marketing managers only.",
    )
    target_model = fields.Selection(
        [("res.partner", "Contacts")],
        default="res.partner",
        required=True,
        tracking=True,
    )
    domain = fields.Char(
        default="[]",
        tracking=True,
        help="An Odoo domain on the target model, for power users; AND-ed with "
        "the criteria.",
    )
    criterion_ids = fields.One2many(
        "marketing.segment.criterion",
        "segment_id",
        string="Criteria",
        copy=True,
    )
    list_partner_ids = fields.Many2many(
        "res.partner",
        "marketing_segment_list_partner_rel",
        "segment_id",
        "partner_id",
        string="Listed Contacts",
        copy=True,
        help="When set (by an import), the segment is restricted to these "
        "contacts; the criteria and the consent rules still apply.",
    )
    last_used_date = fields.Datetime(
        string="Last Used", readonly=True, copy=False, index=True
    )
    # cluster split: a child segment is its parent restricted to the contacts
    # whose behaviour is nearest to its cluster centre
    parent_id = fields.Many2one(
        "marketing.segment", string="Parent Segment", index=True, ondelete="cascade"
    )
    child_ids = fields.One2many(
        "marketing.segment", "parent_id", string="Cluster Segments"
    )
    cluster_index = fields.Integer(readonly=True, copy=False)
    cluster_model = fields.Json(readonly=True, copy=False)
    cluster_size = fields.Integer(readonly=True, copy=False)
    cluster_recency = fields.Float(
        string="Avg Recency (days)", readonly=True, copy=False, digits=(16, 1)
    )
    cluster_frequency = fields.Float(
        string="Avg Frequency", readonly=True, copy=False, digits=(16, 2)
    )
    cluster_monetary = fields.Float(
        string="Avg Value", readonly=True, copy=False, digits=(16, 2)
    )
    cluster_profile = fields.Char(
        string="Profile",
        readonly=True,
        copy=False,
        help="How the cluster differs from the whole segment it was split from.",
    )
    # ---- live analyser figures (computed, also on unsaved records) ---------
    count_channel = fields.Selection(
        CHANNELS,
        string="Channel",
        help="Show the count and the consent exclusions for this channel.",
    )
    partner_count = fields.Integer(
        string="Matching Contacts", compute="_compute_analyser"
    )
    channel_partner_count = fields.Integer(
        string="Reachable on Channel", compute="_compute_analyser"
    )
    contact_count = fields.Integer(
        string="Contacts",
        compute="_compute_contact_count",
        help="Contacts the segment matches now, before any channel exclusion.",
    )
    excluded_count = fields.Integer(string="Excluded", compute="_compute_analyser")
    exclusion_summary = fields.Html(
        string="Exclusions", compute="_compute_analyser", sanitize=False
    )
    definition_error = fields.Char(compute="_compute_analyser")

    # ---- ORM --------------------------------------------------------------
    def onchange(self, values, field_names, fields_spec):
        """The form's live count while a criterion is edited: Odoo's
        onchange computes the figures of the saved segment (the "before"
        side of the values it diffs) and of the edited one; the form shows
        the saved ones already, so only the edited segment is counted (half
        the round trip, tests/bench/bench_segment_onchange.py)."""
        segment = self
        if self.id and field_names:
            segment = self.with_context(**{ONCHANGE_ORIGIN_KEY: self.id})
        return super(MarketingSegment, segment).onchange(
            values, field_names, fields_spec
        )

    @api.depends(
        "domain",
        "criterion_ids",
        "criterion_ids.field_name",
        "criterion_ids.operator",
        "criterion_ids.value",
        "criterion_ids.threshold",
        "criterion_ids.group",
        "criterion_ids.alias_list_id",
        "criterion_ids.member_campaign_id",
        "criterion_ids.member_campaign_tag_ids",
        "criterion_ids.member_state_ids",
        "criterion_ids.member_channel",
        "criterion_ids.member_days",
        "list_partner_ids",
        "company_id",
        "count_channel",
        "parent_id",
    )
    def _compute_analyser(self):
        labels = _reason_labels(self.env)
        origin = self.env.context.get(ONCHANGE_ORIGIN_KEY)
        for segment in self:
            if origin and segment.id == origin:
                # the saved segment in the form's onchange: only the "before"
                # side of Odoo's diff (see onchange); values no count can
                # have, so that every figure of the edited segment is sent
                segment.partner_count = -1
                segment.channel_partner_count = -1
                segment.excluded_count = -1
                segment.exclusion_summary = Markup("<!-- -->")
                segment.definition_error = "-"
                continue
            segment.definition_error = False
            segment.partner_count = 0
            segment.channel_partner_count = 0
            segment.excluded_count = 0
            segment.exclusion_summary = False
            try:
                segment._check_definition()
                counts = segment._get_exclusion_counts(segment.count_channel)
            except UserError as error:
                segment.definition_error = str(error.args[0])
                continue
            segment.partner_count = counts["total"]
            if not segment.count_channel:
                segment.channel_partner_count = counts["total"]
                continue
            segment.excluded_count = counts["excluded"]
            segment.channel_partner_count = counts["total"] - counts["excluded"]
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>")
                % (labels[reason], counts[reason])
                for reason in CHANNEL_REASONS[segment.count_channel]
            )
            segment.exclusion_summary = (
                Markup("<table class='table table-sm o_mrm_exclusions'>%s</table>")
                % rows
            )

    def _compute_contact_count(self):
        """The segment list's count column: every listed segment counted in
        one SQL statement (one round trip, whatever the number of segments);
        a segment whose definition no longer parses counts 0 (its form says
        why)."""
        counts = {}
        selects = []
        saved = self.filtered("id")
        if saved:
            saved._flush_sources()
        for segment in saved:
            try:
                query = segment._get_partner_query()
            except UserError:
                continue
            selects.append(
                SQL(
                    "SELECT %s, (SELECT count(*) FROM (%s) AS mrm_segment)",
                    segment.id,
                    query,
                )
            )
        if selects:
            self.env.cr.execute(SQL(" UNION ALL ").join(selects))
            counts = dict(self.env.cr.fetchall())
        for segment in self:
            segment.contact_count = counts.get(segment.id, 0)

    @api.constrains("domain", "criterion_ids", "parent_id")
    def _constrains_definition(self):
        for segment in self:
            try:
                segment._check_definition()
            except UserError as error:
                raise ValidationError(error.args[0]) from error

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=segment.name))
            if "name" not in (default or {})
            else vals
            for segment, vals in zip(self, vals_list, strict=False)
        ]

    # ---- DEFINITION -------------------------------------------------------
    def _get_eval_context(self):
        return {
            "uid": self.env.uid,
            "user": self.env.user,
            "datetime": safe_datetime,
            "relativedelta": relativedelta,
            "context_today": lambda: fields.Date.context_today(self),
            "company_id": self.env.company.id,
            "company_ids": self.env.companies.ids,
        }

    def _get_domain(self):
        """Return the raw domain as a list, or raise UserError if it does not
        parse.

        :return: a normalised Odoo domain (list)
        """
        self.ensure_one()
        text = (self.domain or "").strip() or "[]"
        try:
            domain = safe_eval(text, self._get_eval_context())
        except Exception as error:
            raise UserError(
                self.env._(
                    "The domain of segment %(name)s does not parse: %(error)s",
                    name=self.name or "",
                    error=error,
                )
            ) from error
        if not isinstance(domain, list | tuple):
            raise UserError(
                self.env._(
                    "The domain of segment %(name)s must be a list of conditions.",
                    name=self.name or "",
                )
            )
        try:
            return expression.normalize_domain(list(domain))
        except Exception as error:
            raise UserError(
                self.env._(
                    "The domain of segment %(name)s is malformed: %(error)s",
                    name=self.name or "",
                    error=error,
                )
            ) from error

    def _check_definition(self):
        """Raise UserError if the definition no longer parses: broken domain,
        unknown field, invalid criterion."""
        for segment in self:
            segment._get_base_query()

    def _get_criteria_sql(self, alias):
        """The criteria lines as one SQL condition: lines of the same group are
        AND-ed, groups are OR-ed.

        :param alias: the alias of the res_partner table in the outer query
        :return: SQL or None when there is no criterion
        """
        self.ensure_one()
        groups = {}
        for line in self.criterion_ids.sorted(lambda c: (c.group, c.sequence)):
            groups.setdefault(line.group, []).append(line._get_condition_sql(alias))
        if not groups:
            return None
        return SQL(
            "(%s)",
            SQL(" OR ").join(
                SQL("(%s)", SQL(" AND ").join(conditions))
                for conditions in groups.values()
            ),
        )

    def _get_base_query(self):
        """The Query of the contacts matching the definition (domain, criteria,
        listed contacts, parent and cluster), with the current user's access
        rules, without any channel exclusion.

        :return: odoo.tools.query.Query on res_partner
        """
        self.ensure_one()
        Partner = self.env["res.partner"]
        domain = self._get_domain()
        try:
            query = Partner._search(domain)
        except (ValueError, KeyError, TypeError, AssertionError) as error:
            raise UserError(
                self.env._(
                    "The domain of segment %(name)s is invalid: %(error)s",
                    name=self.name or "",
                    error=error,
                )
            ) from error
        if query.is_empty():
            query = Partner._search([])
            query.add_where(SQL("FALSE"))
        query.order = None
        alias = query.table
        condition = self._get_criteria_sql(alias)
        if condition is not None:
            query.add_where(condition)
        if self.list_partner_ids:
            query.add_where(
                SQL(
                    "%s = ANY(%s)",
                    SQL.identifier(alias, "id"),
                    self.list_partner_ids._origin.ids,
                )
            )
        if self.parent_id:
            query.add_where(
                SQL(
                    "%s IN (%s)",
                    SQL.identifier(alias, "id"),
                    self.parent_id._get_partner_query(),
                )
            )
            if self.cluster_model:
                query.add_where(self._get_cluster_sql(alias))
        return query

    def _get_cluster_sql(self, alias):
        """The condition "nearest to this cluster's centre" (see
        marketing.segment.cluster)."""
        return self.env["marketing.segment.cluster"]._get_membership_sql(
            self.cluster_model,
            self.cluster_index,
            alias,
            self.company_id.id or self.env.company.id,
        )

    # ---- CONSENT ----------------------------------------------------------
    @api.model
    def _get_reason_sql(self, reason, alias):
        """The SQL condition telling that the contact aliased ``alias`` is
        excluded for ``reason``.

        Phones are compared with ``mrm_phone_key`` (last nine digits, so that
        ``+44 113``, ``0044 113`` and ``0113`` agree).
        """
        col = SQL.identifier
        conditions = {
            # the parent's and the company's flag: an index-only probe of the
            # small partial index of flagged contacts
            # (res_partner_mrm_do_not_contact_idx), not of the whole table
            "do_not_contact": SQL(
                "(%s IS TRUE OR EXISTS (SELECT 1 FROM res_partner mrm_dnc "
                "WHERE mrm_dnc.id IN (%s, %s) AND mrm_dnc.mrm_do_not_contact IS TRUE))",
                col(alias, "mrm_do_not_contact"),
                col(alias, "parent_id"),
                col(alias, "commercial_partner_id"),
            ),
            "opt_out": SQL("%s IS TRUE", col(alias, "mrm_opt_out")),
            "opt_out_call": SQL("%s IS TRUE", col(alias, "mrm_opt_out_call")),
            "opt_out_mail": SQL("%s IS TRUE", col(alias, "mrm_opt_out_mail")),
            "email_missing": SQL(
                "COALESCE(%s, '') = ''", col(alias, "email_normalized")
            ),
            "email_blacklist": SQL(
                "EXISTS (SELECT 1 FROM mail_blacklist mrm_mbl WHERE mrm_mbl.active "
                "AND mrm_mbl.email = %s)",
                col(alias, "email_normalized"),
            ),
            "phone_missing": SQL(
                "(mrm_phone_key(%s) IS NULL AND mrm_phone_key(%s) IS NULL)",
                col(alias, "phone"),
                col(alias, "mobile"),
            ),
            "phone_blacklist": SQL(
                "EXISTS (SELECT 1 FROM phone_blacklist mrm_pbl WHERE mrm_pbl.active "
                "AND mrm_phone_key(mrm_pbl.number) IN "
                "(mrm_phone_key(%s), mrm_phone_key(%s)))",
                col(alias, "phone"),
                col(alias, "mobile"),
            ),
            "address_missing": SQL(
                "(COALESCE(%s, '') = '' OR (COALESCE(%s, '') = '' "
                "AND COALESCE(%s, '') = ''))",
                col(alias, "street"),
                col(alias, "zip"),
                col(alias, "city"),
            ),
        }
        return conditions[reason]

    @api.model
    def _get_exclusion_sql(self, channel, alias):
        """One condition: the contact is excluded on ``channel`` for any reason."""
        if channel not in CHANNEL_REASONS:
            raise UserError(self.env._("Unknown channel %(channel)s.", channel=channel))
        return SQL(
            "(%s)",
            SQL(" OR ").join(
                self._get_reason_sql(reason, alias)
                for reason in CHANNEL_REASONS[channel]
            ),
        )

    # ---- PUBLIC API -------------------------------------------------------
    def _get_partner_query(self, channel=None):
        """``SELECT id FROM res_partner ...`` of the contacts the segment
        matches now, minus the consent exclusions of ``channel``.

        :param channel: ``email``, ``call``, ``mail``, ``sms`` or None (no
            channel exclusion)
        :return: odoo.tools.SQL
        """
        self.ensure_one()
        query = self._get_base_query()
        if channel:
            query.add_where(
                SQL("NOT %s", self._get_exclusion_sql(channel, query.table))
            )
        return query.select(SQL.identifier(query.table, "id"))

    def _flush_sources(self):
        for model in (
            "res.partner",
            "marketing.partner.behaviour",
            "mail.blacklist",
            # membership criteria (tools/membership.py)
            "marketing.campaign.member",
            "sale.order",
        ):
            self.env[model].flush_model()
        self.env["phone.blacklist"].flush_model()

    def _get_partner_ids(self, channel=None):
        """Ids of the contacts the segment matches now (see _get_partner_query).

        :return: list of res.partner ids
        """
        self.ensure_one()
        self._flush_sources()
        self.env.cr.execute(self._get_partner_query(channel))
        return [row[0] for row in self.env.cr.fetchall()]

    def _get_count(self, channel=None):
        """Number of contacts the segment matches now, in one SQL query.

        :return: int
        """
        self.ensure_one()
        self._flush_sources()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM (%s) AS mrm_segment",
                self._get_partner_query(channel),
            )
        )
        return self.env.cr.fetchone()[0]

    def _get_exclusion_counts(self, channel=None):
        """Counts of the matching contacts, excluded ones and per exclusion
        reason for ``channel``, in one SQL query. A contact excluded for two
        reasons counts under both reasons, once in ``excluded``.

        :return: dict with ``total``, ``excluded`` and one key per reason
        """
        self.ensure_one()
        self._flush_sources()
        query = self._get_base_query()
        alias = query.table
        reasons = CHANNEL_REASONS.get(channel, []) if channel else []
        selects = [SQL("count(*)")]
        if reasons:
            selects.append(
                SQL(
                    "count(*) FILTER (WHERE %s)",
                    self._get_exclusion_sql(channel, alias),
                )
            )
            selects.extend(
                SQL("count(*) FILTER (WHERE %s)", self._get_reason_sql(reason, alias))
                for reason in reasons
            )
        self.env.cr.execute(query.select(*selects))
        row = self.env.cr.fetchone()
        result = {"total": row[0], "excluded": row[1] if reasons else 0}
        for index, reason in enumerate(reasons):
            result[reason] = row[index + 2]
        return result

    def _mark_used(self):
        """Called by a campaign when it generates its audience from the
        segment: feeds the library's "last used"."""
        self.sudo().write({"last_used_date": fields.Datetime.now()})

    # ---- ACTIONS ----------------------------------------------------------
    def action_preview(self):
        self.ensure_one()
        self._check_definition()
        wizard = self.env["marketing.segment.preview"].create(
            {"segment_id": self.id, "channel": self.count_channel}
        )
        wizard._action_fill()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview of %(name)s", name=self.name),
            "res_model": "marketing.segment.preview",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_overlap(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Segment Overlap"),
            "res_model": "marketing.segment.overlap",
            "view_mode": "form",
            "target": "new",
            "context": {"default_segment_a_id": self.id},
        }

    def action_open_cluster(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cluster Split"),
            "res_model": "marketing.segment.cluster",
            "view_mode": "form",
            "target": "new",
            "context": {"default_segment_id": self.id},
        }

    def action_open_import(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Contacts"),
            "res_model": "marketing.segment.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_segment_id": self.id},
        }

    def action_view_partners(self):
        self.ensure_one()
        ids = self._get_partner_ids(self.count_channel)
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", ids)],
        }

    def action_refresh_behaviour(self):
        self.env["marketing.partner.behaviour"]._refresh()
        return True

    def action_compute_response_score(self):
        self.ensure_one()
        title = self.env._("Response score of %(name)s", name=self.name)
        with Progress(self.env, title, 1) as bar:
            bar.step(self.env._("Training the response model and scoring"))
            result = self.env["marketing.partner.behaviour"]._compute_response_scores(
                partner_ids=self._get_partner_ids()
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Response score of %(name)s", name=self.name),
                "message": self.env._(
                    "Response model trained on %(trained)s contacts "
                    "(%(positive)s answered); %(scored)s contacts scored.",
                    **result,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _message_criteria_change(self, body):
        log_note(self, body)
