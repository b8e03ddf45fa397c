# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval


class CrmRoutingSimulation(models.TransientModel):
    """Run a (draft) rule set over existing leads; changes nothing."""

    _name = "crm.routing.simulation"
    _description = "Routing Simulation"

    rule_ids = fields.Many2many(
        "crm.routing.rule",
        string="Rules",
        context={"active_test": False},
        default=lambda self: self.env["crm.routing.rule"].search([]),
        help="Active or archived (draft) rules, tried by priority.",
    )
    lead_domain = fields.Char(string="Leads", default="[]")
    date_from = fields.Date(help="Leads created from this day.")
    date_to = fields.Date(help="Leads created until this day.")
    lead_count = fields.Integer(readonly=True)
    routed_count = fields.Integer(readonly=True)
    pooled_count = fields.Integer(readonly=True)
    waiting_count = fields.Integer(readonly=True)
    unmatched_count = fields.Integer(string="No Rule Catches", readonly=True)
    conflict_count = fields.Integer(string="Two Rules Fight Over", readonly=True)
    line_ids = fields.One2many("crm.routing.simulation.line", "simulation_id")
    unmatched_lead_ids = fields.Many2many(
        "crm.lead", "crm_routing_simulation_unmatched_rel", string="Unmatched Leads"
    )
    conflict_lead_ids = fields.Many2many(
        "crm.lead", "crm_routing_simulation_conflict_rel", string="Conflicting Leads"
    )

    def _get_lead_ids(self):
        try:
            domain = list(safe_eval(self.lead_domain or "[]"))
        except Exception as exc:
            raise UserError(
                self.env._("The lead filter is invalid: %(error)s", error=exc)
            ) from exc
        if self.date_from:
            domain.append(("create_date", ">=", self.date_from))
        if self.date_to:
            domain.append(("create_date", "<", fields.Date.add(self.date_to, days=1)))
        return self.env["crm.lead"].search(domain).ids

    def action_simulate(self):
        """Compute the distribution and show it on the wizard."""
        self.ensure_one()
        if not self.rule_ids:
            raise UserError(self.env._("Choose at least one rule to simulate."))
        stats = self.rule_ids._simulate(self._get_lead_ids())
        self._store_stats(stats)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _prepare_line_vals(self, stats):
        lines = []
        for rule_id, count in stats["per_rule"].items():
            lines.append({"rule_id": rule_id, "lead_count": count})
        per_rule_user = {}
        for _kind, rule_id, user_id, _text in stats["decisions"].values():
            if user_id:
                key = (rule_id, user_id)
                per_rule_user[key] = per_rule_user.get(key, 0) + 1
        for (rule_id, user_id), count in per_rule_user.items():
            lines.append({"rule_id": rule_id, "user_id": user_id, "lead_count": count})
        return lines

    def _store_stats(self, stats):
        unmatched = [
            lead_id
            for lead_id, decision in stats["decisions"].items()
            if decision[0] == "unrouted"
        ]
        self.write(
            {
                "lead_count": stats["leads"],
                "routed_count": stats["routed"] + stats["fallback"],
                "pooled_count": stats["pooled"],
                "waiting_count": stats["waiting"],
                "unmatched_count": len(unmatched),
                "conflict_count": len(stats["conflicts"]),
                "unmatched_lead_ids": [(6, 0, unmatched)],
                "conflict_lead_ids": [(6, 0, list(stats["conflicts"]))],
                "line_ids": [(5, 0, 0)]
                + [(0, 0, vals) for vals in self._prepare_line_vals(stats)],
            }
        )


class CrmRoutingSimulationLine(models.TransientModel):
    _name = "crm.routing.simulation.line"
    _description = "Routing Simulation Line"
    _order = "rule_id, user_id"

    simulation_id = fields.Many2one(
        "crm.routing.simulation", required=True, ondelete="cascade"
    )
    rule_id = fields.Many2one("crm.routing.rule", context={"active_test": False})
    user_id = fields.Many2one("res.users", string="Assignee")
    lead_count = fields.Integer(string="Leads")
