"""KPI arithmetic: percentages, ratios and target signals.

Kept apart from the models (as mis-builder keeps its expression engine apart)
so that it is unit-tested without a database. The SQL view computes the same
ratios set-wise; these functions serve the monitor's signals and the digest.
"""

from datetime import date

from odoo.tools import SQL

SIGNAL_ON_TRACK = "on_track"
SIGNAL_AT_RISK = "at_risk"
SIGNAL_OFF_TRACK = "off_track"
SIGNAL_NONE = "none"
# a campaign before its start (draft, or its start date still ahead): its
# targets are not yet due, so "on track" would be a claim nobody can make
SIGNAL_NOT_STARTED = "not_started"

# Default thresholds (percent of the pro-rata target reached). A campaign that
# has reached 90 % of what it should have reached by today is on track, 60 %
# at risk, below that off track. Editable in the settings.
DEFAULT_ON_TRACK = 90.0
DEFAULT_AT_RISK = 60.0

_SIGNAL_ORDER = [
    SIGNAL_NONE,
    SIGNAL_NOT_STARTED,
    SIGNAL_ON_TRACK,
    SIGNAL_AT_RISK,
    SIGNAL_OFF_TRACK,
]

# How the return of a campaign is expressed (see roi_basis)
ROI_PERCENT = "percent"  # net cost above zero: ROI in percent
ROI_FULLY_FUNDED = "fully_funded"  # co-funding covers the whole cost
ROI_NO_COST = "no_cost"  # no cost and no co-funding yet


def ratio(numerator, denominator):
    """Return numerator / denominator, or None when it is undefined.

    :param numerator: number or None
    :param denominator: number or None
    :return: float or None (None for a missing operand or a zero denominator)
    """
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def percent(actual, target):
    """Percentage of ``target`` reached by ``actual`` (None without target)."""
    value = ratio(actual, target)
    return None if value is None else round(value * 100.0, 2)


def elapsed_ratio(date_start, date_end, today=None):
    """Share (0..1) of the campaign's duration elapsed at ``today``.

    Without dates the whole target is expected (1.0): the campaign is judged
    against its full targets.
    """
    today = today or date.today()
    if not date_start or not date_end or date_end <= date_start:
        return 1.0
    if today <= date_start:
        return 0.0
    if today >= date_end:
        return 1.0
    return (today - date_start).days / (date_end - date_start).days


def signal_for(
    actual,
    target,
    expected_share=1.0,
    on_track=DEFAULT_ON_TRACK,
    at_risk=DEFAULT_AT_RISK,
    lower_is_better=False,
):
    """Signal of one KPI against its target.

    :param actual: the figure reached so far
    :param target: the campaign's target for the whole campaign
    :param expected_share: share of the target expected by now (0..1)
    :param on_track: percent of the expected value at or above which the KPI is on track
    :param at_risk: percent of the expected value at or above which it is at risk
    :param lower_is_better: for a budget: spending above the pro-rata budget is bad
    :return: one of the SIGNAL_* constants (SIGNAL_NONE without a target or figure)
    """
    if actual is None or not target:
        return SIGNAL_NONE
    if lower_is_better:
        # cost against budget: over budget is off track, over the pro-rata
        # share (beyond the on-track tolerance) is at risk
        if actual > target:
            return SIGNAL_OFF_TRACK
        expected = target * max(expected_share, 0.0)
        if expected and actual > expected * (200.0 - on_track) / 100.0:
            return SIGNAL_AT_RISK
        return SIGNAL_ON_TRACK
    expected = target * expected_share
    if expected <= 0:
        return SIGNAL_ON_TRACK
    reached = actual / expected * 100.0
    if reached >= on_track:
        return SIGNAL_ON_TRACK
    if reached >= at_risk:
        return SIGNAL_AT_RISK
    return SIGNAL_OFF_TRACK


def worst_signal(signals):
    """The worst of several signals (off track > at risk > on track > none)."""
    worst = SIGNAL_NONE
    for sig in signals:
        if _SIGNAL_ORDER.index(sig) > _SIGNAL_ORDER.index(worst):
            worst = sig
    return worst


def has_started(state, date_start, today=None):
    """Whether a campaign's targets can be judged yet.

    A draft campaign, or one whose start date is still ahead, has not
    started: its signal is SIGNAL_NOT_STARTED, whatever its figures.

    :param state: the campaign's state (``draft``, ``running``, ...)
    :param date_start: its start date or None
    :return: bool
    """
    today = today or date.today()
    if state == "draft":
        return False
    return not (date_start and today < date_start)


# ---- RETURN ON INVESTMENT
#
# The one definition of the campaign's return, read by the KPI views (the SQL
# below), the Campaign Monitor and the digest (the Python functions) and the
# P&L workbook (the Excel formula). All three say the same:
#
#   net cost   = actual cost - co-funding committed
#   net return = invoiced revenue - net cost
#   ROI (%)    = net return / net cost x 100, only when net cost > 0
#
# With a net cost of zero or below the ROI is undefined (a division by zero,
# or a negative denominator that turns a gain into a "loss"): the campaign is
# "fully funded" when co-funding covers its cost, or has "no cost" yet, and
# its return is shown as the amount ``net_return`` instead.


def net_return(revenue, net_cost):
    """Invoiced revenue minus the net cost (None when either is unknown)."""
    if revenue is None or net_cost is None:
        return None
    return float(revenue) - float(net_cost)


def roi_basis(net_cost, cofunding):
    """How the campaign's return is expressed.

    :param net_cost: actual cost minus co-funding committed (None if unknown)
    :param cofunding: co-funding committed (None if unknown)
    :return: ROI_PERCENT, ROI_FULLY_FUNDED, ROI_NO_COST or None (unknown)
    """
    if net_cost is None:
        return None
    if net_cost > 0:
        return ROI_PERCENT
    if cofunding:
        return ROI_FULLY_FUNDED
    return ROI_NO_COST


def roi(revenue, net_cost):
    """Return on investment in percent: (revenue - net cost) / net cost x 100.

    :return: float, or None when the net cost is zero or below (see
        roi_basis: the return is then the amount ``net_return``) or unknown
    """
    if revenue is None or net_cost is None or net_cost <= 0:
        return None
    return (float(revenue) - float(net_cost)) / float(net_cost) * 100.0


def roi_sql(revenue, net_cost):
    """SQL of ``roi`` over two SQL expressions (NULL where roi is None)."""
    return SQL(
        "CASE WHEN (%(net)s) > 0 THEN ((%(rev)s) - (%(net)s)) / (%(net)s) * 100.0 END",
        rev=revenue,
        net=net_cost,
    )


def roi_basis_sql(net_cost, cofunding):
    """SQL of ``roi_basis`` over two SQL expressions (NULL where it is None)."""
    return SQL(
        """CASE WHEN (%(net)s) IS NULL THEN NULL
                WHEN (%(net)s) > 0 THEN %(percent)s
                WHEN COALESCE(%(cofunding)s, 0) <> 0 THEN %(funded)s
                ELSE %(no_cost)s END""",
        net=net_cost,
        cofunding=cofunding,
        percent=ROI_PERCENT,
        funded=ROI_FULLY_FUNDED,
        no_cost=ROI_NO_COST,
    )


def roi_xlsx_formula(revenue_cell, net_cost_cell, cofunding_cell, labels):
    """Excel formula of ``roi`` (as a ratio, for a percent-formatted cell).

    :param labels: {ROI_FULLY_FUNDED: text, ROI_NO_COST: text} shown instead
        of a ratio when the net cost is zero or below; with a ``None`` key
        too (the unknown basis of ``roi_basis``), that text is shown when
        the net cost or the revenue is not a number (an empty cell, as a
        spreadsheet pivot gives for an unknown figure: Excel and
        o-spreadsheet compare text above any number, so ``"" > 0`` would
        divide by zero)
    :return: formula text, e.g. ``=IF(B15>0,(B16-B15)/B15,IF(B14<>0,"Fully
        funded","No cost"))``
    """

    def text(value):
        escaped = value.replace('"', '""')
        return f'"{escaped}"'

    net, rev = net_cost_cell, revenue_cell
    funded = (
        f"IF({cofunding_cell}<>0,{text(labels[ROI_FULLY_FUNDED])},"
        f"{text(labels[ROI_NO_COST])})"
    )
    if None not in labels:
        return f"=IF({net}>0,({rev}-{net})/{net},{funded})"
    unknown = text(labels[None])
    return (
        f"=IF(ISNUMBER({net}),IF({net}>0,IF(ISNUMBER({rev}),({rev}-{net})/{net},"
        f"{unknown}),{funded}),{unknown})"
    )


# ---- ROLL-UP OF FOLLOW-ON CAMPAIGNS
#
# A parent campaign's figures in the Campaign Monitor are its own plus those
# of its follow-on campaigns (any depth): counts, targets and amounts are
# summed; a figure unknown for one campaign of the family (NULL, withheld) is
# unknown for the family; the ratios (ROI, cost per lead, rates, percent of
# target) are then computed from the sums by the functions above, never
# summed or averaged. Amounts in different currencies are not added up: the
# family's money figures are withheld (data issue "currency"). The SQL and
# the Python side say the same (tests/test_kpi_arithmetic.py).

# data issues of a family, the first found wins: a currency mix withholds
# every amount, a missing or misplaced analytic account the costs
ROLLUP_DATA_ISSUES = ("currency", "analytic_plan", "no_analytic_account")


def rollup_sum(values):
    """Sum of a figure over a campaign family (None if any is unknown).

    :param values: the figure of each campaign (numbers or None)
    :return: the sum, or None
    """
    values = list(values)
    if any(value is None for value in values):
        return None
    return sum(values)


def rollup_sum_sql(expression):
    """SQL aggregate of ``rollup_sum`` over the rows of a GROUP BY."""
    return SQL(
        "CASE WHEN bool_or((%(x)s) IS NULL) THEN NULL ELSE SUM(%(x)s) END",
        x=expression,
    )


def rollup_data_issue(issues, currency_count=1):
    """The data issue of a campaign family.

    :param issues: the data issue of each campaign (False/None when none)
    :param currency_count: number of distinct currencies in the family
    :return: one of ROLLUP_DATA_ISSUES, or None
    """
    if currency_count > 1:
        return "currency"
    found = {issue for issue in issues if issue}
    for issue in ROLLUP_DATA_ISSUES:
        if issue in found:
            return issue
    return None


# ---- RETURN BY CHANNEL
#
# A campaign's money is booked on the campaign (invoices, analytic lines,
# co-funding), not on a channel. Its share of each channel (a row of
# campaign.kpi.channel) is defined here, once, so that the channels' figures
# add up to the campaign's:
#
#   revenue   by the channel's share of the campaign's confirmed orders;
#             without orders, of its won opportunities; without either, as
#             the cost (the revenue follows the effort)
#   cost      (and co-funding, hence the net cost) by the channel's share of
#             the members contacted; without contacted members, of the
#             members targeted; without members, in equal parts over the
#             campaign's channel rows
#   net return = channel revenue - channel net cost; ROI by ``roi`` on them
#
# A campaign without any member, lead or order has no channel row: its money
# is in the campaign's figures only. Unknown money (NULL) stays unknown.

REVENUE_SHARE_BASIS = ("orders", "won", "members_contacted", "members_targeted")
COST_SHARE_BASIS = ("members_contacted", "members_targeted")


def channel_shares(rows, basis):
    """Each channel row's share (0..1) of its campaign's money.

    :param rows: the campaign's channel rows, dicts with the counts of
        ``basis``
    :param basis: the counts tried in turn (REVENUE_SHARE_BASIS or
        COST_SHARE_BASIS): the first whose campaign total is above zero
        splits the money; without any, equal parts
    :return: list of floats, one per row, summing to 1 (empty for no rows)
    """
    rows = list(rows)
    for name in basis:
        total = sum(row[name] or 0 for row in rows)
        if total > 0:
            return [(row[name] or 0) / total for row in rows]
    return [1.0 / len(rows) for row in rows]


def channel_share_sql(basis, alias, window):
    """SQL of ``channel_shares``: the share of the row ``alias`` among the
    rows of the named window ``window`` (one partition per campaign)."""
    parts = [
        SQL(
            "WHEN SUM(%(x)s) OVER %(w)s > 0"
            " THEN %(x)s::numeric / SUM(%(x)s) OVER %(w)s",
            x=SQL.identifier(alias, name),
            w=SQL.identifier(window),
        )
        for name in basis
    ]
    return SQL(
        "CASE %s ELSE 1.0 / COUNT(*) OVER %s END",
        SQL(" ").join(parts),
        SQL.identifier(window),
    )
