# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..routing import allocate, pg_array
from .crm_routing_rule import ROUTING_CONTEXT

_logger = logging.getLogger(__name__)

POLICY_PARAM = "crm_lead_routing.conflict_policy"
FALLBACK_TEAM_PARAM = "crm_lead_routing.fallback_team_id"
# batches up to this size are routed inline on create; larger ones go to
# queue_job when it is installed (an import of 100k rows must not hold the
# request for minutes)
INLINE_ROUTING_MAX = 1000


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
        queue job when queue_job's runner runs. The leads wait meanwhile
        (``routing_state`` "waiting", the "Waiting for routing" filter), and
        the scheduled action routes any the job has not reached."""
        Rule = self.env["crm.routing.rule"].sudo()
        if len(self) > INLINE_ROUTING_MAX and Rule._routing_uses_queue():
            Rule.with_delay(
                description=self.env._("Route %(count)s new leads", count=len(self)),
            )._route_waiting_leads(self.ids)
            return
        Rule._route_leads(self.ids)

    # ---- ORM: KEEP THE EFFORT

    def _get_leads_with_effort(self):
        """Leads with logged work: a note or message written on them, or a
        done activity. Planned activities and meetings are not work done yet:
        such a lead is deleted as in Odoo (its meetings are detached).

        :return: set of ids
        """
        if not self.ids:
            return set()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT res_id FROM mail_message WHERE model = 'crm.lead' "
                "AND res_id = ANY(%(ids)s) AND (message_type = 'comment' "
                "OR mail_activity_type_id IS NOT NULL)",
                ids=self.ids,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def unlink(self):
        keep = self._get_leads_with_effort() | set(
            self.env.context.get("routing_keep_lead_ids", ())
        )
        kept = self.filtered(lambda lead: lead.id in keep)
        if kept:
            kept.with_context(routing_no_scope=True).write({"active": False})
            _logger.info("archived instead of deleted (logged work): %s", kept.ids)
        rest = self - kept
        return super(CrmLead, rest).unlink() if rest else True

    def _merge_opportunity(
        self, user_id=False, team_id=False, auto_unlink=True, max_length=5
    ):
        # the merge moves messages and activities to the head first: note
        # now which leads had work so that the tail ones are archived
        keep = self._get_leads_with_effort()
        return super(
            CrmLead, self.with_context(routing_keep_lead_ids=list(keep))
        )._merge_opportunity(
            user_id=user_id,
            team_id=team_id,
            auto_unlink=auto_unlink,
            max_length=max_length,
        )

    # ---- ROUTING: WRITES

    @api.model
    def _group_routing_decisions(self, decisions):
        """``{(state, rule_id, user_id): [lead ids]}`` for grouped writes."""
        groups = {}
        for lead_id, (kind, rule_id, user_id, _text) in decisions.items():
            if user_id:
                state = "assigned"
            elif kind in ("pool", "fallback", "recycle"):
                state = "pool"
            elif kind == "unrouted":
                state = "unrouted"
            else:
                state = "waiting"
            groups.setdefault((state, rule_id, user_id), []).append(lead_id)
        return groups

    def _apply_routing_decisions(self, decisions, assigned_by=None):
        """Write routing decisions set-wise.

        One statement for the assignments (the bulk of a run), one ORM write
        per other (state, rule) group, then one statement each for the other
        explanations, the assignment history and the log.

        :param decisions: ``{lead_id: (kind, rule_id, user_id, explanation)}``
        :param assigned_by: user who decided (claims, bulk reassignment)
        """
        if not decisions:
            return
        now = fields.Datetime.now()
        leads = self.sudo().with_context(**ROUTING_CONTEXT, routing_no_scope=True)
        self.env.cr.execute(
            SQL(
                "SELECT id, user_id FROM crm_lead "
                "WHERE id = ANY(%s::int[]) AND user_id IS NOT NULL",
                pg_array(decisions),
            )
        )
        previous = dict(self.env.cr.fetchall())
        assigned_rows, explained = leads._write_routing_groups(decisions, previous, now)
        self.env.flush_all()
        ids = list(decisions)
        texts = [decisions[i][3] for i in ids]
        cr = self.env.cr
        if assigned_rows:
            leads.browse(list(assigned_rows))._write_routing_assignments(
                assigned_rows, {i: decisions[i][3] for i in assigned_rows}, now
            )
        others = [i for i in ids if i not in assigned_rows and i not in explained]
        if others:
            cr.execute(
                SQL(
                    "UPDATE crm_lead l SET routing_explanation = d.text "
                    "FROM unnest(%s::int[], %s::text[]) AS d(id, text) "
                    "WHERE l.id = d.id",
                    pg_array(others),
                    pg_array(decisions[i][3] for i in others),
                )
            )
        moved = [i for i in ids if decisions[i][0] not in ("waiting", "unrouted")]
        if moved:
            cr.execute(
                SQL(
                    "UPDATE crm_lead_assignment SET date_to = %s "
                    "WHERE lead_id = ANY(%s::int[]) AND date_to IS NULL",
                    now,
                    pg_array(moved),
                )
            )
            rows = [
                (i, decisions[i][1], decisions[i][2]) for i in moved if decisions[i][2]
            ]
            if rows:
                reason_of = {i: decisions[i][0] for i in moved}
                cr.execute(
                    SQL(
                        """
                        INSERT INTO crm_lead_assignment (
                            lead_id, user_id, role, scope_contact, scope_company,
                            scope_requirement, date_from, rule_id, assigned_by_id,
                            reason, create_uid, write_uid, create_date, write_date)
                        SELECT d.lead_id, d.user_id, 'executing',
                               coalesce(a.scope_contact, 'edit'),
                               coalesce(a.scope_company, 'edit'),
                               coalesce(a.scope_requirement, 'edit'),
                               %(now)s, d.rule_id, %(by)s::int, d.reason,
                               %(uid)s, %(uid)s, %(now)s, %(now)s
                        FROM unnest(%(leads)s::int[], %(rules)s::int[],
                                    %(users)s::int[],
                                    %(reasons)s::text[])
                             AS d(lead_id, rule_id, user_id, reason)
                        LEFT JOIN crm_routing_assignee a
                               ON a.rule_id = d.rule_id AND a.user_id = d.user_id
                        UNION ALL
                        SELECT d.lead_id, r.user_id, 'owner', 'edit', 'edit', 'edit',
                               %(now)s, d.rule_id, %(by)s::int, d.reason,
                               %(uid)s, %(uid)s, %(now)s, %(now)s
                        FROM unnest(%(leads)s::int[], %(rules)s::int[],
                                    %(users)s::int[],
                                    %(reasons)s::text[])
                             AS d(lead_id, rule_id, user_id, reason)
                        JOIN crm_routing_rule r ON r.id = d.rule_id
                        WHERE r.user_id IS NOT NULL
                        """,
                        now=now,
                        by=assigned_by.id if assigned_by else None,
                        uid=self.env.uid,
                        leads=pg_array(r[0] for r in rows),
                        rules=pg_array(r[1] or None for r in rows),
                        users=pg_array(r[2] for r in rows),
                        reasons=pg_array(reason_of[r[0]] for r in rows),
                    )
                )
        cr.execute(
            SQL(
                """
                INSERT INTO crm_routing_log (
                    lead_id, rule_id, user_id, previous_user_id, kind, explanation,
                    company_id, create_uid, write_uid, create_date, write_date)
                SELECT d.lead_id, d.rule_id, d.user_id, d.previous_user_id, d.kind,
                       d.explanation, l.company_id, %(uid)s, %(uid)s, %(now)s, %(now)s
                FROM unnest(%(leads)s::int[], %(rules)s::int[], %(users)s::int[],
                            %(previous)s::int[], %(kinds)s::text[], %(texts)s::text[])
                     AS d(lead_id, rule_id, user_id, previous_user_id, kind,
                          explanation)
                JOIN crm_lead l ON l.id = d.lead_id
                """,
                uid=self.env.uid,
                now=now,
                leads=pg_array(ids),
                rules=pg_array(decisions[i][1] or None for i in ids),
                users=pg_array(decisions[i][2] or None for i in ids),
                previous=pg_array(previous.get(i) for i in ids),
                kinds=pg_array(decisions[i][0] for i in ids),
                texts=pg_array(texts),
            )
        )
        self.env["crm.lead"].invalidate_model(
            ["routing_explanation", "assignment_ids", "routing_log_ids"]
        )
        self.env["crm.lead.assignment"].invalidate_model()
        self.env["crm.routing.log"].invalidate_model()

    def _write_routing_groups(self, decisions, previous, now):
        """Write the decisions: the assignments are only collected (written
        in one statement by the caller), the other states, a handful of
        groups, through the ORM, with their explanation when the whole group
        shares it (a fallback pool, the unrouted leads).

        :return: ``({lead_id: (user_id, team_id, rule_id, owner_id,
            user_changed)}`` of the assignments, ids of the leads whose
            explanation is written)
        """
        Rule = self.env["crm.routing.rule"].sudo()
        fallback_team = int(
            self.env["ir.config_parameter"].sudo().get_param(FALLBACK_TEAM_PARAM, 0)
            or 0
        )
        groups = self._group_routing_decisions(decisions)
        teams = {}
        # assignments (the bulk of a run) are written in one statement below;
        # the other states, a handful of groups, through the ORM
        assigned_rows = {}
        explained = set()
        for (state, rule_id, user_id), lead_ids in groups.items():
            rule = Rule.browse(rule_id)
            vals = {"routing_state": state, "routing_rule_id": rule_id or False}
            if state != "assigned":
                texts = {decisions[i][3] for i in lead_ids}
                if len(texts) == 1:
                    vals["routing_explanation"] = texts.pop()
                    explained.update(lead_ids)
            if state == "assigned":
                if user_id not in teams:
                    teams[user_id] = (
                        rule.team_id.id
                        or self.env["crm.team"]._get_default_team_id(user_id=user_id).id
                    )
                # as crm's write: date_open is reset for the whole group when
                # the salesperson of one of its leads changes
                user_changed = any(previous.get(i) != user_id for i in lead_ids)
                for lead_id in lead_ids:
                    assigned_rows[lead_id] = (
                        user_id,
                        rule.team_id.id or teams[user_id] or None,
                        rule_id or None,
                        rule.user_id.id or None,
                        user_changed,
                    )
                continue
            if state == "pool":
                vals.update(user_id=False, routing_date=now)
                if rule.team_id:
                    vals["team_id"] = rule.team_id.id
                if rule.user_id:
                    vals["lead_owner_id"] = rule.user_id.id
            elif state == "unrouted":
                self.browse(lead_ids)._write_unrouted(vals, fallback_team)
                continue
            elif state == "waiting":
                # waits unassigned for the next run (the cron picks these)
                vals["user_id"] = False
            self.browse(lead_ids).write(vals)
        return assigned_rows, explained

    def _write_unrouted(self, vals, fallback_team):
        """Mark leads no rule took. OdooBot (the creator of web-form and demo
        leads) is no salesperson: such leads wait unassigned. The fallback
        team takes the leads of its company (or of none). A lead keeps the
        company it has: clearing the bot or setting the team must not let
        crm recompute it."""
        team = self.env["crm.team"].sudo().browse(fallback_team)
        for company in self.company_id | self.env["res.company"]:
            leads = self.filtered(lambda lead, c=company: lead.company_id == c)
            if not leads:
                continue
            group_vals = dict(vals, company_id=company.id or False)
            if team and not (
                team.company_id and company and company != team.company_id
            ):
                group_vals["team_id"] = team.id
            bots = leads.filtered(lambda lead: lead.user_id.id == SUPERUSER_ID)
            if bots:
                bots.write(dict(group_vals, user_id=False))
            if leads - bots:
                (leads - bots).write(group_vals)

    def _write_routing_assignments(self, rows, texts, now):
        """Give these leads their salesperson with what crm's ``write`` does
        on a salesperson change that matters: ``date_open``, the fields
        computed from the salesperson and the team (company, probabilities,
        stage) recomputed by the ORM's own compute methods, the company
        consistency check. No follower is added and nothing is tracked:
        routing writes with ``tracking_disable`` (see ROUTING_CONTEXT).

        The new values are put in the cache, the ORM recomputes what depends
        on them there (only the values that really change become dirty), and
        one UPDATE writes the routing fields and the recomputed ones together:
        each lead row is rewritten once, not once for routing and once more
        for the ORM's flush (every rewrite updates all of crm_lead's indexes,
        trigram ones included).

        :param rows: ``{lead_id: (user_id, team_id, rule_id, owner_id,
            user_changed)}``; ``owner_id`` None keeps the lead's owner
        :param texts: ``{lead_id: explanation}``
        """
        ids = list(rows)
        self.env.flush_all()
        Lead = self.env["crm.lead"]
        leads = self.browse(ids)
        cr = self.env.cr
        # crm's write and compute use the transaction's time
        opened = cr.now()
        cr.execute(
            SQL(
                "SELECT id, date_open, lead_owner_id FROM crm_lead "
                "WHERE id = ANY(%s::int[])",
                pg_array(ids),
            )
        )
        old = {row[0]: row[1:] for row in cr.fetchall()}
        values = {
            "user_id": [rows[i][0] for i in ids],
            "team_id": [rows[i][1] for i in ids],
            "routing_state": ["assigned"] * len(ids),
            "routing_rule_id": [rows[i][2] for i in ids],
            "routing_date": [now] * len(ids),
            "lead_owner_id": [rows[i][3] or old[i][1] for i in ids],
            # as crm's write: reset when the salesperson changes, else kept
            "date_open": [opened if rows[i][4] else (old[i][0] or opened) for i in ids],
            "routing_explanation": [texts[i] for i in ids],
        }
        cache = self.env.cache
        # team and date_open are given, as in write(vals): not recomputed
        protected = [Lead._fields["team_id"], Lead._fields["date_open"]]
        with self.env.protecting(protected, leads):
            # what depends on the old values (as write() does before writing)
            leads.modified(list(values), before=True)
            for fname, column in values.items():
                cache.update(leads, Lead._fields[fname], column, dirty=True)
            leads.modified(list(values))
        # the ORM's computes, on the cache
        self.env._recompute_all()
        self._flush_routing_sql()
        self.env.flush_all()
        self._check_routing_company(ids)

    @api.model
    def _routing_flushable(self, field):
        """Whether a dirty field of crm.lead is written by
        :meth:`_flush_routing_sql` (a plain column) or left to the ORM."""
        return bool(
            field.store
            and field.column_type
            and field.column_type[0] != "jsonb"
            and not field.translate
            and not field.company_dependent
            and field not in self.pool.field_depends_context
            and field.name not in ("id", "write_uid", "write_date")
        )

    def _flush_routing_sql(self):
        """Write the dirty plain columns of crm.lead in one UPDATE (what the
        ORM's flush writes, converted by the fields' own conversions; values
        equal for many leads are converted once), with write_uid and
        write_date as the ORM sets them. Other dirty fields stay for the
        ORM's flush."""
        Lead = self.env["crm.lead"]
        cache = self.env.cache
        dirty_fields = [
            field
            for field in list(cache.get_dirty_fields())
            if field.model_name == "crm.lead" and self._routing_flushable(field)
        ]
        if not dirty_fields:
            return
        dirty = {field: set(cache.clear_dirty_field(field)) for field in dirty_fields}
        all_ids = sorted(set().union(*dirty.values()))
        currencies = {}

        def currency_of(field, lead_id):
            fname = field.get_currency_field(Lead)
            if (fname, lead_id) not in currencies:
                currency = Lead.browse(lead_id)[fname]
                currencies[fname, lead_id] = currency.id
            return currencies[fname, lead_id]

        columns = [SQL("%s::int[]", pg_array(all_ids))]
        names = [SQL("id")]
        assignments = []
        for index, (field, field_ids) in enumerate(dirty.items()):
            field_cache = cache._get_field_cache(Lead, field)
            converted = {}
            column = []
            for lead_id in all_ids:
                if lead_id not in field_ids:
                    column.append(None)
                    continue
                value = field_cache[lead_id]
                key = (
                    (value, currency_of(field, lead_id))
                    if field.type == "monetary"
                    else value
                )
                try:
                    column.append(converted[key])
                except KeyError:
                    converted[key] = field.convert_to_column_update(
                        value, Lead.browse(lead_id)
                    )
                    column.append(converted[key])
                except TypeError:  # unhashable value: no memo
                    column.append(
                        field.convert_to_column_update(value, Lead.browse(lead_id))
                    )
            value_name = f"v{index}"
            columns.append(SQL(f"%s::{field.column_type[1]}[]", pg_array(column)))
            names.append(SQL.identifier(value_name))
            expr = SQL("d.%s", SQL.identifier(value_name))
            if len(field_ids) != len(all_ids):
                mask_name = f"m{index}"
                columns.append(
                    SQL("%s::bool[]", pg_array(i in field_ids for i in all_ids))
                )
                names.append(SQL.identifier(mask_name))
                expr = SQL(
                    "CASE WHEN d.%s THEN %s ELSE l.%s END",
                    SQL.identifier(mask_name),
                    expr,
                    SQL.identifier(field.name),
                )
            assignments.append(SQL("%s = %s", SQL.identifier(field.name), expr))
        self.env.cr.execute(
            SQL(
                "UPDATE crm_lead l SET %s, write_uid = %s, write_date = %s "
                "FROM unnest(%s) AS d(%s) WHERE l.id = d.id",
                SQL(", ").join(assignments),
                self.env.uid,
                self.env.cr.now(),
                SQL(", ").join(columns),
                SQL(", ").join(names),
            )
        )
        Lead.browse(all_ids).invalidate_recordset(["write_uid", "write_date"])

    def _check_routing_company(self, ids):
        """crm's company consistency check (what ``write`` runs,
        ``_check_company``) on the assigned leads, once per distinct
        combination of company and checked values: the check is a function
        of those values only, so one lead of each combination gives the
        same verdict as all of them."""
        Lead = self.env["crm.lead"]
        checked = [
            field
            for field in Lead._fields.values()
            if field.relational and field.check_company
        ]
        if not Lead._check_company_auto or not checked:
            return
        if any(
            field.type != "many2one" or not field.store or field.company_dependent
            for field in checked
        ):
            self.browse(ids)._check_company()
            return
        columns = SQL(", ").join(
            SQL.identifier(name) for name in ["company_id"] + [f.name for f in checked]
        )
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT ON (%(columns)s) id FROM crm_lead "
                "WHERE id = ANY(%(ids)s::int[]) ORDER BY %(columns)s, id",
                columns=columns,
                ids=pg_array(ids),
            )
        )
        self.browse([row[0] for row in self.env.cr.fetchall()])._check_company()

    # ---- ROUTING: CLAIMS

    @api.model
    def _claim(self, rule=None, lead=None):
        """Claim the next lead of a pool (or the given one) for the current
        user. Row locks (``FOR UPDATE SKIP LOCKED``) make two simultaneous
        claims never win the same lead; the user's capacity is respected.

        :param rule: a pool rule (default: every pool rule of the user)
        :param lead: a chosen lead (default: the next one by priority, age)
        :return: the claimed lead, or an empty recordset when none is left
        :raise UserError: when the user's capacity is full
        """
        Rule = self.env["crm.routing.rule"].sudo()
        rule_ids = self._pool_rule_ids_of_user()
        if rule:
            rule_ids = [rid for rid in rule_ids if rid == rule.id]
        rules = Rule.browse(rule_ids)
        loads = rules._get_loads()
        open_rules = []
        for pool_rule in rules:
            assignee = pool_rule.assignee_ids.filtered(
                lambda a: a.user_id.id == self.env.uid and a.active
            )[:1]
            if (
                not assignee.capacity
                or loads.get((pool_rule.id, self.env.uid), 0) < assignee.capacity
            ):
                open_rules.append(pool_rule.id)
        if rule_ids and not open_rules:
            raise UserError(
                self.env._("Your capacity is full: finish some leads first.")
            )
        if not open_rules:
            return self.browse()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, routing_rule_id FROM crm_lead "
                "WHERE active AND routing_state = 'pool' "
                "AND routing_rule_id = ANY(%s) %s "
                "ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                open_rules,
                SQL("AND id = %s", lead.id) if lead else SQL(""),
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return self.browse()
        lead_id, rule_id = row
        claimed_rule = Rule.browse(rule_id)
        text = self.env._(
            "Claimed by %(user)s from the pool of '%(rule)s'.",
            user=self.env.user.name,
            rule=claimed_rule.name,
        )
        self.browse(lead_id)._apply_routing_decisions(
            {lead_id: ("claim", rule_id, self.env.uid, text)}, assigned_by=self.env.user
        )
        return self.browse(lead_id)

    def action_claim(self):
        """Claim this lead from its pool."""
        self.ensure_one()
        lead = self._claim(lead=self)
        if not lead:
            raise UserError(
                self.env._("This lead is no longer in a pool you can claim from.")
            )
        return True

    @api.model
    def action_claim_next(self):
        """Claim the next lead of the user's pools and open it."""
        lead = self._claim()
        if not lead:
            raise UserError(self.env._("No lead is waiting in your pools."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": lead.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

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
        decisions = {}
        rules = Rule.browse(list(by_rule))
        loads = rules._get_loads()
        users = {u.id: u.name for u in rules.assignee_ids.user_id}
        for rule in rules:
            items = by_rule[rule.id]
            hours = rule.sla_hours
            if rule.recycle_target == "pool" or rule.strategy == "pool":
                for lead_id, _user_id in items:
                    decisions[lead_id] = (
                        "recycle",
                        rule.id,
                        False,
                        self.env._(
                            "No activity within %(hours)s hours: back to the pool of "
                            "'%(rule)s'.",
                            hours=hours,
                            rule=rule.name,
                        ),
                    )
                continue
            # each previous holder is left out of their own lead's allocation
            by_previous = {}
            for lead_id, user_id in items:
                by_previous.setdefault(user_id, []).append(lead_id)
            for previous_user, lead_ids in by_previous.items():
                candidates = rule._get_candidates(
                    loads, exclude_user_ids={previous_user}
                )
                result = allocate(
                    rule.strategy if rule.strategy != "pool" else "round_robin",
                    lead_ids,
                    candidates,
                    rule.round_robin_index,
                )
                for lead_id, user_id in result.assigned.items():
                    loads[rule.id, user_id] = loads.get((rule.id, user_id), 0) + 1
                    decisions[lead_id] = (
                        "recycle",
                        rule.id,
                        user_id,
                        self.env._(
                            "No activity within %(hours)s hours: taken back from "
                            "%(previous)s and given to %(user)s (next assignee of "
                            "'%(rule)s').",
                            hours=hours,
                            previous=users.get(previous_user, ""),
                            user=users.get(user_id, ""),
                            rule=rule.name,
                        ),
                    )
                for lead_id in result.leftover:
                    decisions[lead_id] = (
                        "recycle",
                        rule.id,
                        False,
                        self.env._(
                            "No activity within %(hours)s hours and no other assignee "
                            "free: back to the pool of '%(rule)s'.",
                            hours=hours,
                            rule=rule.name,
                        ),
                    )
        recycled = self.browse(list(decisions))
        recycled._apply_routing_decisions(decisions)
        previous_by_lead = {lead_id: user_id for lead_id, _r, user_id in rows}
        partners = self.env["res.users"].sudo().browse(set(previous_by_lead.values()))
        partner_of = {user.id: user.partner_id.id for user in partners}
        for lead in recycled.sudo():
            lead.message_post(
                body=decisions[lead.id][3],
                partner_ids=[partner_of[previous_by_lead[lead.id]]],
                subtype_xmlid="mail.mt_note",
            )
        return recycled
