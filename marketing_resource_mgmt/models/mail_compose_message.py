# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's composer, sending a batch of a mailing on the campaign members,
names the batch's members to their opt-out list (see
marketing_campaign_member_trace.py)."""

from odoo import models

from .marketing_campaign_member_trace import OPT_OUT_BATCH


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _get_optout_emails(self, mail_values_dict):
        """For a mailing on the campaign members, the opt-out list of the
        batch's members only: Odoo checks each recipient against it with
        ``in`` on a list, and a campaign's whole list can hold tens of
        thousands of addresses."""
        composer = self
        if (
            self.mass_mailing_id
            and self.model == "marketing.campaign.member"
            and mail_values_dict
        ):
            composer = self.with_context(**{OPT_OUT_BATCH: tuple(mail_values_dict)})
        return super(MailComposeMessage, composer)._get_optout_emails(mail_values_dict)
