# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import csv
import io
import zipfile
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CampaignCase, tagged_segment


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
        # e-mail list and draft mailing
        mailing_list = self.campaign.mailing_list_id
        self.assertEqual(mailing_list.contact_count, 12)
        self.assertEqual(
            sorted(mailing_list.contact_ids.mapped("email_normalized")),
            sorted(email.partner_id.mapped("email_normalized")),
        )
        mailing = self.campaign.mailing_id
        self.assertEqual(mailing.state, "draft")
        self.assertEqual(mailing.campaign_id, self.campaign)
        self.assertEqual(mailing.contact_list_ids, mailing_list)
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
        self.assertEqual(self.campaign.mailing_list_id.contact_count, 14)
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
        self.assertFalse(self.campaign.mailing_list_id)

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

    def test_email_list_reuses_mailing_contacts(self):
        """One mailing contact per address: an existing contact with the same
        normalised e-mail is subscribed instead of a new one, two members who
        share an address get one subscription, and a contact who opted out of
        the list stays opted out when the audience grows."""
        Contact = self.env["mailing.contact"]
        other_list = self.env["mailing.list"].create({"name": "Newsletter"})
        known = Contact.create(
            {
                "name": "Known Gen 03",
                "email": "GEN03@Example.com",
                "list_ids": [(6, 0, other_list.ids)],
            }
        )
        self.partners[5].email = self.partners[4].email
        self.campaign.with_user(self.owner).action_generate()
        email = self._members("email")
        self.assertEqual(len(email), 12)
        mailing_list = self.campaign.mailing_list_id
        # 12 members, 11 addresses (4 and 5 share one)
        self.assertEqual(mailing_list.contact_count, 11)
        self.assertIn(known, mailing_list.contact_ids)
        self.assertEqual(
            Contact.search_count([("email_normalized", "=", "gen03@example.com")]), 1
        )
        self.assertEqual(
            Contact.search_count([("email_normalized", "=", "gen04@example.com")]), 1
        )
        self.assertEqual(known.list_ids, other_list | mailing_list)
        self.assertEqual(
            sorted(mailing_list.contact_ids.mapped("email_normalized")),
            sorted(set(email.partner_id.mapped("email_normalized"))),
        )
        # an opt-out is kept; a newcomer is added; nothing is duplicated
        subscription = self.env["mailing.subscription"].search(
            [("list_id", "=", mailing_list.id), ("contact_id", "=", known.id)]
        )
        subscription.opt_out = True
        self.env["res.partner"].create(_partner_vals(60, self.tag))
        self.campaign.with_user(self.owner).action_generate()
        self.assertEqual(mailing_list.contact_count, 12)
        self.assertTrue(subscription.opt_out)
        self.assertEqual(
            self.env["mailing.subscription"].search_count(
                [("list_id", "=", mailing_list.id)]
            ),
            12,
        )

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
        campaign_id alone (the unique and KPI indexes lead with it), state only
        past "targeted", lead and caller only when set; mailing contacts are
        found by their normalised e-mail."""
        self.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('marketing_campaign_member', 'mailing_contact')"
        )
        indexes = dict(self.cr.fetchall())
        self.assertNotIn("marketing_campaign_member__campaign_id_index", indexes)
        self.assertNotIn("marketing_campaign_member__state_index", indexes)
        self.assertIn(
            "WHERE ((state)::text <> 'targeted'::text)",
            indexes["marketing_campaign_member_state_moved_idx"],
        )
        for field in ("lead_id", "user_id"):
            self.assertIn(
                f"WHERE ({field} IS NOT NULL)",
                indexes[f"marketing_campaign_member__{field}_index"],
            )
        self.assertIn(
            "(email_normalized)", indexes["mailing_contact__email_normalized_index"]
        )
