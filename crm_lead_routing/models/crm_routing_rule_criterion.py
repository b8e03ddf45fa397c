# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

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
        depends on the column's value only). Other lines are left out.

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
            values = self._batch_column_values(batch, column)
            if values is None:
                continue
            condition = line._get_condition_sql("v")
            cr.execute(
                SQL(
                    "SELECT v.%s FROM unnest(%s::text[]) AS v(%s) WHERE %s",
                    SQL.identifier(column),
                    pg_array(values),
                    SQL.identifier(column),
                    condition,
                )
            )
            matching = [row[0] for row in cr.fetchall()]
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
