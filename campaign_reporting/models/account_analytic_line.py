# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    @api.model_create_multi
    def create(self, vals_list):
        # refuse before writing anything: the account is given or the project's
        account_ids = {
            vals["account_id"] for vals in vals_list if vals.get("account_id")
        }
        project_ids = {
            vals["project_id"] for vals in vals_list if vals.get("project_id")
        }
        if project_ids and "project.project" in self.env:
            account_ids |= set(
                self.env["project.project"].sudo().browse(project_ids).account_id.ids
            )
        self.env["account.analytic.account"].browse(
            account_ids
        )._campaign_check_open_for_costs()
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
