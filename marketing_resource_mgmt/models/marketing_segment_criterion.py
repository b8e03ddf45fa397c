# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.crm_lead_routing.matching import (
    set_similarity_threshold,
    split_values,
    sql_in_similar_values,
    sql_normalized_in_normalized,
    sql_similar_normalized,
)

from ..tools.membership import membership_sql
from .marketing_campaign_member import CHANNELS as MEMBER_CHANNELS
from .res_partner import NORMALIZED_COMPANIONS

# a normalised column with at most this many distinct values (planner
# statistics) is matched value by value through its btree index; above, or
# without statistics, through its trigram index
DISTINCT_VALUES_LIMIT = 20000

# Behavioural operators: evaluated on the measures materialised in
# marketing.partner.behaviour (per commercial partner and company).
BEHAVIOUR_OPERATORS = [
    ("recency_lte", "bought within (days)"),
    ("recency_gt", "no purchase for more than (days)"),
    ("frequency_gte", "orders + invoices in window at least"),
    ("monetary_gte", "spent in window at least"),
    ("responded_gte", "answered campaigns at least"),
    ("converted_gte", "converted campaigns at least"),
]
BEHAVIOUR_OPERATOR_KEYS = {key for key, _label in BEHAVIOUR_OPERATORS}

# Membership operators (issue 14): evaluated on the campaign members
# (tools/membership.py); the line names its campaign or campaign tags, states,
# channel and days in fields of its own.
MEMBERSHIP_OPERATORS = [
    ("member_of", "is a member of campaign"),
    ("answered_no_order", "answered campaign, no order within (days)"),
]
MEMBERSHIP_OPERATOR_KEYS = {key for key, _label in MEMBERSHIP_OPERATORS}
# operators that need no contact field
NO_FIELD_OPERATOR_KEYS = BEHAVIOUR_OPERATOR_KEYS | MEMBERSHIP_OPERATOR_KEYS

MATCHER_LABELS = {
    "normalized": "normalised text",
    "similar": "trigram similarity",
    "alias": "alias list",
    "prefix": "prefix range",
}


class MarketingSegmentCriterion(models.Model):
    """One criterion line of a segment: field / operator / value. Lines of the
    same group are AND-ed, groups are OR-ed."""

    _name = "marketing.segment.criterion"
    _inherit = ["crm.match.criterion.mixin"]
    _description = "Segment Criterion"
    _order = "segment_id, group, sequence, id"

    segment_id = fields.Many2one(
        "marketing.segment", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="segment_id.company_id", store=True)
    # a behavioural line needs no field: its measure is in the operator
    field_name = fields.Char(
        required=False,
        help="The contact's field, picked by its label with Odoo's field "
        "selector; a path follows relations (Country > Name).",
    )
    # the model the field selector browses (the segment's target model)
    match_model = fields.Selection(related="segment_id.target_model")
    operator = fields.Selection(
        selection_add=BEHAVIOUR_OPERATORS + MEMBERSHIP_OPERATORS,
        ondelete={key: "cascade" for key in NO_FIELD_OPERATOR_KEYS},
    )
    # ---- membership lines ("member of campaign", "answered, no order")
    member_campaign_id = fields.Many2one(
        "utm.campaign",
        string="Campaign",
        ondelete="restrict",
        help="Members of this campaign (and of the campaigns with one of the "
        "campaign tags, when set).",
    )
    member_campaign_tag_ids = fields.Many2many(
        "utm.tag",
        "marketing_segment_criterion_utm_tag_rel",
        "criterion_id",
        "tag_id",
        string="Campaign Tags",
        help="Members of any campaign with one of these tags.",
    )
    member_state_ids = fields.Many2many(
        "marketing.member.state",
        "marketing_segment_criterion_member_state_rel",
        "criterion_id",
        "state_id",
        string="Member States",
        help="Only members in one of these states (any state when empty).",
    )
    member_channel = fields.Selection(
        MEMBER_CHANNELS,
        help="Only members on this channel (any channel when empty).",
    )
    member_days = fields.Integer(
        string="Within (days)",
        help="Member of campaign: reached its state within the last N days. "
        "Answered, no order: answered more than N days ago and no confirmed "
        "order in the N days after the answer. 0: any time.",
    )

    def _get_match_model_name(self):
        return self.segment_id.target_model or "res.partner"

    # ---- ORM --------------------------------------------------------------
    @api.depends(
        "field_name",
        "operator",
        "value",
        "threshold",
        "alias_list_id",
        "member_campaign_id",
        "member_campaign_tag_ids",
        "member_state_ids",
        "member_channel",
        "member_days",
    )
    def _compute_display_name(self):
        labels = dict(self._fields["operator"]._description_selection(self.env))
        for line in self:
            if line.operator in MEMBERSHIP_OPERATOR_KEYS:
                line.display_name = line._get_membership_label(labels)
                continue
            parts = [
                line._get_field_label(),
                labels.get(line.operator, ""),
                line.alias_list_id.display_name if line.operator == "alias" else "",
                f"'{line.value}'" if line.value else "",
            ]
            if line.operator == "similar":
                parts.append(f"(≥ {line.threshold:.2f})")
            line.display_name = " ".join(part for part in parts if part)

    def _get_membership_label(self, labels):
        """A membership line in words: "is a member of campaign [SPR] Spring
        / tags Promo (Opened, Clicked) on E-mail within 30 days"."""
        self.ensure_one()
        campaigns = [
            name
            for name in [self.member_campaign_id.sudo().display_name]
            + [
                self.env._("tag %(tag)s", tag=tag.name)
                for tag in self.member_campaign_tag_ids.sudo()
            ]
            if name
        ]
        parts = [labels.get(self.operator, ""), " / ".join(campaigns)]
        if self.operator == "member_of" and self.member_state_ids:
            parts.append(
                "({})".format(", ".join(self.member_state_ids.mapped("display_name")))
            )
        if self.member_channel:
            channels = dict(
                self._fields["member_channel"]._description_selection(self.env)
            )
            parts.append(
                self.env._("on %(channel)s", channel=channels[self.member_channel])
            )
        if self.member_days:
            parts.append(self.env._("within %(days)s days", days=self.member_days))
        return " ".join(part for part in parts if part)

    def _get_field_label(self):
        """The line's field path as the user picked it, by labels
        ("Country > Country Name"), or the path as typed when it does not
        resolve."""
        self.ensure_one()
        model = self.env[self.segment_id.target_model or "res.partner"]
        labels = []
        for part in (self.field_name or "").split("."):
            field = model._fields.get(part)
            if field is None:
                return self.field_name or ""
            labels.append(field._description_string(self.env))
            if field.relational:
                model = self.env[field.comodel_name]
        return " > ".join(labels)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        for line in lines:
            line.segment_id._message_criteria_change(
                self.env._("Criterion added: %(line)s", line=line.display_name)
            )
        return lines

    def write(self, vals):
        before = {line.id: line.display_name for line in self}
        result = super().write(vals)
        for line in self:
            if before[line.id] != line.display_name:
                line.segment_id._message_criteria_change(
                    self.env._(
                        "Criterion changed: %(old)s → %(new)s",
                        old=before[line.id],
                        new=line.display_name,
                    )
                )
        return result

    def unlink(self):
        for line in self:
            line.segment_id._message_criteria_change(
                self.env._("Criterion removed: %(line)s", line=line.display_name)
            )
        return super().unlink()

    def _get_matcher_label(self):
        """Name of the matcher a line uses, for the preview's reasons."""
        self.ensure_one()
        if self.operator in BEHAVIOUR_OPERATOR_KEYS:
            return self.env._("behaviour measures")
        if self.operator in MEMBERSHIP_OPERATOR_KEYS:
            return self.env._("campaign membership")
        return MATCHER_LABELS.get(self.operator) and self.env._(
            MATCHER_LABELS[self.operator]
        )

    # ---- SQL --------------------------------------------------------------
    def _get_number(self):
        try:
            return float((self.value or "").strip())
        except ValueError as error:
            raise ValidationError(
                self.env._(
                    "The criterion %(line)s needs a number as value.",
                    line=self.display_name,
                )
            ) from error

    def _get_behaviour_sql(self, table_alias):
        """SQL of a behavioural line: a condition on the contact's (commercial
        partner's) materialised measures in the segment's company."""
        number = self._get_number()
        if number < 0:
            raise ValidationError(
                self.env._(
                    "The criterion %(line)s needs a positive value.",
                    line=self.display_name,
                )
            )
        conditions = {
            "recency_lte": SQL(
                "mrm_b.last_date >= CURRENT_DATE - %s::int", int(number)
            ),
            "recency_gt": SQL("mrm_b.last_date < CURRENT_DATE - %s::int", int(number)),
            "frequency_gte": SQL("mrm_b.frequency >= %s", number),
            "monetary_gte": SQL("mrm_b.monetary >= %s", number),
            "responded_gte": SQL("mrm_b.responded >= %s", number),
            "converted_gte": SQL("mrm_b.converted >= %s", number),
        }
        company = self.segment_id.company_id or self.env.company
        return SQL(
            "EXISTS (SELECT 1 FROM marketing_partner_behaviour mrm_b "
            "WHERE mrm_b.partner_id = %s AND mrm_b.company_id = %s AND %s)",
            SQL.identifier(table_alias, "commercial_partner_id"),
            company._origin.id or company.id,
            conditions[self.operator],
        )

    def _get_condition_sql(self, table_alias, model_name=None):
        """The SQL condition of this line on the res_partner alias
        ``table_alias``: behavioural operators here, the others in the mixin.

        :return: odoo.tools.SQL
        """
        self.ensure_one()
        if self.operator in BEHAVIOUR_OPERATOR_KEYS:
            return self._get_behaviour_sql(table_alias)
        if self.operator in MEMBERSHIP_OPERATOR_KEYS:
            return self._get_membership_sql(table_alias)
        return super()._get_condition_sql(table_alias, model_name=model_name)

    @api.constrains(
        "member_campaign_id",
        "member_campaign_tag_ids",
        "member_state_ids",
        "member_channel",
        "member_days",
    )
    def _check_membership(self):
        for line in self.filtered(
            lambda line: line.operator in MEMBERSHIP_OPERATOR_KEYS
        ):
            line._get_membership_sql("t")

    def _get_membership_sql(self, table_alias):
        """SQL of a membership line (tools/membership.py): the contact
        ``table_alias`` is an active member of the line's campaign or of a
        campaign with one of its tags, in the segment's company.

        :raise ValidationError: without campaign and tag, or with a negative
            number of days
        """
        self.ensure_one()
        if not self.member_campaign_id and not self.member_campaign_tag_ids:
            raise ValidationError(
                self.env._(
                    "The criterion '%(operator)s' needs a campaign or campaign "
                    "tags: choose the campaign whose members it selects.",
                    operator=dict(
                        self._fields["operator"]._description_selection(self.env)
                    )[self.operator],
                )
            )
        if self.member_days < 0:
            raise ValidationError(
                self.env._(
                    "The criterion %(line)s: the number of days cannot be "
                    "negative (got %(days)s); use 0 for any time.",
                    line=self.display_name,
                    days=self.member_days,
                )
            )
        company = self.segment_id.company_id
        tags = self.env["utm.campaign"]._fields["tag_ids"]
        return membership_sql(
            table_alias,
            campaign_ids=self.member_campaign_id._origin.ids,
            tag_ids=self.member_campaign_tag_ids._origin.ids,
            states=self.member_state_ids.mapped("code"),
            channel=self.member_channel or None,
            days=self.member_days,
            company_id=company._origin.id or company.id or None,
            answered_without_order=self.operator == "answered_no_order",
            tag_relation=(tags.relation, tags.column1, tags.column2),
        )

    def _get_fuzzy_condition_sql(self, model, table_alias, chain):
        """'similar to' and 'is (normalised)' on a contact field with a stored
        normalised companion (res.partner NORMALIZED_COMPANIONS) compare that
        indexed column; other lines, or when the companions are stale, the
        mixin's expression on the raw column. Both give the same contacts."""
        companion = self._get_normalized_companion(model, chain)
        values = split_values(self.value)
        if not companion or not values:
            return super()._get_fuzzy_condition_sql(model, table_alias, chain)
        abbreviations = self.env["crm.match.abbreviation"]._get_abbreviation_map()
        column = SQL.identifier(table_alias, companion)
        if self.operator == "normalized":
            return sql_normalized_in_normalized(column, values, abbreviations)
        if self._use_distinct_values(model, companion):
            conditions = [
                sql_in_similar_values(
                    column,
                    SQL.identifier(model._table),
                    SQL.identifier(companion),
                    value,
                    self.threshold,
                    abbreviations,
                )
                for value in values
            ]
        else:
            set_similarity_threshold(self.env.cr, self.threshold)
            conditions = [
                sql_similar_normalized(column, value, self.threshold, abbreviations)
                for value in values
            ]
        return SQL("(%s)", SQL(" OR ").join(conditions))

    def _use_distinct_values(self, model, column):
        """Whether the planner statistics say ``column`` has few distinct
        values (see DISTINCT_VALUES_LIMIT); the context key
        ``mrm_similar_path`` (``"values"`` or ``"trigram"``) forces a path."""
        forced = self.env.context.get("mrm_similar_path")
        if forced:
            return forced == "values"
        self.env.cr.execute(
            SQL(
                "SELECT CASE WHEN s.n_distinct >= 0 THEN s.n_distinct"
                " ELSE -s.n_distinct * c.reltuples END"
                " FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename"
                " AND c.relnamespace = to_regnamespace(s.schemaname)"
                " WHERE s.schemaname = current_schema() AND s.tablename = %s"
                " AND s.attname = %s",
                model._table,
                column,
            )
        )
        row = self.env.cr.fetchone()
        return bool(row) and row[0] is not None and row[0] <= DISTINCT_VALUES_LIMIT

    def _get_odoo_condition_sql(self, model, table_alias, chain):
        """'is set' / 'is not set' on a plain field of the contact itself:
        the ORM's own condition on the outer alias, not a sub-select of the
        whole table joined back by id."""
        if (
            self.operator in ("set", "not set")
            and len(chain) == 1
            and chain[0].store
            and chain[0].type not in ("many2many", "one2many")
            and table_alias == model._table
        ):
            operator = "!=" if self.operator == "set" else "="
            query = (
                model.sudo()
                .with_context(active_test=False)
                ._search([(self.field_name, operator, False)])
            )
            if (
                not query.is_empty()
                and query._where_clauses
                and not query._joins
                and query.table == table_alias
            ):
                return SQL("(%s)", query.where_clause)
        return super()._get_odoo_condition_sql(model, table_alias, chain)

    def _get_normalized_companion(self, model, chain):
        """Name of the stored normalised column serving the line, or None."""
        if (
            model._name != "res.partner"
            or self.operator not in ("similar", "normalized")
            or len(chain) != 1
            or chain[0].name not in NORMALIZED_COMPANIONS
            or self.env.context.get("mrm_no_normalized_columns")
            or not model._mrm_normalized_columns_ready()
        ):
            return None
        return NORMALIZED_COMPANIONS[chain[0].name]
