# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A campaign's journeys, and the one door through which a journey sends the
campaign's mailing to a set of its members."""

from odoo import _, fields, models
from odoo.exceptions import UserError


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"  # pylint: disable=consider-merging-classes-inherited

    journey_ids = fields.One2many("marketing.journey", "campaign_id", "Journeys")
    journey_count = fields.Integer(compute="_compute_journey_count")

    def _compute_journey_count(self):
        counts = {
            campaign.id: count
            for campaign, count in self.env["marketing.journey"]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"]
            )
        }
        for campaign in self:
            campaign.journey_count = counts.get(campaign.id, 0)

    def action_view_journeys(self):
        """:return: the action listing the campaign's journeys (a new one
        for this campaign by default)"""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Journeys of %(name)s", name=self.title),
            "res_model": "marketing.journey",
            "view_mode": "list,form",
            "domain": [("campaign_id", "=", self.id)],
            "context": {"default_campaign_id": self.id},
        }

    def _journey_send(self, channel, member_ids, mailing=None):
        """Send the campaign's mailing of ``channel`` (or ``mailing``) to the
        members ``member_ids`` now: a copy of it whose recipients are those
        members (mailing model marketing.campaign.member, as the campaign's
        SMS mailing), put in Odoo's mass mailing queue. The one place a
        journey sends through.

        :param channel: ``email`` or ``sms``
        :param member_ids: ids of the campaign's members
        :param mailing: a mailing.mailing of the campaign; default the
            campaign's own mailing of the channel
        :return: the new mailing (``mailing.mailing``)
        :raise UserError: the campaign has no mailing of the channel
        """
        self.ensure_one()
        source = mailing or (
            self.mailing_id if channel == "email" else self.sms_mailing_id
        )
        mailing_type = "mail" if channel == "email" else "sms"
        if not source or source.mailing_type != mailing_type:
            raise UserError(
                _(
                    "The campaign %(name)s has no %(channel)s mailing to send: "
                    "generate its audience or choose a mailing on the step.",
                    name=self.title,
                    channel=channel,
                )
            )
        Member = self.env["marketing.campaign.member"]
        copy = source.copy(
            {
                "campaign_id": self.id,
                "mailing_model_id": self.env["ir.model"]._get_id(Member._name),
                "mailing_domain": repr([("id", "in", list(member_ids))]),
                "contact_list_ids": [(5, 0, 0)],
            }
        )
        copy.action_put_in_queue()
        return copy
