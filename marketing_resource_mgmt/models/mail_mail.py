# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        """After a campaign mailing's e-mails went out, bring their members
        up to date (the incremental trace sync; the scheduled job catches
        what comes later: opens, clicks, replies, bounces)."""
        campaign_mails = self.filtered(lambda mail: mail.mailing_id.campaign_id)
        res = super().send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            post_send_callback=post_send_callback,
        )
        if campaign_mails:
            self.env["marketing.campaign.member"].sudo()._sync_traces()
        return res
