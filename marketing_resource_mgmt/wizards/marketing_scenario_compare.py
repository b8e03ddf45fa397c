# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class MarketingScenarioCompare(models.TransientModel):
    """Two scenarios side by side: their totals, their plan per channel and
    their binding constraints."""

    _name = "marketing.scenario.compare"
    _description = "Compare Two Scenarios"

    scenario_a_id = fields.Many2one("marketing.scenario", "Scenario", required=True)
    scenario_b_id = fields.Many2one("marketing.scenario", "Compared with")
    comparison = fields.Html(compute="_compute_comparison", sanitize=False)

    def _metrics(self):
        return [
            (_("Contacts chosen"), "chosen_count", False),
            (_("Expected responses"), "expected_responses", False),
            (_("Expected revenue"), "expected_revenue", True),
            (_("Expected cost"), "expected_cost", True),
            (_("Expected profit"), "expected_profit", True),
            (_("ROI"), "roi", False),
            (_("Greedy plan's profit"), "greedy_profit", True),
            (_("Optimality gap"), "gap", False),
        ]

    @api.depends("scenario_a_id", "scenario_b_id")
    def _compute_comparison(self):
        for wizard in self:
            a, b = wizard.scenario_a_id, wizard.scenario_b_id
            if not a:
                wizard.comparison = False
                continue
            rows = []
            for label, name, money in wizard._metrics():
                value_a = a[name]
                value_b = b[name] if b else None
                rows.append(
                    wizard._row(
                        label,
                        value_a,
                        value_b,
                        money and a.currency_id,
                        "o_mrm_compare_" + name,
                    )
                )
            channels = {}
            for scenario, column in ((a, 0), (b, 1)):
                for line in scenario.result_ids.filtered(lambda r: r.kind == "channel"):
                    channels.setdefault(line.name, [0, 0])[column] = line.contacts
            for name, (count_a, count_b) in sorted(channels.items()):
                rows.append(
                    wizard._row(
                        _("Contacts on %(channel)s", channel=name),
                        count_a,
                        count_b if b else None,
                        False,
                        "o_mrm_compare_channel",
                    )
                )
            binding = [
                Markup("<td>%s</td>")
                % Markup("<br/>").join(
                    escape(f"{line.name}: {line.explanation or ''}")
                    for line in scenario.constraint_ids.filtered("binding")
                )
                for scenario in (a, b)
                if scenario
            ]
            rows.append(
                Markup("<tr class='o_mrm_compare_binding'><th>%s</th>%s<td/></tr>")
                % (_("Binding constraints"), Markup("").join(binding))
            )
            header = Markup(
                "<table class='table table-sm o_mrm_scenario_compare'><thead><tr>"
                "<th/><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>"
            ) % (a.name, b.name if b else "", _("Difference"))
            wizard.comparison = (
                header + Markup("").join(rows) + Markup("</tbody></table>")
            )

    @staticmethod
    def _format(value, currency):
        if value is None:
            return ""
        if currency:
            return currency.format(value)
        if isinstance(value, float):
            return f"{value:,.2f}"
        return f"{value:,}"

    def _row(self, label, value_a, value_b, currency, css):
        difference = (
            "" if value_b is None else self._format(value_b - value_a, currency)
        )
        return Markup(
            "<tr class='%s'><th>%s</th><td>%s</td><td>%s</td><td>%s</td></tr>"
        ) % (
            css,
            label,
            self._format(value_a, currency),
            self._format(value_b, currency),
            difference,
        )

    def action_apply_b(self):
        """Apply the compared scenario (the one on the right)."""
        self.ensure_one()
        if not self.scenario_b_id:
            raise UserError(_("Choose the scenario to compare with."))
        self.scenario_b_id.action_apply()
        return {"type": "ir.actions.act_window_close"}

    def action_apply_a(self):
        """Apply the first scenario (the one on the left)."""
        self.ensure_one()
        self.scenario_a_id.action_apply()
        return {"type": "ir.actions.act_window_close"}
