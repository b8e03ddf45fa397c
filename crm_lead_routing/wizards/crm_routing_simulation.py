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
            "name": self.env._("Routing Simulation: Result"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    @api.model
    def _prepare_line_vals(self, stats):
        """One line per rule and outcome: each assignee's leads, the pool,
        the leads that wait, those no rule catches; every lead is on one
        line, so that the lines add up to the simulated leads."""
        counts = {}
        for decision in stats["decisions"].values():
            outcome = "assigned" if decision.user_id else decision.state
            key = (decision.rule_id or False, decision.user_id or False, outcome)
            counts[key] = counts.get(key, 0) + 1
        return [
            {
                "rule_id": rule_id,
                "user_id": user_id,
                "outcome": outcome,
                "lead_count": count,
            }
            for (rule_id, user_id, outcome), count in counts.items()
        ]

    def _store_stats(self, stats):
        unmatched = [
            lead_id
            for lead_id, decision in stats["decisions"].items()
            if decision.kind == "unrouted"
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
    outcome = fields.Selection(
        [
            ("assigned", "Assigned"),
            ("pool", "In a pool"),
            ("waiting", "Waiting"),
            ("unrouted", "Not routed"),
        ]
    )
    lead_count = fields.Integer(string="Leads")
