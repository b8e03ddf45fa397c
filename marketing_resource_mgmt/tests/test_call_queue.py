# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
import time
import xmlrpc.client
from datetime import datetime, timedelta

import psycopg2

from odoo import api, fields
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import TestCursor
from odoo.tests import BaseCase, HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools import call_policy
from .common import CampaignCase


class TestCallPolicy(BaseCase):
    """The plain outcome table and its arithmetic (no database)."""

    NOW = datetime(2026, 3, 2, 10, 0)

    def test_retrying_outcomes(self):
        delays = dict(call_policy.DEFAULT_RETRY_MINUTES)
        done, at = call_policy.next_step("busy", 1, 3, delays, self.NOW, None)
        self.assertEqual((done, at), (False, self.NOW + timedelta(minutes=30)))
        done, at = call_policy.next_step("no_answer", 3, 3, delays, self.NOW, None)
        self.assertEqual((done, at), (True, None))
        for final in ("wrong_number", "interested", "not_interested", "do_not_call"):
            self.assertEqual(
                call_policy.next_step(final, 1, 3, delays, self.NOW, None), (True, None)
            )

    def test_callback_needs_future_time(self):
        delays = dict(call_policy.DEFAULT_RETRY_MINUTES)
        with self.assertRaises(call_policy.PolicyError):
            call_policy.next_step("callback", 1, 3, delays, self.NOW, None)
        with self.assertRaises(call_policy.PolicyError):
            call_policy.next_step("callback", 1, 3, delays, self.NOW, self.NOW)
        later = self.NOW + timedelta(days=1)
        self.assertEqual(
            call_policy.next_step("callback", 9, 3, delays, self.NOW, later),
            (False, later),
        )
        with self.assertRaises(call_policy.PolicyError):
            call_policy.next_step("shouting", 1, 3, delays, self.NOW, None)

    def test_policy_checks(self):
        with self.assertRaises(call_policy.PolicyError):
            call_policy.check_policy({"busy": 0}, 3)
        with self.assertRaises(call_policy.PolicyError):
            call_policy.check_policy({"busy": 10}, 0)
        with self.assertRaises(call_policy.PolicyError):
            call_policy.check_policy({"interested": 10}, 3)
        call_policy.check_policy(dict(call_policy.DEFAULT_RETRY_MINUTES), 1)
        with self.assertRaises(call_policy.PolicyError):
            call_policy.check_hours(20, 9)

    def test_calling_hours(self):
        evening = datetime(2026, 3, 2, 21, 30)
        self.assertFalse(call_policy.within_hours(evening, 9, 20))
        self.assertEqual(
            call_policy.into_hours(evening, 9, 20), datetime(2026, 3, 3, 9, 0)
        )
        early = datetime(2026, 3, 2, 7, 0)
        self.assertEqual(
            call_policy.into_hours(early, 9.5, 20), datetime(2026, 3, 2, 9, 30)
        )
        self.assertEqual(call_policy.into_hours(self.NOW, 9, 20), self.NOW)
        self.assertEqual(call_policy.format_hour(9.5), "09:30")
        summer = datetime(2026, 7, 1, 8, 0)
        self.assertEqual(
            call_policy.to_local(summer, "Europe/London"), datetime(2026, 7, 1, 9, 0)
        )
        self.assertEqual(call_policy.to_local(summer, "Nowhere/Else"), summer)

    def test_state_moves_forward_only(self):
        self.assertEqual(
            call_policy.forward_state("responded", "contacted"), "responded"
        )
        self.assertEqual(
            call_policy.forward_state("targeted", "contacted"), "contacted"
        )
        self.assertEqual(call_policy.forward_state("responded", "declined"), "declined")
        self.assertEqual(
            call_policy.forward_state("converted", "declined"), "converted"
        )
        self.assertEqual(call_policy.forward_state("targeted", None), "targeted")


def _call_partners(env, tag, count):
    return env["res.partner"].create(
        [
            {
                "name": f"Callee {i:02d}",
                "phone": f"+44 113 496 0{i:03d}",
                "email": f"callee{i:02d}@example.com",
                "country_id": env.ref("base.uk").id,
                "category_id": [(4, tag.id)],
            }
            for i in range(count)
        ]
    )


class CallQueueCase(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tag = cls.env["res.partner.category"].create({"name": "MRM call queue"})
        cls.partners = _call_partners(cls.env, tag, 6)
        segment = cls.env["marketing.segment"].create(
            {
                "name": "Call queue",
                "domain": repr([("category_id", "in", [tag.id])]),
            }
        )
        cls.campaign.write(
            {
                "segment_ids": [(6, 0, segment.ids)],
                "use_email": False,
                "use_call": True,
                # any time of day: the tests do not depend on the clock
                "call_hour_from": 0.0,
                "call_hour_to": 24.0,
                "call_script": "<p>Hello, this is the spring upgrade.</p>",
            }
        )
        cls.campaign.with_user(cls.owner).action_start()
        cls.campaign.with_user(cls.owner).action_generate()
        cls.members = cls.env["marketing.campaign.member"].search(
            [("campaign_id", "=", cls.campaign.id), ("channel", "=", "call")]
        )
        for user in (cls.caller_a, cls.caller_b):
            cls.env["hr.employee"].create(
                {
                    "name": user.name,
                    "user_id": user.id,
                    "company_id": user.company_id.id,
                }
            )
        cls.Member = cls.env["marketing.campaign.member"]


@tagged("post_install", "-at_install")
class TestCallQueue(CallQueueCase):
    def test_next_call_leases_the_member(self):
        self.assertEqual(len(self.members), 6)
        action = self.Member.with_user(self.caller_a).action_next_call()
        first = self.Member.browse(action["res_id"])
        self.assertEqual(first, self.members.sorted("id")[0])
        self.assertEqual(first.call_taken_uid, self.caller_a)
        self.assertGreater(first.call_next_at, fields.Datetime.now())
        # the next caller gets the next member, not the leased one
        second = self.Member.with_user(self.caller_b)._take_next_call()
        self.assertEqual(second, self.members.sorted("id")[1])
        self.assertIn("Hello", first.call_script)
        self.assertTrue(first.call_history)

    def test_campaign_rows_match_the_orm(self):
        """The hot path's SQL campaign lookup selects what the ORM search does."""
        self.owner.tz = "Europe/London"
        for user in (self.caller_a, self.caller_b, self.owner, self.outsider):
            Member = self.Member.with_user(user)
            rows = Member._caller_campaign_rows()
            campaigns = Member._caller_campaigns()
            self.assertEqual([row["id"] for row in rows], campaigns.ids)
            for row, campaign in zip(rows, campaigns, strict=True):
                self.assertEqual(row["tz"], campaign._get_call_tz().zone)
                self.assertEqual(
                    (row["hour_from"], row["hour_to"], row["mode"]),
                    (
                        campaign.call_hour_from,
                        campaign.call_hour_to,
                        campaign.call_queue_mode,
                    ),
                )
        self.assertTrue(self.Member.with_user(self.caller_a)._caller_campaign_rows())
        self.assertFalse(self.Member.with_user(self.outsider)._caller_campaign_rows())

    def test_own_assigned_calls_first(self):
        self.campaign.call_queue_mode = "own_first"
        member = self.Member.with_user(self.caller_b)._take_next_call()
        self.assertEqual(member.user_id, self.caller_b)
        self.assertNotEqual(member, self.members.sorted("id")[0])

    def test_outside_calling_hours(self):
        now = fields.Datetime.now()
        hour = self.campaign._to_call_local(now).hour
        # a one-hour window that excludes the current hour
        start = (hour + 2) % 23
        self.campaign.write({"call_hour_from": start, "call_hour_to": start + 1})
        with self.assertRaisesRegex(UserError, "Outside calling hours"):
            self.Member.with_user(self.caller_a).action_next_call()

    def test_no_answer_retries_then_gives_up(self):
        member = self.members[0].with_user(self.caller_a)
        before = fields.Datetime.now()
        result = member.record_call_outcome("no_answer", duration_minutes=1)
        self.assertEqual(result["call_attempts"], 1)
        self.assertFalse(result["call_done"])
        self.assertEqual(member.state, "targeted")
        expected = before + timedelta(minutes=self.campaign.call_retry_no_answer)
        self.assertAlmostEqual(
            member.call_next_at, expected, delta=timedelta(seconds=30)
        )
        # the generation's call activity is done, a new one waits for the retry
        call_type = self.env.ref(
            "marketing_resource_mgmt.mail_activity_type_campaign_call"
        )
        self.assertEqual(len(member.activity_ids), 1)
        self.assertEqual(member.activity_ids.activity_type_id, call_type)
        self.assertIn("Call again", member.activity_ids.summary)
        member.record_call_outcome("busy")
        self.assertAlmostEqual(
            member.call_next_at,
            fields.Datetime.now() + timedelta(minutes=30),
            delta=timedelta(seconds=30),
        )
        member.record_call_outcome("voicemail")
        self.assertEqual(member.call_attempts, 3)
        self.assertTrue(member.call_done)
        self.assertFalse(member.call_next_at)
        self.assertEqual(member.state, "contacted")
        # a finished member is never offered again
        taken = self.Member.with_user(self.caller_a)
        offered = [taken._take_next_call() for _i in range(6)]
        self.assertNotIn(member, offered)

    def test_callback_schedules_an_activity(self):
        member = self.members[1].with_user(self.caller_a)
        with self.assertRaisesRegex(UserError, "needs the time"):
            member.record_call_outcome("callback")
        self.assertEqual(member.call_attempts, 0)
        self.assertFalse(member.call_outcome)
        when = (fields.Datetime.now() + timedelta(days=2)).replace(
            hour=14, minute=30, second=0, microsecond=0
        )
        member.record_call_outcome(
            "callback", callback_at=fields.Datetime.to_string(when)
        )
        self.assertEqual(member.call_next_at, when)
        self.assertEqual(member.answer, "callback")
        activity = member.activity_ids
        self.assertEqual(len(activity), 1)
        local = fields.Datetime.context_timestamp(member, when)
        self.assertEqual(activity.date_deadline, local.date())
        self.assertIn(local.strftime("%H:%M"), activity.summary)
        self.assertEqual(activity.user_id, self.caller_a)
        # not offered before the asked time
        offered = [
            self.Member.with_user(self.caller_a)._take_next_call() for _i in range(6)
        ]
        self.assertNotIn(member, offered)

    def test_interested_creates_the_lead(self):
        member = self.members[2].with_user(self.caller_a)
        result = member.record_call_outcome("interested", note="Wants a demo")
        lead = self.env["crm.lead"].browse(result["lead_id"])
        self.assertTrue(lead)
        self.assertEqual(member.lead_id, lead)
        self.assertEqual(lead.campaign_id, self.campaign)
        self.assertEqual(lead.partner_id, member.partner_id)
        self.assertEqual(lead.campaign_match_route, "call")
        # routing places the lead (the demo's Leeds pool takes +44 113
        # numbers), else the member's caller or the campaign owner takes it
        self.assertIn(lead.routing_state, ("assigned", "pool"))
        self.assertTrue(lead.user_id or lead.routing_state == "pool")
        self.assertFalse(lead.user_id.share)
        self.assertNotEqual(lead.user_id, self.env.ref("base.public_user"))
        self.assertEqual(member.state, "responded")
        self.assertTrue(member.call_done)
        consent = member.partner_id.mrm_consent_ids
        self.assertEqual(consent.mapped("status"), ["opt_in"])
        self.assertEqual(consent.source, "call")
        self.assertEqual(consent.channel, "call")

    def test_do_not_call_blacklists_the_number(self):
        member = self.members[3].with_user(self.caller_a)
        member.record_call_outcome("do_not_call")
        partner = member.partner_id
        blacklisted = self.env["phone.blacklist"].search(
            [("number", "=", partner._phone_format(number=partner.phone))]
        )
        self.assertTrue(blacklisted)
        self.assertTrue(partner.mrm_opt_out_call)
        self.assertEqual(member.state, "unsubscribed")
        self.assertTrue(member.call_done)
        self.assertEqual(partner.mrm_consent_ids.status, "opt_out")
        # the segment no longer gives the contact for calls
        self.assertNotIn(partner.id, self.campaign.segment_ids._get_partner_ids("call"))

    def test_final_outcomes(self):
        wrong, declined = self.members[4], self.members[5]
        wrong.with_user(self.caller_a).record_call_outcome("wrong_number")
        declined.with_user(self.caller_b).record_call_outcome("not_interested")
        self.assertEqual((wrong.state, wrong.call_done), ("bounced", True))
        self.assertEqual(
            (declined.state, declined.answer), ("declined", "not_interested")
        )

    def test_duration_is_a_timesheet_on_the_campaign_project(self):
        member = self.members[0].with_user(self.caller_a)
        member.record_call_outcome("no_answer", duration_minutes=15)
        line = self.env["account.analytic.line"].search(
            [("project_id", "=", self.campaign.project_id.id)]
        )
        self.assertEqual(len(line), 1)
        self.assertAlmostEqual(line.unit_amount, 0.25)
        self.assertEqual(line.user_id, self.caller_a)
        self.assertEqual(line.account_id, self.campaign.analytic_account_id)

    def test_bad_input_changes_nothing(self):
        member = self.members[0].with_user(self.caller_a)
        with self.assertRaisesRegex(UserError, "Unknown call outcome"):
            member.record_call_outcome("shouting")
        with self.assertRaises(UserError):
            member.record_call_outcome("busy", duration_minutes=-3)
        # a caller without an employee cannot log the duration: nothing moves
        member_b = self.members[1].with_user(self.caller_a)
        self.env["hr.employee"].search([("user_id", "=", self.caller_a.id)]).unlink()
        with self.assertRaisesRegex(UserError, "no employee"):
            member_b.record_call_outcome("interested", duration_minutes=5)
        self.assertFalse(member_b.lead_id)
        self.assertEqual(member_b.state, "targeted")
        for record in (member, member_b):
            self.assertEqual(record.call_attempts, 0)
        for vals, message in (
            ({"call_retry_busy": 0}, "more than zero"),
            ({"call_max_attempts": 0}, "at least 1"),
        ):
            with (
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                self.campaign.write(vals)
            self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.call_retry_busy, 30)
        self.assertEqual(self.campaign.call_max_attempts, 3)

    def test_wizard_saves_and_opens_the_next_call(self):
        action = self.Member.with_user(self.caller_a).action_next_call()
        member = self.Member.browse(action["res_id"])
        wizard = (
            self.env["marketing.call.outcome.wizard"]
            .with_user(self.caller_a)
            .create({"member_id": member.id, "outcome": "busy", "duration": 0.1})
        )
        following = wizard.action_confirm_next()
        self.assertEqual(member.call_outcome, "busy")
        self.assertNotEqual(following["res_id"], member.id)


@tagged("post_install", "-at_install")
class TestCallQueueRace(TransactionCase):
    """Simultaneous "next call" from threads with their own cursors, on
    committed data: no member is given to two callers."""

    THREADS = 6
    MEMBERS = 40

    def _committed_fixture(self):
        with self.registry.cursor() as cr:
            env = api.Environment(
                cr,
                api.SUPERUSER_ID,
                {"tracking_disable": True, "mail_create_nosubscribe": True},
            )
            # two callers: the admin (a marketing manager) and the superuser
            users = env.ref("base.user_admin") | env.ref("base.user_root")
            campaign = env["utm.campaign"].create(
                {
                    "title": "Race calls",
                    "user_id": users[0].id,
                    "call_hour_from": 0,
                    "call_hour_to": 24,
                    "team_ids": [
                        (0, 0, {"user_id": u.id, "role": "caller", "makes_calls": True})
                        for u in users
                    ],
                }
            )
            campaign.state = "running"
            partners = env["res.partner"].create(
                [
                    {"name": f"Race {i}", "phone": "+44 113 496 0000"}
                    for i in range(self.MEMBERS)
                ]
            )
            env["marketing.campaign.member"].create(
                [
                    {"campaign_id": campaign.id, "partner_id": p.id, "channel": "call"}
                    for p in partners
                ]
            )
            return campaign.id, partners.ids, users.ids

    def _cleanup(self, campaign_id, partner_ids):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM marketing_campaign_member WHERE campaign_id = %s",
                [campaign_id],
            )
            cr.execute(
                "DELETE FROM marketing_campaign_team WHERE campaign_id = %s",
                [campaign_id],
            )
            cr.execute("DELETE FROM utm_campaign WHERE id = %s", [campaign_id])
            cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [partner_ids])

    def _worker(self, uid, campaign_id, barrier, won, errors):
        try:
            with self.registry.cursor() as cr:
                assert not isinstance(cr, TestCursor)
                env = api.Environment(cr, uid, {})
                barrier.wait()
                retries = 0
                while True:
                    try:
                        member = env["marketing.campaign.member"]._take_next_call(
                            campaign_id
                        )
                        member_id = member.id
                        cr.commit()  # pylint: disable=invalid-commit
                    except psycopg2.errors.SerializationFailure:
                        cr.rollback()
                        env.invalidate_all()
                        retries += 1
                        if retries > 500:
                            raise
                        time.sleep(0.002)
                        continue
                    if not member_id:
                        break
                    won.append((uid, member_id))
        except Exception as exc:  # noqa: BLE001  (reported to the main thread)
            errors.append(exc)

    def test_two_callers_never_get_the_same_member(self):
        campaign_id, partner_ids, user_ids = self._committed_fixture()
        try:
            barrier = threading.Barrier(self.THREADS)
            won, errors = [], []
            threads = [
                threading.Thread(
                    target=self._worker,
                    args=(user_ids[i % 2], campaign_id, barrier, won, errors),
                )
                for i in range(self.THREADS)
            ]
            with mute_logger("odoo.sql_db"):
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(120)
            self.assertFalse(errors, errors)
            ids = [member_id for _uid, member_id in won]
            self.assertEqual(len(ids), len(set(ids)))
            self.assertEqual(len(ids), self.MEMBERS)
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT id, call_taken_uid FROM marketing_campaign_member "
                    "WHERE campaign_id = %s",
                    [campaign_id],
                )
                holders = dict(cr.fetchall())
            for uid, member_id in won:
                self.assertEqual(holders[member_id], uid)
        finally:
            self._cleanup(campaign_id, partner_ids)


@tagged("post_install", "-at_install")
class TestCallQueueRpcAndTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = ",".join(
            [
                "marketing_resource_mgmt.group_marketing_user",
                "project.group_project_user",
                "hr_timesheet.group_hr_timesheet_user",
            ]
        )
        cls.caller = new_test_user(
            cls.env,
            login="mrm_tour_caller",
            password="mrm_tour_caller_pw1",
            groups=groups,
        )
        cls.env["hr.employee"].create({"name": "Tour caller", "user_id": cls.caller.id})
        tag = cls.env["res.partner.category"].create({"name": "MRM tour calls"})
        _call_partners(cls.env, tag, 3)
        segment = cls.env["marketing.segment"].create(
            {"name": "Tour calls", "domain": repr([("category_id", "in", [tag.id])])}
        )
        cls.campaign = cls.env["utm.campaign"].create(
            {
                "title": "Tour call campaign",
                "user_id": cls.caller.id,
                "template_id": cls.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "segment_ids": [(6, 0, segment.ids)],
                "use_email": False,
                "use_call": True,
                "call_hour_from": 0,
                "call_hour_to": 24,
                "call_script": "<p>Tour script: ask about the upgrade.</p>",
                "team_ids": [
                    (
                        0,
                        0,
                        {
                            "user_id": cls.caller.id,
                            "role": "caller",
                            "makes_calls": True,
                        },
                    )
                ],
            }
        )
        cls.campaign.with_user(cls.caller).action_start()
        cls.campaign.with_user(cls.caller).action_generate()
        cls.members = cls.env["marketing.campaign.member"].search(
            [("campaign_id", "=", cls.campaign.id)], order="id"
        )

    def test_unknown_outcome_over_rpc(self):
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(
            db, "mrm_tour_caller", "mrm_tour_caller_pw1", {}
        )
        member = self.members[0]
        with self.assertRaises(xmlrpc.client.Fault) as fault:
            self.xmlrpc_object.execute_kw(
                db,
                uid,
                "mrm_tour_caller_pw1",
                "marketing.campaign.member",
                "record_call_outcome",
                [[member.id], "shouting"],
            )
        self.assertIn("Unknown call outcome", fault.exception.faultString)
        self.assertEqual(member.call_attempts, 0)
        result = self.xmlrpc_object.execute_kw(
            db,
            uid,
            "mrm_tour_caller_pw1",
            "marketing.campaign.member",
            "record_call_outcome",
            [[member.id], "busy"],
            {"duration_minutes": 2},
        )
        self.assertEqual(result["call_attempts"], 1)
        action = self.xmlrpc_object.execute_kw(
            db,
            uid,
            "mrm_tour_caller_pw1",
            "marketing.campaign.member",
            "action_next_call",
            [],
        )
        self.assertEqual(action["res_model"], "marketing.campaign.member")

    def test_tour_three_calls(self):
        self.start_tour(
            "/odoo/action-marketing_resource_mgmt.action_marketing_next_call",
            "mrm_call_queue_tour",
            login="mrm_tour_caller",
        )
        outcomes = self.members.mapped("call_outcome")
        self.assertEqual(
            sorted(outcomes), sorted(["no_answer", "not_interested", "interested"])
        )
        self.assertTrue(
            self.members.filtered(lambda m: m.call_outcome == "interested").lead_id
        )
        lines = self.env["account.analytic.line"].search(
            [("project_id", "=", self.campaign.project_id.id)]
        )
        self.assertEqual(len(lines), 3)
