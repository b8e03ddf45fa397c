# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Direct mail, channel choice per contact, the consent log, and the campaign
context on the contact and lead forms."""

import base64
import csv
import io
import re

from odoo.exceptions import UserError
from odoo.tests import BaseCase, HttpCase, new_test_user, tagged

from ..tools import channel_choice, direct_mail
from .common import CampaignCase


class TestPureModules(BaseCase):
    def test_one_piece_per_address(self):
        key = direct_mail.address_key("1 High St.", "", "LS1 1AA", "Leeds", 1)
        same = direct_mail.address_key("1 high st", None, "ls11aa", "LEEDS", 1)
        self.assertEqual(key, same)
        self.assertIsNone(direct_mail.address_key("", "", "LS1", "Leeds", 1))
        # company 1, its person 2 at the same address, person 3 elsewhere
        other = direct_mail.address_key("9 Low Rd", "", "LS2", "Leeds", 1)
        pieces = direct_mail.pick_pieces(
            [(1, True, key), (2, False, same), (3, False, other), (4, False, None)]
        )
        self.assertEqual(pieces, {1: 2, 2: 2, 3: 3, 4: 4})

    def test_channel_choice(self):
        self.assertEqual(channel_choice.choose(["call", "email"], None), "email")
        self.assertEqual(channel_choice.choose(["call", "email"], "call"), "call")
        # a preference the contact cannot be reached on: the cheapest
        self.assertEqual(channel_choice.choose(["call", "mail"], "email"), "mail")
        self.assertIsNone(channel_choice.choose([], "email"))


@tagged("post_install", "-at_install")
class TestDirectMail(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tag = cls.env["res.partner.category"].create({"name": "MRM direct mail"})
        address = {
            "street": "12 Wellington Street",
            "city": "Leeds",
            "zip": "LS1 4DL",
            "country_id": cls.env.ref("base.uk").id,
        }
        cls.company = cls.env["res.partner"].create(
            dict(address, name="Acme Leeds", is_company=True, category_id=[(4, tag.id)])
        )
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Jane Acme",
                "parent_id": cls.company.id,
                "type": "contact",
                "category_id": [(4, tag.id)],
            }
        )
        cls.other = cls.env["res.partner"].create(
            dict(
                address,
                name="Bob Elsewhere",
                street="3 Park Row",
                category_id=[(4, tag.id)],
            )
        )
        cls.segment = cls.env["marketing.segment"].create(
            {"name": "Direct mail", "domain": repr([("category_id", "in", [tag.id])])}
        )
        cls.campaign.write(
            {
                "segment_ids": [(6, 0, cls.segment.ids)],
                "use_email": False,
                "use_mail": True,
            }
        )
        cls.campaign.with_user(cls.owner).action_start()

    def _members(self):
        return self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign.id), ("channel", "=", "mail")]
        )

    def test_one_letter_per_address_and_batch(self):
        self.campaign.with_user(self.owner).action_generate()
        members = self._members()
        self.assertEqual(len(members), 3)
        # the file: one row for the company and its person, one for Bob
        rows = self.campaign._get_mail_file_rows()
        self.assertEqual(
            sorted(row["name"] for row in rows), ["Bob Elsewhere", "Jane Acme"]
        )
        csv_file = self.campaign.mail_file_ids.filtered(
            lambda a: a.name.endswith(".csv")
        )
        text = base64.b64decode(csv_file.datas).decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        self.assertEqual(len(lines), 3, "a header and one row per address")
        action = self.campaign.with_user(self.owner).action_create_mail_batch()
        batch = self.env["marketing.mail.batch"].browse(action["res_id"])
        self.assertEqual(batch.member_count, 3)
        self.assertEqual(batch.piece_count, 2)
        batch.with_user(self.owner).action_mark_sent()
        self.assertEqual(set(members.mapped("state")), {"contacted"})
        self.assertEqual(batch.state, "sent")
        with self.assertRaises(UserError):
            batch.with_user(self.owner).action_mark_sent()
        with self.assertRaises(UserError):
            self.campaign.with_user(self.owner).action_create_mail_batch()

    def test_returned_mail(self):
        self.campaign.with_user(self.owner).action_generate()
        self.campaign.with_user(self.owner).action_create_mail_batch()
        members = self._members()
        jane = members.filtered(lambda m: m.partner_id == self.person)
        jane.with_user(self.owner).action_mail_returned()
        acme = members.filtered(lambda m: m.partner_id == self.company)
        bob = members.filtered(lambda m: m.partner_id == self.other)
        # the returned letter reached Jane and her company: both bounce
        self.assertEqual(jane.state, "bounced")
        self.assertEqual(acme.state, "bounced")
        self.assertEqual(bob.state, "targeted")
        self.assertTrue(self.company.mrm_address_undeliverable)
        # an undeliverable address is excluded from direct mail
        ids = self.segment._get_partner_ids("mail")
        self.assertNotIn(self.company.id, ids)
        self.assertIn(self.other.id, ids)
        # a corrected address is deliverable again
        self.company.street = "14 Wellington Street"
        self.assertFalse(self.company.mrm_address_undeliverable)

    def test_segment_targets_people_or_companies(self):
        self.segment.partner_kind = "company"
        self.assertEqual(self.segment._get_partner_ids(), self.company.ids)
        self.segment.partner_kind = "person"
        self.assertEqual(
            sorted(self.segment._get_partner_ids()),
            sorted((self.person | self.other).ids),
        )
        self.segment.partner_kind = "both"
        self.assertEqual(len(self.segment._get_partner_ids()), 3)


@tagged("post_install", "-at_install")
class TestChannelChoice(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tag = cls.env["res.partner.category"].create({"name": "MRM channel choice"})
        base = {"category_id": [(4, tag.id)], "city": "York", "street": "1 Main St"}
        Partner = cls.env["res.partner"]
        cls.both = Partner.create(
            dict(base, name="Both", email="both@example.com", phone="+44 1904 000001")
        )
        cls.prefers_call = Partner.create(
            dict(
                base,
                name="Caller pref",
                email="pref@example.com",
                phone="+44 1904 000002",
                mrm_preferred_channel="call",
            )
        )
        cls.phone_only = Partner.create(
            dict(base, name="Phone only", phone="+44 1904 000003")
        )
        # prefers e-mail but the address is blacklisted: cheapest other
        cls.blocked = Partner.create(
            dict(
                base,
                name="Blocked mail",
                email="blocked@example.com",
                phone="+44 1904 000004",
                mrm_preferred_channel="email",
            )
        )
        cls.env["mail.blacklist"]._add("blocked@example.com")
        segment = cls.env["marketing.segment"].create(
            {
                "name": "Channel choice",
                "domain": repr([("category_id", "in", [tag.id])]),
            }
        )
        cls.campaign.write(
            {
                "segment_ids": [(6, 0, segment.ids)],
                "use_email": True,
                "use_call": True,
                "use_mail": True,
            }
        )
        cls.campaign.with_user(cls.owner).action_start()

    def _channels(self):
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        result = {}
        for member in members:
            result.setdefault(member.partner_id, []).append(member.channel)
        return result

    def test_one_channel_per_contact(self):
        self.campaign.channel_mode = "one"
        self.campaign.with_user(self.owner).action_generate()
        channels = self._channels()
        self.assertEqual(channels[self.both], ["email"])
        self.assertEqual(channels[self.prefers_call], ["call"])
        # reachable by call and post: post is cheaper than a call
        self.assertEqual(channels[self.phone_only], ["mail"])
        self.assertEqual(channels[self.blocked], ["mail"])
        # the plain module agrees with the SQL for every contact
        for partner, (channel,) in channels.items():
            reachable = [
                c
                for c in ("email", "call", "mail")
                if partner.id in self.campaign.segment_ids._get_partner_ids(c)
            ]
            self.assertEqual(
                channel_choice.choose(reachable, partner.mrm_preferred_channel),
                channel,
            )
        # re-generation adds nobody on a second channel
        self.campaign.with_user(self.owner).action_generate()
        self.assertEqual(sum(len(c) for c in self._channels().values()), 4)

    def test_every_channel(self):
        self.campaign.with_user(self.owner).action_generate()
        channels = self._channels()
        self.assertEqual(sorted(channels[self.both]), ["call", "email", "mail"])


@tagged("post_install", "-at_install")
class TestConsentAndContext(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "marketing_resource_mgmt.group_marketing_user"
        cls.owner = new_test_user(
            cls.env, login="mrm_ctx_owner", password="mrm_ctx_owner_pw1", groups=groups
        )
        cls.campaign = cls.env["utm.campaign"].create(
            {
                "title": "Context campaign",
                "template_id": cls.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": cls.owner.id,
                "call_script": "<p>Context script</p>",
            }
        )
        cls.campaign.with_user(cls.owner).action_start()
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Context Person",
                "email": "Context.Person@Example.com",
                "phone": "+44 20 7946 0999",
            }
        )
        cls.member = cls.env["marketing.campaign.member"].create(
            {
                "campaign_id": cls.campaign.id,
                "partner_id": cls.partner.id,
                "channel": "email",
                "user_id": cls.owner.id,
            }
        )

    def _answer(self, answer):
        url = f"/campaign/answer/{self.member.access_token}"
        page = self.url_open(url)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(url, data={"csrf_token": csrf, "answer": answer})
        self.assertEqual(response.status_code, 200)

    def test_portal_unsubscribe_writes_the_consent_log(self):
        self._answer("unsubscribe")
        log = self.partner.mrm_consent_ids
        self.assertEqual(set(log.mapped("channel")), {"email", "call", "mail", "sms"})
        self.assertEqual(set(log.mapped("status")), {"opt_out"})
        self.assertEqual(set(log.mapped("source")), {"portal"})
        self.assertEqual(log.campaign_id, self.campaign)

    def test_segment_requires_recorded_opt_in(self):
        segment = self.env["marketing.segment"].create(
            {
                "name": "Opted in by e-mail",
                "domain": repr([("id", "=", self.partner.id)]),
                "require_opt_in": "email",
            }
        )
        self.assertEqual(segment._get_partner_ids(), [])
        Consent = self.env["marketing.consent"]
        Consent._record(self.partner, "email", "opt_in", "manual")
        self.assertEqual(segment._get_partner_ids(), self.partner.ids)
        # the latest record counts
        Consent._record(self.partner, "email", "opt_out", "mailing")
        self.assertEqual(segment._get_partner_ids(), [])
        with self.assertRaises(UserError):
            self.partner.mrm_consent_ids[:1].write({"status": "opt_in"})

    def test_import_writes_the_consent_log(self):
        data = b"name,email\nImported One,imported.one@example.com\n"
        wizard = self.env["marketing.segment.import"].create(
            {
                "file": base64.b64encode(data),
                "filename": "list.csv",
                "segment_name": "Imported",
                "consent_status": "opt_in",
                "consent_channel": "email",
                "consent_legal_basis": "consent",
            }
        )
        wizard.action_import()
        partner = wizard.line_ids.partner_id
        self.assertEqual(len(partner), 1)
        log = partner.mrm_consent_ids
        self.assertEqual(
            (log.channel, log.status, log.source, log.legal_basis),
            ("email", "opt_in", "import", "consent"),
        )

    def test_context_on_contact_and_lead(self):
        partner = self.partner.with_user(self.owner)
        self.assertEqual(partner.mrm_live_member_ids, self.member)
        self.assertEqual(partner.mrm_live_member_count, 1)
        lead = self.env["crm.lead"].create(
            {"name": "Context lead", "partner_id": self.partner.id}
        )
        self.assertEqual(
            lead.with_user(self.owner).campaign_context_member_ids, self.member
        )
        # a salesperson outside marketing sees the contact without error
        salesman = new_test_user(
            self.env, login="mrm_ctx_sales", groups="sales_team.group_sale_salesman"
        )
        self.assertEqual(self.partner.with_user(salesman).mrm_live_member_count, 0)

    def test_inbound_call_and_email_raise_the_activity(self):
        Member = self.env["marketing.campaign.member"].with_user(self.owner)
        done = Member.action_register_inbound(phone="020 7946 0999")
        self.assertEqual(done, self.member.ids)
        activity = self.member.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.owner)
        self.assertIn(self.campaign.code, activity.note)
        self.assertIn("Context script", activity.note)
        done = Member.action_register_inbound(email="context.person@example.COM")
        self.assertEqual(done, self.member.ids)
        self.assertEqual(len(self.member.activity_ids), 2)
        self.assertEqual(Member.action_register_inbound(email="nobody@example.com"), [])

    def test_tour_contact_context(self):
        self.start_tour(
            f"/odoo/contacts/{self.partner.id}",
            "mrm_contact_context_tour",
            login="mrm_ctx_owner",
        )
