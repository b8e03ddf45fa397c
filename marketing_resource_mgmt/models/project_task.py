# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .marketing_campaign_template import TEAM_ROLES


class ProjectTask(models.Model):
    _inherit = "project.task"

    campaign_phase_id = fields.Many2one(
        "marketing.campaign.phase",
        string="Campaign phase",
        index="btree_not_null",
        compute="_compute_campaign_phase_id",
        store=True,
        readonly=False,
    )
    campaign_id = fields.Many2one(
        related="campaign_phase_id.campaign_id", store=True, string="Campaign"
    )
    campaign_role = fields.Selection(TEAM_ROLES, string="Campaign role")
    campaign_date_begin = fields.Date("Planned start")

    @api.depends("stage_id")
    def _compute_campaign_phase_id(self):
        """A campaign's phases are its project's stages: a task moved to (or
        created in) a phase's column belongs to that phase."""
        stages = self.stage_id
        by_stage = {}
        if stages:
            phases = (
                self.env["marketing.campaign.phase"]
                .sudo()
                .search([("stage_id", "in", stages.ids)])
            )
            by_stage = {phase.stage_id.id: phase.id for phase in phases}
        for task in self:
            phase_id = by_stage.get(task.stage_id.id)
            task.campaign_phase_id = phase_id or task.campaign_phase_id
