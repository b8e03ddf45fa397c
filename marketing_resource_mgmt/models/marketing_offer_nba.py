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
        by expected profit (probability x value - cost of the contact, as
        the optimiser weighs it: optimiser/value.py), with the features that
        raise the probability as the reason.

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
        allowed = self._nba_allowed_channels(partner)
        if not allowed:
            return []
        self.env.cr.execute(self._nba_query(partner.id, allowed, int(limit)))
        picked = self.env.cr.fetchall()
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
    def _nba_query(self, partner_id, allowed, limit):
        """One query: the person's best offers, one row each (its best
        channel), best expected profit first (the SQL form of
        optimiser/value.py, as the scenario's candidates), at most
        ``limit``: a top-N sort of the allowed rows, then one row per offer.

        The ranking reads only the covering index of the person's
        probabilities (the unique (partner, offer, channel) index with
        INCLUDE columns, marketing_offer_probability.py: an
        index-only scan once the table is vacuumed); the reason is read for
        the few rows kept. The campaigns the person answered are read once
        (the member's partner index), not probed per row.

        :param allowed: {company id: channels the contact policy allows}
        :return: SQL of rows (offer_id, channel, probability, reason,
            no_history, expected profit)
        """
        ev = self._expected_profit_sql(
            SQL("pr.probability"), "o", SQL("pr.channel"), SQL("mch.cost_per_contact")
        )
        policy = SQL(" OR ").join(
            SQL("(pr.company_id = %s AND pr.channel = ANY(%s))", company, channels)
            for company, channels in sorted(allowed.items())
        )
        return SQL(
            """
            WITH ranked AS (
                SELECT pr.offer_id, pr.channel::varchar AS channel,
                       pr.probability, %(ev)s AS ev
                  FROM marketing_offer_probability pr
                  JOIN marketing_offer o ON o.id = pr.offer_id AND o.active
                  JOIN utm_campaign c
                    ON c.id = pr.campaign_id AND c.state = 'running'
                  LEFT JOIN marketing_channel mch
                         ON mch.company_id = pr.company_id
                        AND mch.code = pr.channel AND mch.active
                 WHERE pr.partner_id = %(partner)s
                   AND (%(policy)s)
                   AND ((pr.channel = 'email' AND c.use_email)
                        OR (pr.channel = 'call' AND c.use_call)
                        OR (pr.channel = 'mail' AND c.use_mail)
                        OR (pr.channel = 'sms' AND c.use_sms))
                   AND pr.campaign_id NOT IN (
                       SELECT m.campaign_id FROM marketing_campaign_member m
                        WHERE m.partner_id = %(partner)s AND m.state IN %(closed)s)
                   AND %(ev)s > 0
                 ORDER BY ev DESC, pr.offer_id, pr.channel
                 LIMIT %(fetch)s
            ), best AS (
                SELECT DISTINCT ON (offer_id) * FROM ranked
                 ORDER BY offer_id, ev DESC, channel
            )
            SELECT b.offer_id, b.channel, b.probability, pr.reason,
                   pr.no_history, b.ev
              FROM (SELECT * FROM best ORDER BY ev DESC, offer_id
                     LIMIT %(limit)s) b
              JOIN marketing_offer_probability pr
                ON pr.partner_id = %(partner)s AND pr.offer_id = b.offer_id
               AND pr.channel = b.channel
             ORDER BY b.ev DESC, b.offer_id
            """,
            ev=ev,
            partner=partner_id,
            policy=policy,
            closed=CLOSED_STATES,
            # an offer has a row per channel at most: the best ``limit``
            # offers are within the best ``limit`` x channels rows (all of
            # them allowed: the policy is in the WHERE clause)
            fetch=limit * len(CHANNELS),
            limit=limit,
        )

    @api.model
    def _nba_allowed_channels(self, partner):
        """The channels on which the contact policy of each of the user's
        companies allows contacting ``partner`` now (consent, caps, quiet
        days): one question per company, on every channel at once.

        :return: {company id: [channel codes]}, companies allowing none left
            out
        """
        Policy = self.env["marketing.contact.policy"]
        codes = [code for code, _label in CHANNELS]
        allowed = {}
        for company in self.env.companies:
            verdicts = Policy._check_channels([partner.id], codes, company=company)
            channels = [c for c in codes if not verdicts[c].get(partner.id)]
            if channels:
                allowed[company.id] = channels
        return allowed

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
