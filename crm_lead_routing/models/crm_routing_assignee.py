# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

SCOPES = [("edit", "Edit"), ("read", "Read only"), ("hidden", "Hidden")]


class CrmRoutingAssignee(models.Model):
    """A salesperson of a rule, with a share, a capacity and rights scopes."""

    _name = "crm.routing.assignee"
    _description = "Routing Assignee"
    _order = "rule_id, sequence, id"

    rule_id = fields.Many2one(
        "crm.routing.rule", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        domain="[('share', '=', False)]",
    )
    active = fields.Boolean(
        default=True, help="Inactive assignees keep their leads but get no new one."
    )
    weight = fields.Float(
        default=1.0, help="Share of the leads for the weighted strategy."
    )
    capacity = fields.Integer(
        help="Maximum of new open leads per period (day or week, set on the "
        "rule); 0 means unlimited."
    )
    scope_contact = fields.Selection(
        SCOPES,
        string="Contact Data",
        default="edit",
        required=True,
        help="Rights on the contact data: name, e-mail, phones, job position.",
    )
    scope_company = fields.Selection(
        SCOPES,
        string="Company Data",
        default="edit",
        required=True,
        help="Rights on the company data: customer, company name, address, website.",
    )
    scope_requirement = fields.Selection(
        SCOPES,
        string="Requirement Data",
        default="edit",
        required=True,
        help="Rights on the requirement: notes, expected and recurring revenue, tags.",
    )
    company_id = fields.Many2one(related="rule_id.company_id", store=True)

    _sql_constraints = [
        (
            "rule_user_uniq",
            "unique(rule_id, user_id)",
            "A salesperson is listed once per rule.",
        ),
    ]

    @api.constrains("weight", "capacity")
    def _check_weight_capacity(self):
        for assignee in self:
            if assignee.weight < 0:
                raise ValidationError(
                    self.env._(
                        "The weight of %(user)s cannot be negative.",
                        user=assignee.user_id.name,
                    )
                )
            if assignee.capacity < 0:
                raise ValidationError(
                    self.env._(
                        "The capacity of %(user)s cannot be negative.",
                        user=assignee.user_id.name,
                    )
                )

    def _get_scopes(self):
        """``{"contact": scope, "company": scope, "requirement": scope}``."""
        self.ensure_one()
        return {
            "contact": self.scope_contact,
            "company": self.scope_company,
            "requirement": self.scope_requirement,
        }
