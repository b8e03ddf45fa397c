# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A campaign scenario: which contact gets which offer on which channel,
under budgets and capacities, chosen by the optimiser (optimiser/), then
applied through the campaigns' set-based generation."""

import time

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from odoo.addons.crm_lead_routing.progress import Progress

from .chatter import log_note
from .marketing_campaign_member import CHANNELS

SCENARIO_STATES = [
    ("draft", "Draft"),
    ("queued", "Running"),
    ("done", "Solved"),
    ("failed", "Failed"),
    ("applied", "Applied"),
]
CHANNEL_CODES = [code for code, _label in CHANNELS]
# Candidates above which "Run" goes to a queue job (parameter
# marketing_resource_mgmt.scenario_queue_threshold): a run of this size
# solves in a few seconds inline; beyond it the user should not wait on the
# request.
QUEUE_THRESHOLD = 50000
# Choices written per INSERT ... SELECT unnest statement.
WRITE_BATCH = 100000


class MarketingScenario(models.Model):
    _name = "marketing.scenario"
    _description = "Campaign Scenario"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        SCENARIO_STATES, default="draft", required=True, readonly=True, tracking=True
    )
    message = fields.Text(readonly=True, copy=False)
    campaign_ids = fields.Many2many(
        "utm.campaign",
        "marketing_scenario_campaign_rel",
        "scenario_id",
        "campaign_id",
        string="Campaigns",
        domain="[('state', '=', 'running'), ('company_id', '=', company_id)]",
    )
    offer_ids = fields.Many2many(
        "marketing.offer",
        "marketing_scenario_offer_rel",
        "scenario_id",
        "offer_id",
        string="Offers",
        compute="_compute_offer_ids",
        store=True,
        readonly=False,
        domain="[('campaign_id', 'in', campaign_ids)]",
    )
    budget_total = fields.Monetary(
        "Total budget", tracking=True, help="Most the plan may spend (0: no limit)."
    )
    budget_ids = fields.One2many(
        "marketing.scenario.budget", "scenario_id", "Budgets per campaign", copy=True
    )
    period_count = fields.Integer(
        "Periods",
        default=1,
        help="Days (or batches) the plan covers: each channel's capacity per "
        "period is multiplied by it.",
    )
    capacity_ids = fields.One2many(
        "marketing.scenario.capacity",
        "scenario_id",
        "Capacities",
        copy=True,
        help="Contacts each channel takes over the plan (no line: no limit).",
    )
    max_per_contact = fields.Integer(
        "Offers per contact", default=1, help="Most offers one person receives."
    )
    gap_target = fields.Float(
        "Optimality gap",
        default=0.005,
        digits=(4, 4),
        help="The solver stops within this share of the best possible plan.",
    )
    # ---- results
    run_date = fields.Datetime(readonly=True, copy=False)
    run_seconds = fields.Float(
        "Solved in (s)", digits=(16, 2), readonly=True, copy=False
    )
    method = fields.Char(readonly=True, copy=False)
    candidate_count = fields.Integer("Candidates", readonly=True, copy=False)
    chosen_count = fields.Integer("Contacts chosen", readonly=True, copy=False)
    expected_responses = fields.Float(digits=(16, 2), readonly=True, copy=False)
    expected_revenue = fields.Monetary(readonly=True, copy=False)
    expected_cost = fields.Monetary(readonly=True, copy=False)
    expected_profit = fields.Monetary(readonly=True, copy=False)
    roi = fields.Float("ROI", digits=(16, 2), readonly=True, copy=False)
    bound = fields.Monetary(
        "Upper bound", readonly=True, copy=False, help="No plan can do better."
    )
    gap = fields.Float(digits=(6, 4), readonly=True, copy=False)
    greedy_profit = fields.Monetary(
        "Greedy plan's profit",
        readonly=True,
        copy=False,
        help="Expected profit of the simple rule: best expected value first, "
        "while budget and capacity last.",
    )
    result_ids = fields.One2many(
        "marketing.scenario.result", "scenario_id", "Results", readonly=True
    )
    constraint_ids = fields.One2many(
        "marketing.scenario.constraint", "scenario_id", "Constraints", readonly=True
    )
    apply_date = fields.Datetime(readonly=True, copy=False)

    # ---- ORM

    @api.depends("campaign_ids")
    def _compute_offer_ids(self):
        for scenario in self:
            scenario.offer_ids = scenario.campaign_ids.offer_ids.filtered("active")

    @api.model_create_multi
    def create(self, vals_list):
        scenarios = super().create(vals_list)
        for scenario in scenarios:
            if not scenario.capacity_ids:
                scenario.capacity_ids = scenario._default_capacity_commands()
        return scenarios

    def _default_capacity_commands(self):
        """The company's channel capacities (marketing.channel) times the
        scenario's periods, one line per limited channel."""
        self.ensure_one()
        channels = self.env["marketing.channel"]._get_company_channels(self.company_id)
        return [
            (0, 0, {"channel": code, "capacity": channel.capacity * self.period_count})
            for code, channel in channels.items()
            if channel.capacity
        ]

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for scenario, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}):
                vals["name"] = _("%(name)s (copy)", name=scenario.name)
        return vals_list

    # ---- ACTIONS

    def action_run(self):
        """Solve the scenario: inline, or as a queue job for a large run.

        :return: True
        """
        self.ensure_one()
        self.check_access("write")
        self._check_run_input()
        if self._run_uses_queue():
            self.write({"state": "queued", "message": _("Waiting for a job worker.")})
            self.with_delay(
                description=_("Solve the scenario %(name)s", name=self.name)
            )._run_job()
        else:
            title = _("Solving the scenario %(name)s", name=self.name)
            with Progress(self.env, title, 1) as bar:
                bar.step(_("Choosing the members"))
                self._run_optimiser()
        return True

    def action_apply(self):
        """Generate the chosen members of each campaign, per channel and
        offer, through the campaigns' set-based generation.

        :return: True
        """
        self.ensure_one()
        self.check_access("write")
        if self.state != "done":
            raise UserError(
                _("Run the scenario %(name)s before applying it.", name=self.name)
            )
        campaigns = self.campaign_ids
        campaigns._check_plan_access()
        counts = {}
        with self.env.cr.savepoint():
            for campaign in campaigns:
                if campaign.state != "running":
                    raise UserError(
                        _(
                            "The campaign %(name)s no longer runs: run the "
                            "scenario again.",
                            name=campaign.title,
                        )
                    )
                result = (
                    campaign.sudo()
                    .with_context(mrm_scenario_id=self.id)
                    ._generate_members()
                )
                counts[campaign.id] = sum(result.get(campaign.id, {}).values())
            self._set_member_offers()
        self.write({"state": "applied", "apply_date": fields.Datetime.now()})
        log_note(
            self,
            Markup("<p>%s</p>")
            % _(
                "Applied: %(count)s new members in %(campaigns)s campaigns.",
                count=sum(counts.values()),
                campaigns=len(campaigns),
            ),
        )
        return True

    def action_reset_to_draft(self):
        self.check_access("write")
        self.filtered(lambda s: s.state in ("done", "failed")).write(
            {"state": "draft", "message": False}
        )
        return True

    def action_compare(self):
        """Open the side-by-side comparison with another scenario."""
        self.ensure_one()
        other = self.search(
            [("id", "!=", self.id), ("state", "in", ("done", "applied"))],
            limit=1,
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Compare scenarios"),
            "res_model": "marketing.scenario.compare",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_scenario_a_id": self.id,
                "default_scenario_b_id": other.id,
            },
        }

    def action_view_choices(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Chosen contacts"),
            "res_model": "marketing.scenario.choice",
            "view_mode": "list",
            "domain": [("scenario_id", "=", self.id)],
        }

    # ---- RUN

    def _run_uses_queue(self):
        threshold = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("marketing_resource_mgmt.scenario_queue_threshold")
        )
        try:
            threshold = int(threshold) if threshold else QUEUE_THRESHOLD
        except ValueError:
            threshold = QUEUE_THRESHOLD
        return sum(self.offer_ids.mapped("score_count")) > threshold

    def _check_run_input(self):
        """:raise UserError: naming the input the scenario cannot run with"""
        self.ensure_one()
        if not self.campaign_ids:
            raise UserError(
                _("Choose the campaigns of the scenario %(name)s.", name=self.name)
            )
        if not self.offer_ids:
            raise UserError(
                _(
                    "The scenario %(name)s has no offer: add offers to its campaigns.",
                    name=self.name,
                )
            )
        for campaign in self.campaign_ids:
            if campaign.state != "running":
                raise UserError(
                    _("The campaign %(name)s does not run.", name=campaign.title)
                )
        for offer in self.offer_ids:
            if offer.value <= 0:
                raise UserError(
                    _(
                        "The offer %(name)s has no value per acceptance: the "
                        "optimiser cannot weigh it.",
                        name=offer.name,
                    )
                )
        if self.budget_total < 0:
            raise UserError(_("The total budget cannot be negative."))
        for line in self.budget_ids:
            if line.budget < 0:
                raise UserError(
                    _(
                        "The budget of the campaign %(name)s cannot be negative.",
                        name=line.campaign_id.title,
                    )
                )
        labels = dict(CHANNELS)
        for line in self.capacity_ids:
            if line.capacity < 0:
                raise UserError(
                    _(
                        "The capacity of the channel %(channel)s cannot be negative.",
                        channel=labels[line.channel],
                    )
                )
        if self.max_per_contact < 1:
            raise UserError(_("A contact must be allowed at least one offer."))
        if not 0 <= self.gap_target < 1:
            raise UserError(_("The optimality gap is a share between 0 and 1."))

    def _run_job(self):
        """The queue job: a failure is written on the scenario."""
        try:
            self._run_optimiser()
        except UserError as error:
            self.write({"state": "failed", "message": str(error)})
        return True

    def _run_optimiser(self):
        """Score the offers not scored yet, build the candidates, solve, and
        store the plan. On bad input nothing is written (savepoint).

        :raise UserError: naming the constraint that cannot be met
        """
        from ..optimiser import OptimiserInputError, greedy, solve

        self.ensure_one()
        start = time.perf_counter()
        try:
            with self.env.cr.savepoint():
                self._check_run_input()
                for offer in self.offer_ids.filtered(lambda o: not o.score_date):
                    offer.sudo()._train_and_score()
                candidates = self._fetch_candidates()
                problem = self._build_problem(candidates)
                solution = solve(problem, gap=self.gap_target)
                baseline = greedy(problem)
                self._store_solution(candidates, problem, solution, baseline, start)
        except OptimiserInputError as error:
            raise UserError(
                _(
                    "The scenario %(name)s cannot be planned: %(reason)s",
                    name=self.name,
                    reason=self._optimiser_message(error),
                )
            ) from error
        return True

    def _optimiser_message(self, error):
        """The optimiser's message in the user's language (its template is
        marked for translation in optimiser/, see its readme)."""
        template = getattr(error, "template", None)
        if not template:
            return str(error)
        return self.env._(str(template), **getattr(error, "params", {}))  # pylint: disable=translation-not-lazy

    def _policy_channel_caps(self):
        """:return: {channel index: the contact policy's cap per person on
        that channel} for the capped channels"""
        policy = self.env["marketing.contact.policy"]._get_policy(self.company_id)
        return {
            index: policy.channel_cap(code)
            for index, code in enumerate(CHANNEL_CODES)
            if policy.channel_cap(code)
        }

    def _policy_sql(self, channel_sql, partner_alias):
        """SQL: the contact policy allows contacting the partner on the
        candidate's channel (marketing.contact.policy, one condition per
        channel)."""
        Policy = self.env["marketing.contact.policy"]
        return SQL(
            "(%s)",
            SQL(" OR ").join(
                SQL(
                    "(%s = %s AND %s)",
                    channel_sql,
                    code,
                    Policy._allowed_sql(code, partner_alias, company=self.company_id),
                )
                for code in CHANNEL_CODES
            ),
        )

    def _fetch_candidates(self):
        """The (contact, offer, channel) candidates: the scored audience of
        each offer on the channels its campaign still uses, minus the
        contacts already members of the campaign on that channel (or
        unsubscribed from it), minus what the contact policy forbids.

        :return: dict of numpy arrays (partner, offer, channel index,
            campaign, probability, value, cost)
        """
        import numpy as np

        self.env.flush_all()
        # the cost of a contact as next-best-action reads it (one SQL form of
        # optimiser/value.py): the offer's own + the company's channel's
        cost = self.env["marketing.offer"]._contact_cost_sql(
            "o", SQL("pr.channel"), SQL("mch.cost_per_contact")
        )
        query = SQL(
            """
            SELECT pr.partner_id, pr.offer_id, array_position(%(codes)s::varchar[],
                   pr.channel::varchar) - 1, pr.campaign_id, pr.probability,
                   o.value, %(cost)s
              FROM marketing_offer_probability pr
              JOIN marketing_offer o ON o.id = pr.offer_id
              JOIN utm_campaign c ON c.id = pr.campaign_id AND c.state = 'running'
              JOIN res_partner mrm_cp ON mrm_cp.id = pr.partner_id
              LEFT JOIN marketing_channel mch
                     ON mch.company_id = pr.company_id AND mch.code = pr.channel
                    AND mch.active
             WHERE pr.offer_id = ANY(%(offers)s)
               AND ((pr.channel = 'email' AND c.use_email)
                    OR (pr.channel = 'call' AND c.use_call)
                    OR (pr.channel = 'mail' AND c.use_mail)
                    OR (pr.channel = 'sms' AND c.use_sms))
               AND NOT EXISTS (
                   SELECT 1 FROM marketing_campaign_member m
                    WHERE m.campaign_id = pr.campaign_id
                      AND m.partner_id = pr.partner_id
                      AND (m.channel = pr.channel OR m.state = 'unsubscribed'))
               AND %(policy)s
             ORDER BY pr.partner_id, pr.offer_id, pr.channel
            """,
            codes=CHANNEL_CODES,
            cost=cost,
            offers=self.offer_ids.ids,
            policy=self._policy_sql(SQL("pr.channel"), "mrm_cp"),
        )
        self.env.cr.execute(query)
        rows = self.env.cr.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [()] * 7
        return {
            "partner": np.array(columns[0], dtype=np.int64),
            "offer": np.array(columns[1], dtype=np.int64),
            "channel": np.array(columns[2], dtype=np.int64),
            "campaign": np.array(columns[3], dtype=np.int64),
            "probability": np.array(columns[4], dtype=np.float64),
            "value": np.array(columns[5], dtype=np.float64),
            "cost": np.array(columns[6], dtype=np.float64),
        }

    def _remaining_caps(self, partner_ids):
        """The contact policy's remaining contacts of each person in the
        period, as the optimiser's caps of each person (exact constraints of
        its problem: a row per person in the MILP, the person's own
        subproblem in the decomposition). Only the caps below the
        scenario's offers per person and the policy's cap per channel are
        kept; the persons it allows none are left out by the candidates'
        query already.

        :param partner_ids: the candidates' persons
        :return: (cap_by_contact, cap_by_contact_channel) for
            optimiser.Problem
        """
        if self.max_per_contact <= 1 or not len(partner_ids):
            # one offer per person: the query kept only the persons the
            # policy allows one more contact on the candidate's channel
            return {}, {}
        Policy = self.env["marketing.contact.policy"]
        remaining = Policy._remaining(list(partner_ids), company=self.company_id)
        channel_caps = self._policy_channel_caps()
        by_contact, by_channel = {}, {}
        for pid, left in remaining.items():
            if left["total"] is not None and left["total"] < self.max_per_contact:
                by_contact[pid] = left["total"]
            for index, code in enumerate(CHANNEL_CODES):
                cap = channel_caps.get(index)
                if cap and left[code] is not None and left[code] < cap:
                    by_channel[(pid, index)] = left[code]
        return by_contact, by_channel

    def _build_problem(self, candidates):
        """The optimiser's problem of the candidates and the scenario's
        limits."""
        from ..optimiser import Problem, expected_value

        if not len(candidates["partner"]):
            raise UserError(
                _(
                    "The scenario %(name)s has no candidate: the campaigns' "
                    "audiences are empty, already members, or the contact "
                    "policy leaves nobody to contact.",
                    name=self.name,
                )
            )
        import numpy as np

        labels = dict(CHANNELS)
        by_contact, by_channel = self._remaining_caps(
            np.unique(candidates["partner"]).tolist()
        )
        return Problem(
            contact=candidates["partner"],
            offer=candidates["offer"],
            channel=candidates["channel"],
            campaign=candidates["campaign"],
            value=expected_value(candidates["probability"], candidates["value"]),
            cost=candidates["cost"],
            budget_total=self.budget_total or None,
            budget_by_campaign={
                line.campaign_id.id: line.budget for line in self.budget_ids
            },
            capacity_by_channel={
                CHANNEL_CODES.index(line.channel): line.capacity
                for line in self.capacity_ids
            },
            offer_min={o.id: o.min_volume for o in self.offer_ids if o.min_volume},
            offer_max={o.id: o.max_volume for o in self.offer_ids if o.max_volume},
            max_per_contact=self.max_per_contact,
            max_per_contact_channel=self._policy_channel_caps(),
            cap_by_contact=by_contact,
            cap_by_contact_channel=by_channel,
            probability=candidates["probability"],
            names={
                "offer": {o.id: o.name for o in self.offer_ids},
                "channel": {
                    index: str(labels[code]) for index, code in enumerate(CHANNEL_CODES)
                },
                "campaign": {c.id: c.title for c in self.campaign_ids},
            },
        )

    @staticmethod
    def _chosen_index(solution):
        import numpy as np

        chosen = np.asarray(solution.chosen)
        if chosen.dtype == bool:
            return np.flatnonzero(chosen)
        return chosen.astype(np.int64)

    def _store_solution(self, candidates, problem, solution, baseline, start):
        """Write the plan: the chosen candidates (set-based), the totals per
        campaign / offer / channel, the constraints with their shadow
        prices, the scenario's figures."""
        import numpy as np

        from ..optimiser import expected_value

        index = self._chosen_index(solution)
        partner = candidates["partner"][index]
        offer = candidates["offer"][index]
        channel = candidates["channel"][index]
        campaign = candidates["campaign"][index]
        probability = candidates["probability"][index]
        revenue = expected_value(probability, candidates["value"][index])
        cost = candidates["cost"][index]
        self.env.cr.execute(
            SQL("DELETE FROM marketing_scenario_choice WHERE scenario_id = %s", self.id)
        )
        for chunk in split_every(WRITE_BATCH, range(len(index))):
            part = np.array(list(chunk), dtype=np.int64)
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO marketing_scenario_choice
                           (scenario_id, company_id, partner_id, offer_id,
                            campaign_id, channel, probability, expected_value, cost)
                    SELECT %(scenario)s, %(company)s, u.partner_id, u.offer_id,
                           u.campaign_id, (%(codes)s::varchar[])[u.channel + 1],
                           u.probability, u.revenue - u.cost, u.cost
                      FROM unnest(%(partner)s::int[], %(offer)s::int[],
                                  %(campaign)s::int[], %(channel)s::int[],
                                  %(probability)s::float8[], %(revenue)s::float8[],
                                  %(cost)s::float8[])
                           AS u(partner_id, offer_id, campaign_id, channel,
                                probability, revenue, cost)
                    """,
                    scenario=self.id,
                    company=self.company_id.id,
                    codes=CHANNEL_CODES,
                    partner=partner[part].tolist(),
                    offer=offer[part].tolist(),
                    campaign=campaign[part].tolist(),
                    channel=channel[part].tolist(),
                    probability=probability[part].tolist(),
                    revenue=revenue[part].tolist(),
                    cost=cost[part].tolist(),
                )
            )
        self.env["marketing.scenario.choice"].invalidate_model()
        labels = dict(CHANNELS)
        names = {
            "campaign": {c.id: c.title for c in self.campaign_ids},
            "offer": {o.id: o.name for o in self.offer_ids},
            "channel": {i: str(labels[code]) for i, code in enumerate(CHANNEL_CODES)},
        }
        results = []
        for kind, keys in (
            ("campaign", campaign),
            ("offer", offer),
            ("channel", channel),
        ):
            for key in np.unique(keys):
                mask = keys == key
                rev, cst = float(revenue[mask].sum()), float(cost[mask].sum())
                results.append(
                    {
                        "kind": kind,
                        "name": names[kind].get(int(key), str(key)),
                        "contacts": int(mask.sum()),
                        "responses": float(probability[mask].sum()),
                        "revenue": rev,
                        "cost": cst,
                        "profit": rev - cst,
                        "roi": (rev - cst) / cst if cst else 0.0,
                    }
                )
        total_revenue, total_cost = float(revenue.sum()), float(cost.sum())
        self.result_ids.unlink()
        self.constraint_ids.unlink()
        self.write(
            {
                "state": "done",
                "message": False,
                "run_date": fields.Datetime.now(),
                "run_seconds": time.perf_counter() - start,
                "method": solution.method,
                "candidate_count": len(candidates["partner"]),
                "chosen_count": len(index),
                "expected_responses": float(probability.sum()),
                "expected_revenue": total_revenue,
                "expected_cost": total_cost,
                "expected_profit": total_revenue - total_cost,
                "roi": (total_revenue - total_cost) / total_cost if total_cost else 0,
                "bound": solution.bound,
                "gap": solution.gap,
                "greedy_profit": baseline.objective,
                "result_ids": [(0, 0, vals) for vals in results],
                "constraint_ids": [
                    (0, 0, self._prepare_constraint_vals(report))
                    for report in solution.constraints
                ],
            }
        )

    def _prepare_constraint_vals(self, report):
        """The values of a constraint line, with its shadow price phrased for
        a marketing manager ("one more caller-day is worth 340")."""
        return {
            "kind": report.kind,
            "key": str(report.key) if report.key is not None else False,
            "name": report.label,
            "limit": float(report.limit or 0),
            "used": float(report.used or 0),
            "shadow_price": float(report.shadow_price or 0),
            "binding": bool(report.binding),
            "explanation": self._explain_constraint(report),
        }

    def _explain_constraint(self, report):
        currency = self.currency_id
        price = float(report.shadow_price or 0)
        amount = currency.round(price) if currency else round(price, 2)
        if not report.binding:
            return _(
                "Not binding: %(spare)s left unused.",
                spare=round(float(report.limit or 0) - float(report.used or 0), 2),
            )
        kind = str(report.kind)
        if "capacity" in kind:
            code = CHANNEL_CODES[int(report.key)] if str(report.key).isdigit() else None
            if code == "call":
                channel = (
                    self.env["marketing.channel"]
                    ._get_company_channels(self.company_id)
                    .get("call")
                )
                if channel and channel.caller_count and channel.capacity:
                    per_day = channel.capacity / channel.caller_count
                    return _(
                        "One more caller-day (%(calls)s calls) is worth %(amount)s.",
                        calls=round(per_day),
                        amount=currency.round(price * per_day),
                    )
                return _("One more call is worth %(amount)s.", amount=amount)
            units = {
                "email": _("e-mail"),
                "mail": _("letter"),
                "sms": _("SMS"),
                "call": _("call"),
            }
            return _(
                "One more %(unit)s is worth %(amount)s.",
                unit=units.get(code, _("contact")),
                amount=amount,
            )
        if "budget" in kind:
            return _(
                "One more unit of %(label)s is worth %(amount)s.",
                label=report.label,
                amount=amount,
            )
        if "min" in kind:
            return _(
                "Each contact forced by %(label)s costs %(amount)s of profit.",
                label=report.label,
                amount=currency.round(abs(price)),
            )
        return _(
            "One more unit of %(label)s is worth %(amount)s.",
            label=report.label,
            amount=amount,
        )

    # ---- APPLY

    def _set_member_offers(self):
        """Put the chosen offer on the members the apply generated (the best
        offer when several offers of one campaign went to one contact on one
        channel)."""
        self.env["marketing.campaign.member"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE marketing_campaign_member m SET offer_id = ch.offer_id
                  FROM (SELECT DISTINCT ON (campaign_id, partner_id, channel)
                               campaign_id, partner_id, channel, offer_id
                          FROM marketing_scenario_choice
                         WHERE scenario_id = %s
                         ORDER BY campaign_id, partner_id, channel,
                                  expected_value DESC, offer_id) ch
                 WHERE m.campaign_id = ch.campaign_id
                   AND m.partner_id = ch.partner_id
                   AND m.channel = ch.channel AND m.offer_id IS NULL
                """,
                self.id,
            )
        )
        self.env["marketing.campaign.member"].invalidate_model(["offer_id"])
