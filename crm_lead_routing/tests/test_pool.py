# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
import time
import uuid

import psycopg2

from odoo import api, fields
from odoo.exceptions import AccessError, UserError
from odoo.service.model import retrying
from odoo.sql_db import TestCursor
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import DISABLED_MAIL_CONTEXT, RoutingCommon


@tagged("post_install", "-at_install")
class TestPool(RoutingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pool = cls._rule(
            "Pool",
            [(cls.alice, {"capacity": 2}), cls.bob],
            strategy="pool",
        )
        cls.leads = cls._leads(4, route=True)

    def test_leads_wait_in_the_pool(self):
        self.assertEqual(set(self.leads.mapped("routing_state")), {"pool"})
        self.assertFalse(self.leads.user_id)
        self.assertEqual(self.pool.pool_count, 4)
        # the rule's assignees see them as claimable, others do not
        Lead = self.env["crm.lead"]
        self.assertEqual(
            Lead.with_user(self.alice).search([("is_claimable", "=", True)]), self.leads
        )
        self.assertFalse(
            Lead.with_user(self.carol).search([("is_claimable", "=", True)])
        )

    def test_claim_next_and_chosen(self):
        Lead = self.env["crm.lead"].with_user(self.bob)
        first = Lead._claim()
        self.assertEqual(first, self.leads[0])
        self.assertEqual(first.user_id, self.bob)
        self.assertEqual(first.routing_state, "assigned")
        self.assertIn("Claimed by Bob", first.routing_explanation)
        chosen = self.leads[3].with_user(self.bob)
        chosen.action_claim()
        self.assertEqual(self.leads[3].user_id, self.bob)
        # a lead already taken cannot be claimed again
        with self.assertRaises(UserError):
            self.leads[3].with_user(self.alice).action_claim()
        log = self.env["crm.routing.log"].search([("lead_id", "=", first.id)], limit=1)
        self.assertEqual(log.kind, "claim")

    def test_claim_respects_capacity(self):
        Lead = self.env["crm.lead"].with_user(self.alice)
        Lead._claim()
        Lead._claim()
        with self.assertRaises(UserError):
            Lead._claim()
        self.assertEqual(len(self.leads.filtered("user_id")), 2)

    def test_claim_gives_the_claimers_team_after_a_membership_change(self):
        """A pool rule without a team gives the claimer's default team
        (crm's, cached per salesperson): a change of membership is seen at
        the next claim, and a rule's own team wins."""
        self.pool.team_id = False
        first_team, second_team = self.env["crm.team"].create(
            [{"name": "Pool team one"}, {"name": "Pool team two"}]
        )
        member = self.env["crm.team.member"].create(
            {"crm_team_id": first_team.id, "user_id": self.bob.id}
        )
        Lead = self.env["crm.lead"].with_user(self.bob)
        self.assertEqual(Lead._claim().team_id, first_team)
        member.unlink()
        self.env["crm.team.member"].create(
            {"crm_team_id": second_team.id, "user_id": self.bob.id}
        )
        self.assertEqual(Lead._claim().team_id, second_team)
        second_team.active = False
        self.assertNotEqual(Lead._claim().team_id, second_team)
        self.pool.team_id = first_team
        self.assertEqual(Lead._claim().team_id, first_team)

    def test_outsider_cannot_claim(self):
        self.assertFalse(self.env["crm.lead"].with_user(self.carol)._claim())
        with self.assertRaises(UserError):
            self.leads[0].with_user(self.carol).action_claim()
        with self.assertRaises(AccessError):
            self.pool.with_user(self.carol).write({"strategy": "weighted"})


@tagged("post_install", "-at_install")
class TestPoolRace(TransactionCase):
    """Simultaneous claims from threads with their own cursors, against the
    real database: no lead is won twice. The data are committed (other
    cursors cannot see the test transaction) and removed at the end."""

    THREADS = 6
    LEADS = 30

    def _committed_fixture(self):
        with self.registry.cursor() as cr:
            env = api.Environment(
                cr,
                api.SUPERUSER_ID,
                {"tracking_disable": True, "mail_create_nosubscribe": True},
            )
            users = env.ref("base.user_admin") | env.ref("base.user_demo")
            rule = env["crm.routing.rule"].create(
                {
                    "name": "Race pool",
                    "strategy": "pool",
                    "assignee_ids": [(0, 0, {"user_id": u.id}) for u in users],
                }
            )
            leads = (
                env["crm.lead"]
                .with_context(routing_skip=True)
                .create(
                    [
                        {
                            "name": f"Race {i}",
                            "type": "lead",
                            "routing_state": "pool",
                            "routing_rule_id": rule.id,
                        }
                        for i in range(self.LEADS)
                    ]
                )
            )
            # the cursor's context manager commits on exit
            return rule.id, leads.ids, users.ids

    def _cleanup(self, rule_id, lead_ids):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM crm_lead WHERE id = ANY(%s)", [lead_ids])
            cr.execute("DELETE FROM crm_routing_rule WHERE id = %s", [rule_id])

    def _worker(self, uid, rule_id, barrier, won, errors):
        try:
            with self.registry.cursor() as cr:
                assert not isinstance(cr, TestCursor)
                env = api.Environment(cr, uid, {})
                rule = env["crm.routing.rule"].browse(rule_id)
                barrier.wait()
                retries = 0
                while True:
                    try:
                        lead = env["crm.lead"]._claim(rule=rule)
                        lead_id = lead.id
                        # each claim is its own transaction, as in production:
                        # this thread's cursor is not the test transaction
                        cr.commit()  # pylint: disable=invalid-commit
                    except psycopg2.errors.SerializationFailure:
                        cr.rollback()
                        env.invalidate_all()
                        retries += 1
                        if retries > 200:
                            raise
                        time.sleep(0.005)
                        continue
                    if not lead_id:
                        break
                    won.append((uid, lead_id))
        except Exception as exc:  # reported to the main thread
            errors.append(exc)

    def test_no_double_claim(self):
        rule_id, lead_ids, user_ids = self._committed_fixture()
        try:
            barrier = threading.Barrier(self.THREADS)
            won, errors = [], []
            threads = [
                threading.Thread(
                    target=self._worker,
                    args=(user_ids[i % 2], rule_id, barrier, won, errors),
                )
                for i in range(self.THREADS)
            ]
            with mute_logger("odoo.sql_db"):
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(120)
            self.assertFalse(errors, errors)
            won_ids = [lead_id for _uid, lead_id in won]
            # every lead won exactly once
            self.assertEqual(len(won_ids), len(set(won_ids)))
            self.assertEqual(sorted(won_ids), sorted(lead_ids))
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT l.id, l.user_id, count(g.id) FROM crm_lead l "
                    "LEFT JOIN crm_routing_log g "
                    "ON g.lead_id = l.id AND g.kind = 'claim' "
                    "WHERE l.id = ANY(%s) GROUP BY l.id, l.user_id",
                    [lead_ids],
                )
                rows = cr.fetchall()
            winner = {lead_id: uid for uid, lead_id in won}
            for lead_id, user_id, claims in rows:
                self.assertEqual(claims, 1)
                self.assertEqual(user_id, winner[lead_id])
            # the pool rule has no team: each lead got its claimer's default
            # team (crm's), in the claim's own transaction
            with self.registry.cursor() as cr:
                expected = {
                    uid: api.Environment(cr, uid, {})["crm.team"]
                    .sudo()
                    ._get_default_team_id(user_id=uid)
                    .id
                    for uid in user_ids
                }
                cr.execute(
                    "SELECT id, team_id FROM crm_lead WHERE id = ANY(%s)", [lead_ids]
                )
                teams = dict(cr.fetchall())
            self.assertTrue(any(expected.values()))
            for lead_id, uid in winner.items():
                self.assertEqual(teams[lead_id] or False, expected[uid] or False)
        finally:
            self._cleanup(rule_id, lead_ids)


@tagged("post_install", "-at_install")
class TestClaimCapacityRace(TransactionCase):
    """Issue 18, defect 1: twenty simultaneous claims (threads, own
    cursors, each claim its own transaction run by Odoo's ``retrying`` as a
    request is) for five assignees whose capacity is their load + 1: each
    gets exactly one more lead, whatever the interleaving."""

    USERS = 5
    CLAIMS_PER_USER = 4

    def _committed_fixture(self):
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT))
            users = env["res.users"]
            for i in range(self.USERS):
                users |= new_test_user(
                    env,
                    f"race_{tag}_{i}",
                    groups="sales_team.group_sale_salesman",
                    name=f"Racer {i}",
                )
            Lead = env["crm.lead"].with_context(routing_skip=True)
            now = fields.Datetime.now()
            held = Lead.create(
                [
                    {
                        "name": f"Held {tag} {i}",
                        "type": "lead",
                        "user_id": user.id,
                        "routing_state": "assigned",
                        "routing_date": now,
                    }
                    for i, user in enumerate(users)
                    for _n in range(i)
                ]
            )
            loads = {user.id: i for i, user in enumerate(users)}
            rule = env["crm.routing.rule"].create(
                {
                    "name": f"Race capacity {tag}",
                    "strategy": "pool",
                    "assignee_ids": [
                        (0, 0, {"user_id": uid, "capacity": load + 1})
                        for uid, load in loads.items()
                    ],
                }
            )
            pool = Lead.create(
                [
                    {
                        "name": f"Pool {tag} {i}",
                        "type": "lead",
                        "routing_state": "pool",
                        "routing_rule_id": rule.id,
                    }
                    for i in range(40)
                ]
            )
            return rule.id, (held | pool).ids, loads

    def _cleanup(self, rule_id, lead_ids, user_ids):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM crm_lead WHERE id = ANY(%s)", [lead_ids])
            cr.execute("DELETE FROM crm_routing_rule WHERE id = %s", [rule_id])
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["res.users"].browse(user_ids).write({"active": False})

    # every other claim runs inside a transaction that already has an id
    # (as after a write): in that transaction (REPEATABLE READ), the others
    # in their own (READ COMMITTED)
    MIXED = False

    def _worker(self, uid, barrier, outcomes, index=0):
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})

                def claim():
                    if self.MIXED and index % 2:
                        cr.execute("SELECT txid_current()")
                    own = env["crm.lead"]._claim_in_own_transaction()
                    assert own == (not self.MIXED or not index % 2), own
                    return env["crm.lead"].action_claim_next()

                barrier.wait()
                action = retrying(claim, env)
                # the claimed lead: opened after the confirmation
                opened = action.get("params", {}).get("next", action)
                outcomes.append((uid, "won", opened["res_id"]))
        except UserError as exc:
            outcomes.append((uid, "refused", str(exc)))
        except Exception as exc:  # reported to the main thread
            outcomes.append((uid, "error", repr(exc)))

    def test_capacity_holds_under_simultaneous_claims(self):
        rule_id, lead_ids, loads = self._committed_fixture()
        try:
            barrier = threading.Barrier(self.USERS * self.CLAIMS_PER_USER)
            outcomes = []
            threads = [
                threading.Thread(
                    target=self._worker, args=(uid, barrier, outcomes, index)
                )
                for uid in loads
                for index in range(self.CLAIMS_PER_USER)
            ]
            with mute_logger("odoo.sql_db", "odoo.service.model"):
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(120)
            errors = [o for o in outcomes if o[1] == "error"]
            self.assertFalse(errors, errors)
            self.assertEqual(len(outcomes), self.USERS * self.CLAIMS_PER_USER)
            wins = [o for o in outcomes if o[1] == "won"]
            # one claim per user wins, the others are told their capacity is full
            self.assertEqual(sorted(o[0] for o in wins), sorted(loads))
            self.assertEqual(len({o[2] for o in wins}), len(wins))
            for _uid, _kind, text in outcomes:
                if _kind == "refused":
                    self.assertIn("Your capacity is full", text)
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT user_id, count(*) FROM crm_lead "
                    "WHERE id = ANY(%s) AND user_id = ANY(%s) GROUP BY user_id",
                    [lead_ids, list(loads)],
                )
                held = dict(cr.fetchall())
            self.assertEqual(held, {uid: load + 1 for uid, load in loads.items()})
        finally:
            self._cleanup(rule_id, lead_ids, list(loads))


@tagged("post_install", "-at_install")
class TestClaimCapacityRaceMixed(TestClaimCapacityRace):
    """The same race with claims of both kinds at once: half of them in the
    caller's transaction (it already wrote), half in a transaction of their
    own. The claimer's lock serialises them all."""

    MIXED = True
