# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..kpi_rules import ANSWERED_STATES, RESPONDED_STATES
from .chatter import log_note
from .logged_work import done_activity_counts
from .marketing_campaign_template import CAMPAIGN_TYPES

# Fields that make up a campaign's plan: only its owner and marketing managers
# change them once the campaign is run by the Campaign Controller.
PLAN_FIELDS = {
    "code",
    "campaign_type",
    "template_id",
    "phase_ids",
    "phase_id",
    "state",
    "objectives",
    "date_start",
    "date_end",
    "budget",
    "currency_id",
    "company_id",
    "segment_ids",
    "target_members",
    "target_responses",
    "target_leads",
    "target_opportunities",
    "target_won",
    "target_orders",
    "target_revenue",
    "cofunding_ids",
    "team_ids",
    "cost_ids",
    "user_id",
    "use_email",
    "use_call",
    "use_mail",
    "use_sms",
    "call_script",
    "assignment_mode",
    # follow-on campaigns (utm_campaign_follow_on.py)
    "parent_id",
    "offer_product_ids",
    "offer_pricelist_id",
}


class UtmCampaign(models.Model):
    """The Campaign Controller's campaign: Odoo's UTM campaign (so that leads,
    mailings, links and orders already carry it) with a code, a plan, phases,
    a team, an audience and costs."""

    _name = "utm.campaign"
    _inherit = ["utm.campaign", "mail.thread", "mail.activity.mixin"]

    code = fields.Char(
        copy=False,
        index=True,
        tracking=True,
        help="Unique campaign code, quoted on every channel to tie answers to "
        "the campaign.",
    )
    campaign_type = fields.Selection(CAMPAIGN_TYPES, default="mixed", tracking=True)
    template_id = fields.Many2one(
        "marketing.campaign.template", string="Template", tracking=True
    )
    phase_ids = fields.One2many("marketing.campaign.phase", "campaign_id", "Phases")
    phase_id = fields.Many2one(
        "marketing.campaign.phase",
        string="Current phase",
        tracking=True,
        copy=False,
        domain="[('campaign_id', '=', id)]",
    )
    # the kanban's columns: the template phase the current phase was copied
    # from, shared by every campaign of the template (the phases themselves,
    # like the project stages they own, belong to one campaign each)
    phase_step_id = fields.Many2one(
        "marketing.campaign.template.phase",
        string="Phase",
        related="phase_id.template_phase_id",
        store=True,
        index="btree_not_null",
        group_expand="_read_group_phase_step_ids",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("running", "Running"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    objectives = fields.Html()
    date_start = fields.Date("Start date", tracking=True)
    date_end = fields.Date("End date", tracking=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
    )
    # sale makes this a related field (company_id.currency_id): writable, a
    # save of the form wrote the campaign's currency into its company. The
    # campaign's currency is its own: the company's by default, chosen freely.
    currency_id = fields.Many2one(
        "res.currency",
        related=False,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    budget = fields.Monetary(tracking=True)
    target_members = fields.Integer("Target: members reached")
    target_responses = fields.Integer("Target: responses")
    target_leads = fields.Integer("Target: leads")
    target_opportunities = fields.Integer("Target: opportunities")
    target_won = fields.Integer("Target: won deals")
    target_orders = fields.Integer("Target: orders")
    target_revenue = fields.Monetary("Target: revenue")
    cofunding_ids = fields.One2many(
        "marketing.campaign.cofunding", "campaign_id", "Co-funding"
    )
    team_ids = fields.One2many("marketing.campaign.team", "campaign_id", "Team")
    member_ids = fields.One2many("marketing.campaign.member", "campaign_id", "Members")
    cost_ids = fields.One2many("marketing.campaign.cost", "campaign_id", "Costs")
    project_id = fields.Many2one("project.project", copy=False, readonly=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic account",
        copy=False,
        help="Collects the campaign's costs: the project's timesheets, vendor "
        "bill lines analysed to it and the direct cost entries.",
    )
    # the e-mail list of campaigns generated before 18.0.1.0.2 (their e-mail
    # members were copied to it); the e-mail mailing is on the members since
    mailing_list_id = fields.Many2one("mailing.list", copy=False, readonly=True)
    # channels and call list settings, taken over from the template
    use_email = fields.Boolean("E-mail", default=True)
    use_call = fields.Boolean("Calls")
    use_mail = fields.Boolean("Direct mail")
    use_sms = fields.Boolean(
        "SMS",
        help="Generate SMS members (contacts with a mobile number and no phone "
        "blacklist or opt-out) and a draft SMS mailing sent to them.",
    )
    call_script = fields.Html()
    assignment_mode = fields.Selection(
        [("even", "Evenly"), ("capacity", "By capacity")],
        default="even",
        required=True,
    )
    # generation status (filled by _generate_members, possibly in a job)
    generation_state = fields.Selection(
        [
            ("none", "Not generated"),
            ("queued", "Queued"),
            ("done", "Generated"),
            ("failed", "Failed"),
        ],
        default="none",
        copy=False,
        readonly=True,
    )
    generation_date = fields.Datetime(copy=False, readonly=True)
    generation_message = fields.Text(copy=False, readonly=True)
    # figures
    member_count = fields.Integer(compute="_compute_member_stats")
    responded_count = fields.Integer(compute="_compute_member_stats")
    task_count = fields.Integer(compute="_compute_task_count")
    actual_cost = fields.Monetary(
        compute="_compute_actual_cost",
        help="Analytic lines of the campaign's account: timesheets, vendor bills "
        "and direct costs.",
    )
    is_plan_editable = fields.Boolean(compute="_compute_is_plan_editable")
    # Odoo's campaign form (ours extends it) reads mass_mailing's and
    # mass_mailing_sms's A/B test counts, computed with the mailing counts
    # from mailing.mailing: counted as superuser so that a marketing user
    # without Email Marketing rights can open the form (the mailing counts
    # themselves stay behind their group)
    mailing_mail_count = fields.Integer(compute_sudo=True)
    ab_testing_mailings_count = fields.Integer(compute_sudo=True)
    mailing_sms_count = fields.Integer(compute_sudo=True)
    ab_testing_mailings_sms_count = fields.Integer(compute_sudo=True)
    can_generate = fields.Boolean(
        compute="_compute_can_generate",
        help="The audience is generated from the template's generation phase on.",
    )

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "The campaign code must be unique."),
    ]

    # ---- COMPUTE

    @api.model
    def _read_group_phase_step_ids(self, steps, domain):
        """Every phase of the templates of the campaigns shown: empty phases
        keep their column on the kanban."""
        templates = self.search(domain).template_id
        return steps | templates.phase_ids

    @api.depends("company_id")
    def _compute_currency_id(self):
        """The company's currency, until someone chooses another."""
        for campaign in self:
            campaign.currency_id = (
                campaign.company_id.currency_id or self.env.company.currency_id
            )

    def _compute_member_stats(self):
        data = {
            (campaign.id, state): count
            for campaign, state, count in self.env[
                "marketing.campaign.member"
            ]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id", "state"], ["__count"]
            )
        }
        for campaign in self:
            counts = {s: c for (cid, s), c in data.items() if cid == campaign.id}
            campaign.member_count = sum(counts.values())
            campaign.responded_count = sum(
                c for s, c in counts.items() if s in RESPONDED_STATES
            )

    def _compute_task_count(self):
        for campaign in self:
            campaign.task_count = len(campaign.phase_ids.task_ids)

    def _compute_actual_cost(self):
        accounts = self.analytic_account_id
        data = dict(
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("account_id", "in", accounts.ids)], ["account_id"], ["amount:sum"]
            )
        )
        for campaign in self:
            campaign.actual_cost = -data.get(campaign.analytic_account_id, 0.0)

    @api.depends_context("uid")
    @api.depends("user_id")
    def _compute_is_plan_editable(self):
        manager = self.env.user.has_group(
            "marketing_resource_mgmt.group_marketing_manager"
        )
        for campaign in self:
            campaign.is_plan_editable = manager or campaign.user_id == self.env.user

    @api.depends("state", "phase_ids.state", "phase_ids.is_generation")
    def _compute_can_generate(self):
        """Generation is offered from the generation phase on (at any time of
        a running campaign whose phases have none)."""
        for campaign in self:
            generation = campaign.phase_ids.filtered("is_generation")
            campaign.can_generate = campaign.state == "running" and (
                not generation or any(p.state != "pending" for p in generation)
            )

    # ---- ONCHANGE

    @api.onchange("template_id")
    def _onchange_template_id(self):
        """Choosing a template fills in what it gives a campaign (channels,
        call script, targets: ``_prepare_campaign_vals``), as create() does."""
        if self.template_id:
            self.update(self.template_id._prepare_campaign_vals())

    # ---- ORM

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._drop_empty_currency(vals)
            if not vals.get("code"):
                vals["code"] = (
                    self.env["ir.sequence"]
                    .sudo()
                    .next_by_code("marketing.campaign.code")
                )
            if vals.get("template_id"):
                template = self.env["marketing.campaign.template"].browse(
                    vals["template_id"]
                )
                for fname, value in template._prepare_campaign_vals().items():
                    vals.setdefault(fname, value)
        return super().create(vals_list)

    def write(self, vals):
        self._drop_empty_currency(vals)
        plan_fields = PLAN_FIELDS.intersection(vals)
        if plan_fields:
            self._check_plan_access()
        if "template_id" in vals and vals["template_id"]:
            started = self.filtered("phase_ids")
            if started:
                raise UserError(
                    _(
                        "The campaign %(name)s already runs its template's phases; "
                        "its template cannot be changed.",
                        name=started[0].title,
                    )
                )
        return super().write(vals)

    @api.model
    def _drop_empty_currency(self, vals):
        """A campaign always has a currency: an empty one (a form without the
        field sends ``False``) keeps the current or the company's."""
        if "currency_id" in vals and not vals["currency_id"]:
            del vals["currency_id"]

    def _is_controlled(self):
        """Campaigns run by the Campaign Controller (with a template, a team or
        past the draft state); other UTM campaigns keep Odoo's rules."""
        self.ensure_one()
        return bool(self.template_id or self.team_ids or self.state != "draft")

    def _check_plan_access(self):
        """Only the campaign owner and marketing managers change a campaign's plan.

        :raise AccessError: for any other user on a controlled campaign
        """
        if self.env.su or self.env.user.has_group(
            "marketing_resource_mgmt.group_marketing_manager"
        ):
            return
        for campaign in self.sudo():
            if campaign._is_controlled() and campaign.user_id != self.env.user:
                raise AccessError(
                    _(
                        "Only the owner of the campaign %(name)s (%(owner)s) and "
                        "marketing managers can change its plan; team members work "
                        "its tasks, calls and answers.",
                        name=campaign.title,
                        owner=campaign.user_id.name,
                    )
                )

    def unlink(self):
        # checked before mail.thread's unlink, which deletes the messages
        # (the done activities) first
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._unlink_except_effort()
        return super().unlink()

    def _unlink_except_effort(self):
        for campaign in self:
            reason = campaign._get_logged_effort()
            if reason:
                raise UserError(
                    _(
                        "The campaign %(name)s carries logged work (%(reason)s) and "
                        "cannot be deleted: archive it instead.",
                        name=campaign.title,
                        reason=reason,
                    )
                )

    def _get_logged_effort(self):
        """:return: a short description of the work logged on the campaign, or ''"""
        self.ensure_one()
        reasons = []
        answered = (
            self.env["marketing.campaign.member"]
            .sudo()
            .search_count(
                [
                    ("campaign_id", "=", self.id),
                    ("state", "in", ANSWERED_STATES),
                ]
            )
        )
        if answered:
            reasons.append(_("%(count)s answered members", count=answered))
        if self.analytic_account_id:
            hours = (
                self.env["account.analytic.line"]
                .sudo()
                .search_count([("account_id", "=", self.analytic_account_id.id)])
            )
            if hours:
                reasons.append(_("%(count)s cost or timesheet lines", count=hours))
        done = done_activity_counts(self).get(self.id)
        if done:
            reasons.append(_("%(count)s done activities", count=done))
        return ", ".join(reasons)

    @api.depends("title", "code")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        for campaign in self:
            if campaign.code and campaign.title:
                campaign.display_name = f"[{campaign.code}] {campaign.title}"
        return res

    @api.model
    def _search_display_name(self, operator, value):
        domain = super()._search_display_name(operator, value)
        if operator in ("ilike", "=ilike", "=") and value:
            domain = ["|", ("code", operator, value), *domain]
        return domain

    # ---- ACTIONS: START AND PHASES

    def action_start(self):
        """Start the campaign from its template: phases, project, scheduled tasks."""
        self._check_plan_access()
        for campaign in self:
            campaign._start_from_template()
        return True

    def _start_from_template(self):
        """Create the phases, the project and its tasks from the template.

        Nothing is written when the template cannot start a campaign.
        """
        self.ensure_one()
        if self.state != "draft":
            raise UserError(
                _("The campaign %(name)s has already started.", name=self.title)
            )
        if not self.template_id:
            raise UserError(
                _("Choose a template for the campaign %(name)s first.", name=self.title)
            )
        self.template_id._check_usable()
        date_start = self.date_start or fields.Date.context_today(self)
        project = (
            self.env["project.project"].sudo().create(self._prepare_project_vals())
        )
        project.message_subscribe(
            partner_ids=(self.team_ids.user_id | self.user_id).partner_id.ids
        )
        users_by_role = self._get_users_by_role()
        # the phases are the project's stages: its tasks group by phase
        stages = self._create_phase_stages(project, self.template_id.phase_ids)
        phase_vals, task_vals = [], []
        for tphase, stage in zip(self.template_id.phase_ids, stages, strict=True):
            phase_vals.append(
                {
                    "campaign_id": self.id,
                    "stage_id": stage.id,
                    "template_phase_id": tphase.id,
                    "name": tphase.name,
                    "sequence": tphase.sequence,
                    "description": tphase.description,
                    "resources": tphase.resources,
                    "is_generation": tphase.is_generation,
                }
            )
        phases = self.env["marketing.campaign.phase"].sudo().create(phase_vals)
        for phase, tphase in zip(phases, self.template_id.phase_ids, strict=False):
            for ttask in tphase.task_ids:
                task_vals.append(
                    self._prepare_task_vals(
                        ttask, phase, project, date_start, users_by_role
                    )
                )
        self.env["project.task"].sudo().with_context(mail_create_nolog=True).create(
            task_vals
        )
        phases[0].state = "open"
        phases[0].date_opened = fields.Datetime.now()
        vals = {
            "project_id": project.id,
            "phase_id": phases[0].id,
            "state": "running",
            "date_start": date_start,
        }
        if not self.analytic_account_id:
            vals["analytic_account_id"] = project.account_id.id
        self.sudo().write(vals)
        log_note(
            self,
            _(
                "Campaign started from the template %(template)s: %(phases)s phases, "
                "%(tasks)s tasks in the project %(project)s.",
                template=self.template_id.name,
                phases=len(phases),
                tasks=len(task_vals),
                project=project.name,
            ),
        )

    @api.model
    def _create_phase_stages(self, project, phases):
        """The project's stages, one per phase (project stages, not personal
        ones), in the phases' order.

        :param project: the campaign's project
        :param phases: the template's or the campaign's phases (name, sequence)
        :return: the stages (``project.task.type``), in the order of ``phases``
        """
        return (
            self.env["project.task.type"]
            .sudo()
            .with_context(default_project_id=project.id)
            .create(
                [
                    {
                        "name": phase.name,
                        "sequence": phase.sequence,
                        "project_ids": [(6, 0, project.ids)],
                        "user_id": False,
                    }
                    for phase in phases
                ]
            )
        )

    @api.model
    def _migrate_phase_stages(self):
        """Campaigns started before their phases were the project's stages:
        a stage per phase, the phase's tasks moved into it. Idempotent (run
        by the 18.0.1.0.1 migration).

        :return: True
        """
        phases = (
            self.env["marketing.campaign.phase"]
            .sudo()
            .search(
                [("stage_id", "=", False), ("campaign_id.project_id", "!=", False)],
                order="campaign_id, sequence, id",
            )
        )
        for campaign, campaign_phases in phases.grouped("campaign_id").items():
            stages = self._create_phase_stages(campaign.project_id, campaign_phases)
            for phase, stage in zip(campaign_phases, stages, strict=True):
                phase.stage_id = stage
                phase.with_context(active_test=False).task_ids.write(
                    {"stage_id": stage.id}
                )
        return True

    def _prepare_project_vals(self):
        self.ensure_one()
        vals = {
            "name": f"{self.code} {self.title}" if self.code else self.title,
            "allow_timesheets": True,
            "user_id": self.user_id.id,
            "company_id": (self.company_id or self.env.company).id,
            "privacy_visibility": "followers",
        }
        if self.analytic_account_id:
            vals["account_id"] = self.analytic_account_id.id
        return vals

    def _get_users_by_role(self):
        """:return: {role: res.users} of the team, the owner standing in for
        roles nobody holds"""
        self.ensure_one()
        by_role = {}
        for member in self.team_ids.sorted("id"):
            by_role.setdefault(member.role, self.env["res.users"])
            by_role[member.role] |= member.user_id
        return by_role

    def _prepare_task_vals(self, ttask, phase, project, date_start, users_by_role):
        users = users_by_role.get(ttask.role) or self.user_id
        begin = date_start + timedelta(days=ttask.offset_days)
        deadline = begin + timedelta(days=max(ttask.duration_days, 1) - 1)
        return {
            "name": ttask.name,
            "project_id": project.id,
            "campaign_phase_id": phase.id,
            "stage_id": phase.stage_id.id,
            "campaign_role": ttask.role,
            "description": ttask.instructions,
            "allocated_hours": ttask.planned_hours,
            "date_deadline": fields.Datetime.to_datetime(deadline).replace(hour=17),
            "campaign_date_begin": begin,
            "user_ids": [(6, 0, users.ids)],
            "sequence": ttask.sequence,
        }

    def action_next_phase(self):
        """Close the current phase (its tasks must be done) and open the next."""
        self._check_plan_access()
        for campaign in self:
            campaign._get_current_phase()._close(override_reason=False)
        return True

    def action_override_phase(self):
        """Open the wizard that closes the current phase with a reason."""
        self.ensure_one()
        if not self.env.user.has_group(
            "marketing_resource_mgmt.group_marketing_manager"
        ):
            raise AccessError(_("Only marketing managers can override a phase gate."))
        self._get_current_phase()
        return {
            "type": "ir.actions.act_window",
            "name": _("Override phase gate"),
            "res_model": "marketing.campaign.phase.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_campaign_id": self.id},
        }

    def _get_current_phase(self):
        self.ensure_one()
        if self.state != "running" or not self.phase_id:
            raise UserError(
                _("The campaign %(name)s is not running a phase.", name=self.title)
            )
        return self.phase_id

    def action_close(self):
        self._check_plan_access()
        self.sudo().write({"state": "closed"})
        return True

    def action_cancel(self):
        self._check_plan_access()
        self.sudo().write({"state": "cancelled"})
        return True

    def action_view_project_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "project.action_view_task"
        )
        action.update(
            {
                "domain": [("project_id", "=", self.project_id.id)],
                "context": {"default_project_id": self.project_id.id},
                "view_mode": "list,kanban,form,calendar",
                "views": [(False, v) for v in ("list", "kanban", "form", "calendar")],
            }
        )
        return action

    def action_view_task_calendar(self):
        """The campaign's tasks in the project's calendar (by deadline).

        :return: an ir.actions.act_window dict
        """
        action = self.action_view_project_tasks()
        action.update(
            {
                "name": _("Tasks of %(campaign)s", campaign=self.display_name),
                "view_mode": "calendar,list,kanban,form",
                "views": [(False, v) for v in ("calendar", "list", "kanban", "form")],
            }
        )
        return action

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "marketing_resource_mgmt.action_marketing_campaign_member"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    # ---- COSTS

    def _ensure_analytic_account(self):
        """:return: the campaign's analytic account, created (in the project
        plan, so that the project started later uses it) when missing"""
        self.ensure_one()
        if not self.analytic_account_id:
            project_plan, _other_plans = self.env[
                "account.analytic.plan"
            ]._get_all_plans()
            account = (
                self.env["account.analytic.account"]
                .sudo()
                .create(
                    {
                        "name": f"{self.code} {self.title}"
                        if self.code
                        else self.title,
                        "company_id": self.company_id.id,
                        "plan_id": project_plan.id,
                    }
                )
            )
            self.sudo().analytic_account_id = account
        return self.analytic_account_id

    def _get_cost_lines_domain(self):
        return [("account_id", "in", self.analytic_account_id.ids)]

    # ---- HELPERS

    def _log_phase_move(self, body):
        self.ensure_one()
        log_note(self, Markup("<p>%s</p>") % body)

    def _find_by_code_sql(self, text_sql):
        """:return: SQL selecting the ids of running campaigns whose code occurs
        in the SQL text expression ``text_sql``"""
        return SQL(
            "SELECT c.id FROM utm_campaign c WHERE c.code IS NOT NULL "
            "AND c.state = 'running' AND strpos(upper(%s), upper(c.code)) > 0",
            text_sql,
        )
