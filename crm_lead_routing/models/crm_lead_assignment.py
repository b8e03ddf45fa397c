# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .crm_routing_assignee import SCOPES


class CrmLeadAssignment(models.Model):
    """Who holds (or held) a lead, with which rights, since when, and why.

    The current assignments are the ones without ``date_to``.
    """

    _name = "crm.lead.assignment"
    _description = "Lead Assignment"
    _order = "date_from desc, id desc"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(
        "res.users", required=True, index=True, ondelete="cascade"
    )
    role = fields.Selection(
        [("owner", "Owner"), ("executing", "Executing")],
        required=True,
        default="executing",
    )
    scope_contact = fields.Selection(SCOPES, default="edit", required=True)
    scope_company = fields.Selection(SCOPES, default="edit", required=True)
    scope_requirement = fields.Selection(SCOPES, default="edit", required=True)
    date_from = fields.Datetime(required=True, default=fields.Datetime.now)
    date_to = fields.Datetime(index=True)
    rule_id = fields.Many2one("crm.routing.rule", ondelete="set null")
    assigned_by_id = fields.Many2one("res.users", ondelete="set null")
    reason = fields.Char()
    # the lead's company, for the multi-company record rule (not stored: the
    # routing inserts assignments set-wise)
    company_id = fields.Many2one(related="lead_id.company_id")
    is_current = fields.Boolean(compute="_compute_is_current")

    def _compute_is_current(self):
        for assignment in self:
            assignment.is_current = not assignment.date_to
