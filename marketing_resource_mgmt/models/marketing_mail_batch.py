# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class MarketingMailBatch(models.Model):
    """A direct-mail batch of a campaign: the mail members posted together,
    one piece per postal address (tools/direct_mail.py)."""

    _name = "marketing.mail.batch"
    _description = "Direct-mail Batch"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", related="campaign_id.company_id", store=True, index=True
    )
    state = fields.Selection(
        [("draft", "To post"), ("sent", "Posted")],
        default="draft",
        required=True,
        tracking=True,
    )
    date_sent = fields.Datetime("Posted on", readonly=True, tracking=True)
    member_ids = fields.One2many(
        "marketing.campaign.member", "mail_batch_id", "Members", readonly=True
    )
    member_count = fields.Integer(compute="_compute_counts")
    piece_count = fields.Integer("Pieces", compute="_compute_counts")
    returned_count = fields.Integer("Returned", compute="_compute_counts")

    @api.depends("member_ids.mail_piece_member_id", "member_ids.state")
    def _compute_counts(self):
        for batch in self:
            members = batch.member_ids
            batch.member_count = len(members)
            batch.piece_count = len(members.mail_piece_member_id)
            batch.returned_count = len(members.filtered(lambda m: m.state == "bounced"))

    def action_mark_sent(self):
        """The batch was posted: its members are contacted."""
        for batch in self:
            if batch.state == "sent":
                raise UserError(
                    _("The batch %(name)s is already posted.", name=batch.name)
                )
        now = fields.Datetime.now()
        for batch in self:
            batch.member_ids.filtered(lambda m: m.state == "targeted").sudo().write(
                {"state": "contacted", "date_contacted": now}
            )
            batch.write({"state": "sent", "date_sent": now})
        return True

    def action_view_members(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Members of %(name)s", name=self.name),
            "res_model": "marketing.campaign.member",
            "view_mode": "list,form",
            "domain": [("mail_batch_id", "=", self.id)],
        }
