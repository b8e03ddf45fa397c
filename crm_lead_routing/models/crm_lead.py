# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading

import psycopg2
from psycopg2.extensions import (
    ISOLATION_LEVEL_READ_COMMITTED,
    TRANSACTION_STATUS_IDLE,
)

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..routing import Candidate, Decision, RoutingRun, period_start, pg_array
from ..routing.engine import CLAIM
from . import fast_write

_logger = logging.getLogger(__name__)

POLICY_PARAM = "crm_lead_routing.conflict_policy"
# batches up to this size are routed inline on create; larger ones are a
# queue job (an import of 100k rows must not hold the request for minutes)
INLINE_ROUTING_MAX = 1000
# a claim looks at this many pool leads at a time for one it can lock
CLAIM_BATCH = 20


class CrmLead(models.Model):
    _inherit = "crm.lead"

    lead_owner_id = fields.Many2one(
        "res.users",
        string="Lead Owner",
        index=True,
        tracking=True,
        help="Controls, distributes and recycles the lead (the routing rule's owner).",
    )
    routing_rule_id = fields.Many2one(
        "crm.routing.rule", string="Routing Rule", index=True, copy=False
    )
    routing_state = fields.Selection(
        [
            ("waiting", "Waiting"),
            ("pool", "In a pool"),
            ("assigned", "Assigned"),
            ("unrouted", "Not routed"),
        ],
        index=True,
        copy=False,
    )
    routing_date = fields.Datetime(copy=False, index=True)
    routing_explanation = fields.Text(copy=False, readonly=True)
    assignment_ids = fields.One2many(
        "crm.lead.assignment", "lead_id", string="Assignment History"
    )
    routing_log_ids = fields.One2many(
        "crm.routing.log", "lead_id", string="Routing Log"
    )
    executing_user_ids = fields.Many2many(
        "res.users",
        compute="_compute_executing_user_ids",
        string="Executing Salespeople",
    )
    is_claimable = fields.Boolean(
        compute="_compute_is_claimable", search="_search_is_claimable"
    )
    routing_access_granted = fields.Boolean(
        compute="_compute_routing_access_granted",
        search="_search_routing_access_granted",
        help="Technical: the current user holds an assignment on the lead and "
        "the conflict policy lets distribution grant access.",
    )

    def init(self):
        res = super().init()
        # a claim takes the pool's next lead by priority and age: read from
        # this index, not sorted out of the whole pool
        create_index(
            self.env.cr,
            "crm_lead_routing_pool_next_idx",
            self._table,
            ["routing_rule_id", "priority DESC", "id"],
            where="routing_state = 'pool' AND active",
        )
        return res

    # ---- COMPUTES

    @api.depends("assignment_ids.date_to", "assignment_ids.user_id")
    def _compute_executing_user_ids(self):
        for lead in self:
            lead.executing_user_ids = lead.assignment_ids.filtered(
                lambda a: not a.date_to and a.role == "executing"
            ).user_id

    def _pool_rule_ids_of_user(self):
        self.env.cr.execute(
            SQL(
                "SELECT a.rule_id FROM crm_routing_assignee a "
                "JOIN crm_routing_rule r ON r.id = a.rule_id "
                "WHERE a.user_id = %s AND a.active AND r.active "
                "AND r.strategy = 'pool'",
                self.env.uid,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _compute_is_claimable(self):
        rule_ids = set(self._pool_rule_ids_of_user())
        for lead in self:
            lead.is_claimable = (
                lead.routing_state == "pool" and lead.routing_rule_id.id in rule_ids
            )

    def _search_is_claimable(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'claimable'."))
        domain = [
            ("routing_state", "=", "pool"),
            ("routing_rule_id", "in", self._pool_rule_ids_of_user()),
        ]
        return domain if (operator == "=") == value else ["!", *domain]

    def _compute_routing_access_granted(self):
        granted = set(
            self.search(
                [("id", "in", self.ids), ("routing_access_granted", "=", True)]
            ).ids
        )
        for lead in self:
            lead.routing_access_granted = lead.id in granted

    def _search_routing_access_granted(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'access granted'."))
        policy = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(POLICY_PARAM, "restrictive")
        )
        if policy != "grant":
            domain = [("id", "=", 0)]
        else:
            domain = [
                (
                    "assignment_ids",
                    "any",
                    [("user_id", "=", self.env.uid), ("date_to", "=", False)],
                )
            ]
        return domain if (operator == "=") == value else ["!", *domain]

    # ---- ORM: ROUTING ON CREATE

    @api.model_create_multi
    def create(self, vals_list):
        """Route the new leads that come without an explicit salesperson or
        sales team (web forms, imports, RPC, portal answers): the rules replace
        Odoo's default salesperson; a lead no rule takes keeps it and is
        reported as not routed. A lead created for a given team or person is
        left to them, as Odoo's own assignment leaves it."""
        routable = not self.env.context.get("routing_skip")
        to_route = []
        if routable:
            for index, vals in enumerate(vals_list):
                if not ({"user_id", "team_id", "routing_state"} & vals.keys()):
                    vals["routing_state"] = "waiting"
                    to_route.append(index)
        leads = super().create(vals_list)
        if to_route:
            leads.browse([leads[i].id for i in to_route])._route_on_create()
        return leads

    def _route_on_create(self):
        """Route new leads: inline for a normal batch; a large one as a
        queue job (``with_delay``: queue_job runs it, or in a test traps
        it). The leads wait meanwhile (``routing_state`` "waiting", the
        "Waiting for routing" filter), and the scheduled action routes any
        the job has not reached."""
        Rule = self.env["crm.routing.rule"].sudo()
        if len(self) > INLINE_ROUTING_MAX:
            Rule.with_delay(
                description=self.env._("Route %(count)s new leads", count=len(self)),
            )._route_waiting_leads(self.ids)
            return
        Rule._route_leads(self.ids)

    # ---- ROUTING: CLAIMS

    def _lock_claimer(self, rule_id=None):
        """Serialise the claims of the current user and read their pool
        lines: their assignee rows are rewritten (a no-op update) inside the
        claim's transaction. A second claim of the same user waits for the
        first. In a claim's own READ COMMITTED transaction it then counts
        the load afresh (a later statement), the first claim's lead
        included; in a REPEATABLE READ one (a claim inside a caller's
        transaction) it fails with a serialisation error and is retried
        (Odoo's ``retrying``) on a fresh snapshot. Either way the capacity
        holds under any interleaving, claims of both kinds mixed.

        :param rule_id: only this pool rule
        :return: ``[(rule_id, capacity or None, capacity period, rule
            name, user's name, rule's team, rule's owner, user's sales team
            memberships)]`` of the user's active lines on active pool rules
        """
        self.env.cr.execute(
            SQL(
                """
                WITH locked AS (
                    UPDATE crm_routing_assignee a SET user_id = a.user_id
                      FROM (SELECT id FROM crm_routing_assignee
                             WHERE user_id = %(uid)s ORDER BY id FOR UPDATE) l
                     WHERE a.id = l.id
                 RETURNING a.rule_id, a.capacity, a.active)
                SELECT r.id, NULLIF(locked.capacity, 0), r.capacity_period,
                       COALESCE(r.name->>%(lang)s, r.name->>'en_US'), p.name,
                       r.team_id, r.user_id,
                       (SELECT array_agg(m.crm_team_id ORDER BY m.crm_team_id)
                          FROM crm_team_member m
                         WHERE m.user_id = %(uid)s AND m.active)
                  FROM locked JOIN crm_routing_rule r ON r.id = locked.rule_id
                  JOIN res_users u ON u.id = %(uid)s
                  JOIN res_partner p ON p.id = u.partner_id
                 WHERE locked.active AND r.active AND r.strategy = 'pool' %(only)s
                 ORDER BY r.sequence, r.id
                """,
                uid=self.env.uid,
                lang=self.env.lang or "en_US",
                only=SQL("AND r.id = %s", rule_id) if rule_id else SQL(""),
            )
        )
        return self.env.cr.fetchall()

    def _pool_lead_sql(
        self, rule_ids, lead_id=None, tried=(), limit=1, lock=False, columns=()
    ):
        """The next leads of the pools by priority and age (or ``lead_id``
        if it is in one), optionally locked (``FOR UPDATE SKIP LOCKED``: a
        lead another claim holds is passed over), with ``columns`` after
        the six the claim reads.

        One pool is compared by equality: the pool index (rule, priority,
        id) then gives its leads in order and the statement stops at the
        first one it can lock. A list of pools (``= ANY``) has PostgreSQL
        read and sort every lead of those pools (10,000 leads: about 10 ms
        a claim)."""
        rule_ids = list(rule_ids)
        return SQL(
            "SELECT id, routing_rule_id, user_id, date_open, lead_owner_id, name%s "
            "FROM crm_lead "
            "WHERE active AND routing_state = 'pool' AND %s "
            "AND NOT id = ANY(%s::int[]) %s "
            "ORDER BY priority DESC, id LIMIT %s %s",
            SQL("").join(SQL(", %s", SQL.identifier(name)) for name in columns),
            SQL("routing_rule_id = %s", rule_ids[0])
            if len(rule_ids) == 1
            else SQL("routing_rule_id = ANY(%s)", rule_ids),
            pg_array(tried),
            SQL("AND id = %s", lead_id) if lead_id else SQL(""),
            limit,
            SQL("FOR UPDATE SKIP LOCKED") if lock else SQL(""),
        )

    def _pick_pool_lead(self, rule_ids, lead_id=None, read_committed=False, columns=()):
        """Lock the next lead of the pools (or ``lead_id``): ``(lead_id,
        rule_id, salesperson, date_open, owner, name)`` or None; in READ
        COMMITTED followed by the lead's ``columns``.

        In READ COMMITTED (a claim's own transaction) one statement does it:
        a lead another claim holds is skipped, one won since the statement
        began is re-checked and passed over. In REPEATABLE READ a lead won
        after the transaction began fails to lock (serialisation error):
        that attempt is rolled back to its savepoint and the next lead is
        tried, instead of retrying the whole claim."""
        cr = self.env.cr
        if read_committed:
            if len(rule_ids) > 1 or lead_id:
                cr.execute(
                    self._pool_lead_sql(rule_ids, lead_id, lock=True, columns=columns)
                )
                return cr.fetchone()
            # the pool index gives one pool's leads in order, but after a run
            # pooled many leads at once the statistics still count none in a
            # pool: the planner then takes the routing_state index and sorts
            # the whole pool (10,000 leads: 10-20 ms a claim). Sorting is
            # turned off (sent with the statement), and JIT with it (a
            # disabled sort's cost would start it: 40 ms), until the end of
            # the claim's own short transaction: its other statements read
            # and write a few rows by id, or sort a few rows of small tables
            # (stages), which PostgreSQL still does when sorting is off.
            cr.execute(
                SQL(
                    "SET LOCAL enable_sort = off; SET LOCAL jit = off; %s",
                    self._pool_lead_sql(rule_ids, lead_id, lock=True, columns=columns),
                )
            )
            return cr.fetchone()
        tried = []
        while True:
            cr.execute(self._pool_lead_sql(rule_ids, lead_id, tried, CLAIM_BATCH))
            candidates = [row[0] for row in cr.fetchall()]
            if not candidates:
                return None
            for candidate in candidates:
                tried.append(candidate)
                try:
                    with cr.savepoint(flush=False):
                        cr.execute(
                            SQL(
                                "SELECT id, routing_rule_id, user_id, date_open, "
                                "lead_owner_id, name FROM crm_lead "
                                "WHERE id = %s AND routing_state = 'pool' "
                                "FOR UPDATE SKIP LOCKED",
                                candidate,
                            ),
                            log_exceptions=False,
                        )
                        row = cr.fetchone()
                except psycopg2.errors.SerializationFailure:
                    continue
                if row:
                    return row

    def _claim_in_own_transaction(self):
        """Whether a claim runs in a short transaction of its own (READ
        COMMITTED, committed at once), as the call queue takes a call: not
        when the caller's transaction already wrote or locked rows (the
        claim could wait for them: it runs in the caller's transaction
        then), nor in tests (other cursors cannot see a test's data)."""
        if (
            getattr(threading.current_thread(), "testing", False)
            or self.env.registry.in_test_mode()
        ):
            return False
        # no transaction open on the caller's connection: nothing written
        if self.env.cr.connection.info.transaction_status == TRANSACTION_STATUS_IDLE:
            return True
        self.env.cr.execute("SELECT txid_current_if_assigned() IS NULL")
        return self.env.cr.fetchone()[0]

    @api.model
    def _claim(self, rule=None, lead=None):
        """Claim the next lead of a pool (or the given one) for the current
        user. Row locks make two simultaneous claims never win the same
        lead; the user's claims are serialised so that their capacity holds.

        The claim runs in a transaction of its own when it can
        (:meth:`_claim_in_own_transaction`): its locks are held for a few
        milliseconds, and it never meets a lead won since the caller's
        snapshot was taken. Its result is committed when this returns.

        :param rule: a pool rule (default: every pool rule of the user)
        :param lead: a chosen lead (default: the next one by priority, age)
        :return: the claimed lead, or an empty recordset when none is left
        :raise UserError: when the user's capacity is full
        """
        return self._claim_lead(rule, lead)[0]

    @api.model
    def _claim_lead(self, rule=None, lead=None):
        """:meth:`_claim`, and the claimed lead's name as its lock read it
        (the confirmation needs no statement of its own): ``(lead, name)``,
        ``(empty recordset, None)`` when none is left."""
        self.env.flush_all()
        rule_id, lead_id = rule.id if rule else None, lead.id if lead else None
        if self._claim_in_own_transaction():
            with self.env.registry.cursor() as cr:
                # as Odoo's cursor sets its level: sent with the BEGIN of the
                # transaction's first statement (no statement of its own);
                # the next borrower of the connection sets its own again
                cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                won = self.with_env(self.env(cr=cr))._claim_on_cursor(
                    rule_id, lead_id, read_committed=True
                )
            # committed: what the caller's cache holds of the lead is stale
            self.env.invalidate_all()
        else:
            won = self._claim_on_cursor(rule_id, lead_id)
        return (self.browse(won[0]), won[1]) if won else (self.browse(), None)

    def _claim_on_cursor(self, rule_id=None, lead_id=None, read_committed=False):
        """The claim on this environment's cursor: lock the claimer, check
        their room in each pool (the routing run's capacity rule), lock the
        lead, apply the decision.

        :param read_committed: the cursor is the claim's own (new) one
        :return: ``(claimed lead's id, its name)``, or None
        :raise UserError: when the user's capacity is full
        """
        Rule = self.env["crm.routing.rule"].sudo()
        uid = self.env.uid
        lines = self._lock_claimer(rule_id)
        if not lines:
            return None
        now = fields.Datetime.now()
        starts = {rid: period_start(now, period) for rid, _c, period, *_n in lines}
        counts = Rule._count_loads([uid], starts.values())
        run = RoutingRun(
            candidates={rid: [Candidate(uid, capacity=cap)] for rid, cap, *_r in lines},
            loads={(rid, uid): counts[uid, starts[rid]] for rid in starts},
        )
        open_rules = [rid for rid, *_r in lines if run.has_room(rid, uid)]
        if not open_rules:
            raise UserError(
                self.env._("Your capacity is full: finish some leads first.")
            )
        # the columns crm's computes read come with the lead's lock
        columns = fast_write.claim_columns(self) if read_committed else ()
        row = self._pick_pool_lead(open_rules, lead_id, read_committed, columns)
        if not row:
            return None
        won, won_rule_id, previous, date_open, owner, name = row[:6]
        fast_write.put_in_cache(self.sudo().browse(won), columns, row[6:])
        text = self.env._(
            "Claimed by %(user)s from the pool of '%(rule)s'.",
            user=lines[0][4],
            rule={rid: name for rid, _c, _p, name, *_r in lines}[won_rule_id],
        )
        run.decide(won, Decision(CLAIM, won_rule_id, uid, text))
        if read_committed:
            # the claim's own transaction is all or nothing already
            self.sudo().browse(won)._apply_routing_decisions(
                run.decisions,
                assigned_by=self.env.user,
                previous={won: previous} if previous else {},
                current={won: (date_open, owner)},
                rule_values=self._claim_rule_values(lines, won_rule_id),
            )
        else:
            Rule._apply_run(run, assigned_by=self.env.user)
        return won, name

    def _claim_rule_values(self, lines, rule_id):
        """``{rule_id: (team, owner)}`` of the won pool, for the routing
        writes: the rule's team, else the claimer's default team (from the
        memberships the lock read: no query of its own), as routing's own
        (sudo) environment gets it."""
        team, owner, memberships = next(
            line[5:8] for line in lines if line[0] == rule_id
        )
        if not team:
            team = (
                self.env["crm.team"]
                .sudo()
                ._routing_default_team_id(self.env.uid, tuple(memberships or ()))
            )
        return {rule_id: (team or False, owner or False)}

    def _claimed_notification(self, next_action, name=None):
        """The confirmation of a claim of this lead.

        :param name: the lead's name read with its lock: it is the display
            name when crm.lead's display name is Odoo's own (its name)
        """
        if not (
            name
            and self._rec_name == "name"
            and type(self)._compute_display_name
            is models.BaseModel._compute_display_name
        ):
            # the lead is the user's now; a claim committed in its own
            # transaction is not visible to the caller's older snapshot,
            # where the record rules still see a pool lead: its name is read
            # as sudo, alone (not the lead's hundred other columns)
            name = self.sudo().with_context(prefetch_fields=False).display_name
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "You claimed the lead %(lead)s: it is yours now.",
                    lead=name,
                ),
                "next": next_action,
            },
        }

    def action_claim(self):
        """Claim this lead from its pool; confirms it with a notification."""
        self.ensure_one()
        lead, name = self._claim_lead(lead=self)
        if not lead:
            raise UserError(
                self.env._("This lead is no longer in a pool you can claim from.")
            )
        return lead._claimed_notification(
            {"type": "ir.actions.client", "tag": "soft_reload"}, name
        )

    @api.model
    def action_claim_next(self):
        """Claim the next lead of the user's pools, confirm it and open it."""
        lead, name = self._claim_lead()
        if not lead:
            raise UserError(self.env._("No lead is waiting in your pools."))
        return lead._open_claimed(name)

    def _open_claimed(self, name=None):
        return self._claimed_notification(
            {
                "type": "ir.actions.act_window",
                "res_model": "crm.lead",
                "res_id": self.id,
                "view_mode": "form",
                "views": [(False, "form")],
            },
            name,
        )

    def action_route(self):
        """Route the selected leads now (unassigned or not)."""
        stats = self.env["crm.routing.rule"].sudo()._route_leads(self.ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(routed)s routed, %(pooled)s to a pool, %(waiting)s waiting, "
                    "%(fallback)s to the fallback, %(unrouted)s not routed.",
                    **{
                        k: stats[k]
                        for k in ("routed", "pooled", "waiting", "fallback", "unrouted")
                    },
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ---- ROUTING: RECYCLING

    def _recycle_expired_leads(self):
        """Leads past their rule's SLA without activity: to the next
        assignee or back to the pool, logged, previous assignee told.

        :return: recycled leads
        """
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.routing_rule_id, l.user_id
                FROM crm_lead l JOIN crm_routing_rule r ON r.id = l.routing_rule_id
                WHERE l.active AND l.routing_state = 'assigned'
                  AND r.active AND r.recycle
                  AND l.probability < 100 AND l.user_id IS NOT NULL
                  AND l.routing_date + r.sla_hours * interval '1 hour' < %(now)s
                  AND NOT EXISTS (
                      SELECT 1 FROM mail_activity a
                      WHERE a.res_model = 'crm.lead' AND a.res_id = l.id)
                  AND NOT EXISTS (
                      SELECT 1 FROM mail_message m
                      WHERE m.model = 'crm.lead' AND m.res_id = l.id
                        AND m.message_type = 'comment'
                        AND m.create_date >= l.routing_date)
                  AND (l.date_last_stage_update IS NULL
                       OR l.date_last_stage_update <= l.routing_date)
                ORDER BY l.id
                """,
                now=now,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return self.browse()
        Rule = self.env["crm.routing.rule"].sudo()
        by_rule = {}
        for lead_id, rule_id, user_id in rows:
            by_rule.setdefault(rule_id, []).append((lead_id, user_id))
        rules = Rule.browse(list(by_rule))
        run = rules._prepare_run()
        for rule in rules:
            rule._decide_recycle(run, by_rule[rule.id])
        Rule._apply_run(run)
        recycled = self.browse(list(run.decisions))
        previous_by_lead = {lead_id: user_id for lead_id, _r, user_id in rows}
        partners = self.env["res.users"].sudo().browse(set(previous_by_lead.values()))
        partner_of = {user.id: user.partner_id.id for user in partners}
        for lead in recycled.sudo():
            lead.message_post(
                body=run.decisions[lead.id].explanation,
                partner_ids=[partner_of[previous_by_lead[lead.id]]],
                subtype_xmlid="mail.mt_note",
            )
        return recycled
