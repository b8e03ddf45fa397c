# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Mailing results of campaign members: the trace sync (e-mail and SMS) and
the member as the recipient of the campaign's e-mail and SMS mailings."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..kpi_rules import TRACE_CHANNELS
from ..tools.trace_sync import (
    TRACE_INDEXES,
    trace_results_sql,
    unsubscriptions_sql,
)

_logger = logging.getLogger(__name__)

# last time the trace sync ran (UTC, ir.config_parameter)
WATERMARK_PARAM = "marketing_resource_mgmt.trace_sync_watermark"
# traces written by a transaction that was still open when the sync read
# carry an earlier write_date than the watermark: each sync reads this much
# before the watermark again (re-folding a trace changes nothing, results
# only move up). A sending transaction longer than this is caught by the
# next full sync (``_sync_traces(full=True)``, button and daily job).
WATERMARK_OVERLAP = timedelta(minutes=5)
# one sync at a time (a transaction-level advisory lock; a second caller
# skips: the running sync or the next job picks its traces up)
SYNC_LOCK_KEY = 0x6D726D74  # "mrmt"
# memory of the sync's aggregation (per sort/hash): a full sync of 1,000,000
# traces groups 500,000 members (tests/bench/bench_trace_sync.py)
SYNC_WORK_MEM = "128MB"
# context keys of a sending of a mailing on the members: the holder of its
# opt-out list, read once per sending (mailing_mailing.py), and the members
# of the batch of e-mails the composer is checking (mail_compose_message.py)
OPT_OUT_SENDING = "mrm_opt_out_sending"
OPT_OUT_BATCH = "mrm_opt_out_batch"


class MarketingCampaignMember(models.Model):
    _inherit = "marketing.campaign.member"
    # the campaign's e-mail and SMS mailings are sent to its members
    # themselves (a recipient model of Odoo's mass mailing, as res.partner
    # and crm.lead are), so that each trace names its member (res_id)
    _mailing_enabled = True

    trace_count = fields.Integer("Mailing traces", compute="_compute_trace_count")

    def init(self):
        res = super().init()
        cr = self.env.cr
        cr.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN %s",
            [tuple(name for name, _table, _def in TRACE_INDEXES)],
        )
        existing = {name for (name,) in cr.fetchall()}
        for name, table, definition in TRACE_INDEXES:
            if name not in existing:
                cr.execute(
                    SQL(
                        "CREATE INDEX %s ON %s %s",
                        SQL.identifier(name),
                        SQL.identifier(table),
                        SQL(definition),
                    )
                )
        return res

    # ---- TRACES OF A MEMBER

    def _get_trace_domain(self):
        """:return: domain of the mailing traces of the member (the
        campaign's mailings of its channel, follow-ons included), the same
        links as the sync's SQL (tools/trace_sync.py)"""
        self.ensure_one()
        trace_type = TRACE_CHANNELS.get(self.channel)
        if not trace_type:
            return [("id", "=", False)]
        domain = [
            ("campaign_id", "=", self.campaign_id.id),
            ("trace_type", "=", trace_type),
        ]
        by_record = [("model", "=", self._name), ("res_id", "=", self.id)]
        if self.channel == "email":
            email = self.partner_id.email_normalized
            if email:
                by_record = [
                    "|",
                    "&",
                    ("model", "!=", self._name),
                    ("email", "=", email),
                    "&",
                ] + by_record
        else:
            by_record = [
                "|",
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "=", self.partner_id.id),
                "&",
            ] + by_record
        return domain + by_record

    def _compute_trace_count(self):
        Trace = self.env["mailing.trace"].sudo()
        for member in self:
            member.trace_count = (
                Trace.search_count(member._get_trace_domain()) if member.id else 0
            )

    def action_view_traces(self):
        """:return: the action listing the member's mailing traces"""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mailing traces of %(name)s", name=self.display_name),
            "res_model": "mailing.trace",
            "view_mode": "list,form",
            "domain": self._get_trace_domain(),
        }

    # ---- TRACE SYNC

    @api.model
    def _sync_traces(self, full=False):
        """Bring the e-mail and SMS members up to date with their mailing
        traces, set-wise (two statements, tools/trace_sync.py), and write
        the opt-outs of those who unsubscribed through the mailing's links
        to the consent log (in the second statement).

        :param full: fold every trace (else only those changed since the last
            sync, less WATERMARK_OVERLAP)
        :return: dict: ``members`` (number of members changed), ``skipped``
            (True when another sync was running), ``consents`` (opt-outs
            written to the consent log, source "mailing link")
        """
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [SYNC_LOCK_KEY])
        if not cr.fetchone()[0]:
            return {"members": 0, "consents": 0, "skipped": True}
        param = self.env["ir.config_parameter"].sudo()
        since = None
        if not full:
            watermark = param.get_param(WATERMARK_PARAM)
            if watermark:
                since = fields.Datetime.to_datetime(watermark) - WATERMARK_OVERLAP
        for model, names in (
            ("mailing.trace", None),
            ("mailing.subscription", None),
            ("mail.blacklist", None),
            ("phone.blacklist", None),
            ("marketing.consent", None),
            ("res.partner", ["email_normalized", "phone_sanitized", "company_id"]),
            ("marketing.campaign.member", None),
        ):
            self.env[model].flush_model(names)
        # the statements' planner settings, local to the transaction: no JIT
        # compilation (a second of compiling for nothing on a full sync),
        # room to aggregate the traces in memory
        cr.execute(
            "SELECT now() AT TIME ZONE 'UTC', set_config('jit', 'off', true), "
            "set_config('work_mem', %s, true)",
            [SYNC_WORK_MEM],
        )
        started = cr.fetchone()[0]
        cr.execute(trace_results_sql(since))
        changed = {row[0] for row in cr.fetchall()}
        cr.execute(
            unsubscriptions_sql(
                since,
                self.env.uid,
                self.env._("Unsubscribed through the campaign's mailing"),
            )
        )
        rows = cr.fetchall()
        changed.update(row[0] for row in rows)
        consents = rows[0][1] if rows else 0
        self.invalidate_model()
        if consents:
            self.env["marketing.consent"].invalidate_model()
            self.env["res.partner"].invalidate_model(["mrm_consent_ids"])
        param.set_param(WATERMARK_PARAM, fields.Datetime.to_string(started))
        _logger.info(
            "Trace sync (%s): %s members changed, %s opt-outs recorded",
            "full" if full else f"since {since}",
            len(changed),
            consents,
        )
        return {"members": len(changed), "consents": consents, "skipped": False}

    @api.model
    def _cron_sync_traces(self, full=False):
        self._sync_traces(full=full)
        return True

    # ---- THE MEMBER AS MAILING RECIPIENT (mass_mailing, mass_mailing_sms)

    @api.model
    def _mailing_get_default_domain(self, mailing):
        """The members of the mailing's campaign on its channel (e-mail or
        SMS) who can still be reached: Odoo's mailing sends to them, the
        blacklist and the opt-out lists below are applied at sending."""
        return [
            ("campaign_id", "=", mailing.campaign_id.id),
            ("channel", "=", "sms" if mailing.mailing_type == "sms" else "email"),
            ("state", "not in", ("unsubscribed", "declined", "bounced")),
        ]

    @api.model
    def _mailing_opt_out_sql(self, campaign_id, channel):
        """SQL: (member id, contact's normalised e-mail) of the campaign's
        members on ``channel`` who must not get its mailings: unsubscribed
        from the campaign, excluded on the channel by the contact's consent
        (the segments' rule: do not contact, on the contact or its company,
        opted out of marketing, blacklisted), or whose latest record in the
        consent log for the channel is an opt-out."""
        exclusion = self.env["marketing.segment"]._get_exclusion_sql(channel, "p")
        return SQL(
            """
            SELECT m.id, p.email_normalized
              FROM marketing_campaign_member m
              JOIN res_partner p ON p.id = m.partner_id
             WHERE m.campaign_id = %(campaign)s AND m.channel = %(channel)s
               AND (m.state = 'unsubscribed' OR %(exclusion)s
                    OR %(opt_out)s)
            """,
            campaign=campaign_id,
            channel=channel,
            exclusion=exclusion,
            opt_out=self.env["marketing.consent"]._opt_out_sql(
                channel, SQL("m.partner_id")
            ),
        )

    @api.model
    def _mailing_opt_out_rows(self, mailing, channel):
        """:return: the rows of _mailing_opt_out_sql for ``mailing``'s
        campaign (one query)"""
        for model in (
            "marketing.campaign.member",
            "res.partner",
            "mail.blacklist",
            "phone.blacklist",
            "marketing.consent",
        ):
            self.env[model].flush_model()
        self.env.cr.execute(self._mailing_opt_out_sql(mailing.campaign_id.id, channel))
        return self.env.cr.fetchall()

    @api.model
    def _mailing_get_opt_out_list(self, mailing):
        """:return: the normalised e-mail addresses Odoo's mailing must not
        write to (see _mailing_opt_out_sql): the composer cancels a member's
        e-mail when its address is in it (``mail_optout``)

        Within a sending (context OPT_OUT_SENDING, set by the mailing), the
        list is read once and kept for the sending's other batches; when the
        composer names its batch's members (context OPT_OUT_BATCH), only the
        addresses of those members are returned (members sharing an address
        share its opt-out)."""
        sending = self.env.context.get(OPT_OUT_SENDING)
        if sending is not None and mailing.id in sending:
            emails = sending[mailing.id]
        else:
            emails = {
                email
                for _member, email in self._mailing_opt_out_rows(mailing, "email")
                if email
            }
            if sending is not None:
                sending[mailing.id] = emails
        batch = self.env.context.get(OPT_OUT_BATCH)
        if batch is None:
            return set(emails)
        members = self.sudo().browse(batch)
        return emails.intersection(members.partner_id.mapped("email_normalized"))

    @api.model
    def _mailing_get_opt_out_list_sms(self, mailing):
        """:return: ids of the SMS members who opted out (see
        _mailing_opt_out_sql); the phone blacklist is also applied by Odoo's
        SMS composer. Within a sending (context OPT_OUT_SENDING, set by the
        mailing for its batches) the list is read once."""
        sending = self.env.context.get(OPT_OUT_SENDING)
        if sending is not None and mailing.id in sending:
            return sending[mailing.id]
        ids = [member for member, _email in self._mailing_opt_out_rows(mailing, "sms")]
        if sending is not None:
            sending[mailing.id] = ids
        return ids
