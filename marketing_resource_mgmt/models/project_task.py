# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .marketing_campaign_template import TEAM_ROLES


class ProjectTask(models.Model):
    _inherit = "project.task"

    campaign_phase_id = fields.Many2one(
        "marketing.campaign.phase", string="Campaign phase", index="btree_not_null"
    )
    campaign_id = fields.Many2one(
        related="campaign_phase_id.campaign_id", store=True, string="Campaign"
    )
    campaign_role = fields.Selection(TEAM_ROLES, string="Campaign role")
    campaign_date_begin = fields.Date("Planned start")
