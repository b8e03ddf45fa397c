# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.account_id._campaign_check_open_for_costs()
        return lines

    def write(self, vals):
        if "account_id" in vals or "amount" in vals:
            self.account_id._campaign_check_open_for_costs()
        res = super().write(vals)
        if "account_id" in vals:
            self.account_id._campaign_check_open_for_costs()
        return res
