# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .marketing_campaign_template import TEAM_ROLES


class MarketingCampaignTeam(models.Model):
    """A member of a campaign's team: who takes part, in which role, and
    whether (and how much) they call."""

    _name = "marketing.campaign.team"
    _description = "Campaign Team Member"
    _order = "campaign_id, id"

    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    user_id = fields.Many2one("res.users", required=True, index=True)
    role = fields.Selection(TEAM_ROLES, required=True, default="caller")
    makes_calls = fields.Boolean(default=False)
    capacity = fields.Integer(
        default=10,
        help="Relative share of the call list when calls are spread by capacity "
        "(for example calls per day).",
    )

    _sql_constraints = [
        (
            "user_role_unique",
            "UNIQUE(campaign_id, user_id, role)",
            "A user holds a role only once in a campaign.",
        ),
        ("capacity_positive", "CHECK(capacity >= 0)", "Capacity cannot be negative."),
    ]
