# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The KPI rules of the campaign loop, written once.

Every screen, view and report that counts members, costs or co-funding reads
its definitions here: the member states (the selection of
``marketing.campaign.member.state``), the state sets (what counts as
contacted, responded, converted...), the cost sources of a campaign's
analytic account, the co-funding states and the money fields. Each rule that
is both counted in SQL (campaign_reporting's KPI views, the P&L workbook, the
trace sync) and opened as a list (drill-downs, the campaign form's buttons)
is given as a pair: an SQL condition over a table alias and the ORM domain
that selects the same rows; ``tests/test_kpi_rules.py`` proves each pair
equal on real rows.

No ORM here: plain constants and SQL builders (odoo.tools.SQL).
"""

from odoo.tools import SQL

# ---- Member states ---------------------------------------------------------

# The member's state, in the order a member moves on. E-mail and SMS members
# move by their mailing traces (sent, opened, clicked, replied, bounced,
# unsubscribed; see models/marketing_campaign_member_trace.py), callers set
# "contacted", answers (portal, inbound leads and orders) set "responded",
# "converted", "declined" and "unsubscribed".
MEMBER_STATES = [
    ("targeted", "Targeted"),
    ("sent", "Sent"),
    ("opened", "Opened"),
    ("clicked", "Clicked"),
    ("replied", "Replied"),
    ("contacted", "Contacted"),
    ("responded", "Responded"),
    ("converted", "Converted"),
    ("declined", "Declined"),
    ("unsubscribed", "Unsubscribed"),
    ("bounced", "Bounced"),
]

# reached on the member's channel: a message went out (sent and after), a
# caller spoke to the person, or the person answered. A bounce did not reach.
CONTACTED_STATES = (
    "sent",
    "opened",
    "clicked",
    "replied",
    "contacted",
    "responded",
    "converted",
    "declined",
    "unsubscribed",
)
# answered the campaign, positively or not (a reply to the mailing, an answer
# on the portal or to a caller, a lead or order): the response rate. An
# unsubscription is not a response: it is counted as "unsubscribed".
RESPONDED_STATES = ("replied", "responded", "converted", "declined")
# answered without declining: what the Segmentation Analyser's behaviour
# (past campaign responses) and response score learn from
POSITIVE_RESPONSE_STATES = ("replied", "responded", "converted")
# the answer became business (an order, or an answer marked converted)
CONVERTED_STATES = ("converted",)
# the person's answer is logged work: kept by re-generation, never deleted
# (archive instead); unsubscriptions included (consent must be kept)
ANSWERED_STATES = ("replied", "responded", "converted", "declined", "unsubscribed")
# states an inbound lead or order still moves to "responded" (nothing answered yet)
INBOUND_MOVABLE_STATES = (
    "targeted",
    "sent",
    "opened",
    "clicked",
    "contacted",
    "bounced",
)

# Mailing results, in rank order: the trace sync moves a member only up this
# ladder, never down, and never out of a state a person set (an answer, an
# unsubscription on the portal, a conversion). A bounce outranks "sent" (the
# last delivery failed) but not an open (the person was reached once).
TRACE_RANKS = {
    "targeted": 0,
    "contacted": 1,
    "sent": 1,
    "bounced": 2,
    "opened": 3,
    "clicked": 4,
    "replied": 5,
    "unsubscribed": 6,
}
# states the trace sync may move a member out of
TRACE_MOVABLE_STATES = tuple(s for s in TRACE_RANKS if s != "unsubscribed")
# channels whose results come back through Odoo's mailing traces, and the
# trace type of each
TRACE_CHANNELS = {"email": "mail", "sms": "sms"}


def _col(alias, name):
    return SQL.identifier(alias, name)


# Member KPIs: name -> (SQL condition over a member alias, domain). The
# funnel counts them per campaign and channel; the drill-downs open them.
MEMBER_KPIS = {
    "members_targeted": (lambda a: SQL("TRUE"), []),
    "members_contacted": (
        lambda a: SQL("%s IN %s", _col(a, "state"), CONTACTED_STATES),
        [("state", "in", CONTACTED_STATES)],
    ),
    "members_opened": (
        lambda a: SQL("%s IS NOT NULL", _col(a, "date_opened")),
        [("date_opened", "!=", False)],
    ),
    "members_clicked": (
        lambda a: SQL("%s IS NOT NULL", _col(a, "date_clicked")),
        [("date_clicked", "!=", False)],
    ),
    "members_responded": (
        lambda a: SQL("%s IN %s", _col(a, "state"), RESPONDED_STATES),
        [("state", "in", RESPONDED_STATES)],
    ),
    "members_converted": (
        lambda a: SQL("%s IN %s", _col(a, "state"), CONVERTED_STATES),
        [("state", "in", CONVERTED_STATES)],
    ),
    "members_unsubscribed": (
        lambda a: SQL("%s = 'unsubscribed'", _col(a, "state")),
        [("state", "=", "unsubscribed")],
    ),
    "members_bounced": (
        lambda a: SQL("%s = 'bounced'", _col(a, "state")),
        [("state", "=", "bounced")],
    ),
}


def member_kpi_sql(name, alias="m"):
    """:return: SQL condition of the member KPI ``name`` over ``alias``"""
    return MEMBER_KPIS[name][0](alias)


def member_kpi_domain(name):
    """:return: the domain (on marketing.campaign.member) of the KPI ``name``"""
    return list(MEMBER_KPIS[name][1])


# ---- Cost sources ----------------------------------------------------------

# A campaign's costs are the lines of its analytic account (cost = -amount),
# split by source. A line is a direct cost entry when a
# marketing.campaign.cost points to it; the domain side takes the ids of
# those lines (``direct_line_ids``), as the drill-down actions need plain
# domains. Customer invoice lines (category 'invoice') are revenue, never a
# cost, unless they are direct entries or timesheets.
COST_SOURCES = ("timesheet", "bill", "direct", "other")


def _is_direct_sql(a):
    return SQL(
        "EXISTS (SELECT 1 FROM marketing_campaign_cost dc "
        "WHERE dc.analytic_line_id = %s)",
        _col(a, "id"),
    )


def cost_source_sql(source, alias="l"):
    """:return: SQL condition: the analytic line ``alias`` is a cost of
    ``source`` (timesheet, bill, direct, other) or of any (``total``)"""
    project, category = _col(alias, "project_id"), _col(alias, "category")
    conditions = {
        "timesheet": SQL("%s IS NOT NULL", project),
        "bill": SQL("%s IS NULL AND %s = 'vendor_bill'", project, category),
        "direct": SQL(
            "%s IS NULL AND COALESCE(%s, 'other') <> 'vendor_bill' AND %s",
            project,
            category,
            _is_direct_sql(alias),
        ),
        "other": SQL(
            "%s IS NULL AND COALESCE(%s, 'other') NOT IN ('vendor_bill', 'invoice') "
            "AND NOT %s",
            project,
            category,
            _is_direct_sql(alias),
        ),
    }
    if source == "total":
        return SQL(
            "(%s)", SQL(" OR ").join(SQL("(%s)", conditions[s]) for s in COST_SOURCES)
        )
    return conditions[source]


def cost_source_domain(source, direct_line_ids):
    """:return: the domain (on account.analytic.line) of the cost ``source``
    (or ``total``), the same rows as ``cost_source_sql``

    :param direct_line_ids: ids of the analytic lines of the campaign's
        direct cost entries (marketing.campaign.cost.analytic_line_id)
    """
    direct = list(direct_line_ids)
    domains = {
        "timesheet": [("project_id", "!=", False)],
        "bill": [("project_id", "=", False), ("category", "=", "vendor_bill")],
        "direct": [
            ("project_id", "=", False),
            ("category", "!=", "vendor_bill"),
            ("id", "in", direct),
        ],
        "other": [
            ("project_id", "=", False),
            ("category", "not in", ["vendor_bill", "invoice"]),
            ("id", "not in", direct),
        ],
    }
    if source == "total":
        domain = ["|", "|", "|"]
        for name in COST_SOURCES:
            domain += ["&"] * (len(domains[name]) - 1) + domains[name]
        return domain
    return domains[source]


# ---- Co-funding ------------------------------------------------------------

COFUNDING_STATES = [
    ("draft", "Draft"),
    ("committed", "Committed"),
    ("claimed", "Claimed"),
    ("received", "Received"),
    ("cancelled", "Cancelled"),
]
# what a vendor promised (and did not cancel), claimed, and paid
COFUNDING_COMMITTED = ("committed", "claimed", "received")
COFUNDING_CLAIMED = ("claimed", "received")
COFUNDING_RECEIVED = ("received",)
COFUNDING_KPIS = {
    "cofunding_committed": COFUNDING_COMMITTED,
    "cofunding_claimed": COFUNDING_CLAIMED,
    "cofunding_received": COFUNDING_RECEIVED,
}


def cofunding_sql(name, alias="cf"):
    """:return: SQL condition: the co-funding line counts for KPI ``name``"""
    return SQL("%s IN %s", _col(alias, "state"), COFUNDING_KPIS[name])


def cofunding_domain(name):
    return [("state", "in", COFUNDING_KPIS[name])]


# ---- Money fields ----------------------------------------------------------

# KPI fields that cannot be right without an analytic account in the
# Projects plan ...
COST_FIELDS = frozenset(
    [
        "cost_timesheet",
        "cost_bill",
        "cost_direct",
        "cost_other",
        "cost_total",
        "committed_po",
        "committed_bill",
        "committed_total",
        "budget_remaining",
        "net_cost",
        "net_return",
        "roi",
        "roi_basis",
        "cost_per_lead",
        "cost_per_won",
        "pct_budget",
    ]
)
# ... and every money field, withheld when currencies differ
MONEY_FIELDS = COST_FIELDS | {
    "revenue",
    "cofunding_committed",
    "cofunding_claimed",
    "cofunding_received",
    "pct_revenue",
}
