# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Registering an inbound call from the screen (issue 12, item 7): the
dialog of the contact form and of the call-queue menu, as a restricted
marketing user, a user without an e-mail address, and a user outside
marketing."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestInboundCallWizard(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        groups = "marketing_resource_mgmt.group_marketing_user"
        cls.owner = new_test_user(cls.env, login="mrm_inw_owner", groups=groups)
        cls.caller = new_test_user(
            cls.env, login="mrm_inw_caller", groups=groups, email=False
        )
        cls.caller.partner_id.email = False
        cls.campaign = cls.env["utm.campaign"].create(
            {
                "title": "Inbound wizard campaign",
                "template_id": cls.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": cls.owner.id,
                "call_script": "<p>Wizard script</p>",
            }
        )
        cls.campaign.with_user(cls.owner).action_start()
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Wizard Person",
                "email": "Wizard.Person@Example.com",
                "phone": "+44 20 7946 0777",
            }
        )
        cls.member = cls.env["marketing.campaign.member"].create(
            {
                "campaign_id": cls.campaign.id,
                "partner_id": cls.partner.id,
                "channel": "call",
                "user_id": cls.owner.id,
            }
        )
        cls.activity_type = cls.env.ref(
            "marketing_resource_mgmt.mail_activity_type_inbound_answer"
        )

    def _wizard(self, user, **context):
        Wizard = self.env["marketing.inbound.call.wizard"].with_user(user)
        return Form(Wizard.with_context(**context))

    def _register(self, form):
        wizard = form.save()
        action = wizard.action_register()
        self.assertEqual(
            (action["res_model"], action["res_id"], action["target"]),
            (wizard._name, wizard.id, "new"),
            "the dialog reopens on its result",
        )
        return wizard

    def test_from_the_contact_form(self):
        # the contact form shows the button to a marketing user
        arch = (
            self.env["res.partner"]
            .with_user(self.owner)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("o_mrm_inbound_call_button", arch)
        form = self._wizard(self.owner, default_partner_id=self.partner.id)
        self.assertEqual(form.phone, "+44 20 7946 0777", "taken from the contact")
        self.assertEqual(form.email, "Wizard.Person@Example.com")
        form.note = "Asks about the offer"
        wizard = self._register(form)
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.member_ids, self.member)
        activity = self.member.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.activity_type)
        self.assertEqual(activity.user_id, self.owner)
        self.assertIn("Asks about the offer", activity.note)
        self.assertIn("Wizard script", activity.note)
        # the dialog says what it found and what it did
        self.assertIn("o_mrm_inbound_found", wizard.result)
        self.assertIn(self.campaign.display_name, wizard.result)
        self.assertIn(activity.summary, wizard.result)
        self.assertIn(self.owner.name, wizard.result)
        # registered once
        with self.assertRaises(UserError):
            wizard.action_register()
        self.assertEqual(len(self.member.activity_ids), 1)

    def test_typed_number_by_a_user_without_email(self):
        """From the call-queue menu, a caller with no e-mail address types
        the number as the caller gave it."""
        menu = self.env.ref("marketing_resource_mgmt.menu_campaign_inbound_call")
        visible = self.env["ir.ui.menu"].with_user(self.caller)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        form = self._wizard(self.caller)
        form.phone = "020 7946 0777"
        wizard = self._register(form)
        self.assertEqual(wizard.member_ids, self.member)
        self.assertEqual(len(self.member.activity_ids), 1)
        self.assertIn("o_mrm_inbound_found", wizard.result)

    def test_no_match_says_so(self):
        form = self._wizard(self.caller)
        form.email = "nobody@example.com"
        wizard = self._register(form)
        self.assertEqual(wizard.state, "done")
        self.assertFalse(wizard.member_ids)
        self.assertIn("o_mrm_inbound_none", wizard.result)
        self.assertIn("No member of a running campaign has", wizard.result)
        self.assertIn("nobody@example.com", wizard.result)
        self.assertFalse(self.member.activity_ids)

    def test_bad_input_is_refused(self):
        for values, message in (
            ({}, "phone number or e-mail address"),
            ({"email": "not an address"}, "is not an e-mail address"),
        ):
            form = self._wizard(self.owner)
            for name, value in values.items():
                setattr(form, name, value)
            wizard = form.save()
            with self.assertRaisesRegex(UserError, message):
                wizard.action_register()
            self.assertEqual(wizard.state, "draft")
        self.assertFalse(self.member.activity_ids)

    def test_outside_marketing_no_access(self):
        salesman = new_test_user(
            self.env, login="mrm_inw_sales", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            self.env["marketing.inbound.call.wizard"].with_user(salesman).create(
                {"phone": "020 7946 0777"}
            )
        menu = self.env.ref("marketing_resource_mgmt.menu_campaign_inbound_call")
        visible = self.env["ir.ui.menu"].with_user(salesman)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        arch = (
            self.env["res.partner"]
            .with_user(salesman)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("o_mrm_inbound_call_button", arch)
