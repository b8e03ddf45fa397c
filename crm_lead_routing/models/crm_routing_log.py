# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

LOG_KINDS = [
    ("rule", "Routed by a rule"),
    ("pool", "Sent to a pool"),
    ("waiting", "Waiting (capacity full)"),
    ("fallback", "Fallback"),
    ("unrouted", "No rule matched"),
    ("claim", "Claimed from a pool"),
    ("recycle", "Recycled after the SLA"),
    ("reassign", "Reassigned in bulk"),
]


class CrmRoutingLog(models.Model):
    """One routing decision on one lead, with its explanation.

    Rows are inserted set-wise by the routing (one INSERT per run), never
    edited.
    """

    _name = "crm.routing.log"
    _description = "Routing Log"
    _order = "id desc"
    _log_access = True

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    rule_id = fields.Many2one("crm.routing.rule", ondelete="set null", index=True)
    user_id = fields.Many2one("res.users", string="Assigned To", ondelete="set null")
    previous_user_id = fields.Many2one("res.users", ondelete="set null")
    kind = fields.Selection(LOG_KINDS, required=True, index=True)
    explanation = fields.Text()
    company_id = fields.Many2one("res.company", ondelete="set null")
