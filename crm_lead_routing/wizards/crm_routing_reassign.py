# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval

from ..routing import Candidate, allocate


class CrmRoutingReassign(models.TransientModel):
    """Move one salesperson's open leads to others in one step."""

    _name = "crm.routing.reassign"
    _description = "Bulk Lead Reassignment"

    from_user_id = fields.Many2one("res.users", string="From", required=True)
    rule_id = fields.Many2one(
        "crm.routing.rule",
        help="Spread the leads with this rule's strategy and assignees.",
    )
    to_user_ids = fields.Many2many(
        "res.users",
        string="To",
        help="Spread over these salespeople (round robin) when no rule is chosen.",
    )
    lead_domain = fields.Char(string="Only Leads", default="[]")
    reason = fields.Char(default=lambda self: self.env._("Reassigned in bulk"))
    lead_count = fields.Integer(compute="_compute_lead_count")

    def _get_leads(self):
        self.ensure_one()
        try:
            extra = list(safe_eval(self.lead_domain or "[]"))
        except Exception as exc:
            raise UserError(
                self.env._("The lead filter is invalid: %(error)s", error=exc)
            ) from exc
        return self.env["crm.lead"].search(
            [
                ("user_id", "=", self.from_user_id.id),
                ("probability", "<", 100),
                *extra,
            ]
        )

    def _compute_lead_count(self):
        for wizard in self:
            wizard.lead_count = len(wizard._get_leads()) if wizard.from_user_id else 0

    def action_reassign(self):
        """Reassign and log; returns the leads moved."""
        self.ensure_one()
        leads = self._get_leads()
        if not leads:
            raise UserError(
                self.env._(
                    "%(user)s has no open lead to move.", user=self.from_user_id.name
                )
            )
        exclude = {self.from_user_id.id}
        if self.rule_id:
            rule = self.rule_id.sudo()
            loads = rule._get_loads()
            candidates = rule._get_candidates(loads, exclude_user_ids=exclude)
            strategy = "round_robin" if rule.strategy == "pool" else rule.strategy
            start = rule.round_robin_index
        else:
            candidates = [
                Candidate(user_id=user.id)
                for user in self.to_user_ids
                if user.id not in exclude
            ]
            strategy, start, rule = "round_robin", 0, self.env["crm.routing.rule"]
        if not candidates:
            raise UserError(self.env._("Choose whom to give the leads to."))
        result = allocate(strategy, leads.ids, candidates, start)
        if result.leftover:
            raise UserError(
                self.env._(
                    "%(count)s leads would find nobody with room: raise capacities or "
                    "add salespeople.",
                    count=len(result.leftover),
                )
            )
        names = {u.id: u.name for u in self.env["res.users"].browse(result.by_user())}
        decisions = {
            lead_id: (
                "reassign",
                rule.id or False,
                user_id,
                self.env._(
                    "%(reason)s: from %(from)s to %(to)s by %(by)s.",
                    reason=self.reason or "",
                    to=names[user_id],
                    by=self.env.user.name,
                    **{"from": self.from_user_id.name},
                ),
            )
            for lead_id, user_id in result.assigned.items()
        }
        leads._apply_routing_decisions(decisions, assigned_by=self.env.user)
        return leads
