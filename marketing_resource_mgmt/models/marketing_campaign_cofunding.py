# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..kpi_rules import COFUNDING_STATES


class MarketingCampaignCofunding(models.Model):
    """A third party's (vendor partner's) contribution to a campaign."""

    _name = "marketing.campaign.cofunding"
    _description = "Campaign Co-funding"
    _order = "campaign_id, id"

    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", required=True)
    amount = fields.Monetary(required=True)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    state = fields.Selection(
        COFUNDING_STATES,
        default="draft",
        required=True,
    )
    note = fields.Char()

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "Co-funding cannot be negative.")
    ]
