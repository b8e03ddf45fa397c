# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import csv
import importlib.util
import io
import zipfile
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import CampaignCase, tagged_segment
from .test_campaign_results import smtp_mocked


def _partner_vals(i, tag):
    return {
        "name": f"Gen Contact {i:02d}",
        "email": f"gen{i:02d}@example.com",
        "phone": f"+44 161 496 0{i:03d}",
        "street": f"{i} Market Street",
        "city": "Manchester",
        "zip": "M1 1AA",
        "category_id": [(4, tag.id)],
    }


@tagged("post_install", "-at_install")
class TestCampaignGeneration(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env["res.partner.category"].create(
            {"name": "MRM generation test"}
        )
        cls.partners = cls.env["res.partner"].create(
            [_partner_vals(i, cls.tag) for i in range(13)]
        )
        # consent: 11 e-mail blacklisted, 12 phone blacklisted
        cls.env["mail.blacklist"]._add(cls.partners[11].email)
        cls.env["phone.blacklist"]._add([cls.partners[12].phone])
        cls.segment = cls._make_segment(cls.tag)
        cls.campaign.write(
            {
                "segment_ids": [(6, 0, cls.segment.ids)],
                "use_email": True,
                "use_call": True,
                "use_mail": True,
                "assignment_mode": "capacity",
            }
        )
        cls.campaign.with_user(cls.owner).action_start()

    @classmethod
    def _make_segment(cls, tag):
        return tagged_segment(cls.env, tag)

    def _members(self, channel, campaign=None):
        return self.env["marketing.campaign.member"].search(
            [
                ("campaign_id", "=", (campaign or self.campaign).id),
                ("channel", "=", channel),
            ]
        )

    def recipients(self, mailing):
        """The records Odoo's mailing sends to (its domain, evaluated now)."""
        return self.env[mailing.mailing_model_real].search(
            mailing._get_recipients_domain()
        )

    def test_generation_outputs(self):
        self.assertFalse(self.segment.last_used_date)
        self.campaign.with_user(self.owner).action_generate()
        self.assertTrue(self.segment.last_used_date)
        self.assertEqual(self.campaign.generation_state, "done")
        email, call, mail = (
            self._members("email"),
            self._members("call"),
            self._members("mail"),
        )
        # consent per channel
        self.assertEqual(len(email), 12)
        self.assertNotIn(self.partners[11], email.partner_id)
        self.assertEqual(len(call), 12)
        self.assertNotIn(self.partners[12], call.partner_id)
        self.assertEqual(len(mail), 13)
        # tokens: unique, 192 bits
        tokens = (email | call | mail).mapped("access_token")
        self.assertEqual(len(set(tokens)), 37)
        self.assertTrue(all(len(t) == 48 for t in tokens))
        # call list by capacity 30:10 -> 9 and 3, one call activity each
        per_user = dict(
            self.env["mail.activity"]._read_group(
                [
                    ("res_model", "=", "marketing.campaign.member"),
                    ("res_id", "in", call.ids),
                ],
                ["user_id"],
                ["__count"],
            )
        )
        self.assertEqual(per_user, {self.caller_a: 9, self.caller_b: 3})
        self.assertEqual(call.user_id, self.caller_a | self.caller_b)
        activity = call[0].activity_ids
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("marketing_resource_mgmt.mail_activity_type_campaign_call"),
        )
        self.assertIn("quote the campaign code", activity.note)
        # the draft mailing is sent to the e-mail members themselves:
        # nothing is copied into mass mailing's contact tables
        mailing = self.campaign.mailing_id
        self.assertEqual(mailing.state, "draft")
        self.assertEqual(mailing.campaign_id, self.campaign)
        self.assertEqual(mailing.mailing_model_real, "marketing.campaign.member")
        self.assertFalse(mailing.contact_list_ids)
        self.assertFalse(self.campaign.mailing_list_id)
        self.assertFalse(
            self.env["mailing.contact"].search_count(
                [
                    (
                        "email_normalized",
                        "in",
                        self.partners.mapped("email_normalized"),
                    )
                ]
            )
        )
        self.assertEqual(self.recipients(mailing), email)
        self.assertEqual(mailing.total, 12, "the mailing form's recipient count")
        # direct-mail file: CSV and XLSX, one row per member, address block
        csv_file = self.campaign.mail_file_ids.filtered(
            lambda a: a.name.endswith(".csv")
        )
        rows = list(
            csv.reader(
                io.StringIO(base64.b64decode(csv_file.datas).decode("utf-8-sig"))
            )
        )
        self.assertEqual(len(rows), 14)
        row = next(r for r in rows if r[0] == "Gen Contact 03")
        self.assertEqual(row[2].split("\n")[:2], ["Gen Contact 03", "3 Market Street"])
        self.assertIn("Manchester", row[2])
        self.assertIn("/campaign/answer/", row[7])
        xlsx = self.campaign.mail_file_ids.filtered(lambda a: a.name.endswith(".xlsx"))
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(xlsx.datas))) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
        self.assertIn("Gen Contact 12", strings)
        self.assertIn("3 Market Street", strings)

    def test_regeneration_adds_new_only(self):
        self.campaign.with_user(self.owner).action_generate()
        mailing = self.campaign.mailing_id
        answered = self._members("call")[0]
        answered.write({"state": "declined", "answer": "not_interested"})
        leaving = self._members("email")[1]
        leaving._unsubscribe()
        before = self.env["marketing.campaign.member"].search_count(
            [("campaign_id", "=", self.campaign.id)]
        )
        newcomers = self.env["res.partner"].create(
            [_partner_vals(i, self.tag) for i in (50, 51)]
        )
        # the segment is evaluated now: the unsubscribed contact still matches it
        self.campaign.with_user(self.owner).action_generate()
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertEqual(len(members), before + 6)
        self.assertEqual(
            set(members.filtered(lambda m: m.generation_batch == 2).partner_id.ids),
            set(newcomers.ids),
        )
        self.assertEqual(answered.state, "declined")
        self.assertFalse(
            members.filtered(
                lambda m: m.partner_id == leaving.partner_id
                and m.state != "unsubscribed"
            )
        )
        # the same draft mailing reaches the newcomers, not who unsubscribed
        self.assertEqual(self.campaign.mailing_id, mailing)
        self.assertEqual(
            self.recipients(mailing),
            self._members("email").filtered(lambda m: m.state != "unsubscribed"),
        )
        self.assertEqual(len(self.recipients(mailing)), 13)
        self.assertIn("E-mail: 2 new", self.campaign.generation_message)
        # a third run adds nothing
        self.campaign.with_user(self.owner).action_generate()
        self.assertEqual(
            self.env["marketing.campaign.member"].search_count(
                [("campaign_id", "=", self.campaign.id)]
            ),
            before + 6,
        )

    def test_query_count_independent_of_size(self):
        """The generation is set-based: the same number of queries for 5 or 60
        contacts (a record-by-record fall-back would grow with N)."""
        counts = []
        # the first run warms Odoo's caches (ir.model ids, xmlids, views)
        for size in (3, 5, 60):
            tag = self.env["res.partner.category"].create({"name": f"Size {size}"})
            self.env["res.partner"].create(
                [_partner_vals(100 + i, tag) for i in range(size)]
            )
            campaign = self.env["utm.campaign"].create(
                {
                    "title": f"Size {size}",
                    "template_id": self.template.id,
                    "user_id": self.owner.id,
                    "segment_ids": [(6, 0, self._make_segment(tag).ids)],
                    "team_ids": [
                        (
                            0,
                            0,
                            {
                                "user_id": self.caller_a.id,
                                "role": "caller",
                                "makes_calls": True,
                            },
                        ),
                        (
                            0,
                            0,
                            {
                                "user_id": self.caller_b.id,
                                "role": "caller",
                                "makes_calls": True,
                            },
                        ),
                    ],
                }
            )
            campaign.action_start()
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            campaign._generate_members()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - start)
            self.assertEqual(len(campaign.member_ids), 3 * size)
            self.assertEqual(len(self._members("call", campaign).activity_ids), size)
        self.assertEqual(
            counts[1], counts[2], f"queries for 5 and 60 contacts: {counts[1:]}"
        )
        self.assertLess(counts[2], 150)

    def test_bad_input_changes_nothing(self):
        bare = self.env["utm.campaign"].create(
            {
                "title": "No segment",
                "template_id": self.template.id,
                "user_id": self.owner.id,
            }
        )
        bare.with_user(self.owner).action_start()
        with self.assertRaisesRegex(UserError, "no segment"):
            bare.with_user(self.owner).action_generate()
        self.assertFalse(bare.member_ids)
        self.assertEqual(bare.generation_state, "none")
        # a segment that no longer parses
        self.env.flush_all()
        self.cr.execute(
            "UPDATE marketing_segment SET domain = %s WHERE id = %s",
            ["[('no_such_field', '=', 1)]", self.segment.id],
        )
        self.segment.invalidate_recordset()
        with self.assertRaises(UserError):
            self.campaign.with_user(self.owner).action_generate()
        self.assertFalse(self.campaign.member_ids)
        self.assertFalse(self.campaign.mailing_id)

    def test_team_member_cannot_generate(self):
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.caller_a).action_generate()
        self.assertFalse(self.campaign.member_ids)

    def test_queued_when_job_runner(self):
        with patch.object(
            type(self.env["utm.campaign"]), "_generation_uses_queue", return_value=True
        ):
            self.campaign.with_user(self.owner).action_generate()
        self.assertEqual(self.campaign.generation_state, "queued")
        self.assertFalse(self.campaign.member_ids)
        job = self.env["queue.job"].search(
            [
                ("model_name", "=", "utm.campaign"),
                ("method_name", "=", "_generate_members"),
            ]
        )
        self.assertEqual(len(job), 1)
        self.assertEqual(job.records, self.campaign)
        self._run_job(job)
        self.assertEqual(self.campaign.generation_state, "done")
        self.assertEqual(len(self.campaign.member_ids), 37)

    def _run_job(self, job_record):
        from odoo.addons.queue_job.job import Job

        Job.load(self.env, job_record.uuid).perform()

    def test_email_mailing_opt_outs(self):
        """What Odoo's mailing must not send to, read from the members at
        sending: who unsubscribed from the campaign, whose contact (or its
        company) is not to be contacted or opted out of marketing, whose
        latest e-mail consent is an opt-out (a later opt-in lifts it), and
        the blacklist. Members sharing an address share its opt-out."""
        self.campaign.with_user(self.owner).action_generate()
        mailing = self.campaign.mailing_id
        Member = self.env["marketing.campaign.member"]
        self.assertEqual(Member._mailing_get_opt_out_list(mailing), set())
        p = self.partners
        company = self.env["res.partner"].create(
            {"name": "Gen Company", "is_company": True, "mrm_do_not_contact": True}
        )
        p[0].parent_id = company
        p[1].mrm_do_not_contact = True
        p[2].mrm_opt_out = True
        self.env["marketing.consent"]._record(p[3], "email", "opt_out", "manual")
        self.env["marketing.consent"]._record(p[4], "email", "opt_out", "manual")
        self.env["marketing.consent"]._record(p[4], "email", "opt_in", "manual")
        self._members("email").filtered(lambda m: m.partner_id == p[5]).write(
            {"state": "unsubscribed"}
        )
        # an SMS opt-out says nothing about e-mail
        self.env["marketing.consent"]._record(p[6], "sms", "opt_out", "manual")
        self.env["mail.blacklist"]._add(p[7].email)
        self.assertEqual(
            Member._mailing_get_opt_out_list(mailing),
            {p[i].email_normalized for i in (0, 1, 2, 3, 5, 7)},
        )
        # the composer cancels those e-mails (mail_optout, mail_bl) and
        # sends the others (SMTP mocked): one trace per member
        mailing.body_html = "<p>Hello</p>"
        with smtp_mocked() as sent:
            mailing.action_send_mail()
            self.env["mail.mail"].sudo().process_email_queue()
        self.assertEqual(
            sorted(to for _msg, _frm, tos in sent for to in tos),
            sorted(p[i].email for i in (4, 6, 8, 9, 10, 12)),
        )
        traces = mailing.mailing_trace_ids
        self.assertEqual(set(traces.mapped("model")), {"marketing.campaign.member"})
        by_partner = {Member.browse(t.res_id).partner_id: t for t in traces}
        # p[5] unsubscribed: not in the domain any more
        self.assertNotIn(p[5], by_partner)
        self.assertEqual(len(traces), 11)
        for i in (0, 1, 2, 3):
            self.assertEqual(by_partner[p[i]].failure_type, "mail_optout", i)
        self.assertEqual(by_partner[p[7]].failure_type, "mail_bl")
        self.assertEqual(
            {
                i
                for i in range(13)
                if p[i] in by_partner and not by_partner[p[i]].failure_type
            },
            {4, 6, 8, 9, 10, 12},
        )

    def test_email_mailing_opt_out_read_once_per_sending(self):
        """Odoo's composer checks every batch of e-mails against the
        mailing's opt-out list: a sending on the members reads the list once
        (one query, however many batches), each batch is answered with its
        own members' addresses only, and who opted out is not mailed."""
        self.campaign.with_user(self.owner).action_generate()
        mailing = self.campaign.mailing_id
        mailing.body_html = "<p>Hello</p>"
        p = self.partners
        p[2].mrm_opt_out = True
        self.env["marketing.consent"]._record(p[3], "email", "opt_out", "manual")
        # 12 e-mail members (p[11] is blacklisted) in batches of 5
        self.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 5)
        Member = type(self.env["marketing.campaign.member"])
        read_rows = Member._mailing_opt_out_rows
        get_list = Member._mailing_get_opt_out_list
        reads, answers = [], []

        def counted_rows(model, mailing, channel):
            reads.append(channel)
            return read_rows(model, mailing, channel)

        def recorded_list(model, mailing):
            answer = get_list(model, mailing)
            answers.append(answer)
            return answer

        with (
            patch.object(Member, "_mailing_opt_out_rows", counted_rows),
            patch.object(Member, "_mailing_get_opt_out_list", recorded_list),
            smtp_mocked() as sent,
        ):
            mailing.action_send_mail()
            self.env["mail.mail"].sudo().process_email_queue()
        self.assertEqual(reads, ["email"], "one read of the list per sending")
        self.assertEqual(len(answers), 3, "the composer asked once per batch")
        opted_out = {p[2].email_normalized, p[3].email_normalized}
        self.assertEqual(set().union(*answers), opted_out)
        # each address in the answer of its own member's batch only
        self.assertEqual(sum(len(a) for a in answers), 2, answers)
        mailed = sorted(to for _msg, _frm, tos in sent for to in tos)
        self.assertEqual(
            mailed,
            sorted(p[i].email for i in range(13) if i not in (2, 3, 11)),
        )
        traces = mailing.mailing_trace_ids
        self.assertEqual(len(traces), 12)
        by_partner = {
            self.env["marketing.campaign.member"].browse(t.res_id).partner_id: t
            for t in traces
        }
        for i in (2, 3):
            self.assertEqual(by_partner[p[i]].failure_type, "mail_optout", i)
            self.assertEqual(by_partner[p[i]].trace_status, "cancel", i)
        # nothing is kept after the sending: the next read sees a new opt-out
        self.env["marketing.consent"]._record(p[4], "email", "opt_out", "manual")
        self.assertEqual(
            self.env["marketing.campaign.member"]._mailing_get_opt_out_list(mailing),
            opted_out | {p[4].email_normalized},
        )

    def test_migrate_list_mailings(self):
        """A campaign generated before its mailing was on the members: its
        draft list mailing is turned into a mailing on its e-mail members;
        a sent one is left as it is and generation makes a new draft."""
        self.campaign.with_user(self.owner).action_generate()
        mailing = self.campaign.mailing_id
        mailing_list = self.env["mailing.list"].create({"name": "Old campaign list"})
        mailing.write(
            {
                "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                "contact_list_ids": [(6, 0, mailing_list.ids)],
            }
        )
        self.assertEqual(mailing.mailing_model_real, "mailing.contact")
        Campaign = self.env["utm.campaign"]
        self.assertEqual(Campaign._migrate_email_mailings(), 1)
        self.assertEqual(mailing.mailing_model_real, "marketing.campaign.member")
        self.assertFalse(mailing.contact_list_ids)
        self.assertEqual(self.recipients(mailing), self._members("email"))
        self.assertEqual(Campaign._migrate_email_mailings(), 0, "idempotent")
        # an old list mailing already sent stays; the next generation makes
        # a draft on the members
        old = mailing.copy(
            {
                "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                "contact_list_ids": [(6, 0, mailing_list.ids)],
                "campaign_id": self.campaign.id,
            }
        )
        old.state = "done"
        self.campaign.mailing_id = old
        self.assertEqual(Campaign._migrate_email_mailings(), 0)
        self.env["res.partner"].create(_partner_vals(70, self.tag))
        self.campaign.with_user(self.owner).action_generate()
        self.assertNotEqual(self.campaign.mailing_id, old)
        self.assertEqual(
            self.campaign.mailing_id.mailing_model_real, "marketing.campaign.member"
        )
        self.assertEqual(old.mailing_model_real, "mailing.contact")

    def test_tokens_follow_member_ids(self):
        """Generated tokens are 48 hex digits that sort like the member ids
        (their index grows at one end) and differ in their random part."""
        self.campaign.with_user(self.owner).action_generate()
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign.id)], order="id"
        )
        tokens = members.mapped("access_token")
        self.assertEqual(len(tokens), 37)
        self.assertTrue(all(len(t) == 48 and int(t, 16) >= 0 for t in tokens))
        self.assertEqual(tokens, sorted(tokens))
        self.assertEqual([int(t[:12], 16) for t in tokens], members.ids)
        self.assertEqual(len({t[12:] for t in tokens}), 37)
        # the answer link finds the member by its token
        self.assertTrue(members[0].answer_url.endswith(tokens[0]))

    def test_member_indexes(self):
        """Generation writes no index entry it does not need: no index on
        campaign_id alone (the unique and KPI indexes lead with it), none on
        the company, state only past "targeted", lead and caller only when
        set."""
        self.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'marketing_campaign_member'"
        )
        indexes = dict(self.cr.fetchall())
        self.assertNotIn("marketing_campaign_member__campaign_id_index", indexes)
        self.assertNotIn("marketing_campaign_member__state_index", indexes)
        self.assertNotIn("marketing_campaign_member__company_id_index", indexes)
        self.assertIn(
            "WHERE ((state)::text <> 'targeted'::text)",
            indexes["marketing_campaign_member_state_moved_idx"],
        )
        for field in ("lead_id", "user_id"):
            self.assertIn(
                f"WHERE ({field} IS NOT NULL)",
                indexes[f"marketing_campaign_member__{field}_index"],
            )

    def test_member_log_columns(self):
        """Members keep no "Created by" / "Last updated by" (their foreign
        keys to res_users cost a check per generated row): the only keys to
        res_users are the salesperson and the caller; the dates are kept,
        set by generation and moved by a write; the upgrade drops the
        columns an older version left."""
        self.cr.execute(
            "SELECT a.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid "
            "AND a.attnum = ANY(c.conkey) "
            "WHERE c.conrelid = 'marketing_campaign_member'::regclass "
            "AND c.contype = 'f' AND c.confrelid = 'res_users'::regclass"
        )
        self.assertEqual(
            sorted(r[0] for r in self.cr.fetchall()), ["call_taken_uid", "user_id"]
        )
        Member = self.env["marketing.campaign.member"]
        self.assertNotIn("create_uid", Member._fields)
        self.assertNotIn("write_uid", Member._fields)
        self.campaign.with_user(self.owner).action_generate()
        member = self._members("email")[0]
        self.assertTrue(member.create_date)
        self.assertEqual(member.write_date, member.create_date)
        self.cr.execute(
            "UPDATE marketing_campaign_member SET write_date = '2020-01-01' "
            "WHERE id = %s",
            [member.id],
        )
        member.invalidate_recordset()
        member.answer_note = "Asked for the brochure"
        member.flush_recordset()
        self.assertGreater(member.write_date.year, 2020)
        # the upgrade to 18.0.1.0.3 drops the columns of an older version
        self.cr.execute(
            "ALTER TABLE marketing_campaign_member "
            "ADD COLUMN create_uid int REFERENCES res_users ON DELETE SET NULL, "
            "ADD COLUMN write_uid int REFERENCES res_users ON DELETE SET NULL"
        )
        path = file_path(
            "marketing_resource_mgmt/migrations/18.0.1.0.3/post-migration.py",
            filter_ext=(".py",),
        )
        spec = importlib.util.spec_from_file_location("mrm_migration_1_0_3", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.cr, "18.0.1.0.2")
        self.cr.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'marketing_campaign_member' "
            "AND column_name IN ('create_uid', 'write_uid')"
        )
        self.assertEqual(self.cr.fetchone()[0], 0)
