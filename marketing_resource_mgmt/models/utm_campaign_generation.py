# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Audience generation of a campaign: members, call list, e-mail and SMS
mailings (on the members themselves) and direct-mail file, set-based (one
INSERT ... SELECT per channel, whatever the number of members)."""

import base64
import csv
import io
import logging
import math
from contextlib import contextmanager
from datetime import timedelta
from functools import reduce

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from odoo.addons.crm_lead_routing.progress import Progress

from .chatter import log_note

_logger = logging.getLogger(__name__)

# Partners formatted per batch for the direct-mail file: large enough to keep
# the number of queries low, small enough to keep the prefetch cache small.
MAIL_FILE_BATCH = 2000

# what a channel needs on the contact, on top of the segment's consent filter
CHANNEL_REQUIREMENTS = {
    "email": lambda a: SQL(
        "%(e)s IS NOT NULL AND %(e)s != ''", e=SQL.identifier(a, "email_normalized")
    ),
    "call": lambda a: SQL(
        "COALESCE(NULLIF(%s, ''), NULLIF(%s, '')) IS NOT NULL",
        SQL.identifier(a, "phone"),
        SQL.identifier(a, "mobile"),
    ),
    "mail": lambda a: SQL(
        "COALESCE(NULLIF(%s, ''), NULLIF(%s, '')) IS NOT NULL",
        SQL.identifier(a, "street"),
        SQL.identifier(a, "city"),
    ),
    "sms": lambda a: SQL("NULLIF(%s, '') IS NOT NULL", SQL.identifier(a, "mobile")),
}
# planner settings of the generation's few large statements (restored after):
# no JIT compilation (its cost estimate is inflated by the consent subqueries;
# compiling took close to a second of a 500,000-member run) and room to sort
# the new members' addresses in memory
GENERATION_SETTINGS = {"jit": "off", "work_mem": "64MB"}


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    segment_ids = fields.Many2many(
        "marketing.segment",
        "utm_campaign_marketing_segment_rel",
        "campaign_id",
        "segment_id",
        string="Segments",
        help="Campaign profiles from the library, evaluated at generation time.",
    )
    mailing_id = fields.Many2one("mailing.mailing", copy=False, readonly=True)
    sms_mailing_id = fields.Many2one(
        "mailing.mailing", "SMS mailing", copy=False, readonly=True
    )
    mail_file_ids = fields.Many2many(
        "ir.attachment",
        "utm_campaign_mail_file_rel",
        "campaign_id",
        "attachment_id",
        string="Direct-mail files",
        copy=False,
        readonly=True,
    )

    def init(self):
        res = super().init()
        # gen_random_bytes() for the members' portal tokens
        self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        return res

    # ---- ACTIONS

    def action_generate(self):
        """Generate (or re-generate) the audience of the campaigns: inline, or
        as a queue job when a job runner is configured."""
        self._check_plan_access()
        for campaign in self:
            campaign._check_generation_input()
        if self._generation_uses_queue():
            for campaign in self:
                campaign.sudo().write(
                    {
                        "generation_state": "queued",
                        "generation_message": _("Waiting for a job worker."),
                    }
                )
                campaign.sudo().with_delay(
                    description=_(
                        "Generate the audience of %(code)s", code=campaign.code
                    )
                )._generate_members()
        else:
            # a visible "working…" with the campaign being generated
            with Progress(self.env, _("Generating the audience"), len(self)) as bar:
                for campaign in self:
                    bar.step(campaign.title)
                    campaign.sudo()._generate_members()
        return True

    @api.model
    def _generation_uses_queue(self):
        """Jobs when queue_job's runner runs (server wide module), inline in
        tests: the rule batch routing follows."""
        return self.env["crm.routing.rule"]._routing_uses_queue()

    def _check_generation_input(self):
        """:raise UserError: when the campaign cannot generate its audience"""
        self.ensure_one()
        if self.state != "running":
            raise UserError(
                _(
                    "Start the campaign %(name)s before generating its audience.",
                    name=self.title,
                )
            )
        if not self.segment_ids:
            raise UserError(
                _(
                    "The campaign %(name)s has no segment: choose at least one segment "
                    "from the Campaign Library before launching it.",
                    name=self.title,
                )
            )
        if not (self.use_email or self.use_call or self.use_mail or self.use_sms):
            raise UserError(
                _(
                    "Choose at least one channel for the campaign %(name)s.",
                    name=self.title,
                )
            )
        for segment in self.segment_ids:
            segment._check_definition()

    # ---- GENERATION

    def _generate_members(self):
        """Generate the campaign's audience from its segments, now.

        Adds the new matches only: never a duplicate (campaign, contact,
        channel), never drops a member, never re-targets a contact who
        unsubscribed from the campaign. The result or the error is written on
        the campaign (generation_state, generation_message).

        :return: {campaign id: {channel: number of new members}}
        """
        results = {}
        for campaign in self:
            try:
                campaign._check_generation_input()
                with self.env.cr.savepoint():
                    counts = campaign._generate_members_sql()
            except UserError as error:
                campaign.write(
                    {
                        "generation_state": "failed",
                        "generation_date": fields.Datetime.now(),
                        "generation_message": str(error),
                    }
                )
                if not self._generation_uses_queue():
                    raise
                continue
            results[campaign.id] = counts
            # the Campaign Library shows when each segment was last used
            campaign.segment_ids._mark_used()
            labels = dict(
                self.env["marketing.campaign.member"]
                ._fields["channel"]
                ._description_selection(self.env)
            )
            summary = ", ".join(
                self.env._("%(channel)s: %(count)s new", channel=labels[ch], count=n)
                for ch, n in counts.items()
            )
            campaign.write(
                {
                    "generation_state": "done",
                    "generation_date": fields.Datetime.now(),
                    "generation_message": summary,
                }
            )
            log_note(
                campaign,
                Markup("<p>%s</p>")
                % _("Audience generated: %(summary)s.", summary=summary),
            )
        return results

    def _get_audience_query(self, channel):
        """:return: SQL selecting the distinct partner ids of the campaign's
        segments for ``channel`` that the contact policy allows (consent, the
        company's contact caps and quiet period: marketing.contact.policy)

        The channel's requirement is a condition of each segment's own query
        (one scan of the contacts), and a single segment's ids are distinct
        already (a query on res_partner): only several segments need UNION.
        """
        self.ensure_one()
        queries = []
        policy = self.env["marketing.contact.policy"]
        for segment in self.segment_ids:
            query = segment._get_base_query()
            alias = query.table
            query.add_where(
                policy._allowed_sql(channel, alias, company=self.company_id or None)
            )
            query.add_where(CHANNEL_REQUIREMENTS[channel](alias))
            queries.append(query.select(SQL("%s AS id", SQL.identifier(alias, "id"))))
        return SQL(" UNION ").join(queries)

    def _get_channels(self):
        self.ensure_one()
        return [
            channel
            for channel, used in (
                ("email", self.use_email),
                ("call", self.use_call),
                ("mail", self.use_mail),
                ("sms", self.use_sms),
            )
            if used
        ]

    def _generate_members_sql(self):
        """Insert the new members of every channel, then build each channel's
        output for them. A fixed number of queries per channel.

        :return: {channel: number of new members}
        """
        self.ensure_one()
        with self._generation_settings():
            return self._generate_members_run()

    @contextmanager
    def _generation_settings(self):
        """Apply GENERATION_SETTINGS for the transaction, and put the previous
        values back on success (on an error, the caller's savepoint rollback
        restores them)."""
        cr = self.env.cr
        names = list(GENERATION_SETTINGS)
        cr.execute(
            SQL(
                "SELECT %s",
                SQL(", ").join(SQL("current_setting(%s)", name) for name in names),
            )
        )
        previous = cr.fetchone()

        def apply(values):
            cr.execute(
                SQL(
                    "SELECT %s",
                    SQL(", ").join(
                        SQL("set_config(%s, %s, true)", name, value)
                        for name, value in zip(names, values, strict=True)
                    ),
                )
            )

        apply([GENERATION_SETTINGS[name] for name in names])
        yield
        apply(previous)

    def _generate_members_run(self):
        Member = self.env["marketing.campaign.member"]
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT COALESCE(MAX(generation_batch), 0) + 1 "
            "FROM marketing_campaign_member WHERE campaign_id = %s",
            [self.id],
        )
        batch = self.env.cr.fetchone()[0]
        counts = {}
        for channel in self._get_channels():
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO marketing_campaign_member (
                    id, campaign_id, partner_id, channel, state, access_token,
                    date_targeted, company_id, active, generation_batch,
                    create_date, write_date)
                SELECT n.id, %(campaign)s, n.partner_id, %(channel)s, 'targeted',
                       %(token)s,
                       now() AT TIME ZONE 'UTC', %(company)s, TRUE, %(batch)s,
                       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM (SELECT nextval(%(sequence)s) AS id, a.id AS partner_id
                          FROM (%(audience)s) a
                         WHERE NOT EXISTS (
                               SELECT 1 FROM marketing_campaign_member u
                                WHERE u.campaign_id = %(campaign)s
                                  AND u.partner_id = a.id
                                  AND (u.channel = %(channel)s
                                       OR u.state = 'unsubscribed'))
                         ORDER BY a.id) n
                ON CONFLICT (campaign_id, partner_id, channel) DO NOTHING
                    """,
                    campaign=self.id,
                    channel=channel,
                    company=self.company_id.id,
                    batch=batch,
                    sequence=f"{Member._table}_id_seq",
                    token=self._member_token_sql(SQL("n.id")),
                    audience=self._get_audience_query(channel),
                )
            )
            counts[channel] = self.env.cr.rowcount
        Member.invalidate_model()
        self._generate_outputs(batch, counts)
        return counts

    def _generate_outputs(self, batch, counts):
        """Each channel's output for the members of generation ``batch``:
        the call list, the e-mail list and its draft mailing, the SMS
        mailing, the direct-mail file (also for a follow-on's copied members).

        :param counts: {channel: number of new members}
        """
        self.ensure_one()
        if counts.get("call"):
            self._generate_call_list(batch)
        if counts.get("email"):
            self._generate_email_mailing()
        if counts.get("sms"):
            self._generate_sms_mailing()
        if "mail" in counts:
            self._generate_mail_file()
        self.env["marketing.campaign.member"].invalidate_model()

    @api.model
    def _member_token_sql(self, id_sql):
        """SQL of a new member's portal token: 48 hex digits, the member's id
        (12 digits) then 144 random bits from gen_random_bytes.

        The id prefix keeps the tokens of a generation in ascending order, so
        that their index grows at one end instead of taking each token at a
        random page (measured: a random token cost a third of a 500,000-member
        generation); the random part alone keeps the token unguessable.
        """
        return SQL(
            "lpad(to_hex(%s), 12, '0') || encode(gen_random_bytes(18), 'hex')",
            id_sql,
        )

    def _get_caller_cycle(self):
        """:return: the list of user ids to cycle through when spreading calls:
        each caller once (evenly) or in proportion to their capacity"""
        self.ensure_one()
        callers = self.team_ids.filtered("makes_calls").sorted("id")
        if not callers:
            return [self.user_id.id]
        if self.assignment_mode == "capacity":
            capacities = [max(c.capacity, 0) for c in callers]
            if not any(capacities):
                capacities = [1] * len(callers)
            divisor = reduce(math.gcd, [c for c in capacities if c])
            cycle = []
            for caller, capacity in zip(callers, capacities, strict=False):
                cycle += [caller.user_id.id] * (capacity // divisor)
            # interleave so that a small list is spread too
            return self._interleave(cycle)
        return callers.user_id.ids

    @staticmethod
    def _interleave(cycle):
        """[a, a, a, b] -> [a, b, a, a]: spread each user over the cycle."""
        by_user = {}
        for uid in cycle:
            by_user[uid] = by_user.get(uid, 0) + 1
        slots = []
        for uid, count in by_user.items():
            slots += [((i + 0.5) / count, uid) for i in range(count)]
        return [uid for _pos, uid in sorted(slots)]

    def _generate_call_list(self, batch):
        """Assign the new call members over the callers and give each a call
        activity with the template's script, in two statements."""
        self.ensure_one()
        cycle = self._get_caller_cycle()
        self.env.cr.execute(
            SQL(
                """
            UPDATE marketing_campaign_member m
               SET user_id = (%(cycle)s::int[])[mod(n.rn - 1, %(size)s) + 1]
              FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn
                      FROM marketing_campaign_member
                     WHERE campaign_id = %(campaign)s AND generation_batch = %(batch)s
                       AND channel = 'call') n
             WHERE m.id = n.id
                """,
                cycle=cycle,
                size=len(cycle),
                campaign=self.id,
                batch=batch,
            )
        )
        activity_type = self.env.ref(
            "marketing_resource_mgmt.mail_activity_type_campaign_call"
        )
        model_id = self.env["ir.model"]._get_id("marketing.campaign.member")
        deadline = max(self.date_start or fields.Date.today(), fields.Date.today())
        if self.date_end and self.date_end > deadline:
            deadline = min(self.date_end, deadline + timedelta(days=7))
        summary = _("Call for %(code)s", code=self.code)
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO mail_activity (
                res_model_id, res_model, res_id, res_name, activity_type_id,
                summary, note, date_deadline, user_id, user_tz, automated, active,
                create_uid, create_date, write_uid, write_date)
            SELECT %(model_id)s, 'marketing.campaign.member', m.id,
                   p.name, %(type)s, %(summary)s, %(note)s, %(deadline)s,
                   m.user_id, up.tz, TRUE, TRUE,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM marketing_campaign_member m
              JOIN res_partner p ON p.id = m.partner_id
              JOIN res_users u ON u.id = m.user_id
              JOIN res_partner up ON up.id = u.partner_id
             WHERE m.campaign_id = %(campaign)s AND m.generation_batch = %(batch)s
               AND m.channel = 'call'
                """,
                model_id=model_id,
                type=activity_type.id,
                summary=summary,
                note=str(self.call_script or ""),
                deadline=deadline,
                uid=self.env.uid,
                campaign=self.id,
                batch=batch,
            )
        )
        self.env["mail.activity"].invalidate_model()

    def _prepare_mailing_sender_vals(self):
        """The draft mailing's sender: Odoo's (the user who generates) unless
        that user has no e-mail address; then the campaign owner's, the
        company's or the server's default sender, so that generating never
        fails on the generating user's missing address."""
        if self.env.user.email:
            return {}
        sender = (
            self.user_id.email_formatted
            or self.company_id.email_formatted
            or self.env["ir.mail_server"]._get_default_from_address()
        )
        return {"email_from": sender} if sender else {}

    def _generate_email_mailing(self):
        """Create the campaign's draft e-mail mailing (once), sent to its
        e-mail members themselves: its recipient model is
        ``marketing.campaign.member`` (mailing-enabled in
        marketing_campaign_member_trace.py) and its domain the campaign's
        e-mail members still to reach, evaluated when it is sent, so that
        members added later are in it and nothing is copied into mass
        mailing's own contact tables. Each trace names its member
        (``res_id``); the blacklist and the opt-outs (the member's own,
        the contact's flags and consent log) are applied at sending.

        A campaign whose mailing was made for a mailing list (before
        18.0.1.0.2) and already sent gets a new draft on its members.

        :return: the mailing
        """
        self.ensure_one()
        Member = self.env["marketing.campaign.member"]
        if self.mailing_id.mailing_model_real == Member._name:
            return self.mailing_id
        mailing = self.env["mailing.mailing"].new(
            {"mailing_type": "mail", "campaign_id": self.id}
        )
        self.mailing_id = self.env["mailing.mailing"].create(
            {
                **self._prepare_mailing_sender_vals(),
                "subject": self.title,
                "campaign_id": self.id,
                "mailing_type": "mail",
                "mailing_model_id": self.env["ir.model"]._get_id(Member._name),
                "mailing_domain": repr(Member._mailing_get_default_domain(mailing)),
                "user_id": self.user_id.id,
                "body_arch": False,
                "body_html": Markup("<p>%s</p>")
                % _("Draft mailing of the campaign %(code)s.", code=self.code),
            }
        )
        return self.mailing_id

    def _generate_sms_mailing(self):
        """Create the campaign's draft SMS mailing (once), sent to its SMS
        members themselves (mailing model marketing.campaign.member, so that
        each trace names its member); members added later are in its
        domain."""
        self.ensure_one()
        if self.sms_mailing_id:
            return self.sms_mailing_id
        Member = self.env["marketing.campaign.member"]
        mailing = self.env["mailing.mailing"].new(
            {"mailing_type": "sms", "campaign_id": self.id}
        )
        self.sms_mailing_id = self.env["mailing.mailing"].create(
            {
                "subject": self.title,
                "campaign_id": self.id,
                "mailing_type": "sms",
                "mailing_model_id": self.env["ir.model"]._get_id(Member._name),
                "mailing_domain": repr(Member._mailing_get_default_domain(mailing)),
                "user_id": self.user_id.id,
                "body_plaintext": _(
                    "%(title)s (%(code)s)", title=self.title, code=self.code
                ),
                "sms_allow_unsubscribe": True,
            }
        )
        return self.sms_mailing_id

    @api.model
    def _migrate_email_mailings(self):
        """Campaigns generated before their e-mail mailing was sent to the
        members themselves (18.0.1.0.2): a draft mailing of the campaign's
        mailing list is turned into a mailing on its e-mail members (the
        list and its contacts stay, as do mailings already sent: the trace
        sync still reads them by address). Idempotent.

        :return: the number of mailings turned
        """
        Member = self.env["marketing.campaign.member"]
        campaigns = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("mailing_id.state", "=", "draft"),
                    ("mailing_id.mailing_model_id.model", "=", "mailing.list"),
                ]
            )
        )
        for campaign in campaigns:
            mailing = campaign.mailing_id
            mailing.write(
                {
                    "mailing_model_id": self.env["ir.model"]._get_id(Member._name),
                    "mailing_domain": repr(Member._mailing_get_default_domain(mailing)),
                    "contact_list_ids": [(5, 0, 0)],
                }
            )
        return len(campaigns)

    # ---- DIRECT-MAIL FILE

    def _get_mail_file_rows(self):
        """:return: the rows (list of dicts) of the direct-mail file: every
        mail member of the campaign still to reach"""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT m.id, m.partner_id, m.access_token
              FROM marketing_campaign_member m
             WHERE m.campaign_id = %s AND m.channel = 'mail' AND m.active
               AND m.state NOT IN ('unsubscribed', 'bounced', 'declined')
             ORDER BY m.id
                """,
                self.id,
            )
        )
        members = self.env.cr.fetchall()
        base_url = self.get_base_url()
        rows = []
        Partner = self.env["res.partner"]
        for chunk in split_every(MAIL_FILE_BATCH, members):
            partners = Partner.browse([row[1] for row in chunk])
            partners.fetch(
                [
                    "name",
                    "street",
                    "street2",
                    "zip",
                    "city",
                    "state_id",
                    "country_id",
                    "commercial_partner_id",
                    "is_company",
                    "parent_id",
                ]
            )
            by_id = {partner.id: partner for partner in partners}
            for member_id, partner_id, token in chunk:
                partner = by_id[partner_id]
                company = partner.commercial_partner_id
                company_name = company.name if company != partner else ""
                lines = [partner.name or ""]
                if company_name:
                    lines.append(company_name)
                lines += [
                    line
                    for line in partner._display_address(without_company=True).split(
                        "\n"
                    )
                    if line.strip()
                ]
                rows.append(
                    {
                        "member": member_id,
                        "name": partner.name or "",
                        "company": company_name,
                        "address": "\n".join(lines),
                        "zip": partner.zip or "",
                        "city": partner.city or "",
                        "country": partner.country_id.name or "",
                        "code": self.code,
                        "answer_url": f"{base_url}/campaign/answer/{token}",
                    }
                )
            Partner.invalidate_model()
        return rows

    def _generate_mail_file(self):
        """Write the direct-mail file (XLSX and CSV) as attachments of the
        campaign, replacing the previous ones."""
        self.ensure_one()
        import xlsxwriter

        rows = self._get_mail_file_rows()
        headers = [
            ("name", _("Name")),
            ("company", _("Company")),
            ("address", _("Address block")),
            ("zip", _("ZIP")),
            ("city", _("City")),
            ("country", _("Country")),
            ("code", _("Campaign code")),
            ("answer_url", _("Answer link")),
        ]
        # CSV
        text = io.StringIO()
        writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL)
        writer.writerow([label for _key, label in headers])
        for row in rows:
            writer.writerow([row[key] for key, _label in headers])
        # XLSX
        data = io.BytesIO()
        workbook = xlsxwriter.Workbook(data, {"in_memory": True})
        sheet = workbook.add_worksheet(_("Direct mail"))
        bold = workbook.add_format({"bold": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        for col, (_key, label) in enumerate(headers):
            sheet.write(0, col, label, bold)
        sheet.set_column(0, 1, 28)
        sheet.set_column(2, 2, 40)
        sheet.set_column(7, 7, 60)
        for line, row in enumerate(rows, start=1):
            for col, (key, _label) in enumerate(headers):
                sheet.write_string(line, col, row[key], wrap)
        workbook.close()
        name = f"{self.code}-direct-mail"
        self.mail_file_ids.sudo().unlink()
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{name}.xlsx",
                    "datas": base64.b64encode(data.getvalue()),
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                },
                {
                    "name": f"{name}.csv",
                    "datas": base64.b64encode(text.getvalue().encode("utf-8-sig")),
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "text/csv",
                },
            ]
        )
        self.mail_file_ids = [(6, 0, attachments.ids)]
        return attachments
