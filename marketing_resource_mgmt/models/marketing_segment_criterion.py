# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

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

MATCHER_LABELS = {
    "normalized": "normalised text",
    "similar": "trigram similarity",
    "alias": "alias list",
    "prefix": "prefix range",
}

ODOO_OPERATORS = [
    ("=", "="),
    ("!=", "!="),
    ("ilike", "contains"),
    ("not ilike", "does not contain"),
    ("in", "is in (comma separated)"),
    ("<", "<"),
    (">", ">"),
    ("<=", "<="),
    (">=", ">="),
    ("set", "is set"),
    ("not set", "is not set"),
]


class MarketingSegmentCriterion(models.Model):
    """One criterion line of a segment: field / operator / value. Lines of the
    same group are AND-ed, groups are OR-ed."""

    _name = "marketing.segment.criterion"
    _description = "Segment Criterion"
    _order = "segment_id, group, sequence, id"

    segment_id = fields.Many2one(
        "marketing.segment", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="segment_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    group = fields.Integer(
        default=1,
        help="Lines with the same group number must all match (AND); the "
        "groups are alternatives (OR).",
    )
    field_name = fields.Char(string="Field")
    operator = fields.Selection(
        ODOO_OPERATORS + BEHAVIOUR_OPERATORS, required=True, default="="
    )
    value = fields.Char()
    threshold = fields.Float(default=0.5)

    # ---- ORM --------------------------------------------------------------
    @api.depends("field_name", "operator", "value")
    def _compute_display_name(self):
        labels = dict(self._fields["operator"]._description_selection(self.env))
        for line in self:
            field = self.env["res.partner"]._fields.get(line.field_name or "")
            field_label = field._description_string(self.env) if field else ""
            line.display_name = " ".join(
                part
                for part in (field_label, labels.get(line.operator, ""), line.value)
                if part
            )

    @api.constrains("field_name", "operator", "value", "threshold")
    def _constrains_line(self):
        for line in self:
            try:
                line._get_condition_sql("res_partner")
            except UserError as error:
                raise ValidationError(error.args[0]) from error

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
        return MATCHER_LABELS.get(self.operator) and self.env._(
            MATCHER_LABELS[self.operator]
        )

    # ---- SQL --------------------------------------------------------------
    def _get_number(self):
        try:
            return float((self.value or "").strip())
        except ValueError as error:
            raise UserError(
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
            raise UserError(
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

    def _get_domain_leaf(self):
        Partner = self.env["res.partner"]
        field = Partner._fields.get(self.field_name or "")
        if not field or not (field.store or field.search):
            raise UserError(
                self.env._(
                    "Unknown or unsearchable field %(field)s in a segment criterion.",
                    field=self.field_name or "",
                )
            )
        operator = self.operator
        if operator == "set":
            return (self.field_name, "!=", False)
        if operator == "not set":
            return (self.field_name, "=", False)
        value = self.value or ""
        if operator == "in":
            values = [part.strip() for part in value.split(",") if part.strip()]
            if field.type in ("integer", "many2one"):
                try:
                    values = [int(part) for part in values]
                except ValueError as error:
                    raise UserError(
                        self.env._(
                            "The criterion %(line)s needs a list of ids.",
                            line=self.display_name,
                        )
                    ) from error
            return (self.field_name, "in", values)
        if field.type in ("integer", "float", "monetary"):
            return (self.field_name, operator, self._get_number())
        if field.type == "boolean":
            return (
                self.field_name,
                operator,
                value.strip().lower() in ("1", "true", "yes", "y"),
            )
        return (self.field_name, operator, value)

    def _get_condition_sql(self, table_alias):
        """The SQL condition of this line on the res_partner alias
        ``table_alias``.

        :return: odoo.tools.SQL
        """
        self.ensure_one()
        if self.operator in BEHAVIOUR_OPERATOR_KEYS:
            return self._get_behaviour_sql(table_alias)
        leaf = self._get_domain_leaf()
        try:
            query = self.env["res.partner"]._where_calc([leaf], active_test=False)
        except (ValueError, KeyError, TypeError) as error:
            raise UserError(
                self.env._(
                    "The criterion %(line)s is invalid: %(error)s",
                    line=self.display_name,
                    error=error,
                )
            ) from error
        return SQL("%s IN %s", SQL.identifier(table_alias, "id"), query.subselect())
