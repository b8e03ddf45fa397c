# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The outbound call queue of campaign members (channel "call"): "next call"
under row locks, outcome codes and their effects (tools/call_policy.py), and
the contact's history on the call screen."""

import threading
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import call_policy

# Partial indexes of the queue: only call members still to call. "Next call"
# reads them in queue order (due time, then id) and stops at the first row it
# can lock (see tests/bench/bench_call_queue.py).
CALL_QUEUE_INDEXES = (
    (
        "marketing_campaign_member_call_queue_idx",
        "(campaign_id, call_next_at NULLS FIRST, id) "
        "WHERE channel = 'call' AND call_done IS NOT TRUE",
    ),
    (
        "marketing_campaign_member_call_own_idx",
        "(campaign_id, user_id, call_next_at NULLS FIRST, id) "
        "WHERE channel = 'call' AND call_done IS NOT TRUE",
    ),
)
# how many contact messages the call screen shows
HISTORY_MESSAGES = 8


# kept apart from the model's main file to keep parallel work mergeable
class MarketingCampaignMember(models.Model):
    _inherit = "marketing.campaign.member"  # pylint: disable=consider-merging-classes-inherited

    call_attempts = fields.Integer("Call attempts", readonly=True, copy=False)
    call_next_at = fields.Datetime(
        "Next call from",
        readonly=True,
        copy=False,
        help="The member is not offered by 'next call' before this time (retry "
        "delay, call-back time, or a caller working the call now).",
    )
    call_done = fields.Boolean(
        "Calls finished",
        readonly=True,
        copy=False,
        help="No more calls: a final outcome or the maximum attempts reached.",
    )
    call_outcome = fields.Selection(
        call_policy.OUTCOME_SELECTION, "Last call outcome", readonly=True, copy=False
    )
    call_last_at = fields.Datetime("Last call", readonly=True, copy=False)
    call_taken_uid = fields.Many2one(
        "res.users", "Being called by", readonly=True, copy=False
    )
    call_callback_at = fields.Datetime("Call back at", readonly=True, copy=False)
    call_script = fields.Html(related="campaign_id.call_script", string="Script")
    call_history = fields.Html(compute="_compute_call_history", string="History")
    mobile = fields.Char(related="partner_id.mobile")
    next_step = fields.Char(compute="_compute_next_step")

    def init(self):
        res = super().init()
        self._create_indexes(CALL_QUEUE_INDEXES)
        return res

    # ---- COMPUTES

    def _compute_next_step(self):
        """The member's next step as the contact's handler reads it: its next
        activity, else its next call time, else nothing."""
        for member in self:
            if member.activity_date_deadline:
                member.next_step = _(
                    "%(summary)s by %(date)s",
                    summary=member.activity_summary
                    or member.activity_type_id.name
                    or _("Activity"),
                    date=member.activity_date_deadline,
                )
            elif member.channel == "call" and not member.call_done and member.active:
                member.next_step = _(
                    "Call from %(date)s",
                    date=member.call_next_at or _("now"),
                )
            else:
                member.next_step = False

    @api.depends("partner_id")
    def _compute_call_history(self):
        """The contact's campaigns and latest messages, for the call screen."""
        for member in self:
            partner = member.partner_id
            if not partner:
                member.call_history = False
                continue
            others = (
                self.sudo()
                .with_context(active_test=False)
                .search(
                    [("partner_id", "=", partner.id), ("id", "!=", member._origin.id)],
                    order="id desc",
                    limit=10,
                )
            )
            states = dict(self._fields["state"]._description_selection(self.env))
            channels = dict(self._fields["channel"]._description_selection(self.env))
            lines = [
                Markup("<li>%s</li>")
                % _(
                    "%(campaign)s (%(channel)s): %(state)s",
                    campaign=other.campaign_id.title,
                    channel=channels.get(other.channel),
                    state=states.get(other.state, other.state),
                )
                for other in others
            ]
            messages = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        "|",
                        "&",
                        ("model", "=", "res.partner"),
                        ("res_id", "=", partner.id),
                        "&",
                        ("model", "=", self._name),
                        ("res_id", "in", others.ids + member._origin.ids),
                        ("message_type", "in", ("comment", "email", "notification")),
                        ("body", "!=", False),
                    ],
                    order="date desc, id desc",
                    limit=HISTORY_MESSAGES,
                )
            )
            items = [
                Markup("<li><small>%s</small> %s</li>")
                % (fields.Datetime.to_string(message.date)[:16], message.preview)
                for message in messages
                if message.preview
            ]
            html = Markup("")
            if lines:
                html += Markup("<p><b>%s</b></p><ul>%s</ul>") % (
                    _("Other campaigns"),
                    Markup("").join(lines),
                )
            if items:
                html += Markup("<p><b>%s</b></p><ul>%s</ul>") % (
                    _("Latest messages"),
                    Markup("").join(items),
                )
            member.call_history = html or Markup("<p>%s</p>") % escape(
                _("No earlier contact with this person.")
            )

    # ---- CALL QUEUE

    @api.model
    def _caller_campaigns(self, campaign_id=None):
        """The running campaigns the current user calls for (team members who
        make calls, and owners), optionally only ``campaign_id``."""
        domain = [
            ("state", "=", "running"),
            "|",
            ("user_id", "=", self.env.uid),
            "&",
            ("team_ids.user_id", "=", self.env.uid),
            ("team_ids.makes_calls", "=", True),
        ]
        if campaign_id:
            domain.append(("id", "=", int(campaign_id)))
        return self.env["utm.campaign"].search(domain, order="id")

    @api.model
    def _caller_campaign_rows(self, campaign_id=None):
        """:meth:`_caller_campaigns` in one SQL query, with what "next call"
        needs of each campaign (the hot path: every ORM read there costs
        record-rule queries once the cache is cleared by each commit).
        Equivalent to the ORM search (tests/test_call_queue.py).

        :return: list of dicts: id, title, hour_from, hour_to, mode, tz
        """
        self.env["utm.campaign"].flush_model()
        self.env["marketing.campaign.team"].flush_model()
        self.env["res.partner"].flush_model(["tz"])
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.title, c.call_hour_from, c.call_hour_to,
                       c.call_queue_mode,
                       COALESCE(NULLIF(op.tz, ''), NULLIF(me.tz, ''), 'UTC')
                  FROM utm_campaign c
                  LEFT JOIN res_users ou ON ou.id = c.user_id
                  LEFT JOIN res_partner op ON op.id = ou.partner_id
                  LEFT JOIN (SELECT p.tz FROM res_users u
                               JOIN res_partner p ON p.id = u.partner_id
                              WHERE u.id = %(uid)s) me ON TRUE
                 WHERE c.state = 'running'
                   AND (c.company_id IS NULL OR c.company_id = ANY(%(companies)s))
                   AND (c.user_id = %(uid)s OR EXISTS (
                        SELECT 1 FROM marketing_campaign_team t
                         WHERE t.campaign_id = c.id AND t.user_id = %(uid)s
                           AND t.makes_calls))
                   %(only)s
                 ORDER BY c.id
                """,
                uid=self.env.uid,
                companies=self.env.companies.ids,
                only=SQL("AND c.id = %s", int(campaign_id)) if campaign_id else SQL(),
            )
        )
        keys = ("id", "title", "hour_from", "hour_to", "mode", "tz")
        return [dict(zip(keys, row, strict=True)) for row in self.env.cr.fetchall()]

    @api.model
    def _next_call_sql(self, campaign, now, own=False):
        """SQL locking the next due call member of ``campaign``
        (``FOR UPDATE SKIP LOCKED``: two callers never take the same one).

        :param own: only the members assigned to the current user
        """
        return SQL(
            """
            SELECT m.id FROM marketing_campaign_member m
             WHERE m.campaign_id = %(campaign)s AND m.channel = 'call'
               AND m.call_done IS NOT TRUE AND m.active
               AND m.state NOT IN %(closed)s
               AND (m.call_next_at IS NULL OR m.call_next_at <= %(now)s)
               %(own)s
             ORDER BY m.call_next_at NULLS FIRST, m.id
             LIMIT 1
               FOR UPDATE SKIP LOCKED
            """,
            campaign=getattr(campaign, "id", campaign),
            closed=call_policy.CLOSED_STATES,
            now=now,
            own=SQL("AND m.user_id = %s", self.env.uid) if own else SQL(""),
        )

    @api.model
    def _take_next_call(self, campaign_id=None):
        """Take the next call of the current user's campaigns: locks the member
        row, then leases it to the user for call_policy.LEASE_MINUTES.

        :return: the member (empty when no call is due)
        :raise UserError: when no campaign of the user is inside its calling
            hours
        """
        rows = self._caller_campaign_rows(campaign_id)
        if not rows:
            raise UserError(_("You make calls for no running campaign."))
        now = fields.Datetime.now()
        open_campaigns = [
            row
            for row in rows
            if call_policy.within_hours(
                call_policy.to_local(now, row["tz"]), row["hour_from"], row["hour_to"]
            )
        ]
        if not open_campaigns:
            hours = ", ".join(
                f"{row['title']}: {call_policy.format_hour(row['hour_from'])}-"
                f"{call_policy.format_hour(row['hour_to'])} ({row['tz']})"
                for row in rows
            )
            raise UserError(_("Outside calling hours (%(hours)s).", hours=hours))
        self.flush_model()
        if (
            getattr(threading.current_thread(), "testing", False)
            or self.env.registry.in_test_mode()
        ):
            # inside a test transaction: other cursors cannot see its data
            member_id = self._claim_next_call(self.env.cr, open_campaigns, now)
        else:
            with self.env.registry.cursor() as cr:
                member_id = self._claim_next_call(cr, open_campaigns, now, fresh=True)
        self.invalidate_model(["call_next_at", "call_taken_uid"])
        if member_id:
            return self.browse(member_id)
        return self.browse()

    @api.model
    def _claim_next_call(self, cr, campaigns, now, fresh=False):
        """Lock the next due member of ``campaigns`` (rows of
        :meth:`_caller_campaign_rows`) on ``cr`` and lease it to the current
        user.

        :param fresh: ``cr`` is a new cursor of its own: its transaction runs
            in READ COMMITTED, so that a member another caller took (and
            committed) since this transaction began is re-checked and skipped
            by ``FOR UPDATE SKIP LOCKED`` instead of failing with a
            serialisation error (Odoo's cursors are REPEATABLE READ); the
            lease is committed at once by the caller's ``with`` block.
        :return: the member id, or None
        """
        if fresh:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        for campaign in campaigns:
            passes = [True, False] if campaign["mode"] == "own_first" else [False]
            for own in passes:
                cr.execute(self._next_call_sql(campaign["id"], now, own=own))
                row = cr.fetchone()
                if row:
                    cr.execute(
                        "UPDATE marketing_campaign_member SET call_next_at = %s, "
                        "call_taken_uid = %s, "
                        "write_date = now() AT TIME ZONE 'UTC' WHERE id = %s",
                        [
                            now + timedelta(minutes=call_policy.LEASE_MINUTES),
                            self.env.uid,
                            row[0],
                        ],
                    )
                    return row[0]
        return None

    @api.model
    def action_next_call(self, campaign_id=None):
        """Open the next due call of the current user (first come, first
        served, or their own assigned calls first).

        :param campaign_id: only this campaign (default: all of the user's)
        :return: an action opening the call screen
        """
        member = self._take_next_call(campaign_id)
        if not member:
            raise UserError(_("No call is due now in your campaigns."))
        return member._call_screen_action()

    def _call_screen_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Call"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref("marketing_resource_mgmt.member_view_form_call").id,
                    "form",
                )
            ],
            "target": "current",
        }

    def action_open_call_outcome(self):
        """Open the outcome dialog of this call."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Call outcome"),
            "res_model": "marketing.call.outcome.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_member_id": self.id},
        }

    # ---- OUTCOMES

    def _check_call_outcome(self, outcome, duration, callback_at):
        """Every check before an outcome changes anything.

        :return: the caller's employee (hr.employee) when a duration is given
        :raise UserError: on bad input
        """
        self.ensure_one()
        if outcome not in call_policy.OUTCOMES:
            raise UserError(
                _(
                    "Unknown call outcome %(outcome)s; use one of: %(codes)s.",
                    outcome=repr(outcome),
                    codes=", ".join(call_policy.OUTCOMES),
                )
            )
        if self.channel != "call":
            raise UserError(
                _(
                    "%(name)s is not on the call list of the campaign.",
                    name=self.display_name,
                )
            )
        if self.campaign_id.state != "running":
            raise UserError(
                _(
                    "The campaign %(name)s is not running.",
                    name=self.campaign_id.title,
                )
            )
        if duration < 0:
            raise UserError(_("A call cannot last less than zero minutes."))
        try:
            call_policy.next_step(
                outcome,
                self.call_attempts + 1,
                self.campaign_id.call_max_attempts,
                self.campaign_id._get_call_retry_minutes(),
                fields.Datetime.now(),
                callback_at,
            )
        except call_policy.PolicyError as error:
            raise UserError(str(error)) from error
        employee = self.env["hr.employee"]
        if duration:
            if not self.campaign_id.project_id:
                raise UserError(
                    _(
                        "The campaign %(name)s has no project to log call time on: "
                        "start it from its template first.",
                        name=self.campaign_id.title,
                    )
                )
            employee = (
                self.env["hr.employee"]
                .sudo()
                .search(
                    [
                        ("user_id", "=", self.env.uid),
                        ("company_id", "in", [self.company_id.id, False]),
                    ],
                    limit=1,
                )
            )
            if not employee:
                raise UserError(
                    _(
                        "%(user)s has no employee in %(company)s: the call time "
                        "cannot be logged as a timesheet. Ask an HR officer to "
                        "create it.",
                        user=self.env.user.name,
                        company=self.company_id.name,
                    )
                )
        return employee

    def record_call_outcome(
        self, outcome, duration_minutes=0, callback_at=False, note=False
    ):
        """Record the outcome of a call to this member and apply its effects
        (tools/call_policy.py): attempts, next call time or end of the calls,
        member state and answer, the call-back activity, the lead
        ("interested"), the phone blacklist ("do not call"), the consent log,
        and the call's duration as a timesheet on the campaign's project.

        Every check runs before anything is written: bad input changes
        nothing.

        :param outcome: a code of call_policy.OUTCOMES
        :param duration_minutes: the call's duration (minutes, >= 0)
        :param callback_at: UTC datetime (or its string) for "callback"
        :param note: free text
        :return: dict with the member's new state, attempts, next call time
            (string or False), whether calls are done, and the lead id
        """
        self.ensure_one()
        member = self
        duration = float(duration_minutes or 0)
        if callback_at and isinstance(callback_at, str):
            try:
                callback_at = fields.Datetime.to_datetime(callback_at)
            except ValueError as error:
                raise UserError(
                    _(
                        "The call-back time %(value)s is not a date and time.",
                        value=callback_at,
                    )
                ) from error
        employee = member._check_call_outcome(outcome, duration, callback_at)
        campaign = member.campaign_id
        policy = call_policy.OUTCOMES[outcome]
        now = fields.Datetime.now()
        attempts = member.call_attempts + 1
        done, next_at = call_policy.next_step(
            outcome,
            attempts,
            campaign.call_max_attempts,
            campaign._get_call_retry_minutes(),
            now,
            callback_at,
        )
        if next_at and policy.effect != "callback":
            next_at = campaign._shift_into_calling_hours(next_at)
        vals = member._prepare_call_outcome_vals(
            outcome, attempts, done, next_at, callback_at, note, now
        )
        member.sudo().write(vals)
        # the open call activities of the member are done by this call
        call_type = self.env.ref(
            "marketing_resource_mgmt.mail_activity_type_campaign_call"
        )
        # the outcome's label in the user's language
        label = dict(self._fields["call_outcome"]._description_selection(self.env))[
            outcome
        ]
        feedback = _("Call outcome: %(outcome)s.", outcome=label)
        if note:
            feedback += " " + note
        open_calls = member.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == call_type
        )
        if open_calls:
            open_calls.action_feedback(feedback=feedback)
        else:
            member.sudo().message_post(body=feedback)
        lead = self.env["crm.lead"]
        if policy.effect == "callback" or (next_at and not done):
            member._schedule_call_activity(
                next_at,
                _("Call back (asked for %(time)s)", time=callback_at)
                if policy.effect == "callback"
                else _("Call again: %(outcome)s", outcome=label),
            )
        if policy.effect == "lead":
            # the same path as the portal's "interested" answer
            lead = member.sudo()._create_or_update_answer_lead()
            if lead and lead.campaign_match_route != "call":
                lead.sudo().with_context(mrm_skip_inbound=True).write(
                    {"campaign_match_route": "call"}
                )
        if policy.effect == "blacklist":
            member._do_not_call()
        if policy.consent:
            self.env["marketing.consent"]._record(
                member.partner_id,
                "call",
                policy.consent,
                "call",
                campaign=campaign,
                note=label,
            )
        if duration:
            member._log_call_time(duration, employee, label)
        return {
            "member_id": member.id,
            "state": member.state,
            "call_attempts": member.call_attempts,
            "call_done": member.call_done,
            "call_next_at": fields.Datetime.to_string(member.call_next_at)
            if member.call_next_at
            else False,
            "lead_id": lead.id or False,
        }

    def _prepare_call_outcome_vals(
        self, outcome, attempts, done, next_at, callback_at, note, now
    ):
        """:return: the member's values after the outcome (queue entry,
        state moved forward only, answer)"""
        self.ensure_one()
        policy = call_policy.OUTCOMES[outcome]
        vals = {
            "call_attempts": attempts,
            "call_outcome": outcome,
            "call_last_at": now,
            "call_done": done,
            "call_next_at": next_at or False,
            "call_taken_uid": False,
            "call_callback_at": callback_at if policy.effect == "callback" else False,
        }
        state = call_policy.forward_state(self.state, policy.state)
        if state != self.state:
            vals["state"] = state
            if state == "contacted":
                vals["date_contacted"] = now
            elif state in ("responded", "declined", "unsubscribed"):
                vals["date_responded"] = now
        if not self.date_contacted and policy.state:
            vals.setdefault("date_contacted", now)
        if policy.answer:
            vals["answer"] = policy.answer
            if note:
                vals["answer_note"] = note
        return vals

    def _log_call_time(self, minutes, employee, label):
        """The call's duration as a timesheet on the campaign's project (its
        analytic account collects the campaign's costs)."""
        self.ensure_one()
        campaign = self.campaign_id
        return (
            self.env["account.analytic.line"]
            .sudo()
            .create(
                {
                    "name": _(
                        "Call to %(name)s (%(outcome)s)",
                        name=self.partner_id.display_name,
                        outcome=label,
                    ),
                    "project_id": campaign.project_id.id,
                    "employee_id": employee.id,
                    "user_id": self.env.uid,
                    "unit_amount": minutes / 60.0,
                    "date": fields.Date.context_today(self),
                    "company_id": campaign.project_id.company_id.id
                    or campaign.company_id.id,
                }
            )
        )

    def _schedule_call_activity(self, when, summary):
        """A call activity for the caller (or the member's user) at ``when``
        (UTC), on the day it falls in the caller's time zone."""
        self.ensure_one()
        call_type = self.env.ref(
            "marketing_resource_mgmt.mail_activity_type_campaign_call"
        )
        local = fields.Datetime.context_timestamp(self, when)
        self.sudo().activity_schedule(
            activity_type_id=call_type.id,
            date_deadline=local.date(),
            summary=f"{summary} - {local.strftime('%H:%M')}",
            note=self.campaign_id.call_script or False,
            user_id=(
                self.env.user if self.env.user._is_internal() else self.user_id
            ).id,
        )

    def _do_not_call(self):
        """ "Do not call": the contact's numbers on the phone blacklist (those
        that can be normalised, with the contact's country first) and the
        contact's "no marketing calls" flag (which covers the others)."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        numbers = []
        for number in (partner.phone, partner.mobile):
            if number:
                formatted = partner._phone_format(number=number)
                if formatted:
                    numbers.append(formatted)
        if numbers:
            self.env["phone.blacklist"].sudo()._add(
                numbers,
                message=_(
                    "Asked not to be called (campaign %(code)s).",
                    code=self.campaign_id.code,
                ),
            )
        partner.mrm_opt_out_call = True
