# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..internal import RULE_CHECKS_ASSIGNEES, marked

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

    def _check_rules_keep_an_assignee(self):
        """An active rule keeps at least one assignee, whichever side the
        line is removed from (the rule's form or the line itself): checked
        before anything is removed (the rule's own write checks the rule
        once all its lines are written)."""
        if marked(self.env, "routing_rule_checks_assignees", RULE_CHECKS_ASSIGNEES):
            return
        for rule in self.rule_id:
            if rule.active and not (rule.assignee_ids - self):
                raise ValidationError(
                    self.env._(
                        "The rule '%(rule)s' is active and would have no "
                        "assignee: keep at least one salesperson, or archive the "
                        "rule first.",
                        rule=rule.name,
                    )
                )

    def unlink(self):
        self._check_rules_keep_an_assignee()
        return super().unlink()

    def write(self, vals):
        if "rule_id" in vals:
            self.filtered(
                lambda a: a.rule_id.id != vals["rule_id"]
            )._check_rules_keep_an_assignee()
        return super().write(vals)

    def _get_scopes(self):
        """``{"contact": scope, "company": scope, "requirement": scope}``."""
        self.ensure_one()
        return {
            "contact": self.scope_contact,
            "company": self.scope_company,
            "requirement": self.scope_requirement,
        }
