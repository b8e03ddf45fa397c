# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Direct-mail members: their batch, the piece that reaches them (one per
postal address) and returned mail."""

from odoo import _, fields, models
from odoo.exceptions import UserError


# kept apart from the model's main file to keep parallel work mergeable
class MarketingCampaignMember(models.Model):
    _inherit = "marketing.campaign.member"  # pylint: disable=consider-merging-classes-inherited

    mail_batch_id = fields.Many2one(
        "marketing.mail.batch",
        "Direct-mail batch",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    mail_piece_member_id = fields.Many2one(
        "marketing.campaign.member",
        "Letter addressed to",
        readonly=True,
        copy=False,
        # the self-reference's foreign key is checked on every member deleted
        index="btree_not_null",
        help="The member whose letter reaches this one (one piece per postal "
        "address); itself when it gets its own.",
    )

    def action_mail_returned(self):
        """Returned mail: the members reached by the returned letters bounce
        and their contacts' addresses are marked undeliverable.

        :return: True
        """
        if self.filtered(lambda m: m.channel != "mail"):
            raise UserError(_("Only direct-mail members can have returned mail."))
        pieces = self.mail_piece_member_id | self.filtered(
            lambda m: not m.mail_piece_member_id
        )
        members = pieces | self.search([("mail_piece_member_id", "in", pieces.ids)])
        members.sudo().write({"state": "bounced"})
        members.partner_id.sudo().write({"mrm_address_undeliverable": True})
        for member in members:
            member.sudo().message_post(
                body=_("Direct mail returned: the address is undeliverable.")
            )
        return True
