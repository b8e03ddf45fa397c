# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A sending of a mailing on the campaign members reads their opt-out list
once (see marketing_campaign_member_trace.py)."""

from odoo import models

from .marketing_campaign_member_trace import OPT_OUT_SENDING


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def _get_mass_mailing_context(self):
        """Odoo's sending builds its composer with this context, once per
        mailing and sending: a mailing on the campaign members gets an empty
        holder for its opt-out list, filled by the first batch of e-mails
        and read by the others (Odoo's composer asks for the list once per
        batch of ``mail.batch_size`` e-mails)."""
        context = super()._get_mass_mailing_context()
        if self.mailing_model_real == "marketing.campaign.member":
            context[OPT_OUT_SENDING] = {}
        return context
