# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        result = super().action_confirm()
        self.env["marketing.partner.behaviour"]._trigger_refresh()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.env["marketing.partner.behaviour"]._trigger_refresh()
        return result
