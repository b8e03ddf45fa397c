# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MarketingCampaignPhaseOverride(models.TransientModel):
    """A marketing manager closes the current phase of a campaign although
    some of its tasks are still open, and says why."""

    _name = "marketing.campaign.phase.override"
    _description = "Override a campaign phase gate"

    campaign_id = fields.Many2one("utm.campaign", required=True)
    phase_id = fields.Many2one(related="campaign_id.phase_id")
    open_task_count = fields.Integer(related="campaign_id.phase_id.open_task_count")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.campaign_id._get_current_phase()._close(override_reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
