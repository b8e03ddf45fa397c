# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCampaignPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = new_test_user(
            cls.env,
            login="mrm_portal_owner",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        cls.campaign = cls.env["utm.campaign"].create(
            {
                "title": "Portal Spring Offer",
                "template_id": cls.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": cls.owner.id,
                "date_start": date(2026, 3, 2),
            }
        )
        cls.campaign.with_user(cls.owner).action_start()
        cls.partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Answerer {i}",
                    "email": f"answerer{i}@example.com",
                    "phone": f"+44 20 7946 00{i:02d}",
                }
                for i in range(5)
            ]
        )
        cls.members = cls.env["marketing.campaign.member"].create(
            [
                {"campaign_id": cls.campaign.id, "partner_id": p.id, "channel": "email"}
                for p in cls.partners
            ]
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="mrm_portal_customer",
            groups="base.group_portal",
            password="mrm_portal_customer",
        )
        cls.portal_member = cls.env["marketing.campaign.member"].create(
            {
                "campaign_id": cls.campaign.id,
                "partner_id": cls.portal_user.partner_id.id,
                "channel": "email",
            }
        )

    def _answer(self, member, answer, **extra):
        url = f"/campaign/answer/{member.access_token}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Portal Spring Offer", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        data = {"csrf_token": csrf, "answer": answer, **extra}
        response = self.url_open(url, data=data)
        self.assertEqual(response.status_code, 200)
        member.invalidate_recordset()
        return response

    def test_token_strength(self):
        tokens = (self.members | self.portal_member).mapped("access_token")
        self.assertEqual(len(set(tokens)), len(tokens))
        for token in tokens:
            self.assertGreaterEqual(len(token) * 4, 128)
            self.assertRegex(token, r"^[0-9a-f]+$")

    def test_interested_creates_lead(self):
        member = self.members[0]
        response = self._answer(member, "interested", note="Send me prices")
        self.assertIn("Thank you", response.text)
        self.assertEqual(member.state, "responded")
        self.assertEqual(member.answer, "interested")
        lead = member.lead_id
        self.assertTrue(lead)
        self.assertEqual(lead.campaign_id, self.campaign)
        self.assertEqual(lead.partner_id, member.partner_id)
        self.assertIn("Send me prices", lead.description)
        self.assertTrue(lead.activity_ids)
        # a second positive answer updates the same lead
        self._answer(member, "callback", callback_time="Friday 10am")
        self.assertEqual(member.lead_id, lead)
        self.assertIn("Friday 10am", lead.description)
        self.assertEqual(
            self.env["crm.lead"].search_count(
                [("partner_id", "=", member.partner_id.id)]
            ),
            1,
        )

    def test_callback(self):
        member = self.members[1]
        self._answer(member, "callback", callback_time="Tuesday morning")
        self.assertEqual(member.state, "responded")
        self.assertEqual(member.callback_time, "Tuesday morning")
        self.assertIn("Tuesday morning", member.lead_id.description)

    def test_not_interested(self):
        member = self.members[2]
        self._answer(member, "not_interested")
        self.assertEqual(member.state, "declined")
        self.assertFalse(member.lead_id)

    def test_unsubscribe_every_channel(self):
        member = self.members[3]
        call_member = self.env["marketing.campaign.member"].create(
            {
                "campaign_id": self.campaign.id,
                "partner_id": member.partner_id.id,
                "channel": "call",
            }
        )
        call_member.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.owner.id
        )
        response = self._answer(member, "unsubscribe")
        self.assertIn("unsubscribed", response.text)
        call_member.invalidate_recordset()
        self.assertEqual(member.state, "unsubscribed")
        self.assertEqual(call_member.state, "unsubscribed")
        self.assertFalse(call_member.activity_ids)
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", "answerer3@example.com")])
        )
        partner = member.partner_id
        partner.invalidate_recordset()
        self.assertTrue(partner.is_blacklisted)
        self.assertTrue(
            self.env["phone.blacklist"].search(
                [("number", "=", partner.phone_sanitized)]
            )
        )

    def test_bad_token(self):
        for token in (
            "0" * 48,
            "nothex!",
            self.members[4].access_token[:-1] + "x",
            "a" * 47,
        ):
            response = self.url_open(f"/campaign/answer/{token}")
            self.assertEqual(response.status_code, 404)
            self.assertIn("not valid", response.text)
            self.assertNotIn("Portal Spring Offer", response.text)
            self.assertNotIn("Answerer", response.text)
        # posting to a bad token changes nothing
        self.url_open("/campaign/answer/" + "0" * 48, data={"answer": "unsubscribe"})
        self.assertFalse(self.members.filtered(lambda m: m.state == "unsubscribed"))

    def _csrf(self, url):
        page = self.url_open(url)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def test_ended_campaign_link_offers_unsubscribe(self):
        """A closed or cancelled campaign's link says politely that the
        campaign has ended, takes no other answer and still unsubscribes."""
        for state, member in (
            ("closed", self.members[2]),
            ("cancelled", self.members[1]),
        ):
            with self.subTest(state=state):
                self.campaign.state = state
                url = f"/campaign/answer/{member.access_token}"
                page = self.url_open(url)
                self.assertEqual(page.status_code, 200)
                self.assertIn("has now ended", page.text)
                self.assertNotIn("answer_interested", page.text)
                self.assertNotIn("not valid", page.text)
                csrf = self._csrf(url)
                refused = self.url_open(
                    url, data={"csrf_token": csrf, "answer": "interested"}
                )
                self.assertEqual(refused.status_code, 400)
                self.assertIn("You can still unsubscribe", refused.text)
                member.invalidate_recordset()
                self.assertEqual(member.state, "targeted")
                self.assertFalse(member.lead_id)
                done = self.url_open(
                    url, data={"csrf_token": csrf, "answer": "unsubscribe"}
                )
                self.assertEqual(done.status_code, 200)
                self.assertIn("You are unsubscribed", done.text)
                member.invalidate_recordset()
                self.assertEqual(member.state, "unsubscribed")
                self.assertTrue(member.partner_id.is_blacklisted)

    def test_archived_member_can_unsubscribe(self):
        member = self.members[0]
        member.active = False
        url = f"/campaign/answer/{member.access_token}"
        self.assertIn("has now ended", self.url_open(url).text)
        self.url_open(
            url, data={"csrf_token": self._csrf(url), "answer": "unsubscribe"}
        )
        member.invalidate_recordset()
        self.assertEqual(member.state, "unsubscribed")

    def test_page_shows_no_personal_data(self):
        """As the Public user (whoever holds the link): a greeting, nothing
        else of the contact, before and after an answer."""
        partner = self.env["res.partner"].create(
            {
                "name": "Priya Private",
                "email": "priya.private@example.com",
                "phone": "+44 20 7946 0999",
                # not a valid British number (as 168 rows of uk-500.csv):
                # Odoo's blacklist refused it with an error page quoting it
                "mobile": "01907-538509",
                "street": "99 Secret Lane",
                "city": "Hiddenham",
                "zip": "HD1 9ZZ",
            }
        )
        member = self.env["marketing.campaign.member"].create(
            {"campaign_id": self.campaign.id, "partner_id": partner.id}
        )
        url = f"/campaign/answer/{member.access_token}"
        private = (
            "priya.private",
            "7946 0999",
            "7946",
            "01907",
            "538509",
            "Secret Lane",
            "Hiddenham",
            "HD1",
        )

        def check(text, greeting=True):
            if greeting:
                self.assertIn("Priya Private", text)
            for value in private:
                self.assertNotIn(value, text)

        check(self.url_open(url).text)
        check(
            self.url_open(
                url,
                data={
                    "csrf_token": self._csrf(url),
                    "answer": "callback",
                    "callback_time": "mornings",
                },
            ).text,
            greeting=False,
        )
        page = self.url_open(url).text
        check(page)
        self.assertNotIn("Call me back", page.split("answer_callback")[0])
        self.assertNotIn("already answered", page)
        self.campaign.state = "closed"
        check(self.url_open(url).text)
        response = self.url_open(
            url, data={"csrf_token": self._csrf(url), "answer": "unsubscribe"}
        )
        self.assertEqual(response.status_code, 200)
        check(response.text, greeting=False)

    def test_interested_lead_salesperson(self):
        """The answer lead goes through routing, then to the member's caller,
        then to the campaign owner; never to the Public user."""
        public = self.env.ref("base.public_user")
        self.env["crm.routing.rule"].search([]).write({"active": False})
        caller = new_test_user(
            self.env,
            login="mrm_portal_caller",
            groups="sales_team.group_sale_salesman",
        )
        routed_user = new_test_user(
            self.env,
            login="mrm_portal_routed",
            groups="sales_team.group_sale_salesman",
        )
        with_caller, without_caller, routed = self.members[:3]
        with_caller.user_id = caller
        routed.partner_id.email = "someone@routed-answers.example"
        self.env["crm.routing.rule"].create(
            {
                "name": "Routed answers",
                "assignee_ids": [(0, 0, {"user_id": routed_user.id})],
                "criterion_ids": [
                    (
                        0,
                        0,
                        {
                            "field_name": "email_from",
                            "operator": "ilike",
                            "value": "routed-answers.example",
                        },
                    )
                ],
            }
        )
        for member, expected in (
            (with_caller, caller),
            (without_caller, self.owner),
            (routed, routed_user),
        ):
            with self.subTest(member=member.partner_id.name):
                self._answer(member, "interested")
                lead = member.lead_id
                self.assertEqual(lead.user_id, expected)
                self.assertNotEqual(lead.user_id, public)
                self.assertNotIn(public.partner_id, lead.message_partner_ids)
                self.assertEqual(lead.activity_ids.user_id, expected)

    def test_logged_in_portal_user(self):
        self.authenticate("mrm_portal_customer", "mrm_portal_customer")
        self._answer(self.portal_member, "interested")
        self.assertEqual(self.portal_member.state, "responded")
        self.assertEqual(
            self.portal_member.lead_id.partner_id, self.portal_user.partner_id
        )

    def test_tour_anonymous_and_portal(self):
        member = self.members[4]
        self.start_tour(
            f"/campaign/answer/{member.access_token}", "mrm_campaign_answer_tour"
        )
        member.invalidate_recordset()
        self.assertEqual(member.state, "responded")
        self.assertEqual(member.callback_time, "Thursday after 2pm")
        self.start_tour(
            f"/campaign/answer/{self.portal_member.access_token}",
            "mrm_campaign_answer_tour",
            login="mrm_portal_customer",
        )
        self.portal_member.invalidate_recordset()
        self.assertEqual(self.portal_member.callback_time, "Thursday after 2pm")
        self.assertTrue(self.portal_member.lead_id)
