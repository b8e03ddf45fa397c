# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CampaignKpiFunnelMixin(models.AbstractModel):
    """The funnel counts (campaign_kpi_sql.FUNNEL_COUNTS), declared once for
    the KPI views and the closing snapshots."""

    _name = "campaign.kpi.funnel.mixin"
    _description = "Campaign funnel counts"

    members_targeted = fields.Integer("Targeted", readonly=True)
    members_contacted = fields.Integer("Contacted", readonly=True)
    members_opened = fields.Integer("Opened", readonly=True)
    members_clicked = fields.Integer("Clicked", readonly=True)
    members_responded = fields.Integer("Responded", readonly=True)
    members_converted = fields.Integer("Converted", readonly=True)
    members_unsubscribed = fields.Integer("Unsubscribed", readonly=True)
    members_bounced = fields.Integer("Bounced", readonly=True)
    leads = fields.Integer(readonly=True)
    opportunities = fields.Integer(readonly=True)
    won = fields.Integer(readonly=True)
    lost = fields.Integer(readonly=True)
    quotations = fields.Integer(readonly=True)
    orders = fields.Integer("Confirmed orders", readonly=True)


class CampaignKpiDimensionMixin(models.AbstractModel):
    """What the KPI views tell of the campaign (its columns in both views)."""

    _name = "campaign.kpi.dimension.mixin"
    _inherit = "campaign.kpi.funnel.mixin"
    _description = "Campaign KPI dimensions"

    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    state = fields.Selection(
        selection=lambda self: self.env["utm.campaign"]._fields["state"].selection,
        readonly=True,
    )
    campaign_type = fields.Selection(
        selection=lambda self: self.env["utm.campaign"]
        ._fields["campaign_type"]
        ._description_selection(self.env),
        string="Type",
        readonly=True,
    )
    phase_id = fields.Many2one("marketing.campaign.phase", readonly=True)
    date_start = fields.Date(readonly=True)
    date_end = fields.Date(readonly=True)
