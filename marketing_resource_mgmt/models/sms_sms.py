# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def send(
        self,
        unlink_failed=False,
        unlink_sent=True,
        auto_commit=False,
        raise_exception=False,
    ):
        """After a campaign's SMS went out, bring their members up to date
        (the incremental trace sync)."""
        campaign_sms = self.filtered(lambda sms: sms.mailing_id.campaign_id)
        res = super().send(
            unlink_failed=unlink_failed,
            unlink_sent=unlink_sent,
            auto_commit=auto_commit,
            raise_exception=raise_exception,
        )
        if campaign_sms:
            self.env["marketing.campaign.member"].sudo()._sync_traces()
        return res
