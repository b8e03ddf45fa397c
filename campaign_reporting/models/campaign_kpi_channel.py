# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from .campaign_kpi import CHANNEL_SELECTION, MONEY_GROUPS
from .campaign_kpi_sql import channel_view_sql
from .campaign_kpi_store import STORED_CHANNEL_VIEW


class CampaignKpiChannel(models.Model):
    """Funnel KPIs per campaign and channel: a live SQL view.

    A lead takes the channel of the campaign member that produced it, an order
    the channel of its opportunity; 'none' holds what no member produced.
    Money is booked on the campaign (campaign.kpi); a channel's share of it
    (revenue by its orders, cost by its contacts) is defined once in
    kpi/arithmetic.py: the channels of a campaign add up to its figures.
    """

    _name = "campaign.kpi.channel"
    _inherit = "campaign.kpi.dimension.mixin"
    _description = "Campaign KPIs per channel"
    _auto = False
    _order = "campaign_id desc, channel"
    _rec_name = "campaign_id"

    channel = fields.Selection(CHANNEL_SELECTION, readonly=True)

    # the campaign's money shared out to its channels (kpi/arithmetic.py)
    currency_id = fields.Many2one("res.currency", readonly=True)
    revenue_share = fields.Float(
        "Revenue share", readonly=True, aggregator=None, groups=MONEY_GROUPS
    )
    cost_share = fields.Float(
        "Cost share", readonly=True, aggregator=None, groups=MONEY_GROUPS
    )
    revenue = fields.Monetary("Invoiced revenue", readonly=True, groups=MONEY_GROUPS)
    cost_total = fields.Monetary("Actual cost", readonly=True, groups=MONEY_GROUPS)
    cofunding_committed = fields.Monetary(
        "Co-funding committed", readonly=True, groups=MONEY_GROUPS
    )
    net_cost = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    net_return = fields.Monetary("Net return", readonly=True, groups=MONEY_GROUPS)
    roi = fields.Float(
        "ROI (%)",
        readonly=True,
        aggregator=None,
        groups=MONEY_GROUPS,
        help="The channel's net return over its net cost, as the campaign's "
        "ROI; empty while its net cost is zero or unknown.",
    )

    @property
    def _table_sql(self):
        # the Campaign Monitor reads the same view over the stored funnel
        if self.env.context.get("campaign_kpi_stored"):
            return tools.SQL.identifier(STORED_CHANNEL_VIEW)
        return super()._table_sql

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            tools.SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                tools.SQL.identifier(self._table),
                channel_view_sql(),
            )
        )
