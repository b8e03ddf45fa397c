# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    campaign_member_id = fields.Many2one(
        "marketing.campaign.member", readonly=True, copy=False, index="btree_not_null"
    )

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders._match_inbound_campaign()
        return orders

    def _match_inbound_campaign(self):
        """Tie new quotations and orders to the campaign they answer."""
        text = (
            "COALESCE(r.client_order_ref, '') || ' ' || COALESCE(r.origin, '') "
            "|| ' ' || COALESCE(r.note::text, '')"
        )
        Member = self.env["marketing.campaign.member"]
        matches = Member._match_inbound(self, text, None, ())
        Member._apply_inbound(self, matches, "responded")

    def action_confirm(self):
        res = super().action_confirm()
        members = self.sudo().campaign_member_id.filtered(
            lambda m: m.state not in ("converted", "unsubscribed")
        )
        members.write({"state": "converted"})
        # behavioural measures (recency, frequency, value) follow the orders
        self.env["marketing.partner.behaviour"]._trigger_refresh()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self.env["marketing.partner.behaviour"]._trigger_refresh()
        return res
