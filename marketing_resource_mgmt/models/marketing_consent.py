# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Proof of consent: per contact and channel, each opt-in or opt-out with its
date, source and legal basis. The latest record of a (contact, channel) is
the contact's current consent on that channel."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

CONSENT_CHANNELS = [
    ("email", "E-mail"),
    ("call", "Phone call"),
    ("mail", "Direct mail"),
    ("sms", "SMS"),
]
CONSENT_SOURCES = [
    ("import", "Import"),
    ("portal", "Portal answer"),
    ("call", "Call outcome"),
    ("mailing", "Mailing link"),
    ("manual", "Manual"),
]
LEGAL_BASES = [
    ("consent", "Consent"),
    ("legitimate_interest", "Legitimate interest"),
    ("contract", "Contract"),
    ("legal_obligation", "Legal obligation"),
]
# what a portal answer says about consent: (status, channels); None = all
PORTAL_ANSWER_CONSENT = {
    "unsubscribe": ("opt_out", None),
    "callback": ("opt_in", ("call",)),
}


class MarketingConsent(models.Model):
    _name = "marketing.consent"
    _description = "Consent Record"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True)
    status = fields.Selection(
        [("opt_in", "Opt-in"), ("opt_out", "Opt-out")], required=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    source = fields.Selection(CONSENT_SOURCES, required=True, default="manual")
    legal_basis = fields.Selection(LEGAL_BASES, required=True, default="consent")
    campaign_id = fields.Many2one("utm.campaign", ondelete="set null")
    user_id = fields.Many2one(
        "res.users", "Recorded by", default=lambda self: self.env.user, readonly=True
    )
    note = fields.Char()
    company_id = fields.Many2one(
        "res.company", related="partner_id.company_id", store=True, index=True
    )

    def init(self):
        res = super().init()
        # the latest record of a (contact, channel): segments' opt-in filter
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS marketing_consent_latest_idx ON "
            "marketing_consent (partner_id, channel, date DESC, id DESC)"
        )
        return res

    def write(self, vals):
        if set(vals) - {"note"}:
            raise UserError(
                _(
                    "A consent record is proof: it cannot be changed. Record a new "
                    "opt-in or opt-out instead."
                )
            )
        return super().write(vals)

    @api.model
    def _record(
        self,
        partners,
        channels,
        status,
        source,
        legal_basis="consent",
        campaign=None,
        note=False,
    ):
        """Record one consent per contact and channel (one create).

        :param partners: res.partner records
        :param channels: a channel code, a list of them, or None for all
        :param status: opt_in / opt_out
        :param source: a code of CONSENT_SOURCES
        :return: the new records
        """
        if channels is None:
            channels = [code for code, _label in CONSENT_CHANNELS]
        elif isinstance(channels, str):
            channels = [channels]
        return (
            self.sudo()
            .with_context(active_test=False)
            .create(
                [
                    {
                        "partner_id": partner.id,
                        "channel": channel,
                        "status": status,
                        "source": source,
                        "legal_basis": legal_basis,
                        "campaign_id": campaign.id if campaign else False,
                        "note": note or False,
                        "user_id": self.env.uid,
                    }
                    for partner in partners
                    for channel in channels
                ]
            )
        )

    @api.model
    def _record_portal_answer(self, member, answer):
        """The consent a portal answer gives or withdraws (PORTAL_ANSWER_CONSENT).

        :return: the new records (possibly empty)
        """
        status, channels = PORTAL_ANSWER_CONSENT.get(answer, (None, None))
        if not status:
            return self.browse()
        return self._record(
            member.partner_id,
            channels,
            status,
            "portal",
            campaign=member.campaign_id,
            note=_("Portal answer: %(answer)s", answer=answer),
        )

    @api.model
    def _latest_status_sql(self, channel, partner_id_sql, status):
        """SQL: the latest consent of the contact on ``channel`` is
        ``status`` (an index probe of marketing_consent_latest_idx)."""
        return SQL(
            "(SELECT mrm_cs.status FROM marketing_consent mrm_cs "
            "WHERE mrm_cs.partner_id = %s AND mrm_cs.channel = %s "
            "ORDER BY mrm_cs.date DESC, mrm_cs.id DESC LIMIT 1) = %s",
            partner_id_sql,
            channel,
            status,
        )

    @api.model
    def _opt_in_sql(self, channel, partner_id_sql):
        """SQL: the latest consent of the contact on ``channel`` is an opt-in."""
        return self._latest_status_sql(channel, partner_id_sql, "opt_in")

    @api.model
    def _opt_out_sql(self, channel, partner_id_sql):
        """SQL: the latest consent of the contact on ``channel`` is an opt-out
        (no record at all is neither)."""
        return self._latest_status_sql(channel, partner_id_sql, "opt_out")
