# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..matching import (
    expand_prefix_ranges,
    split_values,
    sql_alias_in,
    sql_normalized_in,
    sql_prefix_in,
    sql_similar,
)

ODOO_OPERATORS = [
    ("=", "is equal to"),
    ("!=", "is not equal to"),
    ("ilike", "contains"),
    ("not ilike", "does not contain"),
    ("in", "is one of"),
    ("<", "is lower than"),
    (">", "is greater than"),
    ("<=", "is lower or equal to"),
    (">=", "is greater or equal to"),
    ("set", "is set"),
    ("not set", "is not set"),
]
FUZZY_OPERATORS = [
    ("normalized", "is (normalised)"),
    ("similar", "is similar to"),
    ("alias", "is a spelling of"),
    ("prefix", "starts with (postcode / phone)"),
]
FUZZY_OPERATOR_KEYS = {key for key, _label in FUZZY_OPERATORS}
# field types the fuzzy operators compare as text (a many2one through its
# record name)
TEXT_FIELD_TYPES = ("char", "text", "selection", "html", "many2one")
# field names compared as phone numbers by the prefix operator; any other
# field is compared as a postcode
PHONE_FIELD_HINTS = ("phone", "mobile", "fax")
DEFAULT_THRESHOLD = 0.6
# Longest field path a line may use (Odoo's field selector follows relations:
# "Company > Country > Name" is three); each relation is one sub-select.
MAX_PATH_PARTS = 4


class CrmMatchCriterionMixin(models.AbstractModel):
    """One filter line: ``field_name`` ``operator`` ``value``.

    Lines with the same ``group`` are AND-ed, groups are OR-ed
    (:meth:`_get_criteria_sql`). The model the lines filter is given by
    :meth:`_get_match_model_name`, which each inheriting model implements
    (``crm.lead`` for routing, ``res.partner`` for segments).
    """

    _name = "crm.match.criterion.mixin"
    _description = "Matching Criterion (mixin)"
    _order = "group, sequence, id"

    sequence = fields.Integer(default=10)
    group = fields.Integer(
        default=1,
        required=True,
        help="Lines of the same group must all match (AND); "
        "a record matches when one group matches (OR).",
    )
    field_name = fields.Char(
        string="Field",
        required=True,
        help="Technical name of the field, or a path through many2ones: "
        "'city', 'state_id', 'state_id.code', 'parent_id.country_id.name'.",
    )
    operator = fields.Selection(
        ODOO_OPERATORS + FUZZY_OPERATORS, required=True, default="normalized"
    )
    value = fields.Char(
        help="Several values (operators 'is one of', 'is (normalised)', "
        "'starts with') are separated by new lines or semicolons; "
        "ranges such as 'LS1-LS9' or '0113-0119' are allowed for 'starts with'.",
    )
    threshold = fields.Float(
        default=DEFAULT_THRESHOLD,
        digits=(3, 2),
        help="For 'is similar to' (and optionally 'is a spelling of'): trigram "
        "similarity between 0 (excluded) and 1 (identical).",
    )
    alias_list_id = fields.Many2one(
        "crm.match.alias.list", string="Alias List", ondelete="restrict"
    )

    # ---- HOOKS

    def _get_match_model_name(self):
        """Technical name of the model the line filters; to be overridden.

        :return: model name, e.g. ``"crm.lead"``
        """
        model_name = self.env.context.get("match_model")
        if not model_name:
            raise NotImplementedError(
                f"{self._name} must implement _get_match_model_name()"
            )
        return model_name

    # ---- VALIDATION

    @api.constrains("field_name", "operator", "value", "threshold", "alias_list_id")
    def _check_criterion(self):
        for line in self:
            line._get_condition_sql("t")

    def _invalid(self, message):
        """A ValidationError naming the line's field.

        :param message: the translated reason
        """
        return ValidationError(
            self.env._(
                "Criterion '%(field)s': %(message)s",
                field=self.field_name or "",
                message=message,
            )
        )

    def _resolve_field_path(self, model):
        """The field(s) the line refers to.

        :param model: the filtered model (empty recordset)
        :return: list of one or two ``fields.Field`` (a many2one and one of
            its comodel's fields)
        :raise ValidationError: on an unknown or unsupported field
        """
        parts = (self.field_name or "").strip().split(".")
        if not all(parts) or len(parts) > MAX_PATH_PARTS:
            raise self._invalid(
                self.env._(
                    "use a field, or a path of at most %(count)s fields "
                    "through relations.",
                    count=MAX_PATH_PARTS,
                )
            )
        chain = []
        current = model
        for part in parts:
            field = current._fields.get(part)
            if field is None:
                raise ValidationError(
                    self.env._(
                        "Unknown field '%(field)s' on %(model)s.",
                        field=part,
                        model=current._description,
                    )
                )
            chain.append(field)
            if field.relational:
                # Odoo's operators follow any relation (a domain path);
                # the fuzzy ones many2ones only (_get_column_sql)
                current = self.env[field.comodel_name]
            elif part != parts[-1]:
                raise self._invalid(
                    self.env._("only a relation can be followed by a field.")
                )
        return chain

    # ---- SQL

    def _get_column_sql(self, model, table_alias, chain):
        """SQL expression of the line's field as text, for fuzzy operators.

        A path through several many2ones (``parent_id.country_id.name``)
        is one sub-select per relation, each with an alias of its own.
        """
        field = chain[0]
        if not field.store or not field.column_type:
            raise self._invalid(self.env._("the field is not stored in the database."))
        column = SQL.identifier(table_alias, field.name)
        if field.type != "many2one":
            return self._text_column(field, column)
        comodel = self.env[field.comodel_name]
        if len(chain) > 2:
            alias = f"related_{len(chain) - 1}"
            return SQL(
                "(SELECT %s FROM %s AS %s WHERE %s = %s)",
                self._get_column_sql(comodel, alias, chain[1:]),
                SQL.identifier(comodel._table),
                SQL.identifier(alias),
                SQL.identifier(alias, "id"),
                column,
            )
        target = chain[1] if len(chain) > 1 else comodel._fields.get(comodel._rec_name)
        if target is None or not target.store or not target.column_type:
            raise self._invalid(
                self.env._("the related field is not stored in the database.")
            )
        if target.type not in TEXT_FIELD_TYPES or target.type == "many2one":
            raise self._invalid(self.env._("the related field is not a text field."))
        inner = self._text_column(target, SQL.identifier("related", target.name))
        return SQL(
            "(SELECT %s FROM %s AS related WHERE related.id = %s)",
            inner,
            SQL.identifier(comodel._table),
            column,
        )

    def _text_column(self, field, column):
        if field.type not in TEXT_FIELD_TYPES:
            raise self._invalid(self.env._("fuzzy operators need a text field."))
        if field.translate:
            return SQL(
                "COALESCE(%s->>%s, %s->>'en_US')",
                column,
                self.env.lang or "en_US",
                column,
            )
        return column

    def _convert_value(self, field, raw):
        """Typed value of ``raw`` for Odoo's own operators."""
        raw = raw.strip()
        try:
            if field.type in ("integer", "many2one", "many2many", "one2many"):
                return (
                    int(raw)
                    if raw.lstrip("-").isdigit() or field.type == "integer"
                    else raw
                )
            if field.type in ("float", "monetary"):
                return float(raw)
        except ValueError as exc:
            raise self._invalid(
                self.env._("'%(value)s' is not a number.", value=raw)
            ) from exc
        if field.type == "boolean":
            return raw.lower() in ("1", "true", "yes", "y")
        return raw

    def _get_condition_sql(self, table_alias, model_name=None):
        """The line as an SQL condition over ``table_alias``.

        :param table_alias: alias (or table name) of the filtered model's table
        :param model_name: filtered model; defaults to
            :meth:`_get_match_model_name`
        :return: ``SQL`` condition
        :raise ValidationError: when the line cannot be turned into SQL
        """
        self.ensure_one()
        model = self.env[model_name or self._get_match_model_name()]
        chain = self._resolve_field_path(model)
        operator = self.operator
        if not operator:
            raise self._invalid(self.env._("choose an operator."))
        if not 0 < (self.threshold or 0) <= 1:
            raise self._invalid(
                self.env._(
                    "the similarity threshold must be above 0 and at most 1 "
                    "(got %(value)s).",
                    value=self.threshold,
                )
            )
        if operator in FUZZY_OPERATOR_KEYS:
            return self._get_fuzzy_condition_sql(model, table_alias, chain)
        return self._get_odoo_condition_sql(model, table_alias, chain)

    def _get_fuzzy_condition_sql(self, model, table_alias, chain):
        column = self._get_column_sql(model, table_alias, chain)
        abbreviations = self.env["crm.match.abbreviation"]._get_abbreviation_map()
        values = split_values(self.value)
        operator = self.operator
        if operator == "alias":
            if not self.alias_list_id:
                raise self._invalid(self.env._("choose an alias list."))
            aliases = self.alias_list_id._get_aliases() + values
            threshold = self.threshold if self.threshold < 1 else None
            return sql_alias_in(column, aliases, abbreviations, threshold)
        if not values:
            raise self._invalid(self.env._("enter a value."))
        if operator == "normalized":
            return sql_normalized_in(column, values, abbreviations)
        if operator == "similar":
            return SQL(
                "(%s)",
                SQL(" OR ").join(
                    sql_similar(column, value, self.threshold, abbreviations)
                    for value in values
                ),
            )
        kind, country_code = self._get_prefix_form(chain)
        return self._get_prefix_condition_sql(column, kind, country_code)

    def _get_prefix_condition_sql(self, column, kind, country_code, normalized=False):
        """The 'starts with' line as an SQL condition on ``column`` (or on
        its normalised form, see :func:`~..matching.sql_prefix_in`)."""
        values = split_values(self.value)
        try:
            expand_prefix_ranges(values, kind, country_code)
        except ValueError as exc:
            raise self._invalid(str(exc)) from exc
        return sql_prefix_in(column, values, kind, country_code, normalized=normalized)

    def _get_prefix_form(self, chain=None):
        """How a 'starts with' line compares: ``(kind, country code)``
        (postcode or phone, the home calling code)."""
        if chain is None:
            chain = self._resolve_field_path(self.env[self._get_match_model_name()])
        return self._get_prefix_kind(chain), str(
            self.env.company.country_id.phone_code or 44
        )

    def _get_prefix_kind(self, chain):
        name = chain[-1].name
        return (
            "phone" if any(hint in name for hint in PHONE_FIELD_HINTS) else "postcode"
        )

    def _get_odoo_condition_sql(self, model, table_alias, chain):
        field = chain[-1]
        operator = self.operator
        if operator == "set":
            domain = [(self.field_name, "!=", False)]
        elif operator == "not set":
            domain = [(self.field_name, "=", False)]
        else:
            if self.value is False or self.value is None:
                raise self._invalid(self.env._("enter a value."))
            if operator == "in":
                value = [
                    self._convert_value(field, v) for v in split_values(self.value)
                ]
            else:
                value = self._convert_value(field, self.value)
            domain = [(self.field_name, operator, value)]
        try:
            query = model.sudo().with_context(active_test=False)._search(domain)
        except (ValueError, TypeError, KeyError, UserError) as exc:
            raise self._invalid(str(exc)) from exc
        if (
            table_alias == query.table
            and len(query._tables) == 1
            and not query._joins
            and query._where_clauses
        ):
            # the condition on the row itself, not ``id IN (a scan of the
            # whole table)``: the planner keeps the caller's restrictions
            return SQL("(%s)", query.where_clause)
        return SQL("%s IN %s", SQL.identifier(table_alias, "id"), query.subselect())

    def _get_plain_text_column(self, model_name=None):
        """The line's column when it is a fuzzy condition on a plain text
        column of the filtered model (whose result depends on the column's
        value only), else None."""
        self.ensure_one()
        if self.operator not in FUZZY_OPERATOR_KEYS:
            return None
        model = self.env[model_name or self._get_match_model_name()]
        chain = self._resolve_field_path(model)
        field = chain[0]
        if (
            len(chain) != 1
            or field.type not in ("char", "text")
            or field.translate
            or not field.store
            or not field.column_type
        ):
            return None
        return field.name

    def _get_value_sql(self, table_alias, model_name=None):
        """The record's value for the line's field as text (for
        explanations), or NULL when it has no simple text form.

        :return: ``SQL`` expression
        """
        self.ensure_one()
        model = self.env[model_name or self._get_match_model_name()]
        chain = self._resolve_field_path(model)
        field = chain[0]
        if not field.store or not field.column_type:
            return SQL("NULL::text")
        if field.type in TEXT_FIELD_TYPES:
            try:
                return SQL(
                    "(%s)::text", self._get_column_sql(model, table_alias, chain)
                )
            except ValidationError:
                return SQL("NULL::text")
        if field.type in (
            "integer",
            "float",
            "monetary",
            "boolean",
            "date",
            "datetime",
        ):
            return SQL("(%s)::text", SQL.identifier(table_alias, field.name))
        return SQL("NULL::text")

    def _get_criteria_sql(self, table_alias, model_name=None, conditions=None):
        """The lines combined: AND within a group, OR between groups.

        :param conditions: optional ``{line id: SQL condition}`` used instead
            of the lines' own condition (the same condition, precomputed)
        :return: ``SQL`` condition (``TRUE`` when there is no line)
        """
        if not self:
            return SQL("TRUE")
        conditions = conditions or {}
        groups = {}
        # stable sort: new (unsaved) lines keep their order
        for line in self.sorted(lambda line: (line.group, line.sequence)):
            groups.setdefault(line.group, []).append(
                conditions.get(line.id)
                or line._get_condition_sql(table_alias, model_name)
            )
        return self._groups_sql(groups)

    @api.model
    def _groups_sql(self, groups):
        """Conditions combined as lines are: AND within a group, OR between
        groups.

        :param groups: ``{group: [SQL condition]}`` in the lines' order
        :return: ``SQL`` condition (``TRUE`` when there is no group)
        """
        if not groups:
            return SQL("TRUE")
        return SQL(
            "(%s)",
            SQL(" OR ").join(
                SQL("(%s)", SQL(" AND ").join(conditions))
                for conditions in groups.values()
            ),
        )
