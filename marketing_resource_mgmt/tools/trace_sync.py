# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SQL of the trace sync: Odoo's mailing traces -> campaign members.

Two set-based statements, whatever the number of traces:

1. ``trace_results_sql``: the traces changed since a time (all traces when
   None) of the campaigns' mailings, e-mail and SMS, are linked to the
   campaign's members of the same channel and folded per member into a
   rank (sent < bounced < opened < clicked < replied, kpi_rules.TRACE_RANKS)
   and the first date of each result; the members are moved up (never down,
   never out of a state a person set) and their dates kept at the earliest.
2. ``unsubscriptions_sql``: members who unsubscribed through the mailing's
   own links since that time: the address opted out of a list of the
   campaign's mailings, or was put on Odoo's e-mail blacklist (what Odoo's
   unsubscribe page does for a mailing on the members), or the SMS
   number on the phone blacklist, after the campaign reached it. The same
   statement writes the proof of it to the consent log (an opt-out on the
   member's channel, source "mailing link", the campaign, the date), from
   the rows its UPDATE changed, unless an opt-out of the contact on that
   channel is already on record for that time (CONSENT_SAME_EVENT).

Links (how a trace finds its member):

- mailings on the members themselves (``model =
  'marketing.campaign.member'``): the trace's ``res_id``. The campaign's
  e-mail and SMS mailings made by generation are such mailings, and so are
  their follow-ons (copies);
- other e-mail mailings of the campaign (on contacts, leads, or a mailing
  list: the campaigns generated before 18.0.1.0.2 fed their e-mail members
  to a list as ``mailing.contact`` rows): the trace's address
  (``mailing_trace.email``, normalised by Odoo) is the member's contact's
  ``email_normalized``. Contacts sharing an address share the mailbox: each
  of their members gets the result;
- SMS mailings on contacts (``model = 'res.partner'``): the trace's
  ``res_id`` is the member's contact.

Because results only move up, folding only the changed traces into the
members' current values gives the same result as folding all of them: the
incremental sync reads the changed traces only (``mailing_trace`` index on
``write_date``, TRACE_INDEXES).
"""

from odoo.tools import SQL

from ..kpi_rules import TRACE_MOVABLE_STATES, TRACE_RANKS

MEMBER_MODEL = "marketing.campaign.member"
# an opt-out of the contact on the channel recorded this long before the
# unsubscription (or any time after it) is the same event: the portal's
# "unsubscribe" and the "do not call" outcome record their own opt-out and
# blacklist the address in the same transaction (the blacklist's date is
# the transaction's start, the record's date is truncated to the second)
CONSENT_SAME_EVENT = "1 minute"

# Indexes the sync reads through (created by the member model's init() when
# missing): the traces changed since the last sync, and a contact by address.
TRACE_INDEXES = (
    (
        "mailing_trace_mrm_sync_idx",
        "mailing_trace",
        "(write_date) WHERE campaign_id IS NOT NULL",
    ),
    (
        "res_partner_mrm_email_normalized_idx",
        "res_partner",
        "(email_normalized) WHERE email_normalized IS NOT NULL",
    ),
)

# a trace's result as a rank of TRACE_RANKS: reply implies open, a click
# implies open (Odoo sets both), a bounce outranks a mere "sent"
_TRACE_RANK_SQL = SQL(
    """CASE WHEN t.trace_status = 'reply' THEN %(replied)s
            WHEN t.links_click_datetime IS NOT NULL THEN %(clicked)s
            WHEN t.trace_status = 'open' OR t.open_datetime IS NOT NULL
                THEN %(opened)s
            WHEN t.trace_status = 'bounce' THEN %(bounced)s
            WHEN t.trace_status IN ('pending', 'sent') THEN %(sent)s
            ELSE 0 END""",
    **{k: TRACE_RANKS[k] for k in ("replied", "clicked", "opened", "bounced", "sent")},
)
# trace results that mean the message went out
_WENT_OUT_SQL = SQL(
    "(t.trace_status IN ('pending', 'sent', 'open', 'reply') "
    "OR t.open_datetime IS NOT NULL OR t.links_click_datetime IS NOT NULL)"
)


def _member_rank_sql(alias):
    """SQL: the rank of member ``alias``'s state (NULL: not movable)."""
    return SQL(
        "(CASE %s %s END)",
        SQL.identifier(alias, "state"),
        SQL(" ").join(
            SQL("WHEN %s THEN %s", state, rank)
            for state, rank in TRACE_RANKS.items()
            if state in TRACE_MOVABLE_STATES
        ),
    )


def _rank_state_sql(rank_sql):
    """SQL: the member state a trace rank moves a member to."""
    states = {
        rank: state for state, rank in TRACE_RANKS.items() if state != "contacted"
    }
    return SQL(
        "(CASE %s %s END)",
        rank_sql,
        SQL(" ").join(
            SQL("WHEN %s THEN %s", rank, state)
            for rank, state in sorted(states.items())
        ),
    )


def linked_traces_sql(since):
    """SELECT of (member_id, trace columns) of the campaigns' traces changed
    since ``since`` (all when None).

    Each link scans the traces with its own conditions (no shared CTE): the
    planner then knows how many traces each link has (a materialised CTE is
    estimated at a fixed 1 % and made it loop over a million members).
    """
    columns = SQL(
        "t.campaign_id, t.trace_status, t.sent_datetime, t.open_datetime, "
        "t.reply_datetime, t.links_click_datetime, t.create_date, t.write_date"
    )
    recent = SQL("AND t.write_date >= %s", since) if since else SQL()
    return SQL(
        """
        SELECT m.id AS member_id, %(columns)s
          FROM mailing_trace t
          JOIN res_partner p ON p.email_normalized = t.email
          JOIN marketing_campaign_member m
            ON m.campaign_id = t.campaign_id AND m.partner_id = p.id
           AND m.channel = 'email'
         WHERE t.campaign_id IS NOT NULL AND t.trace_type = 'mail'
           AND t.model != %(member_model)s %(recent)s
        UNION ALL
        SELECT m.id, %(columns)s
          FROM mailing_trace t
          JOIN marketing_campaign_member m
            ON m.id = t.res_id AND m.campaign_id = t.campaign_id
           AND m.channel = CASE t.trace_type WHEN 'sms' THEN 'sms' ELSE 'email' END
         WHERE t.campaign_id IS NOT NULL AND t.trace_type IN ('mail', 'sms')
           AND t.model = %(member_model)s %(recent)s
        UNION ALL
        SELECT m.id, %(columns)s
          FROM mailing_trace t
          JOIN marketing_campaign_member m
            ON m.partner_id = t.res_id AND m.campaign_id = t.campaign_id
           AND m.channel = 'sms'
         WHERE t.campaign_id IS NOT NULL AND t.trace_type = 'sms'
           AND t.model = 'res.partner' %(recent)s
        """,
        columns=columns,
        member_model=MEMBER_MODEL,
        recent=recent,
    )


def trace_results_sql(since):
    """UPDATE of the members whose traces changed since ``since`` (all when
    None), RETURNING the ids of the members it changed."""
    return SQL(
        """
        WITH linked AS (%(linked)s),
        agg AS (
            SELECT t.member_id,
                   MAX(%(rank)s) AS rank,
                   MIN(COALESCE(t.sent_datetime, t.create_date))
                       FILTER (WHERE %(went_out)s) AS date_sent,
                   MIN(LEAST(t.open_datetime, t.links_click_datetime,
                             t.reply_datetime)) AS date_opened,
                   MIN(t.links_click_datetime) AS date_clicked,
                   MIN(t.reply_datetime) FILTER (WHERE t.trace_status = 'reply')
                       AS date_replied,
                   MIN(t.write_date) FILTER (WHERE t.trace_status = 'bounce')
                       AS date_bounced
              FROM linked t
             GROUP BY t.member_id
        )
        /* one join of agg and the members; only the rows whose values
           change are written (a row written again costs a row version in
           each of the member's indexes and the funnel trigger's work) */
        UPDATE marketing_campaign_member m
           SET state = %(state)s,
               date_sent = LEAST(m.date_sent, a.date_sent),
               date_opened = LEAST(m.date_opened, a.date_opened),
               date_clicked = LEAST(m.date_clicked, a.date_clicked),
               date_replied = LEAST(m.date_replied, a.date_replied),
               date_bounced = LEAST(m.date_bounced, a.date_bounced),
               date_contacted = COALESCE(m.date_contacted,
                                         LEAST(m.date_sent, a.date_sent)),
               date_responded = CASE WHEN %(state)s = 'replied'
                                     THEN COALESCE(m.date_responded,
                                                   LEAST(m.date_replied,
                                                         a.date_replied))
                                     ELSE m.date_responded END,
               write_date = now() AT TIME ZONE 'UTC'
          FROM agg a
         WHERE m.id = a.member_id
           AND (m.state, m.date_sent, m.date_opened, m.date_clicked,
                m.date_replied, m.date_bounced)
               IS DISTINCT FROM
               (%(state)s,
                LEAST(m.date_sent, a.date_sent),
                LEAST(m.date_opened, a.date_opened),
                LEAST(m.date_clicked, a.date_clicked),
                LEAST(m.date_replied, a.date_replied),
                LEAST(m.date_bounced, a.date_bounced))
        RETURNING m.id
        """,
        linked=linked_traces_sql(since),
        rank=_TRACE_RANK_SQL,
        went_out=_WENT_OUT_SQL,
        state=SQL(
            "(CASE WHEN %s < a.rank THEN %s ELSE m.state END)",
            _member_rank_sql("m"),
            _rank_state_sql(SQL("a.rank")),
        ),
    )


def unsubscriptions_sql(since, uid, consent_note):
    """UPDATE of the members who unsubscribed through the mailing's own links
    (list opt-out, e-mail or phone blacklist after the campaign reached
    them) since ``since`` (ever when None), and INSERT of their opt-outs
    into the consent log (source "mailing link", note ``consent_note``).

    :return: SELECT of (changed member id, number of consent records
        written), one row per changed member
    """

    def recent(alias):
        if not since:
            return SQL()
        return SQL("AND %s >= %s", SQL.identifier(alias, "write_date"), since)

    return SQL(
        """
        WITH unsub AS (
            /* opted out of a list of one of the campaign's mailings */
            SELECT m.id AS member_id,
                   COALESCE(s.opt_out_datetime, s.write_date) AS date_unsub
              FROM mailing_subscription s
              JOIN mailing_contact c ON c.id = s.contact_id
              JOIN res_partner p ON p.email_normalized = c.email_normalized
              JOIN marketing_campaign_member m
                ON m.partner_id = p.id AND m.channel = 'email'
               AND m.date_sent IS NOT NULL
             WHERE s.opt_out %(recent_s)s
               AND EXISTS (
                   SELECT 1
                     FROM mailing_mailing mm
                     JOIN mail_mass_mailing_list_rel r
                       ON r.mailing_mailing_id = mm.id
                    WHERE mm.campaign_id = m.campaign_id
                      AND r.mailing_list_id = s.list_id)
            UNION ALL
            /* the address blacklisted after the campaign's mailing reached it */
            SELECT m.id, b.write_date
              FROM mail_blacklist b
              JOIN res_partner p ON p.email_normalized = b.email
              JOIN marketing_campaign_member m
                ON m.partner_id = p.id AND m.channel = 'email'
               AND m.date_sent <= b.write_date
             WHERE b.active %(recent_b)s
            UNION ALL
            /* the SMS number blacklisted (the SMS's own opt-out link) after
               the campaign's SMS reached it */
            SELECT m.id, b.write_date
              FROM phone_blacklist b
              JOIN res_partner p ON p.phone_sanitized = b.number
              JOIN marketing_campaign_member m
                ON m.partner_id = p.id AND m.channel = 'sms'
               AND m.date_sent <= b.write_date
             WHERE b.active %(recent_pb)s
        ),
        agg AS (
            SELECT member_id, MIN(date_unsub) AS date_unsub
              FROM unsub GROUP BY member_id
        ),
        changed AS (
            UPDATE marketing_campaign_member m
               SET state = CASE WHEN m.state IN %(movable)s THEN 'unsubscribed'
                                ELSE m.state END,
                   date_unsubscribed = LEAST(m.date_unsubscribed, a.date_unsub),
                   write_date = now() AT TIME ZONE 'UTC'
              FROM agg a
             WHERE m.id = a.member_id
               AND ((m.state IN %(movable)s)
                    OR m.date_unsubscribed IS DISTINCT FROM
                       LEAST(m.date_unsubscribed, a.date_unsub))
            RETURNING m.id, m.partner_id, m.campaign_id, m.channel,
                      m.date_unsubscribed
        ),
        consent AS (
            /* the proof of the opt-out: consent channels share the member
               channels' codes (email, sms) */
            INSERT INTO marketing_consent
                   (partner_id, channel, status, date, source, legal_basis,
                    campaign_id, user_id, note, company_id,
                    create_uid, create_date, write_uid, write_date)
            SELECT u.partner_id, u.channel, 'opt_out', u.date_unsubscribed,
                   'mailing', 'consent', u.campaign_id, %(uid)s, %(note)s,
                   p.company_id, %(uid)s, now() AT TIME ZONE 'UTC',
                   %(uid)s, now() AT TIME ZONE 'UTC'
              FROM changed u
              JOIN res_partner p ON p.id = u.partner_id
             WHERE u.date_unsubscribed IS NOT NULL
               AND NOT EXISTS (
                   SELECT 1 FROM marketing_consent c
                    WHERE c.partner_id = u.partner_id
                      AND c.channel = u.channel AND c.status = 'opt_out'
                      AND c.date >= u.date_unsubscribed
                                    - %(same_event)s::interval)
            RETURNING id
        )
        SELECT u.id, (SELECT COUNT(*) FROM consent) FROM changed u
        """,
        recent_s=recent("s"),
        recent_b=recent("b"),
        recent_pb=recent("b"),
        movable=TRACE_MOVABLE_STATES,
        uid=uid,
        note=consent_note,
        same_event=CONSENT_SAME_EVENT,
    )
