# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from .campaign_kpi import CHANNEL_SELECTION
from .campaign_kpi_sql import channel_view_sql
from .campaign_kpi_store import STORED_CHANNEL_VIEW


class CampaignKpiChannel(models.Model):
    """Funnel KPIs per campaign and channel: a live SQL view.

    A lead takes the channel of the campaign member that produced it, an order
    the channel of its opportunity; 'none' holds what no member produced.
    Money is campaign-wide and lives in campaign.kpi only.
    """

    _name = "campaign.kpi.channel"
    _inherit = "campaign.kpi.dimension.mixin"
    _description = "Campaign KPIs per channel"
    _auto = False
    _order = "campaign_id desc, channel"
    _rec_name = "campaign_id"

    channel = fields.Selection(CHANNEL_SELECTION, readonly=True)

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
