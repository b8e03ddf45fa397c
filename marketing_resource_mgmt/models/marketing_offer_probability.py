# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .marketing_campaign_member import CHANNELS


class MarketingOfferProbability(models.Model):
    """The probability that a contact accepts an offer on a channel: one row
    per (contact, offer, channel) of the offer campaign's audience, written
    set-based by the offer's response model (marketing_offer_model.py), read
    by the optimiser's candidates and by next-best-action."""

    _name = "marketing.offer.probability"
    _description = "Offer Acceptance Probability"
    _order = "offer_id, partner_id, channel"
    _log_access = False
    _rec_name = "partner_id"

    offer_id = fields.Many2one(
        "marketing.offer", required=True, ondelete="cascade", index=True, readonly=True
    )
    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", readonly=True
    )
    # no index of its own: the unique (partner_id, offer_id, channel) index
    # leads with it (next-best-action reads one contact's rows)
    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", readonly=True
    )
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    probability = fields.Float(digits=(5, 4), readonly=True)
    no_history = fields.Boolean(
        readonly=True, help="The contact had no history: the prior was used."
    )
    reason = fields.Char(
        readonly=True,
        help="The features that raise this contact's probability most "
        "(comma-separated feature codes of tools/scoring.py).",
    )

    _sql_constraints = [
        # it also covers next-best-action's ranking (the INCLUDE columns):
        # one contact's rows are an index-only scan once the table is
        # vacuumed, instead of a heap page per offer (tests/bench/bench_nba.py)
        (
            "partner_offer_channel_unique",
            "UNIQUE(partner_id, offer_id, channel) "
            "INCLUDE (campaign_id, company_id, probability)",
            "One probability per contact, offer and channel.",
        ),
    ]
