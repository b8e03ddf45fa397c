# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Campaign journeys: triggers, actions, the set-based pass, A/B splits,
bad input, access."""

import xmlrpc.client
from datetime import datetime, timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_lead_routing.tests.common import trap_jobs

from ..models import marketing_journey
from ..tools import journey as engine
from .common import CampaignCase

T0 = datetime(2026, 4, 1, 9, 0)


@tagged("post_install", "-at_install")
class JourneyCase(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Journey = cls.env["marketing.journey"]
        cls.Path = cls.env["marketing.journey.path"]
        cls.partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Journey Contact {i}",
                    "email": f"journey{i}@example.com",
                    "mobile": f"+44 7700 900{i:03d}",
                }
                for i in range(4)
            ]
        )
        cls.members = cls.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": cls.campaign.id,
                    "partner_id": partner.id,
                    "channel": "email",
                    "date_targeted": T0 - timedelta(days=1),
                }
                for partner in cls.partners
            ]
        )
        cls.tag = cls.env["res.partner.category"].create({"name": "Journeyed"})

    def _journey(self, steps, **vals):
        """A running journey of the campaign with ``steps`` (list of dicts;
        ``parent`` = index of the parent step in the list)."""
        journey = self.Journey.create(
            {"name": "Test journey", "campaign_id": self.campaign.id, **vals}
        )
        created = []
        for step in steps:
            step = dict(step)
            parent = step.pop("parent", None)
            if parent is not None:
                step["parent_id"] = created[parent].id
            step.setdefault("name", f"Step {len(created) + 1}")
            created.append(
                self.env["marketing.journey.step"].create(
                    {"journey_id": journey.id, **step}
                )
            )
        journey.action_start()
        return journey, created

    def _path(self, step, state=None):
        domain = [("step_id", "=", step.id)]
        if state:
            domain.append(("state", "=", state))
        return self.Path.search(domain)

    def _members_in(self, step, state="done"):
        return self._path(step, state).member_id


class TestJourneyPass(JourneyCase):
    def test_two_steps_set_based_and_idempotent(self):
        """Tag everyone who joins; three days later, an activity for those
        who did not open. A second pass at the same time does nothing."""
        journey, (tag, remind) = self._journey(
            [
                {
                    "trigger": "joined",
                    "action": "tag",
                    "tag_ids": [(6, 0, self.tag.ids)],
                },
                {
                    "parent": 0,
                    "trigger": "no_reaction",
                    "trigger_state": "opened",
                    "trigger_days": 3,
                    "action": "activity",
                    "activity_summary": "Ask about the mail",
                },
            ]
        )
        result = journey._run_pass(now=T0)
        self.assertEqual(result[str(tag.id)]["entered"], 4)
        self.assertEqual(result[str(tag.id)]["done"], 4)
        self.assertEqual(self.partners.category_id, self.tag)
        self.assertEqual(self._path(remind), self.Path)
        self.assertEqual(tag.done_count, 4)
        # two days later nothing is due; one member opens
        journey._run_pass(now=T0 + timedelta(days=2))
        self.assertFalse(self._path(remind))
        self.members[0].sudo().write({"date_opened": T0 + timedelta(days=1)})
        result = journey._run_pass(now=T0 + timedelta(days=3, minutes=1))
        self.assertEqual(
            result[str(remind.id)], {"entered": 3, "done": 3, "blocked": 0, "failed": 0}
        )
        self.assertEqual(self._members_in(remind), self.members[1:])
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "marketing.campaign.member"),
                ("res_id", "in", self.members.ids),
                ("summary", "=", "Ask about the mail"),
            ]
        )
        self.assertEqual(len(activities), 3)
        self.assertEqual(activities.user_id, self.owner)
        # idempotence: a second pass changes nothing
        again = journey._run_pass(now=T0 + timedelta(days=3, minutes=2))
        self.assertEqual({k: v for k, v in again.items() if any(v.values())}, {}, again)
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [
                    ("res_model", "=", "marketing.campaign.member"),
                    ("res_id", "in", self.members.ids),
                    ("summary", "=", "Ask about the mail"),
                ]
            ),
            3,
        )
        # the path of a participant: step, when, result
        path = self.Path.search([("member_id", "=", self.members[1].id)], order="id")
        self.assertEqual(path.step_id, tag | remind)
        self.assertEqual(path.mapped("state"), ["done", "done"])
        self.assertEqual(path[1].date_done, T0 + timedelta(days=3, minutes=1))
        self.assertEqual(path[0].result, "tagged")

    def test_unique_step_per_participant(self):
        journey, (tag,) = self._journey(
            [{"trigger": "joined", "action": "tag", "tag_ids": [(6, 0, self.tag.ids)]}]
        )
        journey._run_pass(now=T0)
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.Path.sudo().create(
                {"step_id": tag.id, "member_id": self.members[0].id}
            )

    def test_filter(self):
        journey, (tag,) = self._journey(
            [
                {
                    "trigger": "joined",
                    "action": "tag",
                    "tag_ids": [(6, 0, self.tag.ids)],
                    "filter_domain": repr(
                        [("partner_id", "in", self.partners[:2].ids)]
                    ),
                }
            ]
        )
        journey._run_pass(now=T0)
        self.assertEqual(self._members_in(tag), self.members[:2])

    def test_stopped_journey_does_not_run(self):
        journey, (tag,) = self._journey(
            [{"trigger": "joined", "action": "tag", "tag_ids": [(6, 0, self.tag.ids)]}]
        )
        journey.action_stop()
        self.Journey._cron_run_journeys()
        self.assertFalse(self._path(tag))
        journey.action_start()
        self.Journey._cron_run_journeys()
        self.assertEqual(len(self._path(tag)), 4)

    def test_cron_isolates_a_failing_journey(self):
        """A journey whose pass fails is rolled back and logged; the next
        journeys still run."""
        first, (tag1,) = self._journey(
            [{"trigger": "joined", "action": "tag", "tag_ids": [(6, 0, self.tag.ids)]}]
        )
        second, (tag2,) = self._journey(
            [{"trigger": "joined", "action": "tag", "tag_ids": [(6, 0, self.tag.ids)]}]
        )
        original = type(self.Journey)._run_pass

        def run(journey, now=None):
            result = original(journey, now=T0)
            if journey == first:
                raise ValueError("boom")
            return result

        with (
            patch.object(type(self.Journey), "_run_pass", run),
            mute_logger("odoo.addons.marketing_resource_mgmt.models.marketing_journey"),
        ):
            self.Journey._cron_run_journeys()
        self.assertFalse(self._path(tag1), "the failed pass is rolled back")
        self.assertEqual(len(self._path(tag2, "done")), 4)


class TestJourneyTriggers(JourneyCase):
    def test_state_triggers(self):
        """opened / clicked / answered / bounced: kpi_rules' definitions."""
        m = self.members.sudo()
        m[0].write({"date_opened": T0})
        m[1].write({"date_opened": T0, "date_clicked": T0, "state": "clicked"})
        m[2].write({"state": "responded"})
        m[3].write({"state": "bounced"})
        steps = [
            {
                "trigger": "state",
                "trigger_state": s,
                "action": "tag",
                "tag_ids": [(6, 0, self.tag.ids)],
            }
            for s in ("opened", "clicked", "answered", "bounced")
        ]
        journey, (opened, clicked, answered, bounced) = self._journey(steps)
        journey._run_pass(now=T0)
        self.assertEqual(self._members_in(opened), m[0] | m[1])
        self.assertEqual(self._members_in(clicked), m[1])
        self.assertEqual(self._members_in(answered), m[2])
        self.assertEqual(self._members_in(bounced), m[3])

    def test_quotation_and_order_triggers(self):
        product = self.env["product.product"].create(
            {"name": "Journey widget", "list_price": 10}
        )

        def order(partner, state, day):
            so = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "date_order": T0 + timedelta(days=day),
                    "order_line": [(0, 0, {"product_id": product.id})],
                }
            )
            if state == "sent":
                so.action_quotation_sent()
            elif state == "sale":
                so.action_confirm()
            so.date_order = T0 + timedelta(days=day)
            return so

        order(self.partners[0], "sent", 0)
        order(self.partners[1], "sale", 0)
        order(self.partners[2], "draft", 0)
        order(self.partners[3], "sent", -5)  # before the member joined
        journey, (quote, confirmed) = self._journey(
            [
                {
                    "trigger": "quotation",
                    "trigger_days": 2,
                    "action": "tag",
                    "tag_ids": [(6, 0, self.tag.ids)],
                },
                {
                    "trigger": "order",
                    "action": "tag",
                    "tag_ids": [(6, 0, self.tag.ids)],
                },
            ]
        )
        journey._run_pass(now=T0 + timedelta(days=1))
        self.assertFalse(self._path(quote), "not two days yet")
        self.assertEqual(self._members_in(confirmed), self.members[1])
        journey._run_pass(now=T0 + timedelta(days=2))
        self.assertEqual(self._members_in(quote), self.members[0])

    def test_date_field_trigger(self):
        field = self.env["ir.model.fields"]._get(
            "marketing.campaign.member", "date_contacted"
        )
        self.members[0].sudo().date_contacted = T0
        self.members[1].sudo().date_contacted = T0 + timedelta(days=5)
        journey, (dated,) = self._journey(
            [
                {
                    "trigger": "date",
                    "date_field_id": field.id,
                    "trigger_days": 1,
                    "action": "tag",
                    "tag_ids": [(6, 0, self.tag.ids)],
                }
            ]
        )
        journey._run_pass(now=T0 + timedelta(days=1))
        self.assertEqual(self._members_in(dated), self.members[0])

    def test_branch_by_outcome(self):
        """A child follows the parent's outcome: blocked rows go to the
        'blocked' branch only."""
        journey, (tag, after_done) = self._journey(
            [
                {
                    "trigger": "joined",
                    "action": "tag",
                    "tag_ids": [(6, 0, self.tag.ids)],
                },
                {
                    "parent": 0,
                    "branch": "blocked",
                    "trigger": "joined",
                    "action": "wait",
                    "wait_days": 1,
                },
            ]
        )
        journey._run_pass(now=T0)
        self.assertFalse(self._path(after_done))


class TestJourneyActions(JourneyCase):
    def test_wait(self):
        journey, (wait, tag) = self._journey(
            [
                {"trigger": "joined", "action": "wait", "wait_days": 2},
                {
                    "parent": 0,
                    "trigger": "joined",
                    "action": "tag",
                    "tag_ids": [(6, 0, self.tag.ids)],
                },
            ]
        )
        journey._run_pass(now=T0)
        self.assertEqual(len(self._path(wait, "waiting")), 4)
        self.assertFalse(self._path(tag))
        journey._run_pass(now=T0 + timedelta(days=2))
        self.assertEqual(len(self._path(wait, "done")), 4)
        self.assertEqual(len(self._path(tag, "done")), 4)

    def test_move(self):
        other = self.env["utm.campaign"].create(
            {"title": "Follow-up", "user_id": self.owner.id}
        )
        self.env["marketing.campaign.member"].create(
            {
                "campaign_id": other.id,
                "partner_id": self.partners[0].id,
                "channel": "email",
            }
        )
        journey, (move,) = self._journey(
            [{"trigger": "joined", "action": "move", "target_campaign_id": other.id}]
        )
        journey._run_pass(now=T0)
        moved = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", other.id)]
        )
        self.assertEqual(moved.partner_id, self.partners)
        self.assertEqual(len(moved), 4, "no duplicate of the contact already there")
        self.assertTrue(all(m.access_token for m in moved))
        self.assertEqual(set(moved.mapped("state")), {"targeted"})

    def test_call(self):
        self.members[0].sudo().user_id = self.caller_b
        journey, (call,) = self._journey(
            [{"trigger": "joined", "action": "call", "activity_summary": "Call them"}]
        )
        journey._run_pass(now=T0)
        calls = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign.id), ("channel", "=", "call")]
        )
        self.assertEqual(calls.partner_id, self.partners)
        self.assertEqual(
            calls.filtered(lambda c: c.partner_id == self.partners[0]).user_id,
            self.caller_b,
        )
        self.assertLessEqual(
            set(calls.user_id.ids), {self.caller_a.id, self.caller_b.id}
        )
        call_type = self.env.ref(
            "marketing_resource_mgmt.mail_activity_type_campaign_call"
        )
        for member in calls:
            self.assertEqual(member.activity_ids.activity_type_id, call_type)
            self.assertEqual(member.activity_ids.user_id, member.user_id)
        # the call members are in the caller's queue
        self.assertTrue(
            calls.with_user(self.caller_b).search(
                [("id", "in", calls.ids), ("user_id", "=", self.caller_b.id)]
            )
        )

    def test_lead(self):
        journey, (lead,) = self._journey(
            [
                {
                    "name": "Hot lead",
                    "trigger": "state",
                    "trigger_state": "clicked",
                    "action": "lead",
                }
            ]
        )
        self.members[2].sudo().write(
            {"date_opened": T0, "date_clicked": T0, "state": "clicked"}
        )
        journey._run_pass(now=T0)
        self.assertEqual(self._members_in(lead), self.members[2])
        created = self.members[2].lead_id
        self.assertTrue(created)
        self.assertEqual(created.partner_id, self.partners[2])
        self.assertEqual(created.campaign_id, self.campaign)
        self.assertIn("Hot lead", str(created.description))

    def test_failed_action_is_logged(self):
        journey, (act,) = self._journey([{"trigger": "joined", "action": "activity"}])
        with patch.object(
            type(self.Path), "_act_on_member", side_effect=ValueError("no way")
        ):
            journey._run_pass(now=T0)
        self.assertEqual(len(self._path(act, "failed")), 4)
        self.assertEqual(set(self._path(act).mapped("result")), {"no way"})
        self.assertEqual(act.failed_count, 4)


class TestJourneyValidation(JourneyCase):
    def _count(self):
        return self.Journey.search_count([]), self.env[
            "marketing.journey.step"
        ].search_count([])

    def assertRefused(self, steps, message):
        before = self._count()
        with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
            self.Journey.create(
                {
                    "name": "Bad",
                    "campaign_id": self.campaign.id,
                    "step_ids": [(0, 0, s) for s in steps],
                }
            )
        self.assertEqual(self._count(), before, "nothing saved")

    def test_bad_input(self):
        self.assertRefused(
            [{"name": "Nothing", "trigger": "joined"}], "Nothing has no action"
        )
        self.assertRefused(
            [{"name": "Idle", "trigger": "joined", "action": "wait", "wait_days": 0}],
            "Idle waits zero days",
        )
        self.assertRefused(
            [
                {
                    "name": "Never",
                    "trigger": "no_reaction",
                    "trigger_days": 0,
                    "action": "call",
                }
            ],
            "Never counts zero days",
        )

    def test_loop(self):
        journey, (a, b) = self._journey(
            [
                {
                    "name": "A",
                    "trigger": "joined",
                    "action": "tag",
                    "tag_ids": [(6, 0, self.tag.ids)],
                },
                {
                    "name": "B",
                    "parent": 0,
                    "trigger": "joined",
                    "action": "wait",
                    "wait_days": 1,
                },
            ]
        )
        with self.assertRaisesRegex(ValidationError, "loop"), self.env.cr.savepoint():
            a.parent_id = b
            a.flush_recordset()
        a.invalidate_recordset()
        self.assertFalse(a.parent_id)

    def test_ab_not_100(self):
        journey = self.Journey.create({"name": "AB", "campaign_id": self.campaign.id})
        journey.write(
            {
                "step_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Split",
                            "trigger": "joined",
                            "action": "ab_split",
                            "ab_winner_percent": 50,
                        },
                    ),
                ]
            }
        )
        split = journey.step_ids
        with (
            self.assertRaisesRegex(ValidationError, "100 %, not 90 %"),
            self.env.cr.savepoint(),
        ):
            journey.write(
                {
                    "step_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "A",
                                "parent_id": split.id,
                                "branch": "variant",
                                "ab_percent": 20,
                                "action": "tag",
                                "tag_ids": [(6, 0, self.tag.ids)],
                            },
                        ),
                        (
                            0,
                            0,
                            {
                                "name": "B",
                                "parent_id": split.id,
                                "branch": "variant",
                                "ab_percent": 20,
                                "action": "tag",
                                "tag_ids": [(6, 0, self.tag.ids)],
                            },
                        ),
                    ]
                }
            )
        self.assertEqual(journey.step_ids.mapped("name"), ["Split"])
        # a split without its variants cannot start
        with self.assertRaisesRegex(ValidationError, "at least two variants"):
            journey.action_start()
        self.assertEqual(journey.state, "draft")


class TestJourneyAbSplit(JourneyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        more = cls.env["res.partner"].create(
            [
                {"name": f"AB Contact {i}", "email": f"ab{i}@example.com"}
                for i in range(36)
            ]
        )
        cls.members |= cls.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": cls.campaign.id,
                    "partner_id": p.id,
                    "channel": "email",
                    "date_targeted": T0 - timedelta(days=1),
                }
                for p in more
            ]
        )

    def test_seeded_assignment_and_winner(self):
        tag_b = self.env["res.partner.category"].create({"name": "Variant B"})
        journey = self.Journey.create({"name": "AB", "campaign_id": self.campaign.id})
        split = self.env["marketing.journey.step"].create(
            {
                "journey_id": journey.id,
                "name": "Split",
                "trigger": "joined",
                "action": "ab_split",
                "ab_winner_percent": 50,
                "ab_metric": "clicked",
                "ab_test_days": 2,
                "ab_seed": 42,
            }
        )
        journey.write(
            {
                "step_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "A",
                            "parent_id": split.id,
                            "branch": "variant",
                            "ab_percent": 25,
                            "sequence": 1,
                            "action": "tag",
                            "tag_ids": [(6, 0, self.tag.ids)],
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "name": "B",
                            "parent_id": split.id,
                            "branch": "variant",
                            "ab_percent": 25,
                            "sequence": 2,
                            "action": "tag",
                            "tag_ids": [(6, 0, tag_b.ids)],
                        },
                    ),
                ]
            }
        )
        variant_a, variant_b = journey.step_ids - split
        journey.action_start()
        journey._run_pass(now=T0)
        # assignment: the engine's seeded bucket, in SQL
        ranges = engine.ab_ranges([(variant_a, 25), (variant_b, 25)])
        for row in self._path(split):
            expected = engine.ab_assign(ranges, engine.ab_bucket(42, row.member_id.id))
            self.assertEqual(
                row.variant_step_id, expected or self.env["marketing.journey.step"]
            )
        in_a, in_b = self._members_in(variant_a), self._members_in(variant_b)
        pool = self.members - in_a - in_b
        self.assertTrue(in_a and in_b and pool)
        self.assertFalse(
            self._path(split).filtered(lambda r: not r.variant_step_id)
            & self._path(variant_a)
        )
        # the seeded outcome: B's participants click, A's do not
        in_b.sudo().write({"date_opened": T0, "date_clicked": T0, "state": "clicked"})
        journey._run_pass(now=T0 + timedelta(days=1))
        self.assertFalse(split.ab_winner_id, "test period not over")
        journey._run_pass(now=T0 + timedelta(days=2))
        self.assertEqual(split.ab_winner_id, variant_b)
        self.assertEqual(self._members_in(variant_b), in_b | pool)
        self.assertEqual(self._members_in(variant_a), in_a)
        self.assertIn("the winner is B", journey.message_ids[0].body)


class TestJourneyQueueAndAccess(JourneyCase):
    def test_large_journey_is_a_job(self):
        journey, (tag,) = self._journey(
            [{"trigger": "joined", "action": "tag", "tag_ids": [(6, 0, self.tag.ids)]}]
        )
        with (
            trap_jobs() as trap,
            patch.object(marketing_journey, "JOB_THRESHOLD", 2),
            patch.object(type(self.Journey), "_journey_uses_queue", return_value=True),
        ):
            self.Journey._cron_run_journeys()
            trap.assert_jobs_count(1, only=journey._run_pass)
            self.assertFalse(self._path(tag))
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self._path(tag, "done")), 4)

    def test_restricted_users(self):
        journey, (tag,) = self._journey(
            [{"trigger": "joined", "action": "tag", "tag_ids": [(6, 0, self.tag.ids)]}]
        )
        journey._run_pass(now=T0)
        plain = new_test_user(
            self.env, login="mrm_journey_plain", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            journey.with_user(plain).read(["name"])
        with self.assertRaises(AccessError):
            self.Path.with_user(plain).search([])
        # a marketing user reads the path, cannot write it
        paths = self.Path.with_user(self.owner).search(
            [("journey_id", "=", journey.id)]
        )
        self.assertEqual(len(paths), 4)
        with self.assertRaises(AccessError):
            paths.with_user(self.owner).unlink()
        self.assertEqual(journey.with_user(self.owner).step_ids.done_count, 4)
        # a marketing user outside the campaign's team sees neither the
        # journey nor its participants' path
        self.assertFalse(
            self.Journey.with_user(self.outsider).search([("id", "=", journey.id)])
        )
        self.assertFalse(
            self.Path.with_user(self.outsider).search([("step_id", "=", tag.id)])
        )
        with self.assertRaises(AccessError):
            journey.with_user(self.outsider).read(["name"])
        # the team's caller does
        self.assertEqual(
            len(self.Path.with_user(self.caller_a).search([("step_id", "=", tag.id)])),
            4,
        )

    def test_second_company(self):
        other = self.env["res.company"].create({"name": "Journey Co 2"})
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Other company",
                "company_id": other.id,
                "user_id": self.manager.id,
            }
        )
        journey = self.Journey.create({"name": "Other", "campaign_id": campaign.id})
        self.assertEqual(journey.company_id, other)
        mine = self.Journey.with_user(self.manager).with_context(
            allowed_company_ids=self.manager.company_ids.ids
        )
        self.assertNotIn(journey, mine.search([]))
        self.manager.company_ids |= other
        both = self.Journey.with_user(self.manager).with_context(
            allowed_company_ids=(self.manager.company_id | other).ids
        )
        self.assertIn(journey, both.search([]))

    def test_run_now(self):
        journey, (tag,) = self._journey(
            [{"trigger": "joined", "action": "tag", "tag_ids": [(6, 0, self.tag.ids)]}]
        )
        with patch.object(fields.Datetime, "now", return_value=T0):
            self.assertIs(journey.with_user(self.owner).action_run_now(), True)
        self.assertEqual(len(self._path(tag, "done")), 4)
        self.assertEqual(journey.participant_count, 4)


class TestJourneySend(JourneyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Mailing = cls.env["mailing.mailing"]
        cls.campaign.mailing_id = Mailing.create(
            {
                "subject": "Spring news",
                "campaign_id": cls.campaign.id,
                "mailing_type": "mail",
                "body_html": "<p>News</p>",
            }
        )
        cls.campaign.sms_mailing_id = Mailing.create(
            {
                "subject": "Spring SMS",
                "campaign_id": cls.campaign.id,
                "mailing_type": "sms",
                "body_plaintext": "News",
            }
        )
        # consent: the second contact opted out of marketing
        cls.partners[1].mrm_opt_out = True
        # contact cap: the third was contacted yesterday by another campaign
        other = cls.env["utm.campaign"].create(
            {"title": "Earlier", "user_id": cls.owner.id}
        )
        cls.env["marketing.campaign.member"].create(
            {
                "campaign_id": other.id,
                "partner_id": cls.partners[2].id,
                "channel": "email",
                "date_contacted": T0 - timedelta(days=1),
            }
        )
        cls.campaign.company_id.mrm_policy_max_contacts = 1

    def test_mail_through_mass_mailing_with_policy(self):
        journey, (mail, call) = self._journey(
            [
                {"name": "Welcome mail", "trigger": "joined", "action": "mail"},
                {
                    "parent": 0,
                    "branch": "blocked",
                    "trigger": "joined",
                    "action": "call",
                },
            ]
        )
        result = journey._run_pass(now=T0)
        self.assertEqual(
            result[str(mail.id)], {"entered": 4, "done": 2, "blocked": 2, "failed": 0}
        )
        self.assertEqual(self._members_in(mail), self.members[0] | self.members[3])
        blocked = self._path(mail, "blocked")
        self.assertEqual(blocked.member_id, self.members[1:3])
        Policy = self.env["marketing.contact.policy"]
        reasons = Policy._check(self.partners[1:3].ids, "email", now=T0)
        self.assertEqual(reasons[self.partners[1].id], "opt_out")
        self.assertEqual(reasons[self.partners[2].id], "frequency_cap")
        for row in blocked:
            self.assertEqual(
                row.result,
                "blocked: " + Policy._reason_label(reasons[row.partner_id.id]),
            )
        # the blocked branch: a call instead
        self.assertEqual(self._members_in(call), self.members[1:3])
        # the mailing: a copy of the campaign's, to the two members, queued
        sent = self.env["mailing.mailing"].search(
            [
                ("campaign_id", "=", self.campaign.id),
                (
                    "id",
                    "not in",
                    (self.campaign.mailing_id | self.campaign.sms_mailing_id).ids,
                ),
            ]
        )
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.state, "in_queue")
        self.assertEqual(sent.mailing_model_real, "marketing.campaign.member")
        self.assertEqual(sent.subject, "Spring news")
        self.assertEqual(
            sorted(sent._get_recipients()),
            sorted((self.members[0] | self.members[3]).ids),
        )
        self.assertIn(sent.display_name, self._path(mail, "done")[0].result)
        # Odoo's mass mailing sends it: one trace per member
        sent.action_send_mail()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", sent.id)])
        self.assertEqual(
            sorted(traces.mapped("res_id")),
            sorted((self.members[0] | self.members[3]).ids),
        )
        self.assertEqual(set(traces.mapped("model")), {"marketing.campaign.member"})

    def test_sms(self):
        journey, (sms,) = self._journey([{"trigger": "joined", "action": "sms"}])
        journey._run_pass(now=T0)
        self.assertEqual(self._members_in(sms), self.members[0] | self.members[3])
        sent = self.env["mailing.mailing"].search(
            [
                ("campaign_id", "=", self.campaign.id),
                ("mailing_type", "=", "sms"),
                ("id", "!=", self.campaign.sms_mailing_id.id),
            ]
        )
        self.assertEqual(sent.state, "in_queue")
        self.assertEqual(
            sorted(sent._get_recipients()),
            sorted((self.members[0] | self.members[3]).ids),
        )

    def test_no_mailing_fails_cleanly(self):
        self.campaign.mailing_id = False
        journey, (mail,) = self._journey([{"trigger": "joined", "action": "mail"}])
        result = journey._run_pass(now=T0)
        self.assertEqual(result[str(mail.id)]["failed"], 2)
        self.assertIn("has no email mailing", self._path(mail, "failed")[0].result)


@tagged("post_install", "-at_install")
class TestJourneyRpc(HttpCase):
    """Restricted users meet journeys over real XML-RPC."""

    def test_restricted_users_over_xmlrpc(self):
        owner = new_test_user(
            self.env,
            login="mrm_journey_rpc_owner",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        plain = new_test_user(
            self.env, login="mrm_journey_rpc_plain", groups="base.group_user"
        )
        campaign = self.env["utm.campaign"].create(
            {"title": "RPC journeys", "user_id": owner.id}
        )
        partner = self.env["res.partner"].create(
            {"name": "RPC participant", "email": "rpcj@example.com"}
        )
        self.env["marketing.campaign.member"].create(
            {"campaign_id": campaign.id, "partner_id": partner.id, "channel": "email"}
        )
        tag = self.env["res.partner.category"].create({"name": "RPC tagged"})
        journey = self.env["marketing.journey"].create(
            {
                "name": "RPC",
                "campaign_id": campaign.id,
                "step_ids": [
                    (
                        0,
                        0,
                        {"name": "Tag", "action": "tag", "tag_ids": [(6, 0, tag.ids)]},
                    )
                ],
            }
        )
        db = self.env.cr.dbname

        def call(user, model, method, *args):
            uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
            return self.xmlrpc_object.execute_kw(
                db, uid, user.login, model, method, list(args)
            )

        with mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"):
            for method, args in (
                ("read", [["name"]]),
                ("action_run_now", []),
                ("action_start", []),
            ):
                with self.assertRaises(xmlrpc.client.Fault) as caught:
                    call(plain, "marketing.journey", method, [journey.id], *args)
                self.assertEqual(
                    caught.exception.faultCode, 4, caught.exception.faultString
                )
            with self.assertRaises(xmlrpc.client.Fault):
                call(plain, "marketing.journey.path", "search_read", [], ["state"])
        self.assertIs(
            call(owner, "marketing.journey", "action_start", [journey.id]), True
        )
        self.assertIs(
            call(owner, "marketing.journey", "action_run_now", [journey.id]), True
        )
        rows = call(
            owner,
            "marketing.journey.path",
            "search_read",
            [("journey_id", "=", journey.id)],
            ["state", "result"],
        )
        self.assertEqual(
            [(r["state"], r["result"]) for r in rows], [("done", "tagged")]
        )
        steps = call(
            owner,
            "marketing.journey.step",
            "read",
            journey.step_ids.ids,
            ["done_count", "waiting_count"],
        )
        self.assertEqual(steps[0]["done_count"], 1)
        with (
            mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"),
            self.assertRaises(xmlrpc.client.Fault),
        ):
            call(owner, "marketing.journey.path", "unlink", [rows[0]["id"]])


class TestJourneyConcurrency(JourneyCase):
    def test_one_pass_at_a_time(self):
        """A second pass of a journey while one runs (another worker, its own
        cursor holding the journey's lock) skips it and writes nothing."""
        journey, (tag,) = self._journey(
            [{"trigger": "joined", "action": "tag", "tag_ids": [(6, 0, self.tag.ids)]}]
        )
        with self.registry.cursor() as other:
            other.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [marketing_journey.PASS_LOCK_KEY, journey.id],
            )
            self.assertEqual(journey._run_pass(now=T0), {"skipped": True})
            self.assertFalse(self._path(tag))
            other.rollback()
        self.assertEqual(journey._run_pass(now=T0)[str(tag.id)]["done"], 4)


class TestJourneySetBased(JourneyCase):
    def _campaign_with(self, count, label):
        campaign = self.env["utm.campaign"].create(
            {"title": f"Set-based {label}", "user_id": self.owner.id}
        )
        partners = self.env["res.partner"].create(
            [
                {"name": f"{label} {i}", "email": f"{label}{i}@example.com"}
                for i in range(count)
            ]
        )
        self.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": campaign.id,
                    "partner_id": p.id,
                    "channel": "email",
                    "date_targeted": T0 - timedelta(days=1),
                }
                for p in partners
            ]
        )
        target = self.env["utm.campaign"].create({"title": f"Target {label}"})
        journey = self.Journey.create({"name": label, "campaign_id": campaign.id})
        Step = self.env["marketing.journey.step"]
        tag = Step.create(
            {
                "journey_id": journey.id,
                "name": "Tag",
                "action": "tag",
                "tag_ids": [(6, 0, self.tag.ids)],
            }
        )
        wait = Step.create(
            {
                "journey_id": journey.id,
                "name": "Wait",
                "parent_id": tag.id,
                "action": "wait",
                "wait_days": 1,
            }
        )
        Step.create(
            {
                "journey_id": journey.id,
                "name": "Move",
                "parent_id": wait.id,
                "action": "move",
                "target_campaign_id": target.id,
            }
        )
        journey.action_start()
        self.env.flush_all()
        return journey, target

    def _queries(self, journey, now):
        before = self.env.cr.sql_log_count
        journey._run_pass(now=now)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_participants(self):
        """A pass is a fixed number of statements per step, whatever the
        number of participants (what tests/bench/bench_journey.py measures at
        scale)."""
        small, small_target = self._campaign_with(3, "small")
        big, big_target = self._campaign_with(60, "big")
        for now in (T0, T0 + timedelta(days=1)):
            small_count = self._queries(small, now)
            # the big one runs second: the same statements, caches warm
            self.assertLessEqual(self._queries(big, now), small_count)
        self.assertEqual(len(big_target.member_ids), 60)
        self.assertEqual(len(small_target.member_ids), 3)
