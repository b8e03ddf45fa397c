# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A step of a campaign journey: a trigger, an action, a filter, and below a
parent step the parent's outcome that leads to it."""

from ast import literal_eval

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..kpi_rules import member_kpi_sql
from ..tools import journey as engine
from .marketing_journey import journey_error_message

# the models whose date fields a "date field reached" trigger can read
DATE_FIELD_MODELS = ("marketing.campaign.member", "res.partner")


class MarketingJourneyStep(models.Model):
    _name = "marketing.journey.step"
    _description = "Campaign Journey Step"
    _order = "sequence, id"

    name = fields.Char(required=True)
    journey_id = fields.Many2one(
        "marketing.journey", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", related="journey_id.company_id", store=True, index=True
    )
    campaign_id = fields.Many2one(related="journey_id.campaign_id")
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one(
        "marketing.journey.step",
        "After step",
        ondelete="cascade",
        index="btree_not_null",
        domain="[('journey_id', '=', journey_id), ('id', '!=', id)]",
        help="Empty: the step starts from the campaign's members. Else only the "
        "participants of this step with the outcome below go on to this step.",
    )
    child_ids = fields.One2many("marketing.journey.step", "parent_id", "Next steps")
    branch = fields.Selection(
        engine.BRANCHES,
        "When the parent step is",
        default="done",
        required=True,
    )
    depth = fields.Integer(compute="_compute_depth")
    tree_name = fields.Char("Step", compute="_compute_depth")
    # ---- trigger
    trigger = fields.Selection(engine.TRIGGERS, required=True, default="joined")
    trigger_state = fields.Selection(
        engine.TRIGGER_STATES,
        "Member state",
        default="opened",
        help="The state the trigger waits for; for 'no reaction', the state "
        "that did not come.",
    )
    trigger_days = fields.Integer(
        "Days",
        default=0,
        help="No reaction / quotation: days after the parent step (or the "
        "member's joining). Date field: days after the date (may be negative: "
        "before it).",
    )
    date_field_id = fields.Many2one(
        "ir.model.fields",
        "Date field",
        ondelete="cascade",
        domain=[
            ("model", "in", DATE_FIELD_MODELS),
            ("ttype", "in", ("date", "datetime")),
            ("store", "=", True),
        ],
    )
    filter_domain = fields.Char(
        "Filter",
        default="[]",
        help="Only the campaign members matching this filter enter the step.",
    )
    # ---- action
    action = fields.Selection(engine.ACTIONS)
    mailing_id = fields.Many2one(
        "mailing.mailing",
        "Mailing",
        domain="[('campaign_id', '=', campaign_id)]",
        help="The mailing to send (a copy goes to the step's participants); "
        "empty: the campaign's own e-mail or SMS mailing.",
    )
    activity_type_id = fields.Many2one("mail.activity.type", "Activity type")
    activity_summary = fields.Char("Summary")
    activity_days = fields.Integer("Due in (days)", default=0)
    target_campaign_id = fields.Many2one(
        "utm.campaign", "Target campaign", ondelete="set null"
    )
    tag_ids = fields.Many2many("res.partner.category", string="Tags")
    wait_days = fields.Integer("Wait (days)", default=0)
    # ---- A/B split
    ab_percent = fields.Integer(
        "Share (%)", help="A/B variant: the share of the split's participants."
    )
    ab_winner_percent = fields.Integer(
        "Winner's share (%)",
        help="The share of the participants who wait for the winning variant.",
    )
    ab_metric = fields.Selection(engine.AB_METRICS, "Winner by", default="opened")
    ab_test_days = fields.Integer("Test period (days)", default=3)
    ab_seed = fields.Integer(
        "Seed", default=1, help="Same seed, same participants in each variant."
    )
    ab_winner_id = fields.Many2one(
        "marketing.journey.step", "Winner", readonly=True, copy=False
    )
    ab_decided_date = fields.Datetime("Winner chosen on", readonly=True, copy=False)
    last_pass = fields.Datetime(
        "Last evaluated",
        readonly=True,
        copy=False,
        help="When a pass last evaluated the step's trigger (reset when the "
        "trigger changes).",
    )
    # ---- counts
    waiting_count = fields.Integer("Waiting", compute="_compute_counts")
    done_count = fields.Integer("Done", compute="_compute_counts")
    failed_count = fields.Integer("Failed", compute="_compute_counts")
    blocked_count = fields.Integer("Blocked", compute="_compute_counts")

    # ---- COMPUTES

    @api.depends("parent_id", "parent_id.parent_id", "name")
    def _compute_depth(self):
        for step in self:
            depth, parent, seen = 0, step.parent_id, set()
            while parent and parent.id not in seen:
                seen.add(parent.id)
                depth += 1
                parent = parent.parent_id
            step.depth = depth
            step.tree_name = (
                "\u2003" * depth + ("\u2514 " if depth else "") + (step.name or "")
            )

    def _compute_counts(self):
        counts = {}
        for step, state, count in self.env["marketing.journey.path"]._read_group(
            [("step_id", "in", self.ids)], ["step_id", "state"], ["__count"]
        ):
            counts[(step.id, state)] = count
        for step in self:
            for state in ("waiting", "done", "failed", "blocked"):
                step[f"{state}_count"] = counts.get((step.id, state), 0)

    # the fields that define who enters a step: changing one makes the next
    # pass evaluate the trigger over every candidate again
    TRIGGER_FIELDS = (
        "parent_id",
        "branch",
        "trigger",
        "trigger_state",
        "trigger_days",
        "date_field_id",
        "filter_domain",
    )

    def write(self, vals):
        if "last_pass" not in vals and set(vals) & set(self.TRIGGER_FIELDS):
            vals = dict(vals, last_pass=False)
        return super().write(vals)

    # ---- CONSTRAINTS

    @api.constrains(
        "parent_id",
        "action",
        "wait_days",
        "trigger",
        "trigger_days",
        "branch",
        "ab_percent",
        "ab_winner_percent",
        "journey_id",
    )
    def _check_graph(self, complete=False):
        """The journey's steps as a whole (tools/journey.py's rules).

        :param complete: the journey is about to run (see validate_steps)
        """
        for journey in self.journey_id:
            try:
                engine.validate_steps(
                    [step._engine_dict() for step in journey.step_ids],
                    complete=complete,
                )
            except engine.JourneyError as error:
                raise ValidationError(journey_error_message(self.env, error)) from None
        for step in self:
            if step.parent_id and step.parent_id.journey_id != step.journey_id:
                raise ValidationError(
                    _(
                        "The step %(name)s follows a step of another journey.",
                        name=step.name,
                    )
                )
            step._check_action_input()

    def _engine_dict(self):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "parent_id": self.parent_id.id or None,
            "trigger": self.trigger,
            "trigger_days": self.trigger_days,
            "action": self.action,
            "wait_days": self.wait_days,
            "branch": self.branch,
            "ab_percent": self.ab_percent,
            "ab_winner_percent": self.ab_winner_percent,
        }

    def _check_action_input(self):
        """:raise ValidationError: the step lacks what its trigger or action
        needs"""
        self.ensure_one()
        missing = None
        field = self.date_field_id
        if self.trigger == "date" and not (
            field
            and field.model in DATE_FIELD_MODELS
            and field.ttype in ("date", "datetime")
            and field.store
        ):
            missing = _("a stored date field of the member or of the contact")
        elif self.action == "move" and not self.target_campaign_id:
            missing = _("a target campaign")
        elif self.action == "tag" and not self.tag_ids:
            missing = _("a tag")
        elif self.action == "move" and self.target_campaign_id == self.campaign_id:
            missing = _("another campaign than its own")
        if missing:
            raise ValidationError(
                _("The step %(name)s needs %(what)s.", name=self.name, what=missing)
            )
        try:
            self._filter_domain()
        except (ValueError, SyntaxError) as error:
            raise ValidationError(
                _(
                    "The filter of the step %(name)s is not a valid domain: %(error)s",
                    name=self.name,
                    error=error,
                )
            ) from None

    # ---- ACTIONS

    def action_view_participants(self):
        """:return: the action listing the step's participants (path rows)"""
        self.ensure_one()
        return self.env["marketing.journey.path"]._action_list(
            [("step_id", "=", self.id)],
            _("Participants of step %(name)s", name=self.name),
        )

    # ---- PASS

    def _in_pass_order(self):
        """:return: the steps, parents before children"""
        return self.sorted(lambda s: (s.depth, s.sequence, s.id))

    def _filter_domain(self):
        domain = literal_eval(self.filter_domain or "[]")
        if not isinstance(domain, list):
            raise ValueError(_("a list is expected"))
        self.env["marketing.campaign.member"]._where_calc(domain)
        return domain

    def _filter_sql(self, member_alias):
        """:return: SQL condition: the member ``member_alias`` matches the
        step's filter (TRUE when none)"""
        domain = self._filter_domain()
        if not domain:
            return SQL("TRUE")
        query = (
            self.env["marketing.campaign.member"]
            .sudo()
            .with_context(active_test=False)
            ._search(domain)
        )
        return SQL("%s IN %s", SQL.identifier(member_alias, "id"), query.subselect())

    def _state_sql(self, member_alias):
        """:return: SQL condition: the member reached the trigger state (the
        KPI rule of kpi_rules, one definition)"""
        return member_kpi_sql(
            engine.TRIGGER_STATE_KPIS[self.trigger_state or "opened"], member_alias
        )

    def _decide_ab_winner(self, now):
        """Choose the winner of the A/B split once its test period has ended
        (from its first participant): the variant whose participants reached
        the metric's state most often (tools/journey.choose_winner).

        :return: the winner step, or an empty recordset
        """
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            "SELECT MIN(date_done) FROM marketing_journey_path "
            "WHERE step_id = %s AND state = 'done'",
            [self.id],
        )
        start = cr.fetchone()[0]
        if not start or engine.due_time(start, self.ab_test_days) > now:
            return self.browse()
        variants = self.child_ids.filtered(lambda s: s.branch == "variant").sorted(
            lambda s: (s.sequence, s.id)
        )
        kpi = engine.TRIGGER_STATE_KPIS[self.ab_metric or "opened"]
        cr.execute(
            SQL(
                """
            SELECT p.step_id, COUNT(*) FILTER (WHERE %(hit)s), COUNT(*)
              FROM marketing_journey_path p
              JOIN marketing_campaign_member m ON m.id = p.member_id
             WHERE p.step_id IN %(steps)s
             GROUP BY p.step_id
                """,
                hit=member_kpi_sql(kpi, "m"),
                steps=tuple(variants.ids),
            )
        )
        found = {row[0]: row[1:] for row in cr.fetchall()}
        stats = [(v.id, *found.get(v.id, (0, 0))) for v in variants]
        winner = self.browse(engine.choose_winner(stats))
        if winner:
            self.write({"ab_winner_id": winner.id, "ab_decided_date": now})
            self.journey_id._log_winner(
                self,
                winner,
                [(self.browse(key).name, hits, total) for key, hits, total in stats],
            )
        return winner
