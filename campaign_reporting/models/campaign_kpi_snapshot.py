# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .campaign_kpi import DATA_ISSUE_SELECTION, MONEY_GROUPS
from .campaign_kpi_sql import FUNNEL_COUNTS

SNAPSHOT_COUNTS = list(FUNNEL_COUNTS)
SNAPSHOT_MONEY = [
    "budget",
    "revenue",
    "cost_timesheet",
    "cost_bill",
    "cost_direct",
    "cost_other",
    "cost_total",
    "committed_total",
    "cofunding_committed",
    "cofunding_claimed",
    "cofunding_received",
    "net_cost",
]


class CampaignKpiSnapshot(models.Model):
    """Figures of a campaign frozen when it is closed, kept for comparison."""

    _name = "campaign.kpi.snapshot"
    _inherit = "campaign.kpi.funnel.mixin"
    _description = "Campaign closing snapshot"
    _order = "date desc, id desc"
    _rec_name = "campaign_id"

    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Closed by",
        default=lambda self: self.env.user,
        readonly=True,
    )
    reason = fields.Selection(
        [("close", "Closing"), ("manual", "Manual")], default="close", readonly=True
    )
    data_issue = fields.Selection(DATA_ISSUE_SELECTION, readonly=True)
    budget = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    revenue = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    cost_timesheet = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    cost_bill = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    cost_direct = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    cost_other = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    cost_total = fields.Monetary("Actual cost", readonly=True, groups=MONEY_GROUPS)
    committed_total = fields.Monetary("Committed", readonly=True, groups=MONEY_GROUPS)
    cofunding_committed = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    cofunding_claimed = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    cofunding_received = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    net_cost = fields.Monetary(readonly=True, groups=MONEY_GROUPS)

    @api.model
    def _take(self, campaigns, reason="close"):
        """Freeze the current KPIs of ``campaigns`` (one read of the view).

        :return: the new snapshots
        """
        self.env.flush_all()
        kpi_model = self.env["campaign.kpi"].sudo()
        rows = kpi_model.search_read(
            [("campaign_id", "in", campaigns.ids)],
            ["campaign_id", "company_id", "currency_id", "data_issue"]
            + SNAPSHOT_COUNTS
            + SNAPSHOT_MONEY,
            load=None,
        )
        vals_list = []
        for row in rows:
            vals = {name: row[name] for name in SNAPSHOT_COUNTS + SNAPSHOT_MONEY}
            vals.update(
                campaign_id=row["campaign_id"],
                company_id=row["company_id"],
                currency_id=row["currency_id"],
                data_issue=row["data_issue"],
                reason=reason,
            )
            vals_list.append(vals)
        return self.sudo().create(vals_list)
