# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval

from ..routing import Candidate, Decision, RoutingRun
from ..routing.engine import REASSIGN


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

    def _get_domain(self):
        self.ensure_one()
        try:
            extra = list(safe_eval(self.lead_domain or "[]"))
        except Exception as exc:
            raise UserError(
                self.env._("The lead filter is invalid: %(error)s", error=exc)
            ) from exc
        return [
            ("user_id", "=", self.from_user_id.id),
            ("probability", "<", 100),
            *extra,
        ]

    def _get_leads(self):
        return self.env["crm.lead"].search(self._get_domain())

    @api.depends("from_user_id", "lead_domain")
    def _compute_lead_count(self):
        for wizard in self:
            try:
                wizard.lead_count = (
                    wizard.env["crm.lead"].search_count(wizard._get_domain())
                    if wizard.from_user_id
                    else 0
                )
            except UserError:  # a filter being typed: said on reassigning
                wizard.lead_count = 0

    def _prepare_run(self):
        """The routing run of the reassignment: the rule's (with its
        pointer, kept for the next run) or the chosen salespeople's."""
        if self.rule_id:
            rule = self.rule_id.sudo()
            return rule._prepare_run(), rule
        run = RoutingRun(
            candidates={
                False: [Candidate(user_id=user.id) for user in self.to_user_ids]
            }
        )
        return run, self.env["crm.routing.rule"]

    def action_reassign(self):
        """Reassign and log; tells how many leads moved.

        :return: a notification action (then the wizard closes)
        """
        self.ensure_one()
        leads = self._get_leads()
        if not leads:
            raise UserError(
                self.env._(
                    "%(user)s has no open lead to move.", user=self.from_user_id.name
                )
            )
        run, rule = self._prepare_run()
        if not any(
            c.user_id != self.from_user_id.id
            for c in run.candidates.get(rule.id or False, ())
        ):
            raise UserError(self.env._("Choose whom to give the leads to."))
        result = run.allocate(
            rule.id or False,
            rule.strategy or "round_robin",
            leads.ids,
            exclude_user_ids={self.from_user_id.id},
        )
        if result.leftover:
            raise UserError(
                self.env._(
                    "%(count)s leads would find nobody with room: raise capacities or "
                    "add salespeople.",
                    count=len(result.leftover),
                )
            )
        names = {u.id: u.name for u in self.env["res.users"].browse(result.by_user())}
        for lead_id, user_id in result.assigned.items():
            text = self.env._(
                "%(reason)s: from %(from)s to %(to)s by %(by)s.",
                reason=self.reason or "",
                to=names[user_id],
                by=self.env.user.name,
                **{"from": self.from_user_id.name},
            )
            run.decide(lead_id, Decision(REASSIGN, rule.id or None, user_id, text))
        self.env["crm.routing.rule"]._apply_run(run, assigned_by=self.env.user)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s leads moved from %(user)s to %(to)s.",
                    count=len(result.assigned),
                    user=self.from_user_id.name,
                    to=", ".join(names[uid] for uid in result.by_user()),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
