# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# crm.lead's routing concerns are split by file on purpose (crm_lead.py keeps
# the fields and ORM hooks under 600 lines)
# pylint: disable=consider-merging-classes-inherited
"""Applying the routing engine's decisions to leads, set-wise in SQL."""

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

from ..internal import NO_SCOPE
from ..routing import pg_array
from . import fast_write
from .crm_routing_rule import ROUTING_CONTEXT

FALLBACK_TEAM_PARAM = "crm_lead_routing.fallback_team_id"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ---- ROUTING: WRITES

    @api.model
    def _group_routing_decisions(self, decisions):
        """``{(state, rule_id, user_id): [lead ids]}`` for grouped writes."""
        groups = {}
        for lead_id, decision in decisions.items():
            key = (decision.state, decision.rule_id or False, decision.user_id or False)
            groups.setdefault(key, []).append(lead_id)
        return groups

    def _apply_routing_decisions(
        self, decisions, assigned_by=None, previous=None, rule_values=None, current=None
    ):
        """Write routing decisions set-wise.

        One statement for the assignments (the bulk of a run), one ORM write
        per other (state, rule) group, then one statement each for the other
        explanations, the assignment history and the log.

        :param decisions: ``{lead_id: Decision}``
        :param assigned_by: user who decided (claims, bulk reassignment)
        :param previous: ``{lead_id: salesperson}`` of the leads that have
            one, when the caller knows it (a claim, from its lock); read
            otherwise
        :param rule_values: ``{rule_id: (team_id, owner_id)}`` of the rules
            of the assignments, when the caller has read them (a claim, from
            its lock, with the claimer's default team when the rule has
            none); read otherwise
        :param current: ``{lead_id: (date_open, owner)}`` of the leads, when
            the caller has read them with their lock (a claim); read otherwise
        """
        if not decisions:
            return
        now = fields.Datetime.now()
        leads = self.sudo().with_context(**ROUTING_CONTEXT, routing_no_scope=NO_SCOPE)
        read = {}
        if previous is None:
            previous, read = self._routing_previous(decisions)
        assigned_rows, explained = leads._write_routing_groups(
            decisions, previous, now, rule_values or {}
        )
        self.env.flush_all()
        if assigned_rows:
            if current is None and read:
                current = {i: read[i] for i in assigned_rows if i in read}
            fast_write.write_assignments(
                leads.browse(list(assigned_rows)),
                assigned_rows,
                {i: decisions[i].explanation for i in assigned_rows},
                now,
                current,
            )
        others = [i for i in decisions if i not in assigned_rows and i not in explained]
        if others:
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_lead l SET routing_explanation = d.text "
                    "FROM unnest(%s::int[], %s::text[]) AS d(id, text) "
                    "WHERE l.id = d.id",
                    pg_array(others),
                    pg_array(decisions[i].explanation for i in others),
                )
            )
        self._write_routing_history(decisions, previous, now, assigned_by)

    def _routing_previous(self, decisions):
        """The salesperson of each decided lead that has one, and what the
        fast write needs of every lead (its opening date and owner): one
        read of the leads, not two."""
        self.env.cr.execute(
            SQL(
                "SELECT id, user_id, date_open, lead_owner_id FROM crm_lead "
                "WHERE id = ANY(%s::int[])",
                pg_array(decisions),
            )
        )
        rows = self.env.cr.fetchall()
        previous = {row[0]: row[1] for row in rows if row[1] is not None}
        return previous, {row[0]: row[2:] for row in rows}

    def _write_routing_history(self, decisions, previous, now, assigned_by):
        """The assignment history and the log of the decisions: one
        statement."""
        moved = [i for i in decisions if decisions[i].moves]
        history = (
            self._assignment_history_sql(decisions, moved, now, assigned_by)
            if moved
            else []
        )
        self.env.cr.execute(
            SQL(
                "%s%s",
                SQL("WITH %s ", SQL(", ").join(history)) if history else SQL(),
                self._routing_log_sql(decisions, previous, now),
            )
        )
        self.env["crm.lead"].invalidate_model(
            ["routing_explanation", "assignment_ids", "routing_log_ids"]
        )
        self.env["crm.lead.assignment"].invalidate_model()
        self.env["crm.routing.log"].invalidate_model()

    def _assignment_history_sql(self, decisions, moved, now, assigned_by):
        """The statements (as data-modifying CTEs, run with the log's insert)
        that end the current assignments of the leads that ``moved`` and
        record the new executing assignee (with the rule's scopes) and
        owner. They all see the rows as they were before the statement: the
        new assignments are not ended by it."""
        ended = SQL(
            "routing_ended AS (UPDATE crm_lead_assignment SET date_to = %s "
            "WHERE lead_id = ANY(%s::int[]) AND date_to IS NULL)",
            now,
            pg_array(moved),
        )
        rows = [i for i in moved if decisions[i].user_id]
        if not rows:
            return [ended]
        return [
            ended,
            SQL(
                """
                routing_history AS (INSERT INTO crm_lead_assignment (
                    lead_id, user_id, role, scope_contact, scope_company,
                    scope_requirement, date_from, rule_id, assigned_by_id,
                    reason, create_uid, write_uid, create_date, write_date)
                SELECT d.lead_id, d.user_id, 'executing',
                       coalesce(a.scope_contact, 'edit'),
                       coalesce(a.scope_company, 'edit'),
                       coalesce(a.scope_requirement, 'edit'),
                       %(now)s, d.rule_id, %(by)s::int, d.reason,
                       %(uid)s, %(uid)s, %(now)s, %(now)s
                FROM unnest(%(leads)s::int[], %(rules)s::int[], %(users)s::int[],
                            %(reasons)s::text[])
                     AS d(lead_id, rule_id, user_id, reason)
                LEFT JOIN crm_routing_assignee a
                       ON a.rule_id = d.rule_id AND a.user_id = d.user_id
                UNION ALL
                SELECT d.lead_id, r.user_id, 'owner', 'edit', 'edit', 'edit',
                       %(now)s, d.rule_id, %(by)s::int, d.reason,
                       %(uid)s, %(uid)s, %(now)s, %(now)s
                FROM unnest(%(leads)s::int[], %(rules)s::int[], %(users)s::int[],
                            %(reasons)s::text[])
                     AS d(lead_id, rule_id, user_id, reason)
                JOIN crm_routing_rule r ON r.id = d.rule_id
                WHERE r.user_id IS NOT NULL)
                """,
                now=now,
                by=assigned_by.id if assigned_by else None,
                uid=self.env.uid,
                leads=pg_array(rows),
                rules=pg_array(decisions[i].rule_id or None for i in rows),
                users=pg_array(decisions[i].user_id for i in rows),
                reasons=pg_array(decisions[i].kind for i in rows),
            ),
        ]

    def _routing_log_sql(self, decisions, previous, now):
        """The insert of one log row per decision."""
        ids = list(decisions)
        return SQL(
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
            rules=pg_array(decisions[i].rule_id or None for i in ids),
            users=pg_array(decisions[i].user_id or None for i in ids),
            previous=pg_array(previous.get(i) for i in ids),
            kinds=pg_array(decisions[i].kind for i in ids),
            texts=pg_array(decisions[i].explanation for i in ids),
        )

    def _write_routing_groups(self, decisions, previous, now, rule_values):
        """Write the decisions: the assignments are only collected (written
        in one statement by the caller), the other states, a handful of
        groups, through the ORM, with their explanation when the whole group
        shares it (a fallback pool, the unrouted leads).

        :param rule_values: ``{rule_id: (team_id, owner_id)}`` known to the
            caller (the other rules are read)
        :return: ``({lead_id: (user_id, team_id, rule_id, owner_id,
            user_changed)}`` of the assignments, ids of the leads whose
            explanation is written)
        """
        Rule = self.env["crm.routing.rule"].sudo()
        fallback_team = int(
            self.env["ir.config_parameter"].sudo().get_param(FALLBACK_TEAM_PARAM, 0)
            or 0
        )
        teams = {}
        assigned_rows = {}
        explained = set()
        for (state, rule_id, user_id), lead_ids in self._group_routing_decisions(
            decisions
        ).items():
            rule = Rule.browse(rule_id)
            if state == "assigned":
                # assignments (the bulk of a run): one statement, by the caller
                rule_team, owner = rule_values.get(rule_id) or (
                    rule.team_id.id,
                    rule.user_id.id,
                )
                if (user_id, rule_team) not in teams:
                    # the rule's team, else the salesperson's default team
                    # (crm's, cached per salesperson)
                    teams[user_id, rule_team] = rule_team or self.env[
                        "crm.team"
                    ]._routing_default_team_id(user_id)
                # as crm's write: date_open is reset for the whole group when
                # the salesperson of one of its leads changes
                user_changed = any(previous.get(i) != user_id for i in lead_ids)
                row = (user_id, teams[user_id, rule_team] or None, rule_id or None)
                for lead_id in lead_ids:
                    assigned_rows[lead_id] = (*row, owner or None, user_changed)
                continue
            # the other states, a handful of groups, through the ORM
            vals = {"routing_state": state, "routing_rule_id": rule_id or False}
            texts = {decisions[i].explanation for i in lead_ids}
            if len(texts) == 1:
                vals["routing_explanation"] = texts.pop()
                explained.update(lead_ids)
            self.browse(lead_ids)._write_routing_state(vals, rule, now, fallback_team)
        return assigned_rows, explained

    def _write_routing_state(self, vals, rule, now, fallback_team):
        """Write one group of leads left without a salesperson: in a pool,
        waiting or not routed."""
        state = vals["routing_state"]
        if state == "pool":
            vals.update(user_id=False, routing_date=now)
            if rule.team_id:
                vals["team_id"] = rule.team_id.id
            if rule.user_id:
                vals["lead_owner_id"] = rule.user_id.id
        elif state == "unrouted":
            self._write_unrouted(vals, fallback_team)
            return
        elif state == "waiting":
            # waits unassigned for the next run (the cron picks these)
            vals["user_id"] = False
        self.write(vals)

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
