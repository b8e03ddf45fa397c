# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

CAMPAIGN_TYPES = [
    ("telemarketing", "Telemarketing"),
    ("direct_mail", "Direct mail"),
    ("email", "E-mail"),
    ("press", "Press"),
    ("event", "Event"),
    ("mixed", "Mixed"),
]

TEAM_ROLES = [
    ("manager", "Campaign manager"),
    ("coordinator", "Coordinator"),
    ("caller", "Caller"),
    ("copywriter", "Copywriter"),
    ("designer", "Designer"),
    ("analyst", "Analyst"),
    ("sales", "Salesperson"),
]


class MarketingCampaignTemplate(models.Model):
    """A playbook in the Campaign Library: phases in order, each with its tasks,
    plus the default channels and KPI targets copied onto a new campaign."""

    _name = "marketing.campaign.template"
    _description = "Campaign Template"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    campaign_type = fields.Selection(
        CAMPAIGN_TYPES, required=True, default="mixed", tracking=True
    )
    description = fields.Html(translate=True)
    company_id = fields.Many2one("res.company", string="Company")
    phase_ids = fields.One2many(
        "marketing.campaign.template.phase", "template_id", string="Phases", copy=True
    )
    phase_count = fields.Integer(compute="_compute_counts")
    task_count = fields.Integer(compute="_compute_counts")
    planned_hours = fields.Float(compute="_compute_counts", string="Planned hours")
    # default channels
    use_email = fields.Boolean("E-mail", default=True)
    use_call = fields.Boolean("Calls", default=False)
    use_mail = fields.Boolean("Direct mail", default=False)
    call_script = fields.Html(
        translate=True, help="Script shown in every call activity of the call list."
    )
    assignment_mode = fields.Selection(
        [("even", "Evenly"), ("capacity", "By capacity")],
        default="even",
        help="How the call list is spread over the team members who make calls.",
    )
    # KPI targets copied onto the campaign
    target_members = fields.Integer("Members reached")
    target_responses = fields.Integer("Responses")
    target_leads = fields.Integer("Leads")
    target_opportunities = fields.Integer("Opportunities")
    target_won = fields.Integer("Won deals")
    target_orders = fields.Integer("Orders")
    target_revenue = fields.Float("Revenue")

    @api.depends("phase_ids.task_ids.planned_hours")
    def _compute_counts(self):
        for template in self:
            tasks = template.phase_ids.task_ids
            template.phase_count = len(template.phase_ids)
            template.task_count = len(tasks)
            template.planned_hours = sum(tasks.mapped("planned_hours"))

    def _check_usable(self):
        """Raise a UserError when the template cannot start a campaign."""
        for template in self:
            if not template.phase_ids:
                raise UserError(
                    _(
                        "The template %(name)s has no phases: add at least one "
                        "phase before starting a campaign from it.",
                        name=template.name,
                    )
                )

    def _prepare_campaign_vals(self):
        """Values a campaign takes over from its template."""
        self.ensure_one()
        fnames = [
            "campaign_type",
            "use_email",
            "use_call",
            "use_mail",
            "call_script",
            "assignment_mode",
            "target_members",
            "target_responses",
            "target_leads",
            "target_opportunities",
            "target_won",
            "target_orders",
            "target_revenue",
        ]
        return {fname: self[fname] for fname in fnames}


class MarketingCampaignTemplatePhase(models.Model):
    _name = "marketing.campaign.template.phase"
    _description = "Campaign Template Phase"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "marketing.campaign.template", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Html("Work instructions", translate=True)
    resources = fields.Text(
        "Required resources", translate=True, help="People, budget, material, data."
    )
    is_generation = fields.Boolean(
        "Generation phase",
        help="The audience is generated while the campaign is in this phase.",
    )
    task_ids = fields.One2many(
        "marketing.campaign.template.task", "phase_id", string="Tasks", copy=True
    )


class MarketingCampaignTemplateTask(models.Model):
    _name = "marketing.campaign.template.task"
    _description = "Campaign Template Task"
    _order = "phase_id, sequence, id"

    phase_id = fields.Many2one(
        "marketing.campaign.template.phase",
        required=True,
        ondelete="cascade",
        index=True,
    )
    template_id = fields.Many2one(
        related="phase_id.template_id", store=True, index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    role = fields.Selection(TEAM_ROLES, default="manager", required=True)
    instructions = fields.Html("Work instructions", translate=True)
    planned_hours = fields.Float()
    offset_days = fields.Integer(
        "Start offset (days)", help="Days after the campaign start date."
    )
    duration_days = fields.Integer("Duration (days)", default=1)

    _sql_constraints = [
        (
            "duration_positive",
            "CHECK(duration_days >= 0 AND offset_days >= 0)",
            "Offsets and durations cannot be negative.",
        )
    ]
