# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools

from odoo.addons.marketing_resource_mgmt.kpi_rules import (
    COFUNDING_KPIS,
    COST_FIELDS,
    MEMBER_KPIS,
    MONEY_FIELDS,
    cofunding_domain,
    cost_source_domain,
    member_kpi_domain,
)
from odoo.addons.queue_job.job import identity_exact

from ..kpi import ROI_FULLY_FUNDED, ROI_NO_COST, ROI_PERCENT
from .campaign_kpi_sql import (
    KPI_INDEXES,
    ORDER_STATES,
    QUOTATION_STATES,
    campaign_view_sql,
)
from .campaign_kpi_store import (
    DIRTY_TABLE,
    FUNNEL_TABLE,
    STORED_KPI_VIEW,
    install_store,
    refresh_funnel_sql,
)

MONEY_GROUPS = (
    "campaign_reporting.group_campaign_finance,"
    "marketing_resource_mgmt.group_marketing_manager"
)

CHANNEL_SELECTION = [
    ("none", "Not attributed"),
    ("email", "E-mail"),
    ("call", "Call"),
    ("mail", "Direct mail"),
    ("sms", "SMS"),
]

ROI_BASIS_SELECTION = [
    (ROI_PERCENT, "ROI in percent"),
    (ROI_FULLY_FUNDED, "Fully funded"),
    (ROI_NO_COST, "No cost yet"),
]

DATA_ISSUE_SELECTION = [
    ("no_analytic_account", "No analytic account: costs unknown"),
    ("analytic_plan", "Analytic account outside the Projects plan: costs unknown"),
    ("currency", "Currencies differ: money figures withheld"),
]

# COST_FIELDS and MONEY_FIELDS (withheld on a data issue): kpi_rules


def withheld_fields(data_issue):
    """Fields whose value must not be shown for ``data_issue``.

    The view stores NULL for them, but the ORM reads a NULL number as 0: the
    callers blank these fields themselves so that no wrong figure is shown.
    """
    if data_issue == "currency":
        return MONEY_FIELDS
    if data_issue in ("no_analytic_account", "analytic_plan"):
        return COST_FIELDS
    return frozenset()


class CampaignKpi(models.Model):
    """KPIs per campaign: a live SQL view over Odoo's own records.

    See campaign_kpi_sql.py for the definitions of every figure. Money fields
    are restricted to finance and marketing managers.
    """

    _name = "campaign.kpi"
    _inherit = "campaign.kpi.dimension.mixin"
    _description = "Campaign KPIs"
    _auto = False
    _order = "campaign_id desc"
    _rec_name = "campaign_id"

    currency_id = fields.Many2one("res.currency", readonly=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account", readonly=True, groups=MONEY_GROUPS
    )
    data_issue = fields.Selection(DATA_ISSUE_SELECTION, readonly=True)

    target_members = fields.Integer(readonly=True)
    target_responses = fields.Integer(readonly=True)
    target_leads = fields.Integer(readonly=True)
    target_opportunities = fields.Integer(readonly=True)
    target_won = fields.Integer(readonly=True)
    target_orders = fields.Integer(readonly=True)
    target_revenue = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    budget = fields.Monetary(readonly=True, groups=MONEY_GROUPS)

    revenue = fields.Monetary("Invoiced revenue", readonly=True, groups=MONEY_GROUPS)
    cost_timesheet = fields.Monetary(
        "Cost: timesheets", readonly=True, groups=MONEY_GROUPS
    )
    cost_bill = fields.Monetary(
        "Cost: vendor bills", readonly=True, groups=MONEY_GROUPS
    )
    cost_direct = fields.Monetary(
        "Cost: direct entries", readonly=True, groups=MONEY_GROUPS
    )
    cost_other = fields.Monetary("Cost: other", readonly=True, groups=MONEY_GROUPS)
    cost_total = fields.Monetary("Actual cost", readonly=True, groups=MONEY_GROUPS)
    committed_po = fields.Monetary(
        "Committed: purchase orders", readonly=True, groups=MONEY_GROUPS
    )
    committed_bill = fields.Monetary(
        "Committed: draft bills", readonly=True, groups=MONEY_GROUPS
    )
    committed_total = fields.Monetary("Committed", readonly=True, groups=MONEY_GROUPS)
    budget_remaining = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    cofunding_committed = fields.Monetary(
        "Co-funding committed", readonly=True, groups=MONEY_GROUPS
    )
    cofunding_claimed = fields.Monetary(
        "Co-funding claimed", readonly=True, groups=MONEY_GROUPS
    )
    cofunding_received = fields.Monetary(
        "Co-funding received", readonly=True, groups=MONEY_GROUPS
    )
    net_cost = fields.Monetary(readonly=True, groups=MONEY_GROUPS)
    net_return = fields.Monetary(
        "Net return",
        readonly=True,
        groups=MONEY_GROUPS,
        help="Invoiced revenue minus the net cost (actual cost minus co-funding).",
    )
    roi = fields.Float(
        "ROI (%)",
        readonly=True,
        aggregator="avg",
        groups=MONEY_GROUPS,
        help="Net return / net cost x 100, only when the net cost is above zero; "
        "a campaign whose co-funding covers its cost is 'fully funded' and its "
        "return is the net return amount.",
    )
    roi_basis = fields.Selection(
        ROI_BASIS_SELECTION, "Return", readonly=True, groups=MONEY_GROUPS
    )
    cost_per_lead = fields.Monetary(
        readonly=True, aggregator="avg", groups=MONEY_GROUPS
    )
    cost_per_won = fields.Monetary(
        "Cost per won deal", readonly=True, aggregator="avg", groups=MONEY_GROUPS
    )
    rate_lead_opportunity = fields.Float(
        "Lead to opportunity (%)", readonly=True, aggregator="avg"
    )
    rate_opportunity_won = fields.Float(
        "Opportunity to won (%)", readonly=True, aggregator="avg"
    )
    rate_member_order = fields.Float(
        "Member to order (%)", readonly=True, aggregator="avg"
    )
    pct_members = fields.Float("Members: % of target", readonly=True, aggregator="avg")
    pct_responses = fields.Float(
        "Responses: % of target", readonly=True, aggregator="avg"
    )
    pct_leads = fields.Float("Leads: % of target", readonly=True, aggregator="avg")
    pct_opportunities = fields.Float(
        "Opportunities: % of target", readonly=True, aggregator="avg"
    )
    pct_won = fields.Float("Won: % of target", readonly=True, aggregator="avg")
    pct_orders = fields.Float("Orders: % of target", readonly=True, aggregator="avg")
    pct_revenue = fields.Float(
        "Revenue: % of target", readonly=True, aggregator="avg", groups=MONEY_GROUPS
    )
    pct_budget = fields.Float(
        "Cost: % of budget", readonly=True, aggregator="avg", groups=MONEY_GROUPS
    )

    @property
    def _table_sql(self):
        # the Campaign Monitor reads the same view over the stored funnel
        if self.env.context.get("campaign_kpi_stored"):
            return tools.SQL.identifier(STORED_KPI_VIEW)
        return super()._table_sql

    def init(self):
        currency_stored = self.env["utm.campaign"]._fields["currency_id"].store
        for name, table, definition in KPI_INDEXES:
            if not tools.sql.index_exists(self.env.cr, name):
                # definition: a constant of campaign_kpi_sql, no user input
                self.env.cr.execute(
                    tools.SQL(
                        "CREATE INDEX %s ON %s %s",
                        tools.SQL.identifier(name),
                        tools.SQL.identifier(table),
                        tools.SQL(definition),
                    )
                )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            tools.SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                tools.SQL.identifier(self._table),
                campaign_view_sql(currency_stored=currency_stored),
            )
        )
        install_store(self.env.cr, currency_stored)

    # ---- STORED FUNNEL

    @api.model
    def _refresh_stored_funnel(self):
        """Recompute the stored funnel of the campaigns marked as changed.

        Run by the Campaign Monitor before it reads the stored views, in its
        own transaction: what it reads then equals the live views. Set-based:
        one DELETE of the marks, one of the campaigns' rows and one INSERT
        from the live views' SQL restricted to them, whatever their number.

        :return: the number of campaigns recomputed
        """
        for model in (
            "marketing.campaign.member",
            "crm.lead",
            "sale.order",
            "crm.stage",
            "utm.campaign",
        ):
            self.env[model].flush_model()
        cr = self.env.cr
        cr.execute(
            tools.SQL(
                "DELETE FROM %s WHERE campaign_id IS NOT NULL RETURNING campaign_id",
                tools.SQL.identifier(DIRTY_TABLE),
            )
        )
        campaign_ids = sorted({row[0] for row in cr.fetchall()})
        if campaign_ids:
            cr.execute(
                tools.SQL(
                    "DELETE FROM %s WHERE campaign_id = ANY(%s)",
                    tools.SQL.identifier(FUNNEL_TABLE),
                    campaign_ids,
                )
            )
            cr.execute(refresh_funnel_sql(campaign_ids))
        return len(campaign_ids)

    @api.model
    def _enqueue_funnel_refresh(self):
        """Refresh the stored funnel in a queue job of its own, after a large
        write run as a job (an audience generation), so that the next
        Campaign Monitor does not pay for it. One pending job at most: a
        second request while one waits is the same job (identity key)."""
        self.with_delay(
            description=self.env._("Refresh the Campaign Monitor's figures"),
            identity_key=identity_exact,
        )._refresh_stored_funnel_job()

    @api.model
    def _refresh_stored_funnel_job(self):
        """:return: a summary, shown as the job's result"""
        count = self._refresh_stored_funnel()
        return self.env._("%(count)s campaigns recomputed.", count=count)

    # ---- DRILL-DOWN

    @api.model
    def _drill_down_spec(self, campaign, kpi, channel=None):
        """Model and domain of the records behind one figure.

        :param campaign: utm.campaign record
        :param kpi: name of a KPI field of campaign.kpi
        :param channel: optional channel key (members, leads, orders)
        :return: (model name, domain, context) or None for a derived figure
        """
        cid = campaign.id
        members = [("campaign_id", "=", cid)]
        if channel:
            members.append(("channel", "=", channel))
        lead_channel = []
        if channel == "none":
            lead_channel = [("id", "not in", self._leads_with_member(campaign))]
        elif channel:
            lead_channel = [
                (
                    "id",
                    "in",
                    self._leads_with_member(campaign, channel),
                )
            ]
        leads = [("campaign_id", "=", cid), ("active", "in", [True, False])]
        leads += lead_channel
        orders = [("campaign_id", "=", cid)]
        if channel == "none":
            orders += [
                ("campaign_member_id", "=", False),
                "|",
                ("opportunity_id", "=", False),
                ("opportunity_id", "not in", self._leads_with_member(campaign)),
            ]
        elif channel:
            orders += [
                "|",
                ("campaign_member_id.channel", "=", channel),
                "&",
                ("campaign_member_id", "=", False),
                ("opportunity_id", "in", lead_channel[0][2]),
            ]
        account = campaign.analytic_account_id.id
        analytic = [("account_id", "=", account)]
        direct_line_ids = (
            self.env["marketing.campaign.cost"]
            .sudo()
            .search([("campaign_id", "=", cid)])
            .analytic_line_id.ids
        )
        specs = {
            "leads": ("crm.lead", leads),
            "opportunities": ("crm.lead", leads + [("type", "=", "opportunity")]),
            "won": (
                "crm.lead",
                leads + [("active", "=", True), ("stage_id.is_won", "=", True)],
            ),
            "lost": (
                "crm.lead",
                leads + [("active", "=", False), ("probability", "=", 0)],
            ),
            "quotations": ("sale.order", orders + [("state", "in", QUOTATION_STATES)]),
            "orders": ("sale.order", orders + [("state", "in", ORDER_STATES)]),
            "revenue": (
                "account.move",
                [
                    ("campaign_id", "=", cid),
                    ("state", "=", "posted"),
                    ("move_type", "in", ["out_invoice", "out_refund"]),
                ],
            ),
        }
        specs.update(
            {
                name: ("marketing.campaign.member", members + member_kpi_domain(name))
                for name in MEMBER_KPIS
            }
        )
        specs.update(
            {
                f"cost_{source}": (
                    "account.analytic.line",
                    analytic + cost_source_domain(source, direct_line_ids),
                )
                for source in ("timesheet", "bill", "direct", "other", "total")
            }
        )
        specs.update(
            {
                name: (
                    "marketing.campaign.cofunding",
                    [("campaign_id", "=", cid)] + cofunding_domain(name),
                )
                for name in COFUNDING_KPIS
            }
        )
        if kpi in (
            "cost_timesheet",
            "cost_bill",
            "cost_direct",
            "cost_other",
            "cost_total",
        ):
            if not account:
                return None
        return specs.get(kpi)

    @api.model
    def _leads_with_member(self, campaign, channel=None):
        """Ids of the campaign's leads produced by a member (of ``channel``)."""
        domain = [("campaign_id", "=", campaign.id), ("lead_id", "!=", False)]
        if channel:
            domain.append(("channel", "=", channel))
        groups = (
            self.env["marketing.campaign.member"]
            .sudo()
            ._read_group(domain, [], ["lead_id:array_agg"])
        )
        if channel and channel != "none":
            # a lead takes the channel of its first member (see the SQL view)
            all_groups = (
                self.env["marketing.campaign.member"]
                .sudo()
                ._read_group(
                    [("lead_id", "in", groups[0][0] or [])],
                    ["lead_id"],
                    ["id:min"],
                )
            )
            first_ids = [min_id for _lead, min_id in all_groups]
            first = self.env["marketing.campaign.member"].sudo().browse(first_ids)
            return first.filtered(lambda m: m.channel == channel).lead_id.ids
        return groups[0][0] or []
