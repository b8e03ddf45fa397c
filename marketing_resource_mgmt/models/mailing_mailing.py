# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A sending of a mailing on the campaign members reads their opt-out list
once (see marketing_campaign_member_trace.py); an SMS mailing on them is
sent in batches (see sms_composer.py)."""

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

    def action_send_sms(self, res_ids=None):
        """An SMS mailing on the campaign members is sent in batches of
        ``marketing_resource_mgmt.sms_batch_size`` members (5,000), one
        Odoo composer each: Odoo's composer gets its recipients as the
        ``repr`` of their ids and refuses more than 100 KiB of it (about
        10,000 members: "expression can't exceed buffer limit"). A number
        an earlier batch reached is not sent again (sms_composer.py); the
        members' opt-out list is read once for all the batches."""
        members = self.filtered(
            lambda m: m.mailing_model_real == "marketing.campaign.member"
        )
        if members != self:
            super(MailingMailing, self - members).action_send_sms(res_ids=res_ids)
        size = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("marketing_resource_mgmt.sms_batch_size", 5000)
        )
        for mailing in members:
            ids = res_ids or mailing._get_remaining_recipients()
            # the members' opt-out list read once for the batches
            mailing = mailing.with_context(**{OPT_OUT_SENDING: {}})
            for start in range(0, len(ids), max(size, 1)):
                super(MailingMailing, mailing).action_send_sms(
                    res_ids=ids[start : start + size]
                )
                # the next batch reads the traces of this one
                self.env.flush_all()
        return True
