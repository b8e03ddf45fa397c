# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    campaign_cofunding_ids = fields.One2many(
        "marketing.campaign.cofunding", "claim_move_id", string="Co-funding claimed"
    )

    def _compute_payment_state(self):
        res = super()._compute_payment_state()
        self.sudo().campaign_cofunding_ids._sync_claim_state()
        return res

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            self.sudo().campaign_cofunding_ids._sync_claim_state()
        return res
