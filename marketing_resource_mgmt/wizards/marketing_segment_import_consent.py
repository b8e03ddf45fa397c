# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..models.marketing_consent import CONSENT_CHANNELS, LEGAL_BASES


class MarketingSegmentImport(models.TransientModel):
    """The import records the list's consent in the consent log (source
    "import") for every imported or matched contact."""

    _inherit = "marketing.segment.import"

    consent_status = fields.Selection(
        [("none", "Not stated"), ("opt_in", "Opt-in"), ("opt_out", "Opt-out")],
        string="Consent in the list",
        default="none",
        required=True,
    )
    consent_channel = fields.Selection(
        CONSENT_CHANNELS + [("all", "Every channel")],
        string="Consent channel",
        default="email",
    )
    consent_legal_basis = fields.Selection(
        LEGAL_BASES, string="Legal basis", default="consent"
    )

    def action_import(self):
        result = super().action_import()
        for wizard in self:
            if wizard.state != "done" or wizard.consent_status == "none":
                continue
            partners = wizard.line_ids.partner_id
            if partners:
                self.env["marketing.consent"]._record(
                    partners,
                    None if wizard.consent_channel == "all" else wizard.consent_channel,
                    wizard.consent_status,
                    "import",
                    legal_basis=wizard.consent_legal_basis or "consent",
                    note=wizard.filename or False,
                )
        return result
