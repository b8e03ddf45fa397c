# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Next-best-action: the offers to make to one person now, for the operator
on the contact and lead forms and on the call screen, and the accept /
decline buttons that record the answer on the campaign's member."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..kpi_rules import RESPONDED_STATES
from .chatter import log_note
from .marketing_campaign_member import CHANNELS

# Offers shown to the operator.
NBA_LIMIT = 3
# Rows read before the contact policy and one-channel-per-offer filters: the
# few best channels of each of the person's best offers.
NBA_FETCH = 60
# the person answered (or left) the campaign: no offer of it again
CLOSED_STATES = (*RESPONDED_STATES, "unsubscribed")


class MarketingOffer(models.Model):
    _inherit = "marketing.offer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def get_next_best_actions(self, partner_id, limit=NBA_LIMIT):
        """The best offers for a person now: offers of the running
        campaigns (of the user's companies) whose scored audience holds the
        person, on a channel the campaign uses and the contact policy allows
        (consent, contacts per period, quiet days), not answered yet; ranked
        by expected value (probability x value - cost of the contact), with
        the features that raise the probability as the reason.

        :param partner_id: res.partner id
        :param limit: how many offers
        :return: list of dicts (offer_id, offer, campaign_id, campaign,
            channel, channel_label, probability, expected_value, currency,
            reason, prior)
        """
        self.check_access("read")
        partner = self.env["res.partner"].browse(int(partner_id)).exists()
        if not partner:
            return []
        partner.check_access("read")
        for model in (
            "marketing.offer",
            "marketing.offer.probability",
            "marketing.channel",
            "marketing.campaign.member",
            "utm.campaign",
        ):
            self.env[model].flush_model()
        self.env.cr.execute(self._nba_query(partner.id))
        rows = self.env.cr.fetchall()
        if not rows:
            return []
        # rows come best first: stop at the first without gain; the policy is
        # asked once per (company, channel) met, only as far as needed
        verdicts, picked, seen = {}, [], set()
        for row in rows:
            offer_id, value, key = row[0], row[5], row[6:8]
            if value <= 0:
                break
            if offer_id in seen:
                continue
            if key not in verdicts:
                verdicts[key] = self._nba_allowed(partner, *key)
            if not verdicts[key]:
                continue
            seen.add(offer_id)
            picked.append(row)
            if len(picked) >= limit:
                break
        labels = dict(
            self.env["marketing.campaign.member"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        offers = self.browse([row[0] for row in picked])
        offers.fetch(["name", "campaign_id", "currency_id"])
        result = []
        for offer, row in zip(offers, picked, strict=True):
            _offer_id, channel, probability, reason, no_history, value = row[:6]
            result.append(
                {
                    "offer_id": offer.id,
                    "offer": offer.name,
                    "campaign_id": offer.campaign_id.id,
                    "campaign": offer.campaign_id.title,
                    "channel": channel,
                    "channel_label": labels.get(channel, channel),
                    "probability": round(probability, 4),
                    "expected_value": round(value, 2),
                    "currency": offer.currency_id.symbol or "",
                    "reason": (
                        _("No history: the offer's base rate")
                        if no_history
                        else offer._get_reason_labels(reason)
                    ),
                    "prior": bool(no_history),
                }
            )
        return result

    @api.model
    def _nba_query(self, partner_id):
        """One query on the person's probabilities (the unique (partner,
        offer, channel) index), best expected value first. The campaigns the
        person answered are read once (the member's partner index), not
        probed per row."""
        return SQL(
            """
            SELECT pr.offer_id, pr.channel::varchar, pr.probability, pr.reason,
                   pr.no_history,
                   pr.probability * COALESCE(o.value, 0)
                   - COALESCE(CASE pr.channel WHEN 'email' THEN o.cost_email
                                              WHEN 'call' THEN o.cost_call
                                              WHEN 'mail' THEN o.cost_mail
                                              ELSE o.cost_sms END, 0)
                   - COALESCE(mch.cost_per_contact, 0) AS ev,
                   pr.company_id, pr.channel::varchar
              FROM marketing_offer_probability pr
              JOIN marketing_offer o ON o.id = pr.offer_id AND o.active
              JOIN utm_campaign c ON c.id = pr.campaign_id AND c.state = 'running'
              LEFT JOIN marketing_channel mch
                     ON mch.company_id = pr.company_id AND mch.code = pr.channel
                    AND mch.active
             WHERE pr.partner_id = %(partner)s
               AND pr.company_id = ANY(%(companies)s)
               AND ((pr.channel = 'email' AND c.use_email)
                    OR (pr.channel = 'call' AND c.use_call)
                    OR (pr.channel = 'mail' AND c.use_mail)
                    OR (pr.channel = 'sms' AND c.use_sms))
               AND pr.campaign_id NOT IN (
                   SELECT m.campaign_id FROM marketing_campaign_member m
                    WHERE m.partner_id = %(partner)s AND m.state IN %(closed)s)
             ORDER BY ev DESC, pr.offer_id, pr.channel
             LIMIT %(fetch)s
            """,
            partner=partner_id,
            companies=self.env.companies.ids,
            closed=CLOSED_STATES,
            fetch=NBA_FETCH,
        )

    @api.model
    def _nba_allowed(self, partner, company_id, channel):
        """:return: whether the contact policy of the company allows
        contacting ``partner`` on ``channel`` now (consent, caps, quiet
        days)"""
        company = self.env["res.company"].browse(company_id)
        verdict = self.env["marketing.contact.policy"]._check(
            [partner.id], channel, company=company
        )
        return not verdict.get(partner.id)

    # ---- ACCEPT / DECLINE

    def action_nba_accept(self, partner_id, channel="call"):
        """The person accepts the offer: their member of the campaign (made
        on ``channel`` when they have none) answers "interested" and gets
        the answer's lead, as a caller's "interested" outcome.

        :return: dict with member_id, state, lead_id
        """
        return self._record_nba_answer(partner_id, channel, accepted=True)

    def action_nba_decline(self, partner_id, channel="call"):
        """The person declines the offer: their member answers "not
        interested" (declined).

        :return: dict with member_id, state, lead_id
        """
        return self._record_nba_answer(partner_id, channel, accepted=False)

    def _record_nba_answer(self, partner_id, channel, accepted):
        self.ensure_one()
        self.check_access("read")
        if channel not in dict(CHANNELS):
            raise UserError(_("Unknown channel %(channel)s.", channel=channel))
        partner = self.env["res.partner"].browse(int(partner_id or 0)).exists()
        if not partner:
            raise UserError(_("This offer needs a contact."))
        partner.check_access("read")
        campaign = self.campaign_id
        if campaign.state != "running":
            raise UserError(
                _("The campaign %(name)s does not run.", name=campaign.title)
            )
        Member = self.env["marketing.campaign.member"].sudo()
        member = Member.with_context(active_test=False).search(
            [
                ("campaign_id", "=", campaign.id),
                ("partner_id", "=", partner.id),
                ("channel", "=", channel),
            ],
            limit=1,
        )
        if member.state == "unsubscribed":
            raise UserError(
                _(
                    "%(name)s unsubscribed from the campaign %(campaign)s.",
                    name=partner.display_name,
                    campaign=campaign.title,
                )
            )
        now = fields.Datetime.now()
        if not member:
            member = Member.create(
                {
                    "campaign_id": campaign.id,
                    "partner_id": partner.id,
                    "channel": channel,
                    "state": "contacted",
                    "date_contacted": now,
                    "user_id": self.env.uid,
                    "offer_id": self.id,
                }
            )
        vals = {"offer_id": self.id, "date_responded": now}
        lead = self.env["crm.lead"]
        if accepted:
            vals.update(
                answer="interested",
                state="converted" if member.state == "converted" else "responded",
            )
            member.write(vals)
            lead = member._create_or_update_answer_lead()
            body = _(
                "Accepted the offer %(offer)s (next best action, recorded by "
                "%(user)s).",
                offer=self.name,
                user=self.env.user.name,
            )
        else:
            vals.update(answer="not_interested", state="declined")
            member.write(vals)
            body = _(
                "Declined the offer %(offer)s (next best action, recorded by "
                "%(user)s).",
                offer=self.name,
                user=self.env.user.name,
            )
        log_note(member, body)
        return {
            "member_id": member.id,
            "state": member.state,
            "lead_id": lead.id or False,
        }
