# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, config
from odoo.tools.safe_eval import safe_eval

from .. import gc_freeze
from ..internal import RULE_CHECKS_ASSIGNEES
from ..matching import sql_true_positions
from ..progress import Progress
from ..routing import (
    SKIP_CAPACITY,
    SKIP_EXCLUDED,
    SKIP_INACTIVE,
    SKIP_NO_WEIGHT,
    Candidate,
    Decision,
    RoutingRun,
    period_start,
    pg_array,
)
from ..routing.engine import FALLBACK, POOL, RECYCLE, RULE, UNROUTED, WAITING

_logger = logging.getLogger(__name__)

STRATEGY_SELECTION = [
    ("round_robin", "Round robin"),
    ("weighted", "Weighted"),
    ("least_loaded", "Least loaded"),
    ("pool", "Pool (first come, first served)"),
]
# routing context: no tracking message nor "you have been assigned" mail per
# lead (the routing log and the explanation say it once for the batch)
ROUTING_CONTEXT = {"tracking_disable": True, "mail_auto_subscribe_no_notify": True}
# batches from this size evaluate the fuzzy criteria on repeated text values
# once per distinct value (see _prepare_batch_conditions)
BATCH_CONDITIONS_MIN = 1000


class CrmRoutingRule(models.Model):
    """Who gets which leads, with which rights, and why.

    Public API (also used by the benchmark under ``tests/bench``):

    - ``env["crm.routing.rule"]._route_leads(lead_ids)`` -> stats dict;
    - ``rules._simulate(lead_ids)`` -> distribution dict, changes nothing.
    """

    _name = "crm.routing.rule"
    _description = "Lead Routing Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    # ---- FIELDS

    name = fields.Char(required=True, tracking=True, translate=True)
    description = fields.Text(translate=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        tracking=True,
        help="The rule's master: owner of the leads it routes.",
    )
    sequence = fields.Integer(
        string="Priority", default=10, help="Rules are tried in this order."
    )
    active = fields.Boolean(default=True, tracking=True)
    date_start = fields.Date(string="Valid From")
    date_end = fields.Date(string="Valid Until")
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", tracking=True)
    domain = fields.Char(
        default="[]",
        help="An Odoo domain on leads, AND-ed with the criteria.",
    )
    criterion_ids = fields.One2many(
        "crm.routing.rule.criterion", "rule_id", string="Criteria", copy=True
    )
    strategy = fields.Selection(
        STRATEGY_SELECTION, required=True, default="round_robin", tracking=True
    )
    capacity_period = fields.Selection(
        [("day", "Per day"), ("week", "Per week")], default="day", required=True
    )
    assignee_ids = fields.One2many(
        "crm.routing.assignee",
        "rule_id",
        string="Assignees",
        copy=True,
        context={"active_test": False},
    )
    round_robin_index = fields.Integer(copy=False, readonly=True)
    recycle = fields.Boolean(
        help="Take back leads without activity after the SLA and give them "
        "to the next assignee or to the pool."
    )
    sla_hours = fields.Float(string="SLA (hours)", default=24.0)
    recycle_target = fields.Selection(
        [("next", "Next assignee"), ("pool", "Back to the pool")],
        default="next",
        required=True,
    )
    is_fallback = fields.Boolean(
        string="Fallback Rule",
        help="Applied, whatever its filter, to the leads no other rule matches.",
    )
    lead_ids = fields.One2many("crm.lead", "routing_rule_id", string="Leads")
    lead_count = fields.Integer(compute="_compute_counts")
    pool_count = fields.Integer(compute="_compute_counts")

    def _register_hook(self):
        """Once the registry is loaded, its objects are frozen for Python's
        garbage collector (``gc_freeze``: a full collection no longer stops
        the server's threads for 100 ms walking them)."""
        res = super()._register_hook()
        gc_freeze.freeze_loaded_objects()
        return res

    def _compute_counts(self):
        Lead = self.env["crm.lead"]
        routed = dict(
            Lead._read_group(
                [
                    ("routing_rule_id", "in", self.ids),
                    ("routing_state", "=", "assigned"),
                ],
                ["routing_rule_id"],
                ["__count"],
            )
        )
        pool = dict(
            Lead._read_group(
                [("routing_rule_id", "in", self.ids), ("routing_state", "=", "pool")],
                ["routing_rule_id"],
                ["__count"],
            )
        )
        for rule in self:
            rule.lead_count = routed.get(rule, 0)
            rule.pool_count = pool.get(rule, 0)

    # ---- VALIDATION

    @api.constrains("domain")
    def _check_domain(self):
        for rule in self:
            rule._get_domain_sql()

    @api.constrains("recycle", "sla_hours")
    def _check_sla(self):
        for rule in self:
            if rule.recycle and rule.sla_hours <= 0:
                raise ValidationError(
                    self.env._(
                        "The SLA of the rule '%(rule)s' must be a positive number "
                        "of hours.",
                        rule=rule.name,
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for rule in self:
            if rule.date_start and rule.date_end and rule.date_start > rule.date_end:
                raise ValidationError(
                    self.env._(
                        "The rule '%(rule)s' ends before it starts.", rule=rule.name
                    )
                )

    def _check_assignees(self):
        for rule in self:
            if rule.active and not rule.assignee_ids:
                raise ValidationError(
                    self.env._(
                        "The rule '%(rule)s' is active and would have no "
                        "assignee: keep at least one salesperson, or archive the "
                        "rule first.",
                        rule=rule.name,
                    )
                )

    # ---- ORM

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules._check_assignees()
        return rules

    def write(self, vals):
        # the rule's own form may remove and add lines in one save: the
        # rule is checked once its lines are all written
        res = super(
            CrmRoutingRule,
            self.with_context(routing_rule_checks_assignees=RULE_CHECKS_ASSIGNEES),
        ).write(vals)
        if {"assignee_ids", "active"} & set(vals):
            self._check_assignees()
        return res

    # ---- SQL CONDITION

    def _get_domain_sql(self, table_alias="crm_lead"):
        """The rule's Odoo domain as an SQL condition.

        :raise ValidationError: when the domain does not parse
        """
        self.ensure_one()
        try:
            domain = safe_eval(self.domain or "[]", {"user": self.env.user})
            if not isinstance(domain, list | tuple):
                raise ValueError("not a list")
            if not domain:
                return SQL("TRUE")
            query = (
                self.env["crm.lead"]
                .sudo()
                .with_context(active_test=False)
                ._search(list(domain))
            )
        except Exception as exc:
            raise ValidationError(
                self.env._(
                    "The domain of the rule '%(rule)s' is invalid: %(error)s",
                    rule=self.name,
                    error=exc,
                )
            ) from exc
        return SQL("%s IN %s", SQL.identifier(table_alias, "id"), query.subselect())

    def _get_domain_query(self):
        """The rule's Odoo domain as a Query on ``crm_lead`` (alias
        ``crm_lead``), to which the caller adds conditions.

        :raise ValidationError: when the domain does not parse
        """
        self.ensure_one()
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        try:
            domain = safe_eval(self.domain or "[]", {"user": self.env.user})
            if not isinstance(domain, list | tuple):
                raise ValueError("not a list")
            return Lead._search(list(domain))
        except Exception as exc:
            raise ValidationError(
                self.env._(
                    "The domain of the rule '%(rule)s' is invalid: %(error)s",
                    rule=self.name,
                    error=exc,
                )
            ) from exc

    def _get_condition_sql(self, table_alias="crm_lead"):
        """Domain AND criteria of the rule."""
        self.ensure_one()
        return SQL(
            "(%s AND %s)",
            self._get_domain_sql(table_alias),
            self.criterion_ids._get_criteria_sql(table_alias),
        )

    def _match(self, lead_ids, batch=None):
        """Leads of ``lead_ids`` the rule matches, with the criteria that
        matched, in one query.

        :param lead_ids: list of ids
        :param batch: optional :meth:`_prepare_batch_conditions` memo of the
            run (fuzzy conditions evaluated once per distinct value)
        :return: ``{lead_id: [(criterion, lead's value), ...]}`` in id order
        """
        self.ensure_one()
        if not lead_ids:
            return {}
        criteria = self.criterion_ids.sorted(lambda c: (c.group, c.sequence))
        conditions = (
            self.criterion_ids._get_batch_conditions(batch) if batch is not None else {}
        )
        columns = [SQL("crm_lead.id")]
        for criterion in criteria:
            columns.append(
                conditions.get(criterion.id) or criterion._get_condition_sql("crm_lead")
            )
            columns.append(criterion._get_value_sql("crm_lead"))
        # the domain joins the batch (its conditions on the batch's rows),
        # not ``id IN (subselect over every lead)``
        query = self._get_domain_query()
        if query.is_empty():
            return {}
        query.add_where(
            SQL("crm_lead.id = ANY(%s::int[])", self._ids_literal(lead_ids, batch))
        )
        if self.company_id:
            query.add_where(self._company_sql())
        query.add_where(
            self.criterion_ids._get_criteria_sql("crm_lead", conditions=conditions)
        )
        query.order = SQL("crm_lead.id")
        self.env.cr.execute(query.select(*columns))
        matches = {}
        for row in self.env.cr.fetchall():
            matched = [
                (criterion, row[2 + 2 * i])
                for i, criterion in enumerate(criteria)
                if row[1 + 2 * i]
            ]
            matches[row[0]] = matched
        return matches

    def _match_rules(self, lead_ids, batch=None):
        """What :meth:`_match` gives for each rule of ``self``: one query
        over the batch for all the rules whose domain is a condition on the
        lead's own row (no domain, the common case), one query each for the
        others (a domain that joins another table). One pass over the batch
        instead of one per rule (each pass reads the batch's rows of
        crm_lead).

        :return: ``{rule_id: {lead_id: [(criterion, lead's value), ...]}}``
        """
        results = {rule.id: {} for rule in self}
        together = []
        for rule in self:
            query = rule._get_domain_query()
            if not lead_ids or query.is_empty():
                continue
            # the lead's own row alone: FROM "crm_lead", no join
            if query.from_clause == SQL.identifier(query.table) and not query.groupby:
                together.append((rule, query.where_clause))
            else:
                results[rule.id] = rule._match(lead_ids, batch)
        if together:
            results.update(self._match_together(lead_ids, batch, together))
        return results

    @api.model
    def _match_together(self, lead_ids, batch, rules):
        """:meth:`_match` of several rules in one query: each criterion's
        condition and each rule's domain and company are evaluated once per
        lead (inner query), each rule's verdict is combined from them as
        :meth:`_get_criteria_sql` combines the conditions (same three-valued
        logic), and only the positions of what matched come back.

        :param rules: ``[(rule, its domain's condition on crm_lead)]``
        """
        parts = self._match_parts(batch, rules)
        inner = SQL(
            "SELECT crm_lead.id AS id, %s FROM crm_lead "
            "WHERE crm_lead.id = ANY(%s::int[]) OFFSET 0",
            SQL(", ").join(parts["columns"]),
            self._ids_literal(lead_ids, batch),
        )
        self.env.cr.execute(
            SQL(
                "SELECT * FROM (SELECT s.id, %s AS rules, %s AS criteria%s "
                "FROM (%s) AS s OFFSET 0) AS t "
                "WHERE cardinality(t.rules) > 0 ORDER BY t.id",
                sql_true_positions(parts["verdicts"]),
                sql_true_positions(parts["flags"]),
                SQL("").join(
                    SQL(", s.%s", SQL.identifier(f"v{i}"))
                    for i in range(parts["values"])
                ),
                inner,
            )
        )
        matches = {rule.id: {} for rule, _where in rules}
        plan = parts["plan"]
        for lead_id, verdicts, flags, *values in self.env.cr.fetchall():
            flags = set(flags)
            for position in verdicts:
                rule_id, entries = plan[position - 1]
                matches[rule_id][lead_id] = [
                    (criterion, values[value])
                    for criterion, flag, value in entries
                    if flag in flags
                ]
        return matches

    @api.model
    def _match_parts(self, batch, rules):
        """The pieces of :meth:`_match_together`'s query: the inner
        ``columns`` (conditions ``c<n>``, domains ``d<n>``, values ``v<n>``;
        one shared by several lines computed once), the rules' ``verdicts``
        and the criteria's ``flags`` over them, the number of ``values``, and
        the ``plan``: per rule in verdict order ``(rule id, [(criterion,
        flag position from 1 as array_positions, value index)])``, the
        criteria in :meth:`_match`'s order."""
        lines = self.env["crm.routing.rule.criterion"].browse(
            [line.id for rule, _where in rules for line in rule.criterion_ids]
        )
        conditions = lines._get_batch_conditions(batch) if batch is not None else {}
        columns, verdicts, plan = [], [], []
        conds, vals = {}, {}

        def column(memo, prefix, sql):
            key = (sql.code, repr(sql.params))
            if key not in memo:
                memo[key] = len(memo)
                name = f"{prefix}{memo[key]}"
                columns.append(SQL("%s AS %s", sql, SQL.identifier(name)))
            return memo[key]

        for index, (rule, where) in enumerate(rules):
            columns.append(
                SQL(
                    "(%s) AS %s",
                    rule._match_domain_sql(where),
                    SQL.identifier(f"d{index}"),
                )
            )
            groups, entries = {}, []
            for criterion in rule.criterion_ids.sorted(lambda c: (c.group, c.sequence)):
                cond = column(
                    conds,
                    "c",
                    conditions.get(criterion.id)
                    or criterion._get_condition_sql("crm_lead"),
                )
                groups.setdefault(criterion.group, []).append(
                    SQL("s.%s", SQL.identifier(f"c{cond}"))
                )
                value = column(vals, "v", criterion._get_value_sql("crm_lead"))
                # array_positions counts from 1
                entries.append((criterion, cond + 1, value))
            verdicts.append(
                SQL(
                    "(s.%s AND %s)",
                    SQL.identifier(f"d{index}"),
                    lines._groups_sql(groups),
                )
            )
            plan.append((rule.id, entries))
        return {
            "columns": columns,
            "flags": [SQL("s.%s", SQL.identifier(f"c{i}")) for i in range(len(conds))],
            "verdicts": verdicts,
            "values": len(vals),
            "plan": plan,
        }

    def _match_domain_sql(self, where):
        """This rule's condition on a lead besides its criteria: its domain
        (``where``, already SQL) and its company."""
        self.ensure_one()
        domain = [where] if where else []
        if self.company_id:
            domain.append(self._company_sql())
        return SQL(" AND ").join(domain) if domain else SQL("TRUE")

    def _company_sql(self):
        """A company's rule routes that company's leads (and leads of no
        company), never another company's."""
        self.ensure_one()
        return SQL(
            "(crm_lead.company_id IS NULL OR crm_lead.company_id = %s)",
            self.company_id.id,
        )

    @api.model
    def _ids_literal(self, lead_ids, batch):
        """The array literal of ``lead_ids``: the batch's own when these are
        the batch's leads (50 rules: one literal of 100,000 ids, not 50)."""
        if batch is not None and batch.get("ids") is lead_ids:
            return batch["lead_ids"]
        return pg_array(lead_ids)

    def _filter_company(self, lead_ids):
        """The leads of ``lead_ids`` this rule may route: all of them for a
        rule of no company, else those of its company or of no company."""
        self.ensure_one()
        if not self.company_id or not lead_ids:
            return list(lead_ids)
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_lead WHERE id = ANY(%s::int[]) "
                "AND (company_id IS NULL OR company_id = %s) ORDER BY id",
                pg_array(lead_ids),
                self.company_id.id,
            )
        )
        allowed = {row[0] for row in self.env.cr.fetchall()}
        return [lid for lid in lead_ids if lid in allowed]

    @api.model
    def _prepare_batch_conditions(self, lead_ids):
        """The memo of a routing run for
        ``crm.routing.rule.criterion._get_batch_conditions``: only for a
        batch of at least BATCH_CONDITIONS_MIN leads (below, evaluating each
        lead's value is as cheap), None otherwise."""
        if len(lead_ids) < BATCH_CONDITIONS_MIN:
            return None
        return {
            "ids": lead_ids,
            "lead_ids": pg_array(lead_ids),
            "size": len(lead_ids),
            # a column is worth it when its values repeat: at most a quarter
            # of the batch's leads distinct values
            "ratio": 4,
            "values": {},
            "forms": {},
            "conditions": {},
        }

    # ---- RULE SELECTION

    @api.model
    def _get_applicable_rules(self, company_ids=None):
        """Active rules valid today, by priority; fallback rules apart.

        :return: (rules, fallback rules)
        """
        today = fields.Date.context_today(self)
        domain = [
            ("active", "=", True),
            "|",
            ("date_start", "=", False),
            ("date_start", "<=", today),
            "|",
            ("date_end", "=", False),
            ("date_end", ">=", today),
        ]
        if company_ids is not None:
            domain += [("company_id", "in", [False, *company_ids])]
        rules = self.sudo().search(domain)
        return rules.filtered(lambda r: not r.is_fallback), rules.filtered(
            "is_fallback"
        )

    # ---- LOAD, CANDIDATES AND THE RUN

    def _period_start(self):
        return period_start(fields.Datetime.now(), self.capacity_period)

    @api.model
    def _count_loads(self, user_ids, starts):
        """The load that capacities limit: open leads (active, not won) each
        user received since each start, in one query.

        :param user_ids: iterable of user ids
        :param starts: iterable of datetimes (period starts)
        :return: ``{(user_id, start): count}`` (every pair, zeros included)
        """
        user_ids, starts = sorted(set(user_ids)), sorted(set(starts))
        loads = {(uid, start): 0 for uid in user_ids for start in starts}
        if not loads:
            return loads
        self.env["crm.lead"].flush_model(
            ["user_id", "routing_date", "active", "probability"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT user_id, %s FROM crm_lead WHERE user_id = ANY(%s::int[]) "
                "AND routing_date >= %s AND active AND probability < 100 "
                "GROUP BY user_id",
                SQL(", ").join(
                    SQL("count(*) FILTER (WHERE routing_date >= %s)", start)
                    for start in starts
                ),
                pg_array(user_ids),
                starts[0],
            )
        )
        for user_id, *counts in self.env.cr.fetchall():
            loads.update(zip(((user_id, s) for s in starts), counts, strict=True))
        return loads

    def _get_loads(self, user_ids=None):
        """Open leads each assignee of the rules received in the rule's
        period (:meth:`_count_loads`).

        :param user_ids: only these assignees (a claim needs the claimer's)
        :return: ``{(rule_id, user_id): load}``
        """
        starts = {rule.id: rule._period_start() for rule in self}
        pairs = [
            (rule.id, assignee.user_id.id)
            for rule in self
            for assignee in rule.assignee_ids
            if user_ids is None or assignee.user_id.id in user_ids
        ]
        counts = self._count_loads(
            {uid for _rid, uid in pairs}, {starts[rid] for rid, _uid in pairs}
        )
        return {(rid, uid): counts[uid, starts[rid]] for rid, uid in pairs}

    def _prepare_run(self, user_ids=None):
        """A routing run over these rules: their assignees as candidates
        (with capacities), the loads in each rule's period and the
        round-robin pointers.

        :param user_ids: count the loads of these assignees only (a claim)
        :return: :class:`~odoo.addons.crm_lead_routing.routing.RoutingRun`
        """
        run = RoutingRun(loads=self._get_loads(user_ids))
        for rule in self:
            run.pointers[rule.id] = rule.round_robin_index
            run.candidates[rule.id] = [
                Candidate(
                    user_id=assignee.user_id.id,
                    weight=assignee.weight,
                    capacity=assignee.capacity or None,
                    active=assignee.active and assignee.user_id.active,
                )
                for assignee in rule.assignee_ids.sorted(lambda a: (a.sequence, a.id))
            ]
        return run

    @api.model
    def _store_pointers(self, run):
        """Keep the round-robin pointers the run moved, for the next run of
        any kind (routing, recycling, bulk reassignment)."""
        moved = sorted(rule_id for rule_id in run.moved_pointers if rule_id)
        if not moved:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE crm_routing_rule r SET round_robin_index = d.pointer "
                "FROM unnest(%s::int[], %s::int[]) AS d(id, pointer) "
                "WHERE r.id = d.id",
                pg_array(moved),
                pg_array(run.pointers[rule_id] for rule_id in moved),
            )
        )
        self.invalidate_model(["round_robin_index"])

    @api.model
    def _apply_run(self, run, lead_ids=None, assigned_by=None):
        """Write a run's decisions and pointers, all or nothing: a failure
        half-way leaves no lead half-assigned, even when the caller catches
        the error and goes on."""
        lead_ids = list(run.decisions) if lead_ids is None else lead_ids
        try:
            with self.env.cr.savepoint():
                self.env["crm.lead"].sudo().browse(lead_ids)._apply_routing_decisions(
                    run.decisions, assigned_by=assigned_by
                )
                self._store_pointers(run)
        except Exception:
            self.env.invalidate_all(flush=False)
            raise

    # ---- EXPLANATIONS

    def _explain_match(self, matched, operator_labels=None, memo=None):
        """One sentence: the rule and the criteria that matched, with the
        lead's values.

        :param matched: ``[(criterion, lead's value)]``
        :param operator_labels: ``{operator: label}`` (computed once per run)
        :param memo: a dict kept by the caller for the sentences of one
            rule: what they share is read once
        """
        self.ensure_one()
        if operator_labels is None:
            operator_labels = dict(
                self.criterion_ids._fields["operator"]._description_selection(self.env)
            )
        if not matched:
            return self.env._("Rule '%(rule)s' matched (no criterion).", rule=self.name)
        memo = {} if memo is None else memo
        if "rule" not in memo:
            memo["rule"] = {"rule": self.name, "priority": self.sequence}
        parts = []
        for criterion, value in matched:
            if criterion.id not in memo:
                memo[criterion.id] = {
                    "field": criterion.field_name,
                    "operator": operator_labels[criterion.operator],
                    "expected": criterion.value or criterion.alias_list_id.name or "",
                }
            parts.append(
                self.env._(
                    "%(field)s %(operator)s '%(expected)s' (lead: '%(value)s')",
                    **memo[criterion.id],
                    value=value if value is not None else "",
                )
            )
        return self.env._(
            "Rule '%(rule)s' (priority %(priority)s) matched: %(criteria)s.",
            **memo["rule"],
            criteria="; ".join(parts),
        )

    def _explain_losers(self, rule_ids):
        """The other rules that matched the lead, and why each lost to this
        one (they come after it by priority)."""
        self.ensure_one()
        losers = self.browse([rid for rid in rule_ids if rid != self.id])
        if not losers:
            return ""
        return self.env._(
            "Also matched, lower in priority so not applied: %(rules)s.",
            rules=", ".join(
                self.env._(
                    "'%(rule)s' (priority %(priority)s)",
                    rule=rule.name,
                    priority=rule.sequence,
                )
                for rule in losers
            ),
        )

    def _skip_reasons(self, skipped, users):
        """``"Bob (capacity full), Carol (inactive)"`` for ``[(user_id,
        reason)]``."""
        reasons = {
            SKIP_CAPACITY: self.env._("capacity full"),
            SKIP_INACTIVE: self.env._("inactive"),
            SKIP_NO_WEIGHT: self.env._("no weight"),
            SKIP_EXCLUDED: self.env._("held the lead before"),
        }
        return ", ".join(
            f"{users.get(uid, '')} ({reasons[reason]})" for uid, reason in skipped
        )

    def _explain_strategy(self, user_name, skipped, users):
        """The strategy's choice and the assignees it passed over for this
        lead (``skipped``: ``[(user_id, reason)]`` as they were when the lead
        was given, never the chosen one)."""
        self.ensure_one()
        strategy = dict(self._fields["strategy"]._description_selection(self.env))[
            self.strategy
        ]
        text = self.env._(
            "Strategy %(strategy)s chose %(user)s.", strategy=strategy, user=user_name
        )
        if skipped:
            text += " " + self.env._(
                "Passed over: %(skipped)s.",
                skipped=self._skip_reasons(skipped, users),
            )
        return text

    def _explain_matches(self, run, taken, operator_labels):
        """``{lead_id: text}``: the match and the rules that lost, one
        sentence per pattern (leads share them: counties, towns)."""
        texts = {}
        explanations = {}
        # the rules that lost repeat much more than the matched values
        losers = {}
        memo = {}
        for lead_id, matched in taken.items():
            others = tuple(run.matched_by.get(lead_id, ()))
            key = (tuple((c.id, value) for c, value in matched), others)
            if key not in texts:
                text = self._explain_match(matched, operator_labels, memo)
                if others not in losers:
                    losers[others] = self._explain_losers(others)
                texts[key] = f"{text} {losers[others]}" if losers[others] else text
            explanations[lead_id] = texts[key]
        return explanations

    # ---- ROUTING

    @api.model
    def _route_leads(self, lead_ids, rules=None, simulate=False):
        """Route leads set-wise: one query per rule over the whole batch,
        allocation over ids in the engine, grouped writes per assignee.

        :param lead_ids: ids of the leads to route (already assigned leads
            are re-routed too: the caller chooses)
        :param rules: rules to use (default: the applicable ones)
        :param simulate: compute the decisions without writing anything
        :return: :meth:`RoutingRun.stats` (``routed``, ``pooled``,
            ``waiting``, ``fallback``, ``unrouted`` counts, ``per_rule`` and
            ``per_user`` distributions, ``conflicts`` and ``decisions``:
            ``{lead_id: Decision}``)
        """
        self.env.flush_all()
        lead_ids = list(dict.fromkeys(lead_ids))
        if rules is None:
            rules, fallbacks = self._get_applicable_rules()
        else:
            rules, fallbacks = rules.sudo()._split_fallbacks()
        run = (rules | fallbacks)._prepare_run()
        labels = dict(
            self.env["crm.routing.rule.criterion"]
            ._fields["operator"]
            ._description_selection(self.env)
        )
        batch = self._prepare_batch_conditions(lead_ids)
        # every rule looks at every lead, in one query over the batch (an
        # explanation names all the rules that matched, a simulation shows
        # the leads two rules fight over); the leads an earlier rule took
        # only count as matched
        taken_by = {}
        taken = set()
        all_matches = rules._match_rules(lead_ids, batch)
        for rule in rules:
            matches = all_matches[rule.id]
            for lead_id in matches:
                run.matched_by.setdefault(lead_id, []).append(rule.id)
            taken_by[rule.id] = {
                lead_id: matched
                for lead_id, matched in matches.items()
                if lead_id not in taken
            }
            taken.update(matches)
        for rule in rules:
            if taken_by[rule.id]:
                rule._decide(run, taken_by[rule.id], labels)
        remaining = run.undecided(lead_ids)
        for fallback in fallbacks:
            if not remaining:
                break
            taken = dict.fromkeys(fallback._filter_company(remaining), ())
            fallback._decide(run, taken, labels, fallback=True)
            remaining = run.undecided(remaining)
        text = self.env._("No rule matched and no fallback rule took the lead.")
        for lead_id in remaining:
            run.decide(lead_id, Decision(UNROUTED, explanation=text))
        stats = run.stats(len(lead_ids))
        if not simulate:
            self._apply_run(run, lead_ids)
        return stats

    def _split_fallbacks(self):
        return self.filtered(lambda r: not r.is_fallback), self.filtered("is_fallback")

    def _decide(self, run, taken, labels, fallback=False):
        """Allocate the leads this rule took and record one decision per
        lead in the run."""
        self.ensure_one()
        if fallback:
            prefix = self.env._(
                "No rule matched; fallback rule '%(rule)s' took the lead.",
                rule=self.name,
            )
            explanations = dict.fromkeys(taken, prefix)
        else:
            explanations = self._explain_matches(run, taken, labels)
        if self.strategy == "pool":
            text = self.env._("Sent to the pool of '%(rule)s'.", rule=self.name)
            kind = FALLBACK if fallback else POOL
            for lead_id in taken:
                run.decide(
                    lead_id,
                    Decision(kind, self.id, None, f"{explanations[lead_id]} {text}"),
                )
            return
        result = run.allocate(self.id, self.strategy, list(taken))
        self._decide_allocated(
            run, result, explanations, FALLBACK if fallback else RULE
        )
        if result.leftover and not fallback:
            text = self._explain_nobody(result)
            for lead_id in result.leftover:
                run.decide(
                    lead_id,
                    Decision(WAITING, self.id, None, f"{explanations[lead_id]} {text}"),
                )

    def _decide_allocated(self, run, result, explanations, kind):
        users = {a.user_id.id: a.user_id.name for a in self.assignee_ids}
        strategy_texts = {}
        # leads of one pattern given to one assignee share their text (one
        # string, escaped once for the statements that write it)
        texts = {}
        for lead_id, user_id in result.assigned.items():
            skipped = result.skipped_for(lead_id)
            key = (user_id, len(skipped))
            if key not in strategy_texts:
                strategy_texts[key] = self._explain_strategy(
                    users.get(user_id, ""), skipped, users
                )
            match_text = explanations[lead_id]
            text_key = (match_text, key)
            if text_key not in texts:
                texts[text_key] = f"{match_text} {strategy_texts[key]}"
            run.decide(lead_id, Decision(kind, self.id, user_id, texts[text_key]))

    def _explain_nobody(self, result):
        """Why nobody of the rule took the lead, with each assignee's true
        reason."""
        users = {a.user_id.id: a.user_id.name for a in self.assignee_ids}
        return self.env._(
            "No assignee of '%(rule)s' can take it (%(reasons)s): the lead waits "
            "for the next run.",
            rule=self.name,
            reasons=self._skip_reasons(result.skip_events, users),
        )

    # ---- RECYCLING

    def _decide_recycle(self, run, items):
        """Recycle leads of this rule past the SLA: each to the next assignee
        (never back to its previous holder) or to the pool.

        :param items: ``[(lead_id, previous user_id)]``
        """
        self.ensure_one()
        hours = self.sla_hours
        if self.recycle_target == "pool" or self.strategy == "pool":
            text = self.env._(
                "No activity within %(hours)s hours: back to the pool of '%(rule)s'.",
                hours=hours,
                rule=self.name,
            )
            for lead_id, _user_id in items:
                run.decide(lead_id, Decision(RECYCLE, self.id, None, text))
            return
        users = {a.user_id.id: a.user_id.name for a in self.assignee_ids}
        by_previous = {}
        for lead_id, user_id in items:
            by_previous.setdefault(user_id, []).append(lead_id)
        for previous, lead_ids in by_previous.items():
            result = run.allocate(self.id, self.strategy, lead_ids, {previous})
            for lead_id, user_id in result.assigned.items():
                text = self.env._(
                    "No activity within %(hours)s hours: taken back from "
                    "%(previous)s and given to %(user)s (next assignee of "
                    "'%(rule)s').",
                    hours=hours,
                    previous=users.get(previous, ""),
                    user=users.get(user_id, ""),
                    rule=self.name,
                )
                run.decide(lead_id, Decision(RECYCLE, self.id, user_id, text))
            text = self.env._(
                "No activity within %(hours)s hours and no other assignee free: "
                "back to the pool of '%(rule)s'.",
                hours=hours,
                rule=self.name,
            )
            for lead_id in result.leftover:
                run.decide(lead_id, Decision(RECYCLE, self.id, None, text))

    # ---- SIMULATION

    def _simulate(self, lead_ids):
        """Run these rules (active or draft) over leads without changing them.

        :return: the stats of :meth:`_route_leads`
        """
        return self.env["crm.routing.rule"]._route_leads(
            lead_ids, rules=self.sudo(), simulate=True
        )

    # ---- CRON

    @api.model
    def _cron_route_waiting_leads(self, batch_size=5000):
        """Route the leads still waiting (capacity full last time, or queued).

        Leads no rule took are reported once, not retried every run: a
        manager routes them again on demand (filter "Waiting for routing").
        """
        Lead = self.env["crm.lead"].sudo()
        lead_ids = Lead.search(
            [("routing_state", "=", "waiting"), ("user_id", "=", False)],
            order="id",
            limit=batch_size,
        ).ids
        if lead_ids:
            stats = self._route_leads(lead_ids)
            _logger.info(
                "routing cron: %s leads, %s routed", stats["leads"], stats["routed"]
            )

    @api.model
    def _routing_uses_queue(self):
        """Whether the marketing addon's audience generation goes to
        queue_job: only when its job runner runs (``queue_job`` loaded
        server-wide), never in tests. Routing itself always delays a large
        batch (``with_delay``); its scheduled action covers a runner that
        does not run."""
        testing = config["test_enable"] or getattr(
            threading.current_thread(), "testing", False
        )
        return (
            hasattr(self, "with_delay")
            and not testing
            and "queue_job" in config["server_wide_modules"]
        )

    @api.model
    def _route_waiting_leads(self, lead_ids):
        """The queue job of a large batch: route those of ``lead_ids`` that
        still wait (the scheduled action may have routed some meanwhile, a
        user may have archived or deleted others).

        :return: a summary, shown as the job's result
        """
        waiting = (
            self.env["crm.lead"]
            .sudo()
            .search(
                [("id", "in", list(lead_ids)), ("routing_state", "=", "waiting")],
                order="id",
            )
            .ids
        )
        if not waiting:
            return self.env._("No lead was still waiting.")
        stats = self._route_leads(waiting)
        return self.env._(
            "%(leads)s leads: %(routed)s routed by a rule, %(pooled)s in a pool, "
            "%(fallback)s to the fallback, %(waiting)s waiting, %(unrouted)s not "
            "routed.",
            **stats,
        )

    @api.model
    def _cron_recycle_leads(self):
        """Take back the leads whose SLA passed without activity."""
        self.env["crm.lead"].sudo()._recycle_expired_leads()

    # ---- ACTIONS

    def action_route_waiting(self):
        """Route now the waiting leads (button on the rules list)."""
        with Progress(self.env, self.env._("Routing the waiting leads"), 1) as bar:
            bar.step(self.env._("Matching the rules and assigning"))
            self._cron_route_waiting_leads()
        return True

    def action_view_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action["domain"] = [("routing_rule_id", "=", self.id)]
        action["context"] = {"active_test": False}
        return action

    def action_view_pool(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_lead_routing.crm_lead_action_pool"
        )
        action["domain"] = [
            ("routing_rule_id", "=", self.id),
            ("routing_state", "=", "pool"),
        ]
        return action

    def action_claim_next(self):
        """Claim the next lead of this rule's pool."""
        self.ensure_one()
        lead, name = self.env["crm.lead"]._claim_lead(rule=self)
        if not lead:
            raise UserError(self.env._("The pool is empty."))
        return lead._open_claimed(name)
