# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Campaign members as journey participants: their path, the call member a
journey's call step works through, the lead a journey step creates."""

from odoo import _, fields, models


# kept apart from the model's main file to keep parallel work mergeable
class MarketingCampaignMember(models.Model):
    _inherit = "marketing.campaign.member"  # pylint: disable=consider-merging-classes-inherited

    journey_path_ids = fields.One2many(
        "marketing.journey.path", "member_id", "Journey path", readonly=True
    )

    def _journey_call_member(self):
        """The member's call member in its campaign: itself on the call
        channel, else the contact's call member, created (assigned to the
        member's caller, else to the next caller of the campaign's cycle)
        when missing, so that the call queue offers it.

        :return: marketing.campaign.member (sudo)
        """
        self.ensure_one()
        member = self.sudo()
        if member.channel == "call":
            return member
        call_member = member.with_context(active_test=False).search(
            [
                ("campaign_id", "=", member.campaign_id.id),
                ("partner_id", "=", member.partner_id.id),
                ("channel", "=", "call"),
            ],
            limit=1,
        )
        if call_member:
            return call_member
        user_id = member.user_id.id
        if not user_id:
            cycle = member.campaign_id._get_caller_cycle()
            user_id = cycle[member.id % len(cycle)] if cycle else False
        return member.create(
            {
                "campaign_id": member.campaign_id.id,
                "partner_id": member.partner_id.id,
                "channel": "call",
                "user_id": user_id or member.campaign_id.user_id.id,
            }
        )

    def _prepare_answer_lead_vals(self):
        """A journey step's lead (context ``mrm_journey_step``, the step's
        name) comes before any answer: its own name and description."""
        step = self.env.context.get("mrm_journey_step")
        if not step or self.answer:
            return super()._prepare_answer_lead_vals()
        self.ensure_one()
        campaign, partner = self.campaign_id, self.partner_id
        return {
            "name": _(
                "%(partner)s in %(campaign)s",
                partner=partner.name,
                campaign=campaign.title,
            ),
            "partner_id": partner.id,
            "email_from": partner.email,
            "phone": partner.phone or partner.mobile,
            "campaign_id": campaign.id,
            "description": _(
                "Lead of the campaign %(code)s, journey step %(step)s.",
                code=campaign.code,
                step=step,
            ),
            "type": "lead",
            "company_id": campaign.company_id.id,
        }
