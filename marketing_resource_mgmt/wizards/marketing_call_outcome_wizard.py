# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from ..tools import call_policy


class MarketingCallOutcomeWizard(models.TransientModel):
    """The caller's outcome dialog: code, call-back time, duration, note."""

    _name = "marketing.call.outcome.wizard"
    _description = "Call Outcome"

    member_id = fields.Many2one(
        "marketing.campaign.member", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="member_id.partner_id")
    outcome = fields.Selection(call_policy.OUTCOME_SELECTION, required=True)
    callback_at = fields.Datetime("Call back at")
    duration = fields.Float(
        help="Length of the call (hours:minutes), logged as effort."
    )
    note = fields.Text()

    @api.onchange("outcome")
    def _onchange_outcome(self):
        if self.outcome != "callback":
            self.callback_at = False

    def _record(self):
        self.ensure_one()
        return self.member_id.record_call_outcome(
            self.outcome,
            duration_minutes=round(self.duration * 60, 2),
            callback_at=self.callback_at or False,
            note=self.note or False,
        )

    def action_confirm(self):
        """Record the outcome and close the dialog."""
        self._record()
        return {"type": "ir.actions.act_window_close"}

    def action_confirm_next(self):
        """Record the outcome and open the next due call (or say none is)."""
        self._record()
        Member = self.env["marketing.campaign.member"]
        member = Member._take_next_call(self.member_id.campaign_id.id)
        if not member:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": _("Call queue"),
                    "message": _("No call is due now in this campaign."),
                    "type": "info",
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return member._call_screen_action()
