# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MarketingCampaignCost(models.Model):
    _inherit = "marketing.campaign.cost"

    @api.model_create_multi
    def create(self, vals_list):
        campaign_ids = [vals.get("campaign_id") for vals in vals_list]
        self.env["utm.campaign"].browse(
            [cid for cid in campaign_ids if cid]
        )._check_open_for_costs()
        return super().create(vals_list)

    def write(self, vals):
        self.campaign_id._check_open_for_costs()
        if vals.get("campaign_id"):
            self.env["utm.campaign"].browse(vals["campaign_id"])._check_open_for_costs()
        return super().write(vals)

    def unlink(self):
        self.campaign_id._check_open_for_costs()
        return super().unlink()
