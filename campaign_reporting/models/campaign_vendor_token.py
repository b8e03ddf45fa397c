# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import hmac
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketing_resource_mgmt.models.chatter import log_note

FEED_PATH = "/campaign_reporting/vendor/feed/<campaign code>.xml"
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
    user_id = fields.Many2one(
        "res.users",
        string="Made on the portal by",
        readonly=True,
        copy=False,
        help="The vendor's portal user who made this token (one per user: "
        "making a new one replaces it).",
    )

    # ---- ACTIONS

    def action_generate_token(self):
        """(Re)generate the token and show it once, in a dialog with a copy
        button (the dialog's record is never saved: the token is not stored).

        :return: an ir.actions.act_window dict (target new)
        """
        self.ensure_one()
        token = self._generate_token()
        base_url = self.get_base_url()
        return {
            "type": "ir.actions.act_window",
            "name": _("New feed token for %(vendor)s", vendor=self.partner_id.name),
            "res_model": "campaign.vendor.token.show",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_token_id": self.id,
                "default_token": token,
                "default_feed_url": f"{base_url}{FEED_PATH}",
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

    @api.model
    def _generate_portal_token(self, user):
        """A new token for a vendor's portal user, replacing the one that
        user made before.

        :param user: the portal user (res.users) of a vendor contact
        :return: the token (shown once to the user)
        :raise UserError: when the user's company co-funds no campaign
        """
        vendor = user.partner_id.commercial_partner_id
        if not self.env["campaign.vendor.status"]._get_cofunding_lines(vendor):
            raise UserError(_("Your company co-funds no campaign."))
        record = (
            self.sudo()
            .with_context(active_test=False)
            .search([("user_id", "=", user.id)], limit=1)
        )
        if not record:
            record = self.sudo().create(
                {
                    "name": _("Portal: %(user)s", user=user.name),
                    "partner_id": vendor.id,
                    "user_id": user.id,
                    "company_id": user.company_id.id,
                }
            )
        record.partner_id = vendor
        token = record._generate_token()
        log_note(record, _("Token made on the portal by %(user)s.", user=user.name))
        return token

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
