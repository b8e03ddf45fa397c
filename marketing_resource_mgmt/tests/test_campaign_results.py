# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Mailing results reach the campaign members: real Odoo mailings (e-mail
through Odoo's mail queue with SMTP mocked at smtplib, SMS through Odoo's SMS
queue with IAP mocked at its lowest call), real HTTP routes for opens,
clicks, unsubscriptions and delivery reports, and the trace sync."""

import functools
import re
import types
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch
from urllib.parse import quote, urlparse

import odoo
from odoo.tests import new_test_user, tagged

from odoo.addons.sms.tests.common import MockSMS

from .common import tagged_segment

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"


class FakeSMTP:
    """Stands for smtplib.SMTP: the lowest point before the network."""

    sent = []

    def __init__(self, host=None, port=None, timeout=None, **kw):
        self.host = host

    def set_debuglevel(self, level):
        return None

    def ehlo_or_helo_if_needed(self):
        return None

    def send_message(self, message, smtp_from, smtp_to_list):
        FakeSMTP.sent.append((message, smtp_from, list(smtp_to_list)))
        return {}

    def quit(self):
        return None

    def close(self):
        return None


@contextmanager
def smtp_mocked():
    """Send e-mails through Odoo's real SMTP code path, down to smtplib."""
    FakeSMTP.sent = []
    with (
        patch("smtplib.SMTP", FakeSMTP),
        patch.object(odoo.modules.module, "current_test", False),
    ):
        yield FakeSMTP.sent


def html_of(message):
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    return ""


@tagged("post_install", "-at_install")
class TestCampaignResults(MockSMS):
    """MockSMS is Odoo's HttpCase with the IAP SMS call mocked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        cls.env["ir.config_parameter"].sudo().set_param(
            "mail.catchall.domain", "mrm.example.com"
        )
        cls.owner = new_test_user(
            cls.env,
            login="mrm_results_owner",
            name="Rita Results",
            email="rita@mrm.example.com",
            groups="marketing_resource_mgmt.group_marketing_manager,"
            "mass_mailing.group_mass_mailing_user,base.group_user",
        )
        tag = cls.env["res.partner.category"].create({"name": "Results audience"})
        be = cls.env.ref("base.be")
        cls.partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Reader {i}",
                    "email": f"reader{i}@results.example.com",
                    "mobile": f"+32 470 12 34 {i:02d}",
                    "country_id": be.id,
                    "category_id": [(4, tag.id)],
                }
                for i in range(6)
            ]
        )
        cls.segment = tagged_segment(cls.env, tag)
        cls.campaign = cls.env["utm.campaign"].create(
            {
                "title": "Results campaign",
                "template_id": cls.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": cls.owner.id,
                "date_start": date(2026, 3, 2),
                "use_email": True,
                "use_sms": True,
                "use_call": False,
                "use_mail": False,
                "segment_ids": [(6, 0, cls.segment.ids)],
            }
        )
        cls.campaign.with_user(cls.owner).action_start()
        cls.campaign.with_user(cls.owner).action_generate()

    def member(self, partner, channel):
        return self.campaign.member_ids.filtered(
            lambda m: m.partner_id == partner and m.channel == channel
        )

    def sync(self):
        self.env["marketing.campaign.member"]._cron_sync_traces()
        self.campaign.member_ids.invalidate_recordset()

    def states(self, channel):
        return {
            p.name: self.member(p, channel).state for p in self.partners.sorted("id")
        }

    def funnel(self, channel):
        if "campaign.kpi.channel" not in self.env:  # campaign_reporting absent
            return {}
        kpi = self.env["campaign.kpi.channel"].sudo()
        row = kpi.search(
            [("campaign_id", "=", self.campaign.id), ("channel", "=", channel)]
        )
        return {
            name: row[name]
            for name in (
                "members_targeted",
                "members_contacted",
                "members_opened",
                "members_clicked",
                "members_responded",
                "members_unsubscribed",
                "members_bounced",
            )
        }

    def send_mailing(self, mailing):
        """Queue the mailing and run Odoo's mail queue, SMTP mocked."""
        with smtp_mocked() as sent:
            mailing.with_user(self.owner).action_send_mail()
            self.env["mail.mail"].sudo().process_email_queue()
        return list(sent)

    # ---- E-MAIL

    def test_email_results_reach_members_and_funnel(self):
        p = self.partners.sorted("id")
        mailing = self.campaign.mailing_id
        self.assertTrue(mailing, "generation made the campaign's draft mailing")
        # replies go to the campaign's reply address, an alias that turns
        # them into leads (Odoo's usual set-up)
        alias_domain = self.env["mail.alias.domain"].search([], limit=1)
        if not alias_domain:
            alias_domain = self.env["mail.alias.domain"].create(
                {"name": "mrm.example.com"}
            )
        alias = self.env["mail.alias"].create(
            {
                "alias_name": "campaign-replies",
                "alias_model_id": self.env["ir.model"]._get_id("crm.lead"),
                "alias_domain_id": alias_domain.id,
                "alias_contact": "everyone",
            }
        )
        mailing.write(
            {
                "body_html": '<p>Hello <a href="https://shop.example.com/offer">'
                "See the offer</a></p>",
                "reply_to_mode": "new",
                "reply_to": alias.display_name,
            }
        )
        sent = self.send_mailing(mailing)
        self.assertEqual(
            sorted(to for _msg, _frm, tos in sent for to in tos),
            sorted(p.mapped("email")),
            "each address got its e-mail through SMTP",
        )
        # the send itself synced the members (no job needed)
        self.campaign.member_ids.invalidate_recordset()
        self.assertEqual(set(self.states("email").values()), {"sent"})
        self.assertTrue(all(self.member(x, "email").date_sent for x in p))
        self.assertEqual(self.member(p[0], "email").trace_count, 1)

        by_address = {tos[0]: msg for msg, _frm, tos in sent}
        # p[1] opens: the tracking pixel of its e-mail
        body = html_of(by_address[p[1].email])
        pixel = re.search(r'src="([^"]*/mail/track/[^"]*blank\.gif)"', body).group(1)
        self.url_open(urlparse(pixel).path, headers={"User-Agent": BROWSER})
        # p[2] clicks the tracked link
        body = html_of(by_address[p[2].email])
        link = re.search(r'href="([^"]*/r/[^"]*/m/\d+)"', body).group(1)
        response = self.url_open(
            urlparse(link).path, headers={"User-Agent": BROWSER}, allow_redirects=False
        )
        self.assertIn(response.status_code, (301, 302, 303))
        # p[3] replies to its e-mail
        msg = by_address[p[3].email]
        reply = (
            f"From: {p[3].name} <{p[3].email}>\r\n"
            f"To: {msg['Reply-To'] or msg['From']}\r\n"
            f"Subject: Re: {msg['Subject']}\r\n"
            f"Message-ID: <reply-{p[3].id}@results.example.com>\r\n"
            f"In-Reply-To: {msg['Message-Id']}\r\n"
            f"References: {msg['Message-Id']}\r\n"
            "Content-Type: text/plain\r\n\r\nYes please, call me.\r\n"
        )
        self.env["mail.thread"].sudo().message_process(False, reply)
        # p[4]'s e-mail bounces (the gateway's bounce handling)
        trace4 = mailing.mailing_trace_ids.filtered(lambda t: t.email == p[4].email)
        self.env["mail.thread"].sudo()._routing_handle_bounce(
            False,
            {
                "bounced_email": p[4].email,
                "bounced_msg_ids": [trace4.message_id],
                "bounced_partner": self.env["res.partner"],
                "bounced_message": self.env["mail.message"],
                "body": "550 mailbox unknown",
                "message_id": "<bounce-4@results.example.com>",
                "email_from": "mailer-daemon@results.example.com",
                "to": "bounce@mrm.example.com",
            },
        )
        # p[5] unsubscribes through the mailing's own link: the one-click
        # List-Unsubscribe of its e-mail, as a mail client posts it
        header = by_address[p[5].email]["List-Unsubscribe"]
        url = urlparse(header.strip("<>"))
        response = self.url_open(
            f"{url.path}?{url.query}", data={"List-Unsubscribe": "One-Click"}
        )
        self.assertEqual(response.status_code, 200)
        self.sync()
        self.assertEqual(
            self.states("email"),
            {
                p[0].name: "sent",
                p[1].name: "opened",
                p[2].name: "clicked",
                # the reply became a lead: inbound matching made p[3] a
                # response, the sync kept it and recorded the reply's date
                p[3].name: "responded",
                p[4].name: "bounced",
                p[5].name: "unsubscribed",
            },
        )
        self.assertTrue(self.member(p[2], "email").date_opened, "a click is an open")
        self.assertTrue(self.member(p[2], "email").date_clicked)
        self.assertTrue(self.member(p[3], "email").date_replied)
        self.assertTrue(self.member(p[3], "email").lead_id)
        self.assertTrue(self.member(p[3], "email").date_responded)
        self.assertTrue(self.member(p[4], "email").date_bounced)
        self.assertTrue(self.member(p[5], "email").date_unsubscribed)
        funnel = self.funnel("email")
        if funnel:
            self.assertEqual(
                funnel,
                {
                    "members_targeted": 6,
                    # sent, opened, clicked, replied, unsubscribed (not bounced)
                    "members_contacted": 5,
                    "members_opened": 3,
                    "members_clicked": 1,
                    "members_responded": 1,
                    "members_unsubscribed": 1,
                    "members_bounced": 1,
                },
            )

        # a follow-on mailing of the same campaign counts for the same members
        follow_on = mailing.copy(
            {
                "subject": "Last days of the offer",
                "body_html": "<p>Last days</p>",
                "campaign_id": self.campaign.id,
            }
        )
        sent = self.send_mailing(follow_on)
        self.assertTrue(sent)
        msg0 = next(m for m, _f, tos in sent if tos == [p[0].email])
        pixel = re.search(
            r'src="([^"]*/mail/track/[^"]*blank\.gif)"', html_of(msg0)
        ).group(1)
        self.url_open(urlparse(pixel).path, headers={"User-Agent": BROWSER})
        self.sync()
        self.assertEqual(self.member(p[0], "email").state, "opened")
        self.assertEqual(self.member(p[0], "email").trace_count, 2)
        # results only move up: the replier stays "responded", the unsubscribed
        # contact stays unsubscribed (and got no follow-on)
        self.assertEqual(self.member(p[3], "email").state, "responded")
        self.assertEqual(self.member(p[5], "email").state, "unsubscribed")
        self.assertNotIn([p[5].email], [tos for _m, _f, tos in sent])

    def test_sync_is_incremental_and_idempotent(self):
        mailing = self.campaign.mailing_id
        mailing.body_html = "<p>Hi</p>"
        self.send_mailing(mailing)
        Member = self.env["marketing.campaign.member"]
        # nothing changed since the send's own sync
        self.assertEqual(Member._sync_traces()["members"], 0)
        self.assertEqual(Member._sync_traces(full=True)["members"], 0)
        trace = mailing.mailing_trace_ids.sorted("id")[:1]
        trace.set_opened()
        self.assertEqual(Member._sync_traces()["members"], 1)
        self.assertEqual(Member._sync_traces()["members"], 0)
        # Odoo's gateway marks a reply on the trace (set_replied): "replied"
        trace.set_replied()
        self.assertEqual(Member._sync_traces()["members"], 1)
        member = self.campaign.member_ids.filtered(
            lambda m: m.channel == "email"
            and m.partner_id.email_normalized == trace.email
        )
        self.assertEqual(member.state, "replied")
        self.assertEqual(member.date_responded, member.date_replied)
        self.assertEqual(self.funnel("email")["members_responded"], 1)

    def test_answer_is_kept_by_the_sync(self):
        """A person's answer (portal) is never overwritten by a trace."""
        p0 = self.partners.sorted("id")[0]
        member = self.member(p0, "email")
        mailing = self.campaign.mailing_id
        mailing.body_html = "<p>Hi</p>"
        self.send_mailing(mailing)
        # the answer comes after the e-mail, the open is read after both
        member._apply_portal_answer("not_interested")
        mailing.mailing_trace_ids.set_opened()
        self.sync()
        self.assertEqual(member.state, "declined")
        self.assertTrue(member.date_opened, "the dates are still recorded")
        # who declined gets no further e-mail of the campaign: a follow-on
        # mailing (a copy) is sent to the other members only
        follow_on = mailing.copy({"campaign_id": self.campaign.id})
        recipients = self.env[follow_on.mailing_model_real].search(
            follow_on._get_recipients_domain()
        )
        self.assertNotIn(member, recipients)
        self.assertEqual(len(recipients), 5)

    # ---- SMS

    def test_sms_recipient_checks_are_sets(self):
        """Sending SMS on the members, the composer's blacklist, opt-out and
        "already done" collections are sets (Odoo's lists made each member's
        check linear: quadratic over a campaign) holding the members Odoo's
        own code finds; each member gets the same failure."""
        from ..models.sms_composer import SmsComposer

        p = self.partners.sorted("id")
        p[1].mobile = p[0].mobile  # same number: p[1]'s SMS is a duplicate
        self.env["phone.blacklist"].sudo().add(p[4].mobile)
        p[5].mrm_opt_out = True
        mailing = self.campaign.sms_mailing_id
        members = self.campaign.member_ids.filtered(lambda m: m.channel == "sms")
        composer = (
            self.env["sms.composer"]
            .with_context(active_id=False)
            .create(mailing._send_sms_get_composer_values(members.ids))
        )
        records = composer._get_records()
        info = composer._prepare_recipient_values(records)
        # Odoo's own methods: the first definition after ours in the MRO
        mro = type(composer).__mro__
        after = mro[mro.index(SmsComposer) + 1 :]
        odoo = types.SimpleNamespace(
            **{
                name: functools.partial(
                    next(c.__dict__[name] for c in after if name in c.__dict__),
                    composer,
                )
                for name in (
                    "_get_blacklist_record_ids",
                    "_get_optout_record_ids",
                    "_get_done_record_ids",
                )
            }
        )
        expected = {
            "blacklist": (self.member(p[4], "sms"), odoo._get_blacklist_record_ids),
            # the members' opt-out list names the blacklisted number too
            "optout": (
                self.member(p[4], "sms") | self.member(p[5], "sms"),
                odoo._get_optout_record_ids,
            ),
            "done": (self.member(p[1], "sms"), odoo._get_done_record_ids),
        }
        for name, (member, odoo_method) in expected.items():
            ours = getattr(composer, f"_get_{name}_record_ids")(records, info)
            self.assertIsInstance(ours, set, name)
            self.assertEqual(ours, set(odoo_method(records, info)), name)
            self.assertEqual(ours, set(member.ids), name)
        failures = {
            self.env["marketing.campaign.member"].browse(mid).partner_id: v[
                "failure_type"
            ]
            for mid, v in composer._prepare_mass_sms_values(records).items()
        }
        self.assertEqual(
            [failures[x] for x in p],
            ["", "sms_duplicate", "", "", "sms_blacklist", "sms_optout"],
        )

    def test_sms_sent_in_batches(self):
        """An SMS mailing on the members is sent in batches, one Odoo
        composer each (Odoo's composer refuses the ids of more than about
        10,000 recipients); a number an earlier batch reached is a
        duplicate, the blacklist and the opt-outs hold in every batch, the
        opt-out list is read once for them all."""
        p = self.partners.sorted("id")
        p[1].mobile = p[0].mobile
        self.env["phone.blacklist"].sudo().add(p[4].mobile)
        p[5].mrm_opt_out = True
        self.env["ir.config_parameter"].sudo().set_param(
            "marketing_resource_mgmt.sms_batch_size", "1"
        )
        mailing = self.campaign.sms_mailing_id
        mailing.body_plaintext = "Spring offer"
        Member = type(self.env["marketing.campaign.member"])
        reads = []
        rows = Member._mailing_opt_out_rows

        def spy(member, mailing, channel):
            reads.append(channel)
            return rows(member, mailing, channel)

        with (
            self.mockSMSGateway(),
            patch.object(Member, "_mailing_opt_out_rows", spy),
        ):
            self.assertIs(mailing.with_user(self.owner).action_send_sms(), True)
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(reads, ["sms"], "the opt-out list read once")
        self.assertEqual(
            self.env["sms.composer"].search_count([("mailing_id", "=", mailing.id)]),
            6,
            "one composer per member",
        )
        self.assertEqual(len(self._sms), 3)
        failures = {
            self.env["marketing.campaign.member"].browse(t.res_id).partner_id: (
                t.failure_type or ""
            )
            for t in mailing.mailing_trace_ids
        }
        self.assertEqual(
            [failures[x] for x in p],
            ["", "sms_duplicate", "", "", "sms_blacklist", "sms_optout"],
        )

    def test_sms_results_reach_members_and_funnel(self):
        p = self.partners.sorted("id")
        sms_mailing = self.campaign.sms_mailing_id
        self.assertTrue(sms_mailing, "generation made the campaign's SMS mailing")
        self.assertEqual(sms_mailing.mailing_type, "sms")
        self.assertEqual(sms_mailing.campaign_id, self.campaign)
        # phone consent: a blacklisted number and an opted-out contact get no SMS
        self.env["phone.blacklist"].sudo().add(p[4].mobile)
        p[5].mrm_opt_out = True
        sms_mailing.body_plaintext = "Spring offer https://shop.example.com/sms-offer"
        with self.mockSMSGateway():
            sms_mailing.with_user(self.owner).action_send_sms()
            self.env["sms.sms"].sudo()._process_queue()
        numbers = sorted(s["number"] for s in self._sms)
        self.assertEqual(len(numbers), 4, "blacklisted and opted-out: no SMS")
        traces = sms_mailing.mailing_trace_ids
        self.assertEqual(
            set(traces.mapped("model")), {"marketing.campaign.member"}, traces
        )
        self.campaign.member_ids.invalidate_recordset()
        self.assertEqual([self.member(x, "sms").state for x in p[:4]], ["sent"] * 4)
        self.assertEqual(self.member(p[4], "sms").state, "targeted")

        # p[1] clicks the link of its SMS
        body = next(
            s["body"]
            for s in self._sms
            if s["number"] == self.member(p[1], "sms").partner_id.phone_sanitized
        )
        link = re.search(r"(https?://\S*/r/\S+/s/\d+)", body).group(1)
        self.url_open(
            urlparse(link).path, headers={"User-Agent": BROWSER}, allow_redirects=False
        )
        # p[2]'s SMS bounces: the provider's delivery report
        trace2 = traces.filtered(lambda t: t.res_id == self.member(p[2], "sms").id)
        tracker = (
            self.env["sms.tracker"]
            .sudo()
            .search([("mailing_trace_id", "=", trace2.id)])
        )
        self.make_jsonrpc_request(
            "/sms/status",
            {
                "message_statuses": [
                    {"sms_status": "invalid_destination", "uuids": [tracker.sms_uuid]}
                ]
            },
        )
        # p[3] unsubscribes through the SMS's own opt-out link
        trace3 = traces.filtered(lambda t: t.res_id == self.member(p[3], "sms").id)
        self.url_open(
            f"/sms/{sms_mailing.id}/unsubscribe/{trace3.sms_code}"
            f"?sms_number={quote(trace3.sms_number)}"
        )
        self.assertTrue(
            self.env["phone.blacklist"]
            .sudo()
            .search([("number", "=", trace3.sms_number)])
        )
        self.sync()
        self.assertEqual(
            [self.member(x, "sms").state for x in p],
            ["sent", "clicked", "bounced", "unsubscribed", "targeted", "targeted"],
        )
        funnel = self.funnel("sms")
        if funnel:
            self.assertEqual(
                funnel,
                {
                    "members_targeted": 6,
                    "members_contacted": 3,
                    "members_opened": 1,
                    "members_clicked": 1,
                    "members_responded": 0,
                    "members_unsubscribed": 1,
                    "members_bounced": 1,
                },
            )
