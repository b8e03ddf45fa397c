# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, Form, tagged
from odoo.tools import SQL

from ..tools import contact_policy as rules
from .common import CampaignCase, tagged_segment

NOW = datetime(2026, 11, 30, 12, 0, 0)


@tagged("post_install", "-at_install")
class TestContactPolicyRules(BaseCase):
    """The decision itself (tools/contact_policy.py), no database."""

    def test_verdict_order_and_caps(self):
        policy = rules.ContactPolicy(
            period_days=30, max_contacts=3, max_per_channel={"email": 1}, quiet_days=7
        )
        kw = {"touches": 0, "touches_channel": 0, "last_answer": None, "now": NOW}
        self.assertIsNone(rules.verdict(policy, "email", consent_reason=None, **kw))
        # consent first, whatever the counts
        self.assertEqual(
            rules.verdict(policy, "email", consent_reason="opt_out", **kw), "opt_out"
        )
        kw_quiet = dict(kw, last_answer=NOW - timedelta(days=6))
        self.assertEqual(
            rules.verdict(policy, "call", consent_reason=None, **kw_quiet),
            rules.QUIET_PERIOD,
        )
        kw_old = dict(kw, last_answer=NOW - timedelta(days=8))
        self.assertIsNone(rules.verdict(policy, "call", consent_reason=None, **kw_old))
        self.assertEqual(
            rules.verdict(policy, "call", consent_reason=None, **dict(kw, touches=3)),
            rules.FREQUENCY_CAP,
        )
        self.assertEqual(
            rules.verdict(
                policy,
                "email",
                consent_reason=None,
                **dict(kw, touches=1, touches_channel=1),
            ),
            rules.CHANNEL_CAP,
        )
        # no cap on calls: one call already made does not block another
        self.assertIsNone(
            rules.verdict(
                policy, "call", consent_reason=None, **dict(kw, touches=1, touches_channel=1)
            )
        )

    def test_no_caps_by_default(self):
        policy = rules.ContactPolicy()
        self.assertFalse(policy.has_caps)
        self.assertIsNone(
            rules.verdict(
                policy,
                "email",
                consent_reason=None,
                touches=500,
                touches_channel=500,
                last_answer=NOW,
                now=NOW,
            )
        )

    def test_remaining(self):
        policy = rules.ContactPolicy(max_contacts=4, max_per_channel={"call": 2})
        left = rules.remaining(
            policy,
            touches=3,
            touches_by_channel={"call": 2, "email": 1},
            last_answer=None,
            now=NOW,
        )
        self.assertEqual(left["total"], 1)
        self.assertEqual(left["call"], 0)
        self.assertIsNone(left["email"])
        quiet = rules.remaining(
            rules.ContactPolicy(quiet_days=10),
            touches=0,
            touches_by_channel={},
            last_answer=NOW - timedelta(days=1),
            now=NOW,
        )
        self.assertEqual(set(quiet.values()), {0})

    def test_check_policy(self):
        self.assertEqual(rules.check_policy(rules.ContactPolicy()), [])
        self.assertEqual(
            len(rules.check_policy(rules.ContactPolicy(max_contacts=-1, quiet_days=-2))),
            2,
        )
        self.assertEqual(
            len(rules.check_policy(rules.ContactPolicy(period_days=0, max_contacts=2))),
            1,
        )


@tagged("post_install", "-at_install")
class TestContactPolicy(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the generation counts contacts up to the real now
        cls.now = datetime.now().replace(microsecond=0)
        cls.tag = cls.env["res.partner.category"].create({"name": "MRM policy"})
        cls.p = cls.env["res.partner"].create(
            [
                {
                    "name": f"Policy {i}",
                    "email": f"policy{i}@example.com",
                    "phone": f"+44 113 496 0{i:03d}",
                    "category_id": [(4, cls.tag.id)],
                }
                for i in range(7)
            ]
        )
        cls.p[1].mrm_opt_out = True
        cls.p[6].email = False
        cls.other = cls.env["utm.campaign"].create({"title": "Earlier campaign"})
        recent = cls.now - timedelta(days=5)
        old = cls.now - timedelta(days=40)
        member = cls.env["marketing.campaign.member"]
        rows = [
            # p2: two e-mails in the period
            (cls.p[2], "email", recent, None),
            (cls.p[2], "sms", recent, None),
            # p3: one call in the period
            (cls.p[3], "call", recent, None),
            # p4: answered three days ago
            (cls.p[4], "email", old, cls.now - timedelta(days=3)),
            # p5: two contacts, both before the period
            (cls.p[5], "email", old, None),
            (cls.p[5], "call", old, None),
        ]
        for partner, channel, contacted, responded in rows:
            member.create(
                {
                    "campaign_id": cls.other.id,
                    "partner_id": partner.id,
                    "channel": channel,
                    "state": "responded" if responded else "contacted",
                    "date_contacted": contacted,
                    "date_responded": responded,
                }
            )
        cls.policy = cls.env["marketing.contact.policy"]

    def _set_policy(self, company=None, **vals):
        (company or self.env.company).write(
            {f"mrm_policy_{key}": value for key, value in vals.items()}
        )

    def _allowed_by_sql(self, channel, company=None):
        self.env.cr.execute(
            SQL(
                "SELECT p.id FROM res_partner p WHERE p.id = ANY(%s) AND %s",
                self.p.ids,
                self.policy._allowed_sql(channel, "p", now=self.now, company=company),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _allowed_by_check(self, channel, company=None):
        result = self.policy._check(self.p.ids, channel, now=self.now, company=company)
        self.assertEqual(set(result), set(self.p.ids))
        return {pid for pid, reason in result.items() if not reason}

    def test_consent_only_by_default(self):
        result = self.policy._check(self.p.ids, "email", now=self.now)
        self.assertEqual(result[self.p[1].id], "opt_out")
        self.assertEqual(result[self.p[6].id], "email_missing")
        self.assertEqual(
            {pid for pid, reason in result.items() if reason},
            {self.p[1].id, self.p[6].id},
        )
        # on calls, p6 has a phone
        self.assertFalse(self.policy._check(self.p[6].ids, "call", now=self.now)[self.p[6].id])
        self.assertIn("Opted out", self.policy._reason_label("opt_out"))

    def test_caps_and_quiet_period(self):
        self._set_policy(max_contacts=2, max_call=1, quiet_days=7)
        email = self.policy._check(self.p.ids, "email", now=self.now)
        self.assertEqual(email[self.p[2].id], rules.FREQUENCY_CAP)
        self.assertFalse(email[self.p[3].id])  # one call: below both caps
        self.assertEqual(email[self.p[4].id], rules.QUIET_PERIOD)
        self.assertFalse(email[self.p[5].id])  # contacts before the period
        call = self.policy._check(self.p.ids, "call", now=self.now)
        self.assertEqual(call[self.p[3].id], rules.CHANNEL_CAP)
        self.assertFalse(call[self.p[5].id])
        # after the quiet period, p4 may be contacted again
        later = self.now + timedelta(days=5)
        self.assertFalse(
            self.policy._check(self.p[4].ids, "email", now=later)[self.p[4].id]
        )
        left = self.policy._remaining(self.p.ids, now=self.now)
        self.assertEqual(left[self.p[2].id]["total"], 0)
        self.assertEqual(left[self.p[3].id]["total"], 1)
        self.assertEqual(left[self.p[3].id]["call"], 0)
        self.assertIsNone(left[self.p[3].id]["email"])
        self.assertEqual(left[self.p[4].id]["total"], 0)
        self.assertEqual(left[self.p[0].id]["total"], 2)

    def test_sql_form_equals_check(self):
        """The set-based condition takes the same decision as _check, per
        channel, with and without caps."""
        for vals in (
            {},
            {"max_contacts": 2, "max_call": 1, "quiet_days": 7},
            {"max_contacts": 1, "max_email": 1, "period_days": 60},
        ):
            self._set_policy(**vals)
            for channel in ("email", "sms", "call", "mail"):
                with self.subTest(policy=vals, channel=channel):
                    self.assertEqual(
                        self._allowed_by_sql(channel), self._allowed_by_check(channel)
                    )

    def test_policy_per_company(self):
        company2 = self.env["res.company"].create({"name": "MRM policy Co 2"})
        self._set_policy(max_contacts=1)
        self.assertEqual(
            self.policy._check(self.p[2].ids, "email", now=self.now)[self.p[2].id],
            rules.FREQUENCY_CAP,
        )
        # the second company has no cap: its campaigns may contact p2
        self.assertFalse(
            self.policy._check(self.p[2].ids, "email", now=self.now, company=company2)[
                self.p[2].id
            ]
        )
        self.assertIn(self.p[2].id, self._allowed_by_sql("email", company=company2))

    def test_generation_follows_the_policy(self):
        self._set_policy(max_contacts=2, quiet_days=7)
        self.campaign.write(
            {
                "segment_ids": [(6, 0, tagged_segment(self.env, self.tag).ids)],
                "use_email": True,
            }
        )
        self.campaign.with_user(self.owner).action_start()
        self.campaign.with_user(self.owner).action_generate()
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign.id), ("channel", "=", "email")]
        )
        # p2 capped, p4 quiet, p1 opted out, p6 without e-mail
        expected = self.p[0] | self.p[3] | self.p[5]
        self.assertEqual(members.partner_id, expected)

    def test_settings_validation(self):
        with self.assertRaisesRegex(ValidationError, "negative"):
            self._set_policy(max_contacts=-1)
        with self.assertRaisesRegex(ValidationError, "period"):
            self._set_policy(period_days=0, max_email=3)
        with self.assertRaisesRegex(ValidationError, "Unknown channel"):
            self.policy._check(self.p.ids, "fax")

    def test_settings_form(self):
        settings = Form(self.env["res.config.settings"])
        settings.mrm_policy_max_contacts = 4
        settings.mrm_policy_quiet_days = 14
        settings.save().execute()
        company = self.env.company
        self.assertEqual(company.mrm_policy_max_contacts, 4)
        self.assertEqual(company.mrm_policy_quiet_days, 14)
        self.assertEqual(
            self.policy._get_policy(company),
            rules.ContactPolicy(
                period_days=30,
                max_contacts=4,
                max_per_channel={"email": 0, "sms": 0, "call": 0, "mail": 0},
                quiet_days=14,
            ),
        )
