# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import hmac
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketing_resource_mgmt.models.chatter import log_note

# 32 random bytes = 256 bits, well above the 128 bits the vendor feed needs.
TOKEN_BYTES = 32


def _hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CampaignVendorToken(models.Model):
    """Access token of a vendor partner to the XML status feed.

    Only a SHA-256 hash of the token is stored; the token itself is shown once,
    when it is generated. Revoking archives the token.
    """

    _name = "campaign.vendor.token"
    _description = "Vendor feed token"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, default=lambda self: _("Status feed"))
    partner_id = fields.Many2one(
        "res.partner",
        string="Vendor",
        required=True,
        tracking=True,
        domain=[("is_company", "=", True)],
        help="The vendor company; the token sees the campaigns it co-funds.",
    )
    token_hash = fields.Char(
        readonly=True, copy=False, index=True, groups="base.group_system"
    )
    token_hint = fields.Char(
        "Token starts with", readonly=True, copy=False, help="First characters only."
    )
    active = fields.Boolean(default=True, tracking=True)
    date_revoked = fields.Datetime(readonly=True, copy=False, tracking=True)
    date_last_used = fields.Datetime(readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, required=True
    )

    # ---- ACTIONS

    def action_generate_token(self):
        """(Re)generate the token and show it once in a sticky notification."""
        self.ensure_one()
        token = self._generate_token()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Copy the token now: it is not shown again"),
                "message": token,
                "sticky": True,
                "type": "warning",
            },
        }

    def _generate_token(self):
        """Store the hash of a new random token and return the token."""
        self.ensure_one()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.sudo().write(
            {
                "token_hash": _hash_token(token),
                "token_hint": token[:6],
                "active": True,
                "date_revoked": False,
            }
        )
        return token

    def action_revoke(self):
        self.sudo().write({"active": False, "date_revoked": fields.Datetime.now()})
        for token in self:
            log_note(token, _("Token revoked."))
        return True

    # ---- AUTHENTICATION

    @api.model
    def _authenticate(self, token):
        """The active token record matching ``token``, or raise UserError.

        The look-up goes by hash; the final comparison is constant-time.
        """
        if not token or len(token) > 256:
            raise UserError(_("Missing or malformed token."))
        digest = _hash_token(token)
        record = (
            self.sudo()
            .with_context(active_test=False)
            .search([("token_hash", "=", digest)], limit=1)
        )
        if not record or not hmac.compare_digest(record.token_hash or "", digest):
            raise UserError(_("Unknown token."))
        if not record.active:
            raise UserError(_("This token has been revoked."))
        record.date_last_used = fields.Datetime.now()
        return record
