# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A campaign's journey: steps run automatically on its members by a
scheduled job, set-based (one SQL statement per step and pass)."""

import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .chatter import log_note

_logger = logging.getLogger(__name__)

# a journey of more participants than this runs its pass as a queue job of
# its own when queue_job's runner runs (a pass over 500,000 participants
# takes seconds to a minute, see tests/bench/bench_journey.py); smaller ones
# run inside the scheduled action
JOB_THRESHOLD = 20000
# one pass of a journey at a time: a transaction-level advisory lock on
# (key, journey id); a second pass skips the journey
PASS_LOCK_KEY = 0x6D726A79  # "mrjy"


class MarketingJourney(models.Model):
    _name = "marketing.journey"
    _description = "Campaign Journey"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", related="campaign_id.company_id", store=True, index=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("stopped", "Stopped")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    step_ids = fields.One2many(
        "marketing.journey.step", "journey_id", "Steps", copy=True
    )
    last_run = fields.Datetime("Last pass", readonly=True, copy=False)
    participant_count = fields.Integer(compute="_compute_participant_count")

    def _compute_participant_count(self):
        counts = {}
        if self.ids:
            self.env["marketing.journey.path"].flush_model()
            self.env.cr.execute(
                "SELECT s.journey_id, count(DISTINCT p.member_id) "
                "FROM marketing_journey_path p "
                "JOIN marketing_journey_step s ON s.id = p.step_id "
                "WHERE s.journey_id = ANY(%s) GROUP BY s.journey_id",
                [self.ids],
            )
            counts = dict(self.env.cr.fetchall())
        for journey in self:
            journey.participant_count = counts.get(journey.id, 0)

    # ---- ORM

    @api.constrains("campaign_id")
    def _check_campaign(self):
        # the steps' constraint checks the graph; a journey without steps is a
        # draft being built
        self.step_ids._check_graph()

    # ---- ACTIONS

    def action_start(self):
        """Start the journeys: the scheduled job runs their steps.

        :return: True
        """
        for journey in self:
            if not journey.step_ids:
                raise UserError(
                    _("Add steps to the journey %(name)s first.", name=journey.name)
                )
            journey.step_ids._check_graph(complete=True)
        self.write({"state": "running"})
        return True

    def action_stop(self):
        """Stop the journeys: nobody moves on until they are started again.

        :return: True
        """
        self.write({"state": "stopped"})
        return True

    def action_run_now(self):
        """Run one pass of the running journeys now (as the scheduled job
        does), after checking the user may change them.

        :return: True (the form shows the new counts)
        """
        self.check_access("write")
        for journey in self:
            if journey.state != "running":
                raise UserError(
                    _("Start the journey %(name)s first.", name=journey.name)
                )
            journey.sudo()._run_pass()
        return True

    def action_view_participants(self):
        """:return: the action listing the journey's path (participant, step,
        when, result)"""
        self.ensure_one()
        return self.env["marketing.journey.path"]._action_list(
            [("journey_id", "=", self.id)],
            _("Participants of %(name)s", name=self.name),
        )

    # ---- SCHEDULER

    @api.model
    def _journey_uses_queue(self):
        """Queue jobs when queue_job's runner runs (never in tests), as the
        audience generation does."""
        return self.env["utm.campaign"]._generation_uses_queue()

    @api.model
    def _cron_run_journeys(self):
        """The scheduled job: one pass of every running journey; a large one
        as a queue job of its own.

        :return: True
        """
        journeys = self.sudo().search([("state", "=", "running")])
        uses_queue = self._journey_uses_queue()
        for journey in journeys:
            if uses_queue and journey._count_members() > JOB_THRESHOLD:
                journey.with_delay(
                    description=_("Journey pass of %(name)s", name=journey.name)
                )._run_pass()
                continue
            # one journey's failure (a bad filter, a database error) does not
            # stop the others: it is logged, its pass rolled back
            try:
                with self.env.cr.savepoint():
                    journey._run_pass()
            except Exception:  # noqa: BLE001 - logged, the next journeys run
                _logger.exception("Journey %s: the pass failed", journey.id)
        return True

    def _count_members(self):
        self.ensure_one()
        return self.env["marketing.campaign.member"].search_count(
            [("campaign_id", "=", self.campaign_id.id)]
        )

    def _run_pass(self, now=None):
        """One pass of the journey: choose the A/B winners whose test period
        ended, then for each step, parents first, let the participants whose
        trigger fired enter it (one INSERT ... SELECT) and do the step's
        action for those due (set-based, see marketing_journey_path.py).

        :param now: the pass's time (UTC), default now
        :return: dict: per step id (as a string) ``{"entered": n, "done": n,
            "blocked": n, "failed": n}``; ``{"skipped": True}`` when another
            pass of the journey is running
        """
        self.ensure_one()
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [PASS_LOCK_KEY, self.id])
        if not cr.fetchone()[0]:
            return {"skipped": True}
        now = now or fields.Datetime.now()
        Path = self.env["marketing.journey.path"]
        self.env.flush_all()
        result = {}
        for step in self.step_ids._in_pass_order():
            if step.action == "ab_split" and not step.ab_winner_id:
                step._decide_ab_winner(now)
            entered = Path._enter_step(step, now)
            counts = Path._execute_step(step, now)
            counts["entered"] = entered
            result[str(step.id)] = counts
        self.last_run = now
        moved = sum(sum(c.values()) for c in result.values())
        _logger.info("Journey %s pass: %s path changes", self.id, moved)
        return result

    def _log_winner(self, step, winner, stats):
        rates = ", ".join(
            f"{name}: {hits}/{total}" for name, hits, total in stats if total
        )
        log_note(
            self,
            Markup("<p>%s</p>")
            % _(
                "A/B split %(step)s: the winner is %(winner)s (%(rates)s).",
                step=step.name,
                winner=winner.name,
                rates=rates,
            ),
        )


# the engine's rule codes, worded for the user (engine.validate_steps)
def journey_error_message(env, error):
    code, params = error.args
    if code == "loop":
        return env._(
            "The step %(name)s is part of a loop: a step cannot lead back to itself.",
            **params,
        )
    if code == "no_action":
        return env._("The step %(name)s has no action: choose one.", **params)
    if code == "zero_wait":
        return env._(
            "The step %(name)s waits zero days: a wait is at least one day.", **params
        )
    if code == "zero_days":
        return env._(
            "The step %(name)s counts zero days: give at least one day.", **params
        )
    if code == "variant_outside":
        return env._(
            "The step %(name)s is an A/B variant but its parent step is not an A/B "
            "split.",
            **params,
        )
    if code == "ab_child":
        return env._(
            "The step %(name)s follows an A/B split: make it one of its variants.",
            **params,
        )
    return env._(
        "The A/B split %(name)s needs at least two variants and its shares "
        "(variants and the winner's share) must make 100 %%, not %(total)s %%.",
        **params,
    )
