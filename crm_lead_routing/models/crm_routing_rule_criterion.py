# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..matching import sql_prefix_normalized
from ..routing import pg_array


class CrmRoutingRuleCriterion(models.Model):
    """A filter line of a routing rule, over the leads."""

    _name = "crm.routing.rule.criterion"
    _inherit = ["crm.match.criterion.mixin"]
    _description = "Routing Rule Criterion"

    rule_id = fields.Many2one(
        "crm.routing.rule", required=True, ondelete="cascade", index=True
    )
    # the rule's company, for the multi-company record rule
    company_id = fields.Many2one(related="rule_id.company_id")

    def _get_match_model_name(self):
        return "crm.lead"

    def _get_batch_conditions(self, batch):
        """The lines' conditions precomputed for a routing batch: a fuzzy
        line on a plain text column whose values repeat much in the batch
        (counties, towns) is evaluated once per distinct value, and becomes
        ``column = ANY(matching values)`` (the same result: the condition
        depends on the column's value only). A 'starts with' line on a plain
        text column (postcodes, phones: few repeats) is evaluated on the
        batch's distinct values too, normalised once for every line of the
        run that compares the same form. Other lines are left out.

        :param batch: memo from ``crm.routing.rule._prepare_batch_conditions``
        :return: ``{line id: SQL condition over crm_lead}``
        """
        conditions = {}
        if not batch or not batch.get("lead_ids"):
            return conditions
        cr = self.env.cr
        for line in self:
            if line.id in batch["conditions"]:
                if batch["conditions"][line.id] is not None:
                    conditions[line.id] = batch["conditions"][line.id]
                continue
            batch["conditions"][line.id] = None
            column = line._get_plain_text_column()
            if not column:
                continue
            condition = line._get_condition_sql("v")
            if line.operator == "prefix":
                matching = line._batch_prefix_matching(batch, column)
            else:
                matching = line._batch_values_matching(batch, column, condition)
                if matching is None:
                    continue
            cr.execute(
                SQL(
                    "SELECT coalesce(%s, FALSE) FROM (SELECT NULL::text AS %s) AS v",
                    condition,
                    SQL.identifier(column),
                )
            )
            null_matches = cr.fetchone()[0]
            sql = SQL(
                "(%s = ANY(%s::text[])%s)",
                SQL.identifier("crm_lead", column),
                pg_array(matching),
                SQL(" OR %s IS NULL", SQL.identifier("crm_lead", column))
                if null_matches
                else SQL(""),
            )
            batch["conditions"][line.id] = conditions[line.id] = sql
        return conditions

    def _batch_values_matching(self, batch, column, condition):
        """The batch's distinct values of ``column`` that ``condition`` (the
        line's, over alias ``v``) matches, or None when the values repeat too
        little to be worth it."""
        values = self._batch_column_values(batch, column)
        if values is None:
            return None
        self.env.cr.execute(
            SQL(
                "SELECT v.%s FROM unnest(%s::text[]) AS v(%s) WHERE %s",
                SQL.identifier(column),
                pg_array(values),
                SQL.identifier(column),
                condition,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _batch_prefix_matching(self, batch, column):
        """The batch's distinct values of ``column`` that this 'starts with'
        line matches: its condition on their normalised forms, computed once
        per column and form for the whole run (memoised in the batch)."""
        self.ensure_one()
        kind, country_code = self._get_prefix_form()
        key = (column, kind, country_code)
        if key not in batch["forms"]:
            self.env.cr.execute(
                SQL(
                    "SELECT d.v, %s FROM (SELECT DISTINCT %s AS v FROM crm_lead "
                    "WHERE id = ANY(%s::int[]) AND %s IS NOT NULL) AS d",
                    sql_prefix_normalized(SQL("d.v"), kind, country_code),
                    SQL.identifier(column),
                    batch["lead_ids"],
                    SQL.identifier(column),
                )
            )
            rows = self.env.cr.fetchall()
            batch["forms"][key] = (
                pg_array(row[0] for row in rows),
                pg_array(row[1] for row in rows),
            )
        values, forms = batch["forms"][key]
        condition = self._get_prefix_condition_sql(
            SQL("f.form"), kind, country_code, normalized=True
        )
        self.env.cr.execute(
            SQL(
                "SELECT f.v FROM unnest(%s::text[], %s::text[]) AS f(v, form) "
                "WHERE %s",
                values,
                forms,
                condition,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _batch_column_values(self, batch, column):
        """The distinct values of ``column`` in the batch, when they repeat
        enough to be worth evaluating once each (None otherwise); memoised
        in the batch."""
        if column not in batch["values"]:
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT %s FROM crm_lead "
                    "WHERE id = ANY(%s::int[]) AND %s IS NOT NULL",
                    SQL.identifier(column),
                    batch["lead_ids"],
                    SQL.identifier(column),
                )
            )
            values = [row[0] for row in self.env.cr.fetchall()]
            batch["values"][column] = (
                values if len(values) * batch["ratio"] <= batch["size"] else None
            )
        return batch["values"][column]
