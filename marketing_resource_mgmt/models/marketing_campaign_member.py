# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, email_normalize

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..kpi_rules import ANSWERED_STATES, INBOUND_MOVABLE_STATES, MEMBER_STATES
from .chatter import log_note, schedule_activity
from .logged_work import done_activity_counts

CHANNELS = [
    ("email", "E-mail"),
    ("call", "Call"),
    ("mail", "Direct mail"),
    ("sms", "SMS"),
]
ANSWERS = [
    ("interested", "Interested"),
    ("callback", "Call me back"),
    ("not_interested", "Not interested"),
    ("unsubscribe", "Unsubscribe"),
]


# Indexes of members, shaped so that generating 500,000 members writes as few
# index entries as it can (see tests/bench/README.md, audience generation):
# full indexes this model no longer declares (name, replaced by) are dropped
# by init(), and Odoo's registry then creates the partial ones the fields
# declare (btree_not_null: most members have no lead and no caller).
OBSOLETE_INDEXES = (
    "marketing_campaign_member__campaign_id_index",
    "marketing_campaign_member__state_index",
    "marketing_campaign_member__company_id_index",
)
FULL_TO_PARTIAL_INDEXES = (
    "marketing_campaign_member__lead_id_index",
    "marketing_campaign_member__user_id_index",
)
# state: only the members who moved on from "targeted" (the searches that
# filter on a state look for answers, unsubscriptions, bounces)
MEMBER_INDEXES = (
    (
        "marketing_campaign_member_state_moved_idx",
        "(state) WHERE state <> 'targeted'",
    ),
)


def _new_token(model=None):
    """192 bits from the system's CSPRNG, as 48 hex digits (same form as the
    tokens the generator makes in SQL with gen_random_bytes(24))."""
    return secrets.token_hex(24)


class MarketingCampaignMember(models.Model):
    """One contact of a campaign's audience on one channel."""

    _name = "marketing.campaign.member"
    _description = "Campaign Member"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "campaign_id, id"
    _rec_name = "partner_id"
    # One row per contact, campaign and channel, hundreds of thousands at a
    # time: no "Created by" / "Last updated by" (Odoo's mail.notification,
    # mail.followers and ir.profile do the same), whose two foreign keys to
    # res_users cost PostgreSQL a check per row and key on every generation
    # (3.6 of the 18 s of a 500,000-member audience, tests/bench/README.md).
    # The dates stay: create_date and write_date below.
    _log_access = False

    # no index of its own: the unique (campaign_id, partner_id, channel) index
    # and campaign_reporting's KPI index both lead with campaign_id
    campaign_id = fields.Many2one("utm.campaign", required=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="restrict", index=True
    )
    channel = fields.Selection(CHANNELS, required=True, default="email")
    # indexed by MEMBER_INDEXES (answered states only): every generated member
    # starts as targeted
    state = fields.Selection(
        MEMBER_STATES, default="targeted", required=True, tracking=True
    )
    user_id = fields.Many2one(
        "res.users", "Assigned to", index="btree_not_null", tracking=True
    )
    access_token = fields.Char(
        copy=False, default=_new_token, groups="base.group_user", index=True
    )
    date_targeted = fields.Datetime(default=fields.Datetime.now)
    date_contacted = fields.Datetime()
    date_responded = fields.Datetime()
    # mailing results (e-mail and SMS), filled by the trace sync
    # (marketing_campaign_member_trace.py): the first of each over the
    # campaign's mailings, follow-on mailings included
    date_sent = fields.Datetime("Sent on", readonly=True, copy=False)
    date_opened = fields.Datetime("Opened on", readonly=True, copy=False)
    date_clicked = fields.Datetime("Clicked on", readonly=True, copy=False)
    date_replied = fields.Datetime("Replied on", readonly=True, copy=False)
    date_bounced = fields.Datetime("Bounced on", readonly=True, copy=False)
    date_unsubscribed = fields.Datetime("Unsubscribed on", readonly=True, copy=False)
    answer = fields.Selection(ANSWERS, tracking=True)
    answer_note = fields.Text()
    callback_time = fields.Char("Preferred call-back time")
    lead_id = fields.Many2one("crm.lead", ondelete="set null", index="btree_not_null")
    # no index: one or a few companies, never searched alone (the members
    # of a company are read with their campaigns or states)
    company_id = fields.Many2one(
        "res.company", related="campaign_id.company_id", store=True
    )
    active = fields.Boolean(default=True)
    generation_batch = fields.Integer(
        readonly=True, copy=False, help="Generation run that added the member."
    )
    email = fields.Char(related="partner_id.email")
    phone = fields.Char(related="partner_id.phone")
    mobile = fields.Char(related="partner_id.mobile")
    answer_url = fields.Char(compute="_compute_answer_url")
    # the log dates without _log_access: set by create and write below and
    # by the SQL that adds or updates members
    create_date = fields.Datetime(
        "Added on", readonly=True, copy=False, default=fields.Datetime.now
    )
    write_date = fields.Datetime(
        "Last Updated on", readonly=True, copy=False, default=fields.Datetime.now
    )

    _sql_constraints = [
        (
            "campaign_partner_channel_unique",
            "UNIQUE(campaign_id, partner_id, channel)",
            "A contact is a member of a campaign only once per channel.",
        ),
    ]

    def init(self):
        res = super().init()
        cr = self.env.cr
        cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s "
            "AND (indexname IN %s OR (indexname IN %s AND indexdef NOT LIKE %s))",
            [self._table, OBSOLETE_INDEXES, FULL_TO_PARTIAL_INDEXES, "% WHERE %"],
        )
        for (name,) in cr.fetchall():
            cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
        self._create_indexes(MEMBER_INDEXES)
        return res

    def _create_indexes(self, indexes):
        """Create the member table's ``indexes`` that do not exist yet.

        :param indexes: ``[(name, definition)]``, the definition being what
            follows ``ON <table>`` (columns, ``USING``, ``WHERE``)
        """
        for name, definition in indexes:
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s %s",
                    SQL.identifier(name),
                    SQL.identifier(self._table),
                    SQL(definition),
                )
            )

    def _compute_answer_url(self):
        base = self[:1].get_base_url()
        for member in self:
            token = member.sudo().access_token
            member.answer_url = token and f"{base}/campaign/answer/{token}"

    @api.depends("partner_id", "channel")
    def _compute_display_name(self):
        labels = dict(CHANNELS)
        for member in self:
            member.display_name = (
                f"{member.partner_id.display_name} ({labels.get(member.channel, '')})"
            )

    def write(self, vals):
        # what Odoo's log access did for write_date (see _log_access)
        if "write_date" not in vals:
            vals = dict(vals, write_date=fields.Datetime.now())
        return super().write(vals)

    def unlink(self):
        # checked before mail.thread's unlink, which deletes the messages
        # (the done activities) first
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._unlink_except_effort()
        return super().unlink()

    def _unlink_except_effort(self):
        answered = self.filtered(lambda m: m.state in ANSWERED_STATES or m.answer)
        if answered:
            raise UserError(
                _(
                    "%(name)s has answered the campaign %(campaign)s; the answer is "
                    "logged work and cannot be deleted: archive the member instead.",
                    name=answered[0].partner_id.display_name,
                    campaign=answered[0].campaign_id.title,
                )
            )
        done = done_activity_counts(self)
        if done:
            member = self.browse(min(done))
            raise UserError(
                _(
                    "%(name)s has done activities (calls, follow-ups) in the "
                    "campaign %(campaign)s; they are logged work and cannot be "
                    "deleted: archive the member instead.",
                    name=member.partner_id.display_name,
                    campaign=member.campaign_id.title,
                )
            )

    def action_mark_contacted(self):
        self.filtered(lambda m: m.state == "targeted").write(
            {"state": "contacted", "date_contacted": fields.Datetime.now()}
        )
        return True

    # ---- INBOUND MATCHING

    @api.model
    def _phone_match_sql(self, member_alias, phone_sql):
        """SQL: the member's contact has the phone ``phone_sql`` (its last nine
        digits, so that +44 113..., 0113... and (0113) ... meet)."""

        def tail(column):
            return SQL(
                "right(regexp_replace(COALESCE(%s, ''), '\\D', '', 'g'), 9)", column
            )

        alias = SQL.identifier(member_alias)
        return SQL(
            "(length(%(phone)s) >= 7 AND %(phone)s IN (%(phone_col)s, %(mobile_col)s))",
            phone=tail(phone_sql),
            phone_col=tail(SQL("%s.phone", alias)),
            mobile_col=tail(SQL("%s.mobile", alias)),
        )

    @api.model
    def _match_inbound(self, records, text_sql, email_sql, phone_sqls):
        """Find the running campaign (and member) each inbound record answers.

        :param records: new crm.lead / sale.order records (alias ``r`` in SQL)
        :param text_sql: SQL text of ``r`` searched for a campaign code
        :param email_sql: SQL of ``r``'s e-mail, or None
        :param phone_sqls: SQL of ``r``'s phone numbers
        :return: list of (record id, campaign id, route, member id or None),
            the route in utm / code / partner / email / phone
        """
        if not records:
            return []
        records.flush_recordset()
        self.env["marketing.campaign.member"].flush_model()
        self.env["res.partner"].flush_model(["email_normalized", "phone", "mobile"])
        self.env["utm.campaign"].flush_model(["code", "state"])
        text_sql, email_sql = SQL(text_sql), email_sql and SQL(email_sql)
        contact_conds = [SQL("m.partner_id = r.partner_id")]
        candidates = [
            SQL("SELECT r.campaign_id AS id, 'utm' AS route, 1 AS prio"),
            SQL(
                "SELECT c.id, 'code', 2 FROM utm_campaign c WHERE c.code IS NOT NULL "
                "AND c.state = 'running' AND strpos(upper(%s), upper(c.code)) > 0",
                text_sql,
            ),
            SQL(
                "SELECT m.campaign_id, 'partner', 3 FROM marketing_campaign_member m "
                "WHERE m.partner_id = r.partner_id"
            ),
        ]
        if email_sql:
            email_cond = SQL(
                "(p.email_normalized IS NOT NULL AND p.email_normalized = %s)",
                email_sql,
            )
            contact_conds.append(email_cond)
            candidates.append(
                SQL(
                    "SELECT m.campaign_id, 'email', 4 FROM marketing_campaign_member m "
                    "JOIN res_partner p ON p.id = m.partner_id WHERE %s",
                    email_cond,
                )
            )
        for phone in phone_sqls:
            phone_cond = self._phone_match_sql("p", SQL(phone))
            contact_conds.append(phone_cond)
            candidates.append(
                SQL(
                    "SELECT m.campaign_id, 'phone', 5 FROM marketing_campaign_member m "
                    "JOIN res_partner p ON p.id = m.partner_id WHERE %s",
                    phone_cond,
                )
            )
        query = SQL(
            """
            SELECT r.id, camp.id, camp.route, mem.id
              FROM %(table)s r
              JOIN LATERAL (
                    SELECT c.id, cand.route
                      FROM (%(candidates)s) cand
                      JOIN utm_campaign c ON c.id = cand.id AND c.state = 'running'
                     ORDER BY cand.prio, c.id DESC
                     LIMIT 1) camp ON TRUE
              LEFT JOIN LATERAL (
                    SELECT m.id
                      FROM marketing_campaign_member m
                      JOIN res_partner p ON p.id = m.partner_id
                     WHERE m.campaign_id = camp.id AND (%(contact)s)
                     ORDER BY (m.state = 'unsubscribed'), (m.channel != 'call'), m.id
                     LIMIT 1) mem ON TRUE
             WHERE r.id IN %(ids)s
            """,
            table=SQL.identifier(records._table),
            candidates=SQL(" UNION ALL ").join(candidates),
            contact=SQL(" OR ").join(contact_conds),
            ids=tuple(records.ids),
        )
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    @api.model
    def _apply_inbound(self, records, matches, member_state):
        """Attach each record to its campaign, move the member on and give the
        member's user (or the campaign owner) an activity to handle it."""
        if not matches:
            return
        now = fields.Datetime.now()
        Campaign = self.env["utm.campaign"].sudo()
        activity_type = self.env.ref(
            "marketing_resource_mgmt.mail_activity_type_inbound_answer"
        )
        for record_id, campaign_id, route, member_id in matches:
            record = records.browse(record_id).sudo()
            campaign = Campaign.browse(campaign_id)
            member = self.sudo().browse(member_id)
            vals = {}
            if record.campaign_id != campaign:
                vals["campaign_id"] = campaign.id
            if record._name == "crm.lead":
                vals["campaign_match_route"] = route
                if member and not member.lead_id:
                    member.lead_id = record
            elif member:
                vals["campaign_member_id"] = member.id
            if vals:
                record.with_context(mrm_skip_inbound=True).write(vals)
            if member and member.state in INBOUND_MOVABLE_STATES:
                member.write({"state": member_state, "date_responded": now})
            user = member.user_id or campaign.user_id
            schedule_activity(
                record,
                activity_type_id=activity_type.id,
                summary=_("Inbound answer to campaign %(name)s", name=campaign.title),
                note=_(
                    "Matched by %(route)s; campaign code %(code)s.",
                    route=dict(
                        self.env["crm.lead"]._fields["campaign_match_route"].selection
                    )[route],
                    code=campaign.code,
                ),
                user_id=user.id,
            )

    # ---- PORTAL ANSWERS

    def _accepts_answers(self):
        """Whether the member's answer link still takes every answer: while
        the member is active and its campaign is a draft or running. A
        closed or cancelled campaign's link says the campaign has ended and
        still lets the person unsubscribe."""
        self.ensure_one()
        return self.active and self.campaign_id.state in ("draft", "running")

    def _apply_portal_answer(self, answer, callback_time=False, note=False):
        """Record a customer's answer from the portal page (as superuser: the
        caller checked the token).

        :param answer: interested / callback / not_interested / unsubscribe
        :return: the lead created or updated on a positive answer, else None
        """
        self.ensure_one()
        if answer not in dict(ANSWERS):
            raise UserError(_("Unknown answer."))
        member = self.sudo()
        if answer == "unsubscribe":
            member._unsubscribe()
            return None
        if not member._accepts_answers():
            raise UserError(_("This campaign has ended."))
        vals = {
            "answer": answer,
            "answer_note": note or False,
            "date_responded": fields.Datetime.now(),
            "callback_time": callback_time if answer == "callback" else False,
        }
        if answer == "not_interested":
            vals["state"] = "declined"
            member.write(vals)
            log_note(member, _("Answered on the portal: not interested."))
            return None
        vals["state"] = "converted" if member.state == "converted" else "responded"
        member.write(vals)
        lead = member._create_or_update_answer_lead()
        log_note(
            member,
            _("Answered on the portal: %(answer)s.", answer=dict(ANSWERS)[answer]),
        )
        return lead

    def _prepare_answer_lead_vals(self):
        self.ensure_one()
        campaign = self.campaign_id
        partner = self.partner_id
        description = _(
            "Answer to the campaign %(code)s: %(answer)s.",
            code=campaign.code,
            answer=dict(ANSWERS)[self.answer],
        )
        if self.callback_time:
            description += " " + _(
                "Preferred call-back time: %(time)s.", time=self.callback_time
            )
        if self.answer_note:
            description += " " + self.answer_note
        return {
            "name": _(
                "%(partner)s answers %(campaign)s",
                partner=partner.name,
                campaign=campaign.title,
            ),
            "partner_id": partner.id,
            "email_from": partner.email,
            "phone": partner.phone or partner.mobile,
            "campaign_id": campaign.id,
            "campaign_match_route": "portal",
            "description": description,
            "type": "lead",
            "company_id": campaign.company_id.id,
        }

    def _create_or_update_answer_lead(self):
        """The lead of a positive answer: created, or the new answer added to
        the member's open lead. The one method for every channel's positive
        answer (portal "interested" / "call me back", a caller's
        "interested" outcome): see docs/ARCHITECTURE.md.

        The salesperson of a new lead: crm_lead_routing's rules first (routing
        on create; a rule may also put it in a pool), else the member's
        caller, else the campaign owner; never the user who records the
        answer (on the portal, the Public user). The handling user gets an
        "inbound answer" activity. Works as superuser (the caller checked
        the access: the portal token, the caller's member).

        :return: the lead (``crm.lead``, sudo)
        """
        self.ensure_one()
        member = self.sudo()
        vals = member._prepare_answer_lead_vals()
        fallback = member._get_answer_lead_user()
        lead = member.lead_id
        if lead and lead.active:
            lead.with_context(mrm_skip_inbound=True).write(
                {
                    "description": Markup("%s<p>%s</p>")
                    % (Markup(lead.description or ""), vals["description"])
                }
            )
        else:
            # no salesperson in the values, so that routing takes the lead;
            # the default one (Odoo's: the current user) is the fallback
            # user, which is what a lead no rule takes keeps
            lead = (
                self.env["crm.lead"]
                .sudo()
                .with_context(
                    mrm_skip_inbound=True,
                    mail_create_nosubscribe=True,
                    default_user_id=fallback.id,
                )
                .create(vals)
                .with_env(member.env)
            )
            member.lead_id = lead
        user = lead.user_id or fallback
        if user:
            activity_type = self.env.ref(
                "marketing_resource_mgmt.mail_activity_type_inbound_answer"
            )
            schedule_activity(
                lead,
                activity_type_id=activity_type.id,
                summary=_(
                    "Inbound answer to campaign %(name)s", name=member.campaign_id.title
                ),
                note=vals["description"],
                user_id=user.id,
            )
        return lead

    def _get_answer_lead_user(self):
        """:return: the user who handles the member's answer when routing
        does not: the member's caller, else the campaign owner (may be empty;
        never a portal or public user)"""
        self.ensure_one()
        users = self.user_id | self.campaign_id.user_id
        return users.filtered(lambda user: not user.share)[:1]

    def _unsubscribe(self):
        """Unsubscribe at once on every channel: all the contact's members of
        the campaign, Odoo's e-mail and phone blacklists, the campaign's
        mailing list. Never fails on the contact's data: an address or a
        number that cannot be normalised (a phone number is read in the
        contact's country first, then the campaign company's) is noted on
        the member instead of blacklisted.

        :return: True
        """
        self.ensure_one()
        member = self.sudo()
        partner = member.partner_id
        campaign = member.campaign_id
        members = member.with_context(active_test=False).search(
            [("campaign_id", "=", campaign.id), ("partner_id", "=", partner.id)]
        )
        now = fields.Datetime.now()
        members.write(
            {
                "state": "unsubscribed",
                "answer": "unsubscribe",
                "date_responded": now,
                "date_unsubscribed": now,
            }
        )
        members.activity_ids.unlink()
        message = _("Unsubscribed from campaign %(code)s", code=campaign.code)
        kept = []
        email = partner.email and email_normalize(partner.email)
        if email:
            if not member._blacklist(
                lambda: self.env["mail.blacklist"].sudo()._add(email, message=message)
            ):
                kept.append(partner.email)
        elif partner.email:
            kept.append(partner.email)
        numbers, invalid = member._get_sanitized_numbers()
        kept += invalid
        if numbers and not member._blacklist(
            lambda: self.env["phone.blacklist"].sudo()._add(numbers, message=message)
        ):
            kept += numbers
        if campaign.mailing_list_id and partner.email_normalized:
            subscriptions = (
                self.env["mailing.subscription"]
                .sudo()
                .search(
                    [
                        ("list_id", "=", campaign.mailing_list_id.id),
                        ("contact_id.email_normalized", "=", partner.email_normalized),
                    ]
                )
            )
            subscriptions.write({"opt_out": True})
        body = _("Unsubscribed on the portal from every channel.")
        if kept:
            body += " " + _(
                "Not on a blacklist (not a valid address or number): %(values)s; "
                "the member stays unsubscribed.",
                values=", ".join(kept),
            )
        log_note(member, body)
        return True

    def _get_sanitized_numbers(self):
        """The contact's phone numbers in E.164, read in the contact's country
        first, then in the campaign company's.

        :return: (list of E.164 numbers, list of numbers no country reads)
        """
        self.ensure_one()
        partner = self.partner_id
        countries = (
            partner.country_id
            | self.campaign_id.company_id.country_id
            | self.env.company.country_id
        )
        numbers, invalid = [], []
        for number in filter(None, (partner.phone, partner.mobile)):
            sanitized = next(
                filter(
                    None,
                    (
                        partner._phone_format(number=number, country=country)
                        for country in countries
                    ),
                ),
                False,
            )
            if sanitized:
                numbers.append(sanitized)
            else:
                invalid.append(number)
        return numbers, invalid

    def _blacklist(self, add):
        """Run ``add`` (a blacklist insertion) in a savepoint.

        :return: False when Odoo refused the value (nothing written), else True
        """
        try:
            with self.env.cr.savepoint():
                add()
        except (UserError, ValidationError):
            return False
        return True
