# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Answers as a new user meets them: unsubscribing with the messy numbers of
a real contact list, answer links read in bulk over XML-RPC, and the notes a
user without an e-mail address causes."""

import base64
import csv
import re
from datetime import date
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.phone_validation.tools import phone_validation

UK_500 = Path("/work/shared/data/uk-500.csv")


def read_uk_500():
    """The rows of the shared uk-500 list (read where it lies, never copied)."""
    with UK_500.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def valid_in(number, country):
    try:
        phone_validation.phone_format(
            number, country.code, country.phone_code, raise_exception=True
        )
    except UserError:
        return False
    return True


@tagged("post_install", "-at_install")
class TestUnsubscribeRealData(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, mail_create_nolog=True, tracking_disable=True)
        )
        cls.uk = cls.env.ref("base.uk")
        cls.belgium = cls.env.ref("base.be")
        cls.rows = read_uk_500()
        cls.owner = new_test_user(
            cls.env,
            login="mrm_answers_owner",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        cls.public = cls.env.ref("base.public_user")

    def _campaign_members(self, rows, contact_country, title):
        campaign = self.env["utm.campaign"].create(
            {"title": title, "user_id": self.owner.id, "state": "running"}
        )
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"{row['first_name']} {row['last_name']}",
                    "email": row["email"],
                    "phone": row["phone1"],
                    "mobile": row["phone2"],
                    "city": row["city"],
                    "zip": row["postal"],
                    "country_id": contact_country.id,
                }
                for row in rows
            ]
        )
        members = self.env["marketing.campaign.member"].create(
            [{"campaign_id": campaign.id, "partner_id": p.id} for p in partners]
        )
        return members

    def _unsubscribe_as_public(self, members):
        for member in members:
            # what the portal controller does, as the Public user
            member.with_user(self.public).sudo()._apply_portal_answer("unsubscribe")

    def _blacklisted_numbers(self):
        return set(
            self.env["phone.blacklist"].search([("active", "=", True)]).mapped("number")
        )

    def test_uk_500_unsubscribe_always_succeeds(self):
        """All 500 contacts (country United Kingdom, as the import sets it) of
        a British company unsubscribe; the 168 rows with a number that is not
        valid in the UK too: their valid numbers and e-mail are blacklisted,
        the rest noted on the member."""
        self.env.company.country_id = self.uk
        members = self._campaign_members(self.rows, self.uk, "UK 500 unsubscribe")
        bad_rows = [
            row
            for row in self.rows
            if not (
                valid_in(row["phone1"], self.uk) and valid_in(row["phone2"], self.uk)
            )
        ]
        self.assertEqual(len(bad_rows), 168)
        self._unsubscribe_as_public(members)
        members.invalidate_recordset()
        self.assertEqual(set(members.mapped("state")), {"unsubscribed"})
        blacklisted = self._blacklisted_numbers()
        blacklisted_emails = set(self.env["mail.blacklist"].search([]).mapped("email"))
        for member in members:
            partner = member.partner_id
            self.assertIn(partner.email_normalized, blacklisted_emails)
            note = member.message_ids[:1].body
            self.assertIn("Unsubscribed on the portal", note)
            for number in (partner.phone, partner.mobile):
                if valid_in(number, self.uk):
                    sanitized = partner._phone_format(number=number)
                    self.assertIn(sanitized, blacklisted)
                else:
                    self.assertIn(number, note)
        # the page answers 200 for one of those rows, as the anonymous visitor
        bad_partner = members.partner_id.filtered(
            lambda p: p.email == bad_rows[0]["email"]
        )
        self._check_http_unsubscribe(bad_partner)

    def _check_http_unsubscribe(self, partner):
        """Unsubscribe ``partner`` from a new campaign through the page."""
        campaign = self.env["utm.campaign"].create(
            {"title": "Other", "user_id": self.owner.id, "state": "running"}
        )
        member = self.env["marketing.campaign.member"].create(
            {"campaign_id": campaign.id, "partner_id": partner.id}
        )
        url = f"/campaign/answer/{member.access_token}"
        page = self.url_open(url)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            url, data={"csrf_token": csrf, "answer": "unsubscribe"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("You are unsubscribed", response.text)
        member.invalidate_recordset()
        self.assertEqual(member.state, "unsubscribed")

    def test_company_outside_the_uk(self):
        """A Belgian company: contacts with their country read their numbers in
        the UK (contact's country first); contacts without one cannot be read
        at all, and still unsubscribe."""
        self.env.company.country_id = self.belgium
        rows = self.rows[:60]
        with_country = self._campaign_members(rows, self.uk, "Belgian, UK contacts")
        before = self._blacklisted_numbers()
        self._unsubscribe_as_public(with_country)
        added = self._blacklisted_numbers() - before
        expected = {
            p._phone_format(number=n, country=self.uk)
            for p in with_country.partner_id
            for n in (p.phone, p.mobile)
            if valid_in(n, self.uk)
        }
        self.assertTrue(expected)
        self.assertEqual(added, expected)
        # the same people without a country: no number reads in Belgium
        without = self._campaign_members(
            self.rows[60:90], self.env["res.country"], "Belgian, no country"
        )
        before = self._blacklisted_numbers()
        self._unsubscribe_as_public(without)
        without.invalidate_recordset()
        self.assertEqual(set(without.mapped("state")), {"unsubscribed"})
        self.assertEqual(self._blacklisted_numbers(), before)
        for member in without:
            self.assertIn(member.partner_id.phone, member.message_ids[:1].body)
            self.assertTrue(member.partner_id.is_blacklisted)
        self._check_http_unsubscribe(without[0].partner_id)


@tagged("post_install", "-at_install")
class TestAnswerUrlRpc(HttpCase):
    def test_answer_url_of_several_members(self):
        """Read over a real XML-RPC connection, as a marketing user."""
        user = new_test_user(
            self.env,
            login="mrm_rpc_answers",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        campaign = self.env["utm.campaign"].create(
            {"title": "RPC links", "user_id": user.id}
        )
        partners = self.env["res.partner"].create(
            [
                {"name": f"RPC member {i}", "email": f"rpc{i}@example.com"}
                for i in range(3)
            ]
        )
        members = self.env["marketing.campaign.member"].create(
            [{"campaign_id": campaign.id, "partner_id": p.id} for p in partners]
        )
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, "mrm_rpc_answers", "mrm_rpc_answers", {}
        )
        rows = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            uid,
            "mrm_rpc_answers",
            "marketing.campaign.member",
            "read",
            [members.ids, ["answer_url"]],
        )
        self.assertEqual(len(rows), 3)
        by_id = {row["id"]: row["answer_url"] for row in rows}
        for member in members:
            self.assertTrue(
                by_id[member.id].endswith(f"/campaign/answer/{member.access_token}")
            )
        rows = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            uid,
            "mrm_rpc_answers",
            "marketing.campaign.member",
            "search_read",
            [[("campaign_id", "=", campaign.id)], ["answer_url"]],
        )
        self.assertEqual(len(rows), 3)
        self.assertTrue(all(row["answer_url"] for row in rows))


@tagged("post_install", "-at_install")
class TestUserWithoutEmail(HttpCase):
    """A marketing user without an e-mail address: Odoo cannot send a message
    in their name, and the addons' notes must not block their work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="mrm_no_email",
            groups=",".join(
                [
                    "marketing_resource_mgmt.group_marketing_manager",
                    "project.group_project_user",
                    "sales_team.group_sale_salesman",
                ]
            ),
            email=False,
        )
        cls.user.partner_id.email = False
        cls.env.company.country_id = cls.env.ref("base.uk")

    def test_precondition_odoo_refuses_to_post(self):
        segment = self.env["marketing.segment"].create({"name": "Precondition"})
        with self.assertRaisesRegex(Exception, "configure the sender's email"):
            segment.with_user(self.user).message_post(body="plain post")

    def test_import_and_criterion(self):
        env = self.env(user=self.user)
        segment = env["marketing.segment"].create({"name": "No e-mail segment"})
        env["marketing.segment.criterion"].create(
            {
                "segment_id": segment.id,
                "field_name": "city",
                "operator": "=",
                "value": "Leeds",
            }
        )
        self.assertIn("Criterion added", segment.message_ids[:1].body)
        self.assertEqual(segment.message_ids[:1].author_id, self.user.partner_id)
        segment.criterion_ids.write({"value": "York"})
        self.assertIn("Criterion changed", segment.message_ids[:1].body)
        head = UK_500.read_text(encoding="utf-8").splitlines()[:21]
        wizard = env["marketing.segment.import"].create(
            {
                "file": base64.b64encode("\n".join(head).encode()),
                "filename": "uk-500-head.csv",
                "segment_id": segment.id,
            }
        )
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(
            wizard.created_count + wizard.matched_count + wizard.rejected_count, 20
        )
        self.assertGreater(wizard.created_count, 10)
        self.assertIn("Imported uk-500-head.csv", segment.message_ids[:1].body)
        segment.criterion_ids.unlink()
        self.assertIn("Criterion removed", segment.message_ids[:1].body)

    def test_campaign_work(self):
        """Start, generate, close phases, answer for a member: every note and
        activity of the addons goes through as this user."""
        env = self.env(user=self.user)
        colleague = new_test_user(
            self.env, login="mrm_colleague", groups="sales_team.group_sale_salesman"
        )
        tag = self.env["res.partner.category"].create({"name": "No e-mail tour"})
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Target {i}",
                    "email": f"t{i}@example.com",
                    "category_id": [(4, tag.id)],
                }
                for i in range(2)
            ]
        )
        segment = self.env["marketing.segment"].create(
            {"name": "Tagged", "domain": repr([("category_id", "in", [tag.id])])}
        )
        campaign = env["utm.campaign"].create(
            {
                "title": "No e-mail campaign",
                "template_id": self.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": colleague.id,
                "date_start": date(2026, 5, 4),
                "segment_ids": [(6, 0, segment.ids)],
                "use_call": False,
                "use_mail": False,
            }
        )
        campaign.action_start()
        self.assertIn("started from the template", campaign.message_ids[0].body)
        campaign.phase_id._close(override_reason="no e-mail")
        self.assertIn("closed by", campaign.message_ids[0].body)
        campaign.action_generate()
        self.assertEqual(campaign.generation_state, "done")
        self.assertEqual(campaign.member_ids.partner_id, partners)
        # an answer recorded by this user: the lead and the colleague's
        # activity (the owner's) are made; no e-mail from a user without one
        member = campaign.member_ids[0].with_user(self.user)
        member.write({"answer": "interested", "state": "responded"})
        lead = member._create_or_update_answer_lead()
        self.assertEqual(lead.user_id, colleague)
        self.assertEqual(lead.activity_ids.user_id, colleague)
        campaign.action_close()
        self.assertEqual(campaign.state, "closed")
