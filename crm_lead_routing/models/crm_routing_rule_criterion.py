# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..matching import (
    split_values,
    sql_normalized,
    sql_normalized_in_normalized,
    sql_prefix_normalized,
    sql_true_positions,
)
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
        self._batch_prefix_together(batch)
        self._batch_normalized_together(batch)
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
        if self.id in batch.get("value_matches", {}):
            return batch["value_matches"][self.id]
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
        per column and form for the whole run (memoised in the batch), or
        found with the other lines of the same form
        (:meth:`_batch_prefix_together`)."""
        self.ensure_one()
        if self.id in batch.get("prefix_matches", {}):
            return batch["prefix_matches"][self.id]
        kind, country_code = self._get_prefix_form()
        values, forms = self._batch_prefix_forms(batch, (column, kind, country_code))
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

    @api.model
    def _batch_prefix_forms(self, batch, key):
        """The batch's distinct values of a column and their normalised
        forms, as two array literals, once per ``(column, kind, country
        code)`` for the run."""
        if key not in batch["forms"]:
            column, kind, country_code = key
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
        return batch["forms"][key]

    def _batch_prefix_together(self, batch):
        """The matching values of the 'starts with' lines of ``self`` (not
        yet in the batch) that compare the same form of the same column, in
        one query per form: each value's positions of the lines it matches
        (one pass over the batch's forms, not one per line). Memoised in the
        batch for :meth:`_batch_prefix_matching`."""
        groups = {}
        for line in self:
            if line.id in batch["conditions"] or line.operator != "prefix":
                continue
            column = line._get_plain_text_column()
            if column:
                groups.setdefault((column, *line._get_prefix_form()), []).append(line)
        found = batch.setdefault("prefix_matches", {})
        for key, lines in groups.items():
            if len(lines) < 2:
                continue
            values, forms = self._batch_prefix_forms(batch, key)
            conditions = [
                line._get_prefix_condition_sql(
                    SQL("f.form"), key[1], key[2], normalized=True
                )
                for line in lines
            ]
            source = SQL("unnest(%s::text[], %s::text[]) AS f(v, form)", values, forms)
            found.update(self._values_matching_lines(lines, conditions, source))

    def _batch_normalized_together(self, batch):
        """The matching values of the 'is (normalised)' lines of ``self``
        (not yet in the batch) on a column whose values repeat: each of the
        batch's distinct values normalised once for all the lines of its
        column (as the line's condition normalises it), then compared with
        each line's normalised values, in one query per column. Memoised in
        the batch for :meth:`_batch_values_matching`."""
        groups = {}
        for line in self:
            if line.id in batch["conditions"] or line.operator != "normalized":
                continue
            values = split_values(line.value)
            column = values and line._get_plain_text_column()
            if column and self._batch_column_values(batch, column) is not None:
                groups.setdefault(column, []).append((line, values))
        abbreviations = self.env["crm.match.abbreviation"]._get_abbreviation_map()
        found = batch.setdefault("value_matches", {})
        for column, entries in groups.items():
            if len(entries) < 2:
                continue
            lines = [line for line, _values in entries]
            conditions = [
                sql_normalized_in_normalized(SQL("f.form"), values, abbreviations)
                for _line, values in entries
            ]
            source = SQL(
                "(SELECT d.v, %s AS form FROM unnest(%s::text[]) AS d(v) OFFSET 0) "
                "AS f",
                sql_normalized(SQL("d.v"), abbreviations),
                pg_array(batch["values"][column]),
            )
            found.update(self._values_matching_lines(lines, conditions, source))

    @api.model
    def _values_matching_lines(self, lines, conditions, source):
        """``{line id: [value]}``: the values of ``source`` (rows ``f(v,
        form)``) for which each line's condition (on ``f.form``) holds, in
        one pass: each value's positions of the lines it matches.

        :param conditions: one ``SQL`` condition per line of ``lines``
        """
        self.env.cr.execute(
            SQL(
                "SELECT t.v, t.lines FROM (SELECT f.v, %s AS lines FROM %s "
                "OFFSET 0) AS t WHERE cardinality(t.lines) > 0",
                sql_true_positions(conditions),
                source,
            )
        )
        matching = {line.id: [] for line in lines}
        for value, positions in self.env.cr.fetchall():
            for position in positions:
                matching[lines[position - 1].id].append(value)
        return matching

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
