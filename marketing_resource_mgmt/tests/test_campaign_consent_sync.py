# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Proof of consent from the mailings' own links: the trace sync writes the
opt-outs of those who unsubscribed through a real mailing's unsubscribe link
(e-mail list opt-out, SMS opt-out link) to the consent log, set-wise and
once (issue 12, item 6)."""

import re
from datetime import date, datetime
from urllib.parse import quote, urlparse

from odoo.tests import new_test_user, tagged

from odoo.addons.sms.tests.common import MockSMS

from .common import tagged_segment
from .test_campaign_results import smtp_mocked


@tagged("post_install", "-at_install")
class TestConsentFromMailingLinks(MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        cls.env["ir.config_parameter"].sudo().set_param(
            "mail.catchall.domain", "mrm.example.com"
        )
        cls.owner = new_test_user(
            cls.env,
            login="mrm_consent_sync_owner",
            name="Connie Consent",
            email="connie@mrm.example.com",
            groups="marketing_resource_mgmt.group_marketing_manager,"
            "mass_mailing.group_mass_mailing_user,base.group_user",
        )
        tag = cls.env["res.partner.category"].create({"name": "Consent audience"})
        be = cls.env.ref("base.be")
        cls.partners = (
            cls.env["res.partner"]
            .create(
                [
                    {
                        "name": f"Opt {i}",
                        "email": f"opt{i}@consent.example.com",
                        "mobile": f"+32 470 56 78 {i:02d}",
                        "country_id": be.id,
                        "category_id": [(4, tag.id)],
                    }
                    for i in range(6)
                ]
            )
            .sorted("id")
        )
        cls.campaign = cls.env["utm.campaign"].create(
            {
                "title": "Consent campaign",
                "template_id": cls.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": cls.owner.id,
                "date_start": date(2026, 3, 2),
                "use_email": True,
                "use_sms": True,
                "use_call": False,
                "use_mail": False,
                "segment_ids": [(6, 0, tagged_segment(cls.env, tag).ids)],
            }
        )
        cls.campaign.with_user(cls.owner).action_start()
        cls.campaign.with_user(cls.owner).action_generate()

    def member(self, partner, channel):
        return self.campaign.member_ids.filtered(
            lambda m: m.partner_id == partner and m.channel == channel
        )

    def mailing_consents(self):
        return self.env["marketing.consent"].search(
            [("partner_id", "in", self.partners.ids), ("source", "=", "mailing")]
        )

    def sync(self, full=False):
        """The sync and the number of queries it ran."""
        Member = self.env["marketing.campaign.member"]
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        result = Member._sync_traces(full=full)
        self.env.flush_all()
        return result, self.env.cr.sql_log_count - before

    def unsubscribe_by_link(self, message):
        """The one-click List-Unsubscribe of an e-mail, as a mail client
        posts it."""
        url = urlparse(message["List-Unsubscribe"].strip("<>"))
        response = self.url_open(
            f"{url.path}?{url.query}", data={"List-Unsubscribe": "One-Click"}
        )
        self.assertEqual(response.status_code, 200)

    def test_email_unsubscribe_link_writes_the_opt_out_once(self):
        p = self.partners
        mailing = self.campaign.mailing_id
        mailing.body_html = "<p>Spring offer</p>"
        with smtp_mocked() as sent:
            mailing.with_user(self.owner).action_send_mail()
            self.env["mail.mail"].sudo().process_email_queue()
        by_address = {tos[0]: msg for msg, _frm, tos in sent}
        self.assertEqual(len(by_address), 6)
        # p[5] unsubscribes through the portal answer page (it records its
        # own opt-out, source "portal", and blacklists the address): the
        # sync adds no second proof of the same event
        url = f"/campaign/answer/{self.member(p[5], 'email').access_token}"
        csrf = re.search(
            r'name="csrf_token" value="([^"]+)"', self.url_open(url).text
        ).group(1)
        response = self.url_open(
            url, data={"csrf_token": csrf, "answer": "unsubscribe"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.member(p[5], "email").state, "unsubscribed")

        self.unsubscribe_by_link(by_address[p[0].email])
        result, queries_one = self.sync()
        self.assertEqual(result["consents"], 1)
        member = self.member(p[0], "email")
        self.assertEqual(member.state, "unsubscribed")
        log = self.mailing_consents()
        self.assertEqual(
            [
                (c.partner_id, c.channel, c.status, c.campaign_id, c.legal_basis)
                for c in log
            ],
            [(p[0], "email", "opt_out", self.campaign, "consent")],
        )
        self.assertEqual(log.date, member.date_unsubscribed)
        self.assertEqual(log.company_id, p[0].company_id)
        # the contact's current consent on e-mail is the opt-out
        self.assertEqual(p[0].mrm_consent_ids[:1], log)
        self.assertFalse(
            p[5].mrm_consent_ids.filtered(lambda c: c.source == "mailing"),
            "the portal's opt-out is already the proof",
        )
        self.assertEqual(
            set(p[5].mrm_consent_ids.mapped("source")), {"portal"}, "kept as is"
        )

        # idempotent: neither an incremental nor a full sync writes again
        self.assertEqual(self.sync()[0]["consents"], 0)
        self.assertEqual(self.sync(full=True)[0]["consents"], 0)
        self.assertEqual(self.mailing_consents(), log)

        # set-based: three opt-outs at once cost no more queries than one
        # (the first sync also creates the watermark parameter)
        for partner in p[1:4]:
            self.unsubscribe_by_link(by_address[partner.email])
        result, queries_three = self.sync()
        self.assertEqual(result["consents"], 3)
        self.assertLessEqual(queries_three, queries_one)
        self.assertEqual(
            sorted(self.mailing_consents().partner_id.ids), sorted(p[:4].ids)
        )
        self.assertEqual(self.sync(full=True)[0]["consents"], 0)
        self.assertFalse(
            self.mailing_consents().filtered(lambda c: c.partner_id == p[4]),
            "no opt-out for who did not unsubscribe",
        )

    def test_sms_opt_out_link_writes_the_sms_opt_out(self):
        p = self.partners
        sms_mailing = self.campaign.sms_mailing_id
        sms_mailing.body_plaintext = "Spring offer"
        with self.mockSMSGateway():
            sms_mailing.with_user(self.owner).action_send_sms()
            self.env["sms.sms"].sudo()._process_queue()
        self.campaign.member_ids.invalidate_recordset()
        member = self.member(p[2], "sms")
        trace = sms_mailing.mailing_trace_ids.filtered(lambda t: t.res_id == member.id)
        self.url_open(
            f"/sms/{sms_mailing.id}/unsubscribe/{trace.sms_code}"
            f"?sms_number={quote(trace.sms_number)}"
        )
        result, _queries = self.sync()
        self.assertEqual(member.state, "unsubscribed")
        self.assertEqual(result["consents"], 1)
        log = self.mailing_consents()
        self.assertEqual(
            [(c.partner_id, c.channel, c.status, c.campaign_id) for c in log],
            [(p[2], "sms", "opt_out", self.campaign)],
        )
        self.assertEqual(log.date, member.date_unsubscribed)
        self.assertEqual(self.sync(full=True)[0]["consents"], 0)

    def test_portal_opt_out_is_not_recorded_twice(self):
        """The portal's "unsubscribe" in one campaign blacklists the address:
        the sync moves the contact's member of another campaign that reached
        it to unsubscribed, but the portal's opt-out is already the proof."""
        p = self.partners
        other = self.env["utm.campaign"].create(
            {
                "title": "Other campaign",
                "template_id": self.campaign.template_id.id,
                "user_id": self.owner.id,
            }
        )
        other.with_user(self.owner).action_start()
        reached = self.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": other.id,
                    "partner_id": partner.id,
                    "channel": "email",
                    "state": "sent",
                    "date_sent": datetime(2026, 1, 5, 9, 0),
                }
                for partner in p[4:6]
            ]
        )
        url = f"/campaign/answer/{self.member(p[5], 'email').access_token}"
        csrf = re.search(
            r'name="csrf_token" value="([^"]+)"', self.url_open(url).text
        ).group(1)
        response = self.url_open(
            url, data={"csrf_token": csrf, "answer": "unsubscribe"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(p[5].mrm_consent_ids.filtered(lambda c: c.source == "portal"))
        # p[4]'s address put on the blacklist by hand, after the campaign
        # reached it (Odoo's own way: the mailing's blacklist link)
        self.env["mail.blacklist"].sudo()._add(p[4].email)
        result, _queries = self.sync()
        self.assertEqual(reached.mapped("state"), ["unsubscribed"] * 2)
        self.assertEqual(result["consents"], 1)
        self.assertEqual(
            [(c.partner_id, c.campaign_id) for c in self.mailing_consents()],
            [(p[4], other)],
        )
