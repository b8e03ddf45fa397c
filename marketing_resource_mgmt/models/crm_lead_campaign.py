# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Campaign context where the contact is handled: the lead form shows the
person's live campaign memberships; an inbound call or e-mail from a member
raises the "inbound answer" activity with the campaign's context."""

import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL, email_normalize

_logger = logging.getLogger(__name__)


# kept apart from the model's main file to keep parallel work mergeable
class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    campaign_match_route = fields.Selection(
        selection_add=[("call", "Call outcome")], ondelete={"call": "set null"}
    )
    campaign_context_member_ids = fields.Many2many(
        "marketing.campaign.member",
        compute="_compute_campaign_context",
        string="Live campaigns",
    )
    campaign_context_count = fields.Integer(compute="_compute_campaign_context")

    @api.depends("partner_id")
    def _compute_campaign_context(self):
        Member = self.env["marketing.campaign.member"]
        if not Member.has_access("read"):
            self.campaign_context_member_ids = False
            self.campaign_context_count = 0
            return
        partners = self.partner_id.commercial_partner_id | self.partner_id
        members = Member.search(
            [
                ("partner_id", "in", partners.ids),
                ("campaign_id.state", "=", "running"),
            ]
        )
        for lead in self:
            mine = members.filtered(
                lambda m, lead=lead: m.partner_id == lead.partner_id
                or (
                    lead.partner_id
                    and m.partner_id == lead.partner_id.commercial_partner_id
                )
            )
            lead.campaign_context_member_ids = [(6, 0, mine.ids)]
            lead.campaign_context_count = len(mine)

    def action_view_campaign_context(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Live campaigns"),
            "res_model": "marketing.campaign.member",
            "view_mode": "list,form",
            "domain": [("id", "in", self.campaign_context_member_ids.ids)],
            "context": {"create": False},
        }


# kept apart from the model's main file to keep parallel work mergeable
class MarketingCampaignMember(models.Model):
    _inherit = "marketing.campaign.member"  # pylint: disable=consider-merging-classes-inherited

    # ---- INBOUND CONTACT

    @api.model
    def _find_inbound_members(self, email=None, phone=None):
        """The members of running campaigns whose contact has the normalised
        e-mail ``email`` or the phone ``phone`` (last nine digits).

        :return: marketing.campaign.member recordset (sudo)
        """
        conditions = []
        normalized = email_normalize(email) if email else False
        if normalized:
            conditions.append(SQL("p.email_normalized = %s", normalized))
        if phone:
            conditions.append(self._phone_match_sql("p", SQL("%s", phone)))
        if not conditions:
            return self.sudo().browse()
        self.env["res.partner"].flush_model(["email_normalized", "phone", "mobile"])
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id FROM marketing_campaign_member m
                  JOIN res_partner p ON p.id = m.partner_id
                  JOIN utm_campaign c ON c.id = m.campaign_id
                 WHERE c.state = 'running' AND m.active
                   AND m.state != 'unsubscribed' AND (%s)
                 ORDER BY m.campaign_id DESC, (m.channel != 'call'), m.id
                """,
                SQL(" OR ").join(conditions),
            )
        )
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def action_register_inbound(self, email=False, phone=False, note=False):
        """An inbound call (``phone``) or e-mail (``email``) from a person: for
        each running campaign the person is a member of, the member's user (or
        the campaign owner) gets the "inbound answer" activity with the
        campaign's context (code, channel, state, last answer, script).

        :return: list of the member ids that received an activity
        """
        members = self._find_inbound_members(email=email, phone=phone)
        done = []
        seen_campaigns = set()
        activity_type = self.env.ref(
            "marketing_resource_mgmt.mail_activity_type_inbound_answer"
        )
        states = dict(self._fields["state"]._description_selection(self.env))
        channels = dict(self._fields["channel"]._description_selection(self.env))
        answers = dict(self._fields["answer"]._description_selection(self.env))
        for member in members:
            if member.campaign_id.id in seen_campaigns:
                continue
            seen_campaigns.add(member.campaign_id.id)
            campaign = member.campaign_id
            kind = _("call") if phone else _("e-mail")
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                _(
                    "Inbound %(kind)s from %(name)s, member of the campaign "
                    "%(code)s.",
                    kind=kind,
                    name=member.partner_id.display_name,
                    code=campaign.code,
                ),
                Markup("").join(
                    Markup("<li>%s</li>") % line
                    for line in (
                        _("Channel: %(channel)s", channel=channels[member.channel]),
                        _("State: %(state)s", state=states.get(member.state)),
                        _(
                            "Last answer: %(answer)s",
                            answer=answers.get(member.answer) or _("none"),
                        ),
                        _("Next step: %(step)s", step=member.next_step or _("none")),
                    )
                ),
            )
            if note:
                body += Markup("<p>%s</p>") % note
            if campaign.call_script:
                body += Markup("<hr/>") + campaign.call_script
            member.activity_schedule(
                activity_type_id=activity_type.id,
                summary=_("Inbound answer to campaign %(name)s", name=campaign.title),
                note=body,
                user_id=(member.user_id or campaign.user_id or self.env.user).id,
            )
            done.append(member.id)
        return done


# kept apart from the model's main file to keep parallel work mergeable
class MailThread(models.AbstractModel):
    _inherit = "mail.thread"  # pylint: disable=consider-merging-classes-inherited

    def _message_route_process(self, message, message_dict, routes):
        """An incoming e-mail from a campaign member raises the inbound
        activity (except when it creates a lead: lead creation matches it)."""
        result = super()._message_route_process(message, message_dict, routes)
        if any(route[0] == "crm.lead" for route in routes):
            return result
        email = message_dict.get("email_from")
        if email:
            try:
                with self.env.cr.savepoint():
                    self.env[
                        "marketing.campaign.member"
                    ].sudo().action_register_inbound(email=email)
            except Exception:  # noqa: BLE001  (never lose the incoming e-mail)
                _logger.exception("Inbound campaign matching failed for %s", email)
        return result
