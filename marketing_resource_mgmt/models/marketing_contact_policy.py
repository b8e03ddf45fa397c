# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The contact policy of a company (tools/contact_policy.py), its settings
and its two forms: per person (:meth:`_check`, :meth:`_remaining`) and as an
SQL condition for set-based work (:meth:`_allowed_sql`)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import contact_policy as policy_rules
from .marketing_segment import CHANNEL_REASONS

POLICY_FIELDS = {
    "mrm_policy_period_days": "period_days",
    "mrm_policy_max_contacts": "max_contacts",
    "mrm_policy_quiet_days": "quiet_days",
}
CHANNEL_CAP_FIELDS = {
    "email": "mrm_policy_max_email",
    "sms": "mrm_policy_max_sms",
    "call": "mrm_policy_max_call",
    "mail": "mrm_policy_max_mail",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    mrm_policy_period_days = fields.Integer(
        "Contact policy period (days)",
        default=30,
        help="The rolling period in which the contact caps count contacts.",
    )
    mrm_policy_max_contacts = fields.Integer(
        "Contacts per person and period",
        help="At most this many contacts of one person in the period, across all "
        "campaigns and channels. 0: no cap.",
    )
    mrm_policy_max_email = fields.Integer("E-mails per person and period")
    mrm_policy_max_sms = fields.Integer("SMS per person and period")
    mrm_policy_max_call = fields.Integer("Calls per person and period")
    mrm_policy_max_mail = fields.Integer("Letters per person and period")
    mrm_policy_quiet_days = fields.Integer(
        "Quiet days after an answer",
        help="No campaign contacts a person for this many days after they "
        "answered one. 0: none.",
    )

    @api.constrains(*POLICY_FIELDS, *CHANNEL_CAP_FIELDS.values())
    def _check_mrm_contact_policy(self):
        for company in self:
            problems = policy_rules.check_policy(
                self.env["marketing.contact.policy"]._get_policy(company)
            )
            if problems:
                raise ValidationError("\n".join(str(p) for p in problems))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mrm_policy_period_days = fields.Integer(
        related="company_id.mrm_policy_period_days", readonly=False
    )
    mrm_policy_max_contacts = fields.Integer(
        related="company_id.mrm_policy_max_contacts", readonly=False
    )
    mrm_policy_max_email = fields.Integer(
        related="company_id.mrm_policy_max_email", readonly=False
    )
    mrm_policy_max_sms = fields.Integer(
        related="company_id.mrm_policy_max_sms", readonly=False
    )
    mrm_policy_max_call = fields.Integer(
        related="company_id.mrm_policy_max_call", readonly=False
    )
    mrm_policy_max_mail = fields.Integer(
        related="company_id.mrm_policy_max_mail", readonly=False
    )
    mrm_policy_quiet_days = fields.Integer(
        related="company_id.mrm_policy_quiet_days", readonly=False
    )


class MarketingContactPolicy(models.AbstractModel):
    """The contact policy: consent, contact caps and the quiet period after an
    answer. Read by next-best-action, the optimiser, journeys and the
    audience generation; the decision itself is tools/contact_policy.py."""

    _name = "marketing.contact.policy"
    _description = "Contact Policy"

    @api.model
    def _get_policy(self, company=None):
        company = company or self.env.company
        company = company.sudo()
        return policy_rules.ContactPolicy(
            period_days=company.mrm_policy_period_days,
            max_contacts=company.mrm_policy_max_contacts,
            max_per_channel={
                channel: company[fname] for channel, fname in CHANNEL_CAP_FIELDS.items()
            },
            quiet_days=company.mrm_policy_quiet_days,
        )

    @api.model
    def _reason_label(self, code):
        """The label of a reason code (the policy's or a consent reason)."""
        if code in policy_rules.REASON_LABELS:
            return str(policy_rules.REASON_LABELS[code])
        from .marketing_segment import _reason_labels

        return _reason_labels(self.env).get(code, code)

    @api.model
    def _check_channel(self, channel):
        if channel not in CHANNEL_REASONS:
            raise ValidationError(
                self.env._("Unknown channel %(channel)s.", channel=channel)
            )

    # ---- per person ----------------------------------------------------------
    @api.model
    def _person_rows(self, partner_ids, channels, now, policy):
        """One query: per partner, its first consent reason on each of
        ``channels`` (a list aligned with them, None when none), its
        contacts in the period (all channels and per channel) and its latest
        answer."""
        segment = self.env["marketing.segment"]
        first_reason = SQL(
            "ARRAY[%s]::varchar[]",
            SQL(", ").join(
                SQL(
                    "CASE %s ELSE NULL END",
                    SQL(" ").join(
                        SQL(
                            "WHEN %s THEN %s",
                            segment._get_reason_sql(reason, "p"),
                            reason,
                        )
                        for reason in CHANNEL_REASONS[channel]
                    ),
                )
                for channel in channels
            ),
        )
        self.env["marketing.campaign.member"].flush_model(
            ["partner_id", "channel", "date_contacted", "date_responded"]
        )
        self.env["res.partner"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, %(first_reason)s,
                       COALESCE(t.touches, 0), t.by_channel, t.last_answer
                  FROM res_partner p
                  LEFT JOIN (
                        SELECT s.partner_id, sum(s.n)::int AS touches,
                               jsonb_object_agg(s.channel, s.n)
                                   FILTER (WHERE s.n > 0) AS by_channel,
                               max(s.last_answer) AS last_answer
                          FROM (SELECT m.partner_id, m.channel,
                                       count(*) FILTER (
                                           WHERE m.date_contacted >= %(since)s
                                       )::int AS n,
                                       max(m.date_responded) AS last_answer
                                  FROM marketing_campaign_member m
                                 WHERE m.partner_id = ANY(%(ids)s)
                                   AND (m.date_contacted >= %(since)s
                                        OR m.date_responded IS NOT NULL)
                                 GROUP BY m.partner_id, m.channel) s
                         GROUP BY s.partner_id) t ON t.partner_id = p.id
                 WHERE p.id = ANY(%(ids)s)
                """,
                first_reason=first_reason,
                since=policy.since(now),
                ids=list(partner_ids),
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _check(self, partner_ids, channel, now=None, company=None):
        """:return: {partner_id: reason code, or False when the person may be
        contacted on ``channel`` now}"""
        return self._check_channels(partner_ids, [channel], now, company)[channel]

    @api.model
    def _check_channels(self, partner_ids, channels, now=None, company=None):
        """:meth:`_check` on several channels at once (one query).

        :return: {channel: {partner_id: reason code, or False}}
        """
        for channel in channels:
            self._check_channel(channel)
        now = now or fields.Datetime.now()
        policy = self._get_policy(company)
        result = {channel: {} for channel in channels}
        for pid, consents, touches, by_channel, last_answer in self._person_rows(
            partner_ids, channels, now, policy
        ):
            for channel, consent in zip(channels, consents, strict=True):
                reason = policy_rules.verdict(
                    policy,
                    channel,
                    consent_reason=consent,
                    touches=touches,
                    touches_channel=(by_channel or {}).get(channel, 0),
                    last_answer=last_answer,
                    now=now,
                )
                result[channel][pid] = reason or False
        return result

    @api.model
    def _remaining(self, partner_ids, now=None, company=None):
        """:return: {partner_id: {"total": n or None, channel: n or None}}:
        how many more contacts each person may get in the period (None: no
        cap). Consent is per channel: see :meth:`_check` / :meth:`_allowed_sql`."""
        now = now or fields.Datetime.now()
        policy = self._get_policy(company)
        return {
            pid: policy_rules.remaining(
                policy,
                touches=touches,
                touches_by_channel=by_channel or {},
                last_answer=last_answer,
                now=now,
            )
            for pid, _consent, touches, by_channel, last_answer in self._person_rows(
                partner_ids, ["email"], now, policy
            )
        }

    # ---- set-based -------------------------------------------------------------
    @api.model
    def _allowed_sql(self, channel, partner_alias, now=None, company=None):
        """An SQL condition, true when the contact aliased ``partner_alias``
        may be contacted on ``channel`` now: the same decision as
        :meth:`_check`, for INSERT ... SELECT and the like. The caps are
        anti-joins on the (hashed) set of capped persons, not a probe per row.
        """
        self._check_channel(channel)
        now = now or fields.Datetime.now()
        policy = self._get_policy(company)
        pid = SQL.identifier(partner_alias, "id")
        conditions = [
            SQL(
                "NOT %s",
                self.env["marketing.segment"]._get_exclusion_sql(
                    channel, partner_alias
                ),
            )
        ]
        if policy.quiet_days:
            conditions.append(
                SQL(
                    "%s NOT IN (SELECT mrm_q.partner_id FROM marketing_campaign_member "
                    "mrm_q WHERE mrm_q.date_responded >= %s)",
                    pid,
                    policy.quiet_since(now),
                )
            )
        if policy.max_contacts:
            conditions.append(
                SQL(
                    "%s NOT IN (SELECT mrm_f.partner_id FROM marketing_campaign_member "
                    "mrm_f WHERE mrm_f.date_contacted >= %s GROUP BY mrm_f.partner_id "
                    "HAVING count(*) >= %s)",
                    pid,
                    policy.since(now),
                    policy.max_contacts,
                )
            )
        cap = policy.channel_cap(channel)
        if cap:
            conditions.append(
                SQL(
                    "%s NOT IN (SELECT mrm_c.partner_id FROM marketing_campaign_member "
                    "mrm_c WHERE mrm_c.date_contacted >= %s AND mrm_c.channel = %s "
                    "GROUP BY mrm_c.partner_id HAVING count(*) >= %s)",
                    pid,
                    policy.since(now),
                    channel,
                    cap,
                )
            )
        return SQL("(%s)", SQL(" AND ").join(conditions))
