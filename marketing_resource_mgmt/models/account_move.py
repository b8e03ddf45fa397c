# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if any(move.is_sale_document() for move in posted):
            self.env["marketing.partner.behaviour"]._trigger_refresh()
        return posted

    def button_draft(self):
        result = super().button_draft()
        self.env["marketing.partner.behaviour"]._trigger_refresh()
        # account's method answers None, which XML-RPC cannot carry
        return True if result is None else result
