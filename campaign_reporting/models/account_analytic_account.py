# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models
from odoo.exceptions import UserError


class AccountAnalyticAccount(models.Model):
    _inherit = "account.analytic.account"

    def _campaign_check_open_for_costs(self):
        """Refuse costs on the analytic account of a closed campaign."""
        if not self:
            return
        closed = (
            self.env["utm.campaign"]
            .sudo()
            .with_context(active_test=False)
            .search([("analytic_account_id", "in", self.ids), ("state", "=", "closed")])
        )
        if closed:
            raise UserError(
                _(
                    "Campaign %(campaign)s is closed: its figures are frozen and it "
                    "accepts no new cost. A marketing manager can reopen it.",
                    campaign=", ".join(closed.mapped("display_name")),
                )
            )
