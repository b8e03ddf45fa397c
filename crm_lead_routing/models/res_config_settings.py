# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    routing_conflict_policy = fields.Selection(
        [
            ("restrictive", "Most restrictive wins"),
            ("grant", "Distribution grants access to the assigned lead"),
        ],
        string="Rights Conflict Policy",
        default="restrictive",
        config_parameter="crm_lead_routing.conflict_policy",
        help="When groups and record rules disagree with the rights an "
        "assignment distributes: keep the most restrictive of both, or let "
        "the assignment decide on the leads it covers.",
    )
    routing_fallback_team_id = fields.Many2one(
        "crm.team",
        string="Fallback Sales Team",
        config_parameter="crm_lead_routing.fallback_team_id",
        help="Team given to the leads that no rule (and no fallback rule) takes.",
    )
