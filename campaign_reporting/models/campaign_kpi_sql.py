"""SQL of the KPI views (campaign_kpi, campaign_kpi_channel).

The KPIs are a live SQL view (``_auto = False``), not a refreshed table: every
figure is one aggregate per source table (members, leads, orders, invoices,
analytic lines, purchase lines, co-funding), grouped by campaign, so the view
always equals Odoo's own screens and needs no refresh job. What stays
expensive is frozen explicitly: the closing snapshot (campaign.kpi.snapshot).
The Campaign Monitor reads the same SQL over a stored copy of the funnel,
recomputed for the campaigns that changed before each read
(campaign_kpi_store.py); the live views remain the reference.

Definitions (the drill-down domains in campaign_kpi.py use the same ones):

- members: ``marketing_campaign_member`` rows. targeted = all; contacted =
  state in CONTACTED_STATES; responded = state in RESPONDED_STATES;
  unsubscribed = state 'unsubscribed'.
- leads = every crm_lead carrying the campaign, archived ones included (a
  lost lead was a lead); opportunities = type 'opportunity'; won = active and
  in a won stage; lost = archived with probability 0 (Odoo's "Lost" filter).
- quotations = sale orders in draft/sent; orders = confirmed (state 'sale').
- revenue = amount_untaxed_signed of posted customer invoices and refunds
  carrying the campaign (company currency; refunds count negative).
- cost, from the campaign's analytic account (the Projects plan column
  ``account_id``; cost = -amount): timesheets (project set), vendor bills
  (category 'vendor_bill'), direct entries (lines of marketing.campaign.cost),
  other (anything else but customer invoices).
- committed = the uninvoiced part of confirmed purchase order lines plus the
  lines of draft vendor bills, analysed to the account (share of the analytic
  distribution), in company currency.
- co-funding: committed = states committed/claimed/received, claimed =
  claimed/received, received = received.
- net cost = actual cost - co-funding committed; net return = revenue - net
  cost; ROI and its basis (percent, fully funded, no cost) as defined once in
  kpi/arithmetic.py (roi_sql, roi_basis_sql).
- a channel's money (campaign_kpi_channel): the campaign's, shared out by
  the rule of kpi/arithmetic.py (revenue by orders, cost by contacts).
- A lead's channel is the channel of the campaign member whose lead it is;
  an order's the channel of the member it answers (inbound matching), else
  of its opportunity; 'none' when no member produced it.

Speed (size M, 1,000 campaigns): each source is aggregated per campaign
from an index-only scan of a covering partial index (KPI_INDEXES, created by
campaign.kpi's init()); an order's member channel is looked up only for the
orders that have a member, not by hashing every member; the monitor reads the
views with JIT compilation off (campaign.monitor._without_jit).

Money is withheld (NULL) and ``data_issue`` says why when a figure would be
wrong: no analytic account or one outside the Projects plan (costs), or a
currency that differs from the
campaign's (every money figure).
"""

from contextlib import contextmanager

from odoo.tools import SQL

from odoo.addons.marketing_resource_mgmt.kpi_rules import (
    CONTACTED_STATES,
    RESPONDED_STATES,
    cofunding_sql,
    cost_source_sql,
    member_kpi_sql,
)

from ..kpi import (
    COST_SHARE_BASIS,
    REVENUE_SHARE_BASIS,
    channel_share_sql,
    roi_basis_sql,
    roi_sql,
)

# re-exported for the callers of this module
__all__ = ["CONTACTED_STATES", "RESPONDED_STATES"]


@contextmanager
def jit_off(cr):
    """Run the block with PostgreSQL's JIT compilation off, then restore it.

    The KPI views and the P&L workbook's line queries are estimated above
    ``jit_above_cost`` (per-row sub-selects, big joins), so PostgreSQL would
    JIT-compile them: 1.2 s of the 2.5 s the KPI view took on size M, 0.74 s
    of the 0.8 s of the workbook's 80,000 timesheet lines, for no gain. The
    setting is local to the transaction.
    """
    cr.execute(SQL("SELECT current_setting('jit'), set_config('jit', 'off', true)"))
    previous = cr.fetchone()[0]
    try:
        yield
    finally:
        cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))


# member states, cost sources and co-funding states: one definition each,
# in marketing_resource_mgmt/kpi_rules.py (the drill-downs read the same)
QUOTATION_STATES = ("draft", "sent")
ORDER_STATES = ("sale",)
CHANNELS = ("none", "email", "call", "mail", "sms")

# Covering indexes of the KPI views' hot scans (created by campaign.kpi's
# init() when missing): each source is aggregated per campaign from an
# index-only scan instead of a scan of the whole table. Measured on size M
# (500,000 members, 150,000 campaign leads, 92,000 orders, 55,000 invoices).
KPI_INDEXES = (
    (
        "marketing_campaign_member_kpi_idx",
        "marketing_campaign_member",
        "(campaign_id, channel, state) WHERE campaign_id IS NOT NULL",
    ),
    (
        "crm_lead_kpi_idx",
        "crm_lead",
        "(campaign_id) INCLUDE (id, type, active, stage_id, probability)"
        " WHERE campaign_id IS NOT NULL",
    ),
    (
        "sale_order_kpi_idx",
        "sale_order",
        "(campaign_id) INCLUDE (state, campaign_member_id, opportunity_id)"
        " WHERE campaign_id IS NOT NULL",
    ),
    (
        "account_move_kpi_revenue_idx",
        "account_move",
        "(campaign_id) INCLUDE (amount_untaxed_signed, company_id)"
        " WHERE campaign_id IS NOT NULL AND state = 'posted'"
        " AND move_type IN ('out_invoice', 'out_refund')",
    ),
)


# The funnel stored for the Campaign Monitor (see campaign_kpi_store.py)
FUNNEL_TABLE = "campaign_kpi_funnel"
MEMBER_COUNTS = (
    "members_targeted",
    "members_contacted",
    "members_opened",
    "members_clicked",
    "members_responded",
    "members_converted",
    "members_unsubscribed",
    "members_bounced",
)
FUNNEL_COUNTS = MEMBER_COUNTS + (
    "leads",
    "opportunities",
    "won",
    "lost",
    "quotations",
    "orders",
)


def stored_funnel_sql():
    """The ``funnel`` CTE of the KPI views, read from FUNNEL_TABLE."""
    return SQL(
        "funnel AS (SELECT campaign_id, channel, %s FROM %s)",
        SQL(", ").join(SQL.identifier(name) for name in FUNNEL_COUNTS),
        SQL.identifier(FUNNEL_TABLE),
    )


def _sums_sql():
    """``SUM(x)::int AS x`` of every funnel count."""
    return SQL(",\n").join(
        SQL("SUM(%s)::int AS %s", SQL.identifier(name), SQL.identifier(name))
        for name in FUNNEL_COUNTS
    )


def _funnel_sql(campaign_ids=None):
    """Funnel counts per (campaign_id, channel).

    :param campaign_ids: only these campaigns (list of ids), or all; the
        same definitions either way (the stored funnel is refreshed with it)
    """
    ids = None if campaign_ids is None else list(campaign_ids)

    def only(alias):
        if ids is None:
            return SQL()
        return SQL("AND %s = ANY(%s)", SQL.identifier(alias, "campaign_id"), ids)

    lead_filter = SQL()
    if ids is not None:
        # a lead's channel needs every member of the lead (its first one)
        lead_filter = SQL(
            """AND m.lead_id IN (
                SELECT fl.id FROM crm_lead fl WHERE fl.campaign_id = ANY(%(ids)s)
                UNION
                SELECT fo.opportunity_id FROM sale_order fo
                 WHERE fo.campaign_id = ANY(%(ids)s)
            )""",
            ids=ids,
        )
    return SQL(
        """
        lead_channel AS (
            SELECT DISTINCT ON (m.lead_id) m.lead_id, m.channel
              FROM marketing_campaign_member m
             WHERE m.lead_id IS NOT NULL %(lead_filter)s
             ORDER BY m.lead_id, m.id
        ),
        f_members AS (
            SELECT m.campaign_id, m.channel::varchar AS channel,
                   %(member_counts)s,
                   0 AS leads, 0 AS opportunities, 0 AS won, 0 AS lost,
                   0 AS quotations, 0 AS orders
              FROM marketing_campaign_member m
             WHERE m.campaign_id IS NOT NULL %(only_members)s
             GROUP BY m.campaign_id, m.channel
        ),
        f_leads AS (
            SELECT l.campaign_id, COALESCE(lc.channel, 'none')::varchar AS channel,
                   %(member_zeros)s,
                   COUNT(*) AS leads,
                   COUNT(*) FILTER (WHERE l.type = 'opportunity') AS opportunities,
                   COUNT(*) FILTER (WHERE l.active AND s.is_won) AS won,
                   COUNT(*) FILTER (WHERE NOT l.active AND l.probability = 0) AS lost,
                   0 AS quotations, 0 AS orders
              FROM crm_lead l
              LEFT JOIN crm_stage s ON s.id = l.stage_id
              LEFT JOIN lead_channel lc ON lc.lead_id = l.id
             WHERE l.campaign_id IS NOT NULL %(only_leads)s
             GROUP BY l.campaign_id, COALESCE(lc.channel, 'none')
        ),
        f_orders AS (
            SELECT o.campaign_id, o.channel,
                   %(member_zeros)s,
                   0 AS leads, 0 AS opportunities, 0 AS won, 0 AS lost,
                   COUNT(*) FILTER (WHERE o.state IN %(quotation)s) AS quotations,
                   COUNT(*) FILTER (WHERE o.state IN %(order)s) AS orders
              FROM (
                    /* the member's channel is looked up only for the orders
                       that have one (a join would hash every member) */
                    SELECT so.campaign_id, so.state,
                           COALESCE(
                               CASE WHEN so.campaign_member_id IS NOT NULL THEN (
                                   SELECT om.channel
                                     FROM marketing_campaign_member om
                                    WHERE om.id = so.campaign_member_id
                               ) END,
                               lc.channel, 'none'
                           )::varchar AS channel
                      FROM sale_order so
                      LEFT JOIN lead_channel lc ON lc.lead_id = so.opportunity_id
                     WHERE so.campaign_id IS NOT NULL %(only_orders)s
                   ) o
             GROUP BY o.campaign_id, o.channel
        ),
        funnel AS (
            SELECT campaign_id, channel,
                   %(sums)s
              FROM (
                    SELECT * FROM f_members
                    UNION ALL SELECT * FROM f_leads
                    UNION ALL SELECT * FROM f_orders
                   ) u
             GROUP BY campaign_id, channel
        )
        """,
        member_counts=SQL(",\n").join(
            SQL(
                "COUNT(*) FILTER (WHERE %s) AS %s",
                member_kpi_sql(name, "m"),
                SQL.identifier(name),
            )
            for name in MEMBER_COUNTS
        ),
        member_zeros=SQL(", ").join(
            SQL("0 AS %s", SQL.identifier(name)) for name in MEMBER_COUNTS
        ),
        quotation=QUOTATION_STATES,
        order=ORDER_STATES,
        sums=_sums_sql(),
        lead_filter=lead_filter,
        only_members=only("m"),
        only_leads=only("l"),
        only_orders=only("so"),
    )


def channel_view_sql(stored=False):
    """SELECT of the campaign_kpi_channel view (one row per campaign and channel).

    The money of a channel row is the campaign's (its campaign_kpi row)
    times the channel's share, as defined once in kpi/arithmetic.py
    (REVENUE_SHARE_BASIS, COST_SHARE_BASIS, channel_share_sql).

    :param stored: read the funnel from the stored table (FUNNEL_TABLE)
        and the campaign's money from the stored KPI view instead of the
        live ones
    """
    # imported here: campaign_kpi_store imports this module
    from .campaign_kpi_store import STORED_KPI_VIEW

    kpi_view = STORED_KPI_VIEW if stored else "campaign_kpi"
    revenue = SQL("k.revenue * f.revenue_share")
    net_cost = SQL("k.net_cost * f.cost_share")
    return SQL(
        """
        WITH %(funnel)s
        SELECT c.id * 10 + array_position(%(channels)s::varchar[], f.channel) AS id,
               c.id AS campaign_id, f.channel, c.company_id, c.user_id,
               c.state, c.campaign_type, c.phase_id, c.date_start, c.date_end,
               %(counts)s,
               k.currency_id,
               f.revenue_share, f.cost_share,
               %(revenue)s AS revenue,
               k.cost_total * f.cost_share AS cost_total,
               k.cofunding_committed * f.cost_share AS cofunding_committed,
               %(net_cost)s AS net_cost,
               %(revenue)s - %(net_cost)s AS net_return,
               %(roi)s AS roi
          FROM (
                SELECT fc.*,
                       %(revenue_share)s AS revenue_share,
                       %(cost_share)s AS cost_share
                  FROM funnel fc
                WINDOW per_campaign AS (PARTITION BY fc.campaign_id)
               ) f
          JOIN utm_campaign c ON c.id = f.campaign_id
          LEFT JOIN %(kpi_view)s k ON k.campaign_id = f.campaign_id
        """,
        funnel=stored_funnel_sql() if stored else _funnel_sql(),
        counts=SQL(", ").join(SQL.identifier("f", name) for name in FUNNEL_COUNTS),
        channels=list(CHANNELS),
        revenue_share=channel_share_sql(REVENUE_SHARE_BASIS, "fc", "per_campaign"),
        cost_share=channel_share_sql(COST_SHARE_BASIS, "fc", "per_campaign"),
        revenue=revenue,
        net_cost=net_cost,
        roi=roi_sql(revenue, net_cost),
        kpi_view=SQL.identifier(kpi_view),
    )


def campaign_currency_sql(stored):
    """The campaign's currency: its own column when stored, else its company's.

    sale makes utm.campaign.currency_id a non-stored related field of the
    company's currency; marketing_resource_mgmt may store it.
    """
    company_currency = SQL(
        "(SELECT cc.currency_id FROM res_company cc WHERE cc.id = c.company_id)"
    )
    if stored:
        return SQL("COALESCE(c.currency_id, %s)", company_currency)
    return company_currency


def campaign_view_sql(currency_stored=False, stored=False):
    """SELECT of the campaign_kpi view (one row per campaign, all KPIs).

    :param currency_stored: whether utm_campaign has a currency_id column
    :param stored: read the funnel from the stored table (FUNNEL_TABLE)
        instead of aggregating the members, leads and orders
    """
    return SQL(
        """
        WITH %(funnel)s,
        f_total AS (
            SELECT campaign_id, %(sums)s
              FROM funnel GROUP BY campaign_id
        ),
        revenue AS (
            SELECT m.campaign_id,
                   SUM(m.amount_untaxed_signed) AS revenue,
                   BOOL_OR(rc.currency_id <> %(cur)s) AS currency_mismatch
              FROM account_move m
              JOIN utm_campaign c ON c.id = m.campaign_id
              JOIN res_company rc ON rc.id = m.company_id
             WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
             GROUP BY m.campaign_id
        ),
        costs AS (
            SELECT c.id AS campaign_id,
                   SUM(-l.amount) FILTER (WHERE %(cost_timesheet)s)
                       AS cost_timesheet,
                   SUM(-l.amount) FILTER (WHERE %(cost_bill)s) AS cost_bill,
                   SUM(-l.amount) FILTER (WHERE %(cost_direct)s) AS cost_direct,
                   SUM(-l.amount) FILTER (WHERE %(cost_other)s) AS cost_other,
                   BOOL_OR(l.currency_id <> %(cur)s) AS currency_mismatch
              FROM utm_campaign c
              JOIN account_analytic_line l ON l.account_id = c.analytic_account_id
             GROUP BY c.id
        ),
        committed_po AS (
            SELECT c.id AS campaign_id,
                   SUM(
                       pol.price_subtotal / COALESCE(NULLIF(po.currency_rate, 0), 1)
                       * (pol.product_qty - pol.qty_invoiced) / pol.product_qty
                       * d.value::numeric / 100.0
                   ) AS committed_po,
                   BOOL_OR(rc.currency_id <> %(cur)s) AS currency_mismatch
              FROM purchase_order_line pol
              JOIN purchase_order po ON po.id = pol.order_id
              JOIN res_company rc ON rc.id = po.company_id
              CROSS JOIN LATERAL jsonb_each_text(pol.analytic_distribution) d
              JOIN utm_campaign c
                ON c.analytic_account_id::text = ANY(string_to_array(d.key, ','))
             WHERE po.state IN ('purchase', 'done')
               AND pol.display_type IS NULL
               AND pol.product_qty > 0
               AND pol.product_qty > pol.qty_invoiced
             GROUP BY c.id
        ),
        committed_bill AS (
            SELECT c.id AS campaign_id,
                   SUM(aml.balance * d.value::numeric / 100.0) AS committed_bill,
                   BOOL_OR(rc.currency_id <> %(cur)s) AS currency_mismatch
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN res_company rc ON rc.id = am.company_id
              CROSS JOIN LATERAL jsonb_each_text(aml.analytic_distribution) d
              JOIN utm_campaign c
                ON c.analytic_account_id::text = ANY(string_to_array(d.key, ','))
             WHERE am.state = 'draft'
               AND am.move_type IN ('in_invoice', 'in_refund')
               AND aml.display_type = 'product'
             GROUP BY c.id
        ),
        cofunding AS (
            SELECT cf.campaign_id,
                   SUM(cf.amount) FILTER (WHERE %(cf_committed)s)
                       AS cofunding_committed,
                   SUM(cf.amount) FILTER (WHERE %(cf_claimed)s)
                       AS cofunding_claimed,
                   SUM(cf.amount) FILTER (WHERE %(cf_received)s)
                       AS cofunding_received,
                   BOOL_OR(cf.currency_id <> %(cur)s
                           AND cf.state <> 'cancelled') AS currency_mismatch
              FROM marketing_campaign_cofunding cf
              JOIN utm_campaign c ON c.id = cf.campaign_id
             GROUP BY cf.campaign_id
        ),
        base AS (
            SELECT c.id AS campaign_id, c.company_id, %(cur)s AS currency_id, c.user_id,
                   c.state, c.campaign_type, c.phase_id, c.date_start, c.date_end,
                   c.analytic_account_id,
                   COALESCE(c.budget, 0) AS budget,
                   COALESCE(c.target_members, 0) AS target_members,
                   COALESCE(c.target_responses, 0) AS target_responses,
                   COALESCE(c.target_leads, 0) AS target_leads,
                   COALESCE(c.target_opportunities, 0) AS target_opportunities,
                   COALESCE(c.target_won, 0) AS target_won,
                   COALESCE(c.target_orders, 0) AS target_orders,
                   COALESCE(c.target_revenue, 0) AS target_revenue,
                   %(base_counts)s,
                   CASE
                       WHEN rcc.currency_id <> %(cur)s
                         OR r.currency_mismatch OR k.currency_mismatch
                         OR po.currency_mismatch OR bd.currency_mismatch
                         OR cf.currency_mismatch THEN 'currency'
                       WHEN c.analytic_account_id IS NULL THEN 'no_analytic_account'
                       /* the cost query reads the Projects plan column only */
                       WHEN aa.root_plan_id IS DISTINCT FROM (
                           SELECT value::int FROM ir_config_parameter
                            WHERE key = 'analytic.project_plan'
                       ) THEN 'analytic_plan'
                   END AS data_issue,
                   COALESCE(r.revenue, 0) AS revenue,
                   COALESCE(k.cost_timesheet, 0) AS cost_timesheet,
                   COALESCE(k.cost_bill, 0) AS cost_bill,
                   COALESCE(k.cost_direct, 0) AS cost_direct,
                   COALESCE(k.cost_other, 0) AS cost_other,
                   COALESCE(po.committed_po, 0) AS committed_po,
                   COALESCE(bd.committed_bill, 0) AS committed_bill,
                   COALESCE(cf.cofunding_committed, 0) AS cofunding_committed,
                   COALESCE(cf.cofunding_claimed, 0) AS cofunding_claimed,
                   COALESCE(cf.cofunding_received, 0) AS cofunding_received
              FROM utm_campaign c
              LEFT JOIN res_company rcc ON rcc.id = c.company_id
              LEFT JOIN account_analytic_account aa ON aa.id = c.analytic_account_id
              LEFT JOIN f_total f ON f.campaign_id = c.id
              LEFT JOIN revenue r ON r.campaign_id = c.id
              LEFT JOIN costs k ON k.campaign_id = c.id
              LEFT JOIN committed_po po ON po.campaign_id = c.id
              LEFT JOIN committed_bill bd ON bd.campaign_id = c.id
              LEFT JOIN cofunding cf ON cf.campaign_id = c.id
        ),
        money AS (
            SELECT b.*,
                   /* money that would be wrong is withheld */
                   CASE WHEN b.data_issue = 'currency' THEN NULL ELSE b.revenue END
                       AS m_revenue,
                   CASE WHEN b.data_issue IS NULL THEN b.cost_timesheet + b.cost_bill
                        + b.cost_direct + b.cost_other END AS m_cost,
                   CASE WHEN b.data_issue IS NULL THEN b.committed_po + b.committed_bill
                        END AS m_committed,
                   CASE WHEN b.data_issue = 'currency' THEN NULL
                        ELSE b.cofunding_committed END AS m_cofunding
              FROM base b
        )
        SELECT m.campaign_id AS id, m.campaign_id, m.company_id, m.currency_id,
               m.user_id,
               m.state, m.campaign_type, m.phase_id, m.date_start, m.date_end,
               m.analytic_account_id, m.data_issue,
               %(money_counts)s,
               m.budget, m.target_members, m.target_responses, m.target_leads,
               m.target_opportunities, m.target_won, m.target_orders, m.target_revenue,
               m.m_revenue AS revenue,
               CASE WHEN m.data_issue IS NULL THEN m.cost_timesheet END
                   AS cost_timesheet,
               CASE WHEN m.data_issue IS NULL THEN m.cost_bill END AS cost_bill,
               CASE WHEN m.data_issue IS NULL THEN m.cost_direct END AS cost_direct,
               CASE WHEN m.data_issue IS NULL THEN m.cost_other END AS cost_other,
               m.m_cost AS cost_total,
               CASE WHEN m.data_issue IS NULL THEN m.committed_po END AS committed_po,
               CASE WHEN m.data_issue IS NULL THEN m.committed_bill END
                   AS committed_bill,
               m.m_committed AS committed_total,
               CASE WHEN m.data_issue IS NULL THEN m.budget - m.m_committed - m.m_cost
                    END AS budget_remaining,
               m.m_cofunding AS cofunding_committed,
               CASE WHEN m.data_issue = 'currency' THEN NULL
                    ELSE m.cofunding_claimed END AS cofunding_claimed,
               CASE WHEN m.data_issue = 'currency' THEN NULL
                    ELSE m.cofunding_received END AS cofunding_received,
               m.m_cost - m.m_cofunding AS net_cost,
               /* the return: one definition in kpi/arithmetic.py */
               m.m_revenue - (m.m_cost - m.m_cofunding) AS net_return,
               %(roi)s AS roi,
               %(roi_basis)s AS roi_basis,
               m.m_cost / NULLIF(m.leads, 0) AS cost_per_lead,
               m.m_cost / NULLIF(m.won, 0) AS cost_per_won,
               m.opportunities * 100.0 / NULLIF(m.leads, 0) AS rate_lead_opportunity,
               m.won * 100.0 / NULLIF(m.opportunities, 0) AS rate_opportunity_won,
               m.orders * 100.0 / NULLIF(m.members_targeted, 0) AS rate_member_order,
               m.members_targeted * 100.0 / NULLIF(m.target_members, 0) AS pct_members,
               m.members_responded * 100.0 / NULLIF(m.target_responses, 0)
                   AS pct_responses,
               m.leads * 100.0 / NULLIF(m.target_leads, 0) AS pct_leads,
               m.opportunities * 100.0 / NULLIF(m.target_opportunities, 0)
                   AS pct_opportunities,
               m.won * 100.0 / NULLIF(m.target_won, 0) AS pct_won,
               m.orders * 100.0 / NULLIF(m.target_orders, 0) AS pct_orders,
               m.m_revenue * 100.0 / NULLIF(m.target_revenue, 0) AS pct_revenue,
               m.m_cost * 100.0 / NULLIF(m.budget, 0) AS pct_budget
          FROM money m
        """,
        funnel=stored_funnel_sql() if stored else _funnel_sql(),
        cur=campaign_currency_sql(currency_stored),
        sums=_sums_sql(),
        base_counts=SQL(",\n").join(
            SQL(
                "COALESCE(%s, 0) AS %s",
                SQL.identifier("f", name),
                SQL.identifier(name),
            )
            for name in FUNNEL_COUNTS
        ),
        money_counts=SQL(", ").join(
            SQL.identifier("m", name) for name in FUNNEL_COUNTS
        ),
        cost_timesheet=cost_source_sql("timesheet", "l"),
        cost_bill=cost_source_sql("bill", "l"),
        cost_direct=cost_source_sql("direct", "l"),
        cost_other=cost_source_sql("other", "l"),
        cf_committed=cofunding_sql("cofunding_committed", "cf"),
        cf_claimed=cofunding_sql("cofunding_claimed", "cf"),
        cf_received=cofunding_sql("cofunding_received", "cf"),
        roi=roi_sql(SQL("m.m_revenue"), SQL("m.m_cost - m.m_cofunding")),
        roi_basis=roi_basis_sql(SQL("m.m_cost - m.m_cofunding"), SQL("m.m_cofunding")),
    )
