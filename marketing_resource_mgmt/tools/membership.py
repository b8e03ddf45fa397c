# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Campaign membership as SQL, written once (issue 14).

Read by the segment criteria "member of campaign ..." and "answered ... but
no order within N days" (models/marketing_segment_criterion.py) and by the
follow-on wizard's member subsets (wizards/utm_campaign_follow_on.py). The
state sets come from kpi_rules (what counts as contacted, responded,
converted): nothing here redefines them.

No ORM here: SQL builders (odoo.tools.SQL) over table aliases.
"""

from odoo.tools import SQL

from ..kpi_rules import (
    ANSWERED_STATES,
    CONTACTED_STATES,
    CONVERTED_STATES,
    POSITIVE_RESPONSE_STATES,
    RESPONDED_STATES,
    member_kpi_sql,
)

# The date a member reached its current state (the "within N days" of the
# membership criterion): the mailing results' dates, the caller's contact,
# the answer; a member still "targeted" joined on date_targeted.
STATE_DATE_COLUMNS = {
    "targeted": "date_targeted",
    "sent": "date_sent",
    "opened": "date_opened",
    "clicked": "date_clicked",
    "replied": "date_replied",
    "contacted": "date_contacted",
    "responded": "date_responded",
    "converted": "date_responded",
    "declined": "date_responded",
    "unsubscribed": "date_unsubscribed",
    "bounced": "date_bounced",
}
# Confirmed sale orders (Odoo 18: the "sale" state; a locked order stays in it)
CONFIRMED_ORDER_STATES = ("sale",)


def _col(alias, name):
    return SQL.identifier(alias, name)


def state_date_sql(alias):
    """:return: SQL of the date the member ``alias`` reached its state
    (its joining date when that state has no date of its own)"""
    cases = SQL(" ").join(
        SQL("WHEN %s THEN %s", state, _col(alias, column))
        for state, column in STATE_DATE_COLUMNS.items()
        if column != "date_targeted"
    )
    return SQL(
        "COALESCE(CASE %s %s END, %s)",
        _col(alias, "state"),
        cases,
        _col(alias, "date_targeted"),
    )


def answer_date_sql(alias):
    """:return: SQL of the date the member ``alias`` answered (a reply to a
    mailing, or an answer on the portal, to a caller, by a lead or order)"""
    return SQL(
        "COALESCE(%s, %s, %s)",
        _col(alias, "date_responded"),
        _col(alias, "date_replied"),
        _col(alias, "date_targeted"),
    )


def no_order_sql(member_alias, days=0):
    """The member's contact (its commercial partner, in the member's company)
    confirmed no sale order after its answer (within ``days`` of it; 0: ever
    since).

    Served by sale_order's partner index, one probe per commercial partner's
    contact (res_partner's commercial_partner_id index).

    :return: SQL condition over the member alias ``member_alias``
    """
    answered = answer_date_sql(member_alias)
    window = (
        SQL("AND mrm_so.date_order < %s + make_interval(days => %s)", answered, days)
        if days
        else SQL()
    )
    return SQL(
        """NOT EXISTS (
            SELECT 1 FROM res_partner mrm_mp
              JOIN res_partner mrm_op
                ON mrm_op.commercial_partner_id = mrm_mp.commercial_partner_id
              JOIN sale_order mrm_so ON mrm_so.partner_id = mrm_op.id
             WHERE mrm_mp.id = %(partner)s
               AND mrm_so.state IN %(states)s
               AND (%(company)s IS NULL OR mrm_so.company_id = %(company)s)
               AND mrm_so.date_order >= %(answered)s %(window)s)""",
        partner=_col(member_alias, "partner_id"),
        states=CONFIRMED_ORDER_STATES,
        company=_col(member_alias, "company_id"),
        answered=answered,
        window=window,
    )


# utm.campaign.tag_ids (Odoo's utm): table, column of the campaign, column of
# the tag. Odoo names its columns the other way round ("tag_id" holds the
# campaign); the criterion passes the field's own (relation, column1,
# column2), this is the value they have in Odoo 18.
UTM_TAG_RELATION = ("utm_tag_rel", "tag_id", "campaign_id")


def campaigns_sql(campaign_ids, tag_ids, tag_relation=UTM_TAG_RELATION):
    """:return: SQL selecting the ids of the campaigns ``campaign_ids`` and
    of the campaigns tagged with one of ``tag_ids`` (utm.tag), read live

    :param tag_relation: (table, campaign column, tag column) of
        utm.campaign.tag_ids
    """
    table, campaign_column, tag_column = tag_relation
    parts = []
    if campaign_ids:
        parts.append(SQL("SELECT unnest(%s::int[])", list(campaign_ids)))
    if tag_ids:
        parts.append(
            SQL(
                "SELECT mrm_tr.%s FROM %s mrm_tr WHERE mrm_tr.%s = ANY(%s)",
                SQL.identifier(campaign_column),
                SQL.identifier(table),
                SQL.identifier(tag_column),
                list(tag_ids),
            )
        )
    if not parts:
        return SQL("SELECT NULL::int WHERE FALSE")
    return SQL(" UNION ").join(parts)


def membership_sql(
    partner_alias,
    campaign_ids=(),
    tag_ids=(),
    states=(),
    channel=None,
    days=0,
    company_id=None,
    answered_without_order=False,
    tag_relation=UTM_TAG_RELATION,
):
    """The contact ``partner_alias`` is an active member of one of the
    campaigns (``campaign_ids``, or tagged ``tag_ids``).

    :param states: member states (any when empty); ignored when
        ``answered_without_order`` (the states are then RESPONDED_STATES)
    :param channel: the member's channel, or None for any
    :param days: within N days: the member reached its state in the last
        ``days`` days (0: any time); with ``answered_without_order``: the
        member answered more than ``days`` days ago and the contact confirmed
        no order in the ``days`` days after the answer (0: answered any time,
        no order since)
    :param company_id: only members of campaigns of this company (or of no
        company)
    :param tag_relation: see campaigns_sql
    :param answered_without_order: answered (kpi_rules.RESPONDED_STATES) and
        no confirmed order of the contact since (see no_order_sql)
    :return: SQL condition (an EXISTS probe of the member table's
        (campaign_id, partner_id, channel) unique index or partner index)
    """
    conditions = [
        SQL("mrm_m.partner_id = %s", _col(partner_alias, "id")),
        SQL("mrm_m.active"),
        SQL(
            "mrm_m.campaign_id IN (%s)",
            campaigns_sql(campaign_ids, tag_ids, tag_relation),
        ),
    ]
    if company_id:
        conditions.append(
            SQL(
                "(mrm_m.company_id IS NULL OR mrm_m.company_id = %s)",
                company_id,
            )
        )
    if channel:
        conditions.append(SQL("mrm_m.channel = %s", channel))
    if answered_without_order:
        conditions.append(SQL("mrm_m.state IN %s", RESPONDED_STATES))
        if days:
            # the N days after the answer are over
            conditions.append(
                SQL(
                    "%s < (now() AT TIME ZONE 'UTC') - make_interval(days => %s)",
                    answer_date_sql("mrm_m"),
                    days,
                )
            )
        conditions.append(no_order_sql("mrm_m", days))
    else:
        if states:
            conditions.append(SQL("mrm_m.state IN %s", tuple(states)))
        if days:
            conditions.append(
                SQL(
                    "%s >= (now() AT TIME ZONE 'UTC') - make_interval(days => %s)",
                    state_date_sql("mrm_m"),
                    days,
                )
            )
    return SQL(
        "EXISTS (SELECT 1 FROM marketing_campaign_member mrm_m WHERE %s)",
        SQL(" AND ").join(conditions),
    )


# ---- Follow-on subsets -----------------------------------------------------

# Members a follow-on campaign can be built for, each defined once from the
# kpi_rules state sets: name -> SQL condition over a member alias.
#   non_responders: reached (CONTACTED_STATES) and no answer
#     (RESPONDED_STATES); an unsubscription is no candidate for more mail
#   openers_no_click: opened, not clicked, not answered (nor unsubscribed)
#   interested_no_order: a positive answer (POSITIVE_RESPONSE_STATES) not yet
#     converted, and no confirmed order of the contact since the answer
NON_RESPONDER_STATES = tuple(
    state
    for state in CONTACTED_STATES
    if state not in RESPONDED_STATES and state != "unsubscribed"
)
INTERESTED_STATES = tuple(
    state for state in POSITIVE_RESPONSE_STATES if state not in CONVERTED_STATES
)
FOLLOW_ON_SUBSETS = {
    "non_responders": lambda a: SQL("%s IN %s", _col(a, "state"), NON_RESPONDER_STATES),
    "openers_no_click": lambda a: SQL(
        "%s AND NOT %s AND %s NOT IN %s",
        member_kpi_sql("members_opened", a),
        member_kpi_sql("members_clicked", a),
        _col(a, "state"),
        ANSWERED_STATES,
    ),
    "interested_no_order": lambda a: SQL(
        "%s IN %s AND %s",
        _col(a, "state"),
        INTERESTED_STATES,
        no_order_sql(a),
    ),
}


def follow_on_subset_sql(subset, alias="m"):
    """:return: SQL condition: the member ``alias`` belongs to ``subset``"""
    return FOLLOW_ON_SUBSETS[subset](alias)
