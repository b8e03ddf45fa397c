# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CampaignVendorTokenShow(models.TransientModel):
    """Dialog showing a newly generated vendor feed token once, with a copy
    button (Odoo's CopyClipboardChar widget).

    The dialog is opened on an unsaved record (the token comes in the
    action's context as a default) and closed without saving: the token is
    never written to the database; only its hash is (campaign.vendor.token).
    """

    _name = "campaign.vendor.token.show"
    _description = "New vendor feed token"

    token_id = fields.Many2one(
        "campaign.vendor.token", string="Token record", readonly=True
    )
    partner_id = fields.Many2one(related="token_id.partner_id")
    token = fields.Char("Feed token", readonly=True)
    feed_url = fields.Char("Feed address", readonly=True)
