# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmRoutingRuleCriterion(models.Model):
    """A filter line of a routing rule, over the leads."""

    _name = "crm.routing.rule.criterion"
    _inherit = ["crm.match.criterion.mixin"]
    _description = "Routing Rule Criterion"

    rule_id = fields.Many2one(
        "crm.routing.rule", required=True, ondelete="cascade", index=True
    )

    def _get_match_model_name(self):
        return "crm.lead"
