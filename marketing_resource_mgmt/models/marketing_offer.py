# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# the offer's own cost per contact on each channel
COST_FIELDS = {
    "email": "cost_email",
    "call": "cost_call",
    "mail": "cost_mail",
    "sms": "cost_sms",
}
MODEL_STATES = [
    ("none", "Not trained"),
    ("prior", "Prior only"),
    ("trained", "Trained"),
]


class MarketingOffer(models.Model):
    """What a campaign offers: products and/or a pricelist or discount, the
    value of one acceptance and its cost per contact on each channel. The
    optimiser chooses who gets which offer on which channel; the response
    model (marketing_offer_model.py) says how likely each contact accepts."""

    _name = "marketing.offer"
    _description = "Campaign Offer"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "campaign_id, sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", index=True, tracking=True
    )
    company_id = fields.Many2one(
        related="campaign_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="campaign_id.currency_id")
    family = fields.Char(
        help="Offers of one family share their response model when an offer "
        "has too few answers of its own (for example 'upgrade', 'win-back').",
    )
    description = fields.Html(translate=True)
    product_ids = fields.Many2many("product.product", string="Products")
    pricelist_id = fields.Many2one("product.pricelist", "Pricelist")
    discount = fields.Float("Discount (%)", digits=(5, 2))
    value = fields.Monetary(
        "Value per acceptance",
        tracking=True,
        help="What one accepted offer is worth (margin expected from the sale).",
    )
    cost_email = fields.Monetary("Cost per e-mail contact")
    cost_call = fields.Monetary("Cost per call contact")
    cost_mail = fields.Monetary("Cost per letter")
    cost_sms = fields.Monetary("Cost per SMS contact")
    min_volume = fields.Integer(
        "Minimum contacts", help="The scenario gives the offer at least this many."
    )
    max_volume = fields.Integer(
        "Maximum contacts",
        help="The scenario gives the offer at most this many (0: no maximum).",
    )
    prior_probability = fields.Float(
        "Prior acceptance rate",
        default=0.02,
        digits=(5, 4),
        help="Probability of acceptance used while the offer has no trained "
        "model (and for contacts with no history when it has none either).",
    )
    # ---- model card (written by _train_response_model)
    model_state = fields.Selection(
        MODEL_STATES, default="none", readonly=True, copy=False, tracking=True
    )
    model_date = fields.Datetime("Trained on", readonly=True, copy=False)
    model_scope = fields.Char("Trained on the answers to", readonly=True, copy=False)
    model_sample_size = fields.Integer("Sample size", readonly=True, copy=False)
    model_positive_count = fields.Integer("Acceptances", readonly=True, copy=False)
    model_base_rate = fields.Float(
        "Base rate", digits=(5, 4), readonly=True, copy=False
    )
    model_auc = fields.Float(
        "AUC (held-out)",
        digits=(4, 3),
        readonly=True,
        copy=False,
        help="Area under the ROC curve on the quarter of the answers held out "
        "of training: 0.5 is a coin toss, 1 a perfect ranking.",
    )
    model_top_features = fields.Text("Top features", readonly=True, copy=False)
    model_message = fields.Char(readonly=True, copy=False)
    score_date = fields.Datetime("Scored on", readonly=True, copy=False)
    score_count = fields.Integer("Contacts scored", readonly=True, copy=False)

    _sql_constraints = [
        ("value_positive", "CHECK(value >= 0)", "An offer's value cannot be negative."),
        (
            "volumes_positive",
            "CHECK(min_volume >= 0 AND max_volume >= 0)",
            "Volumes cannot be negative.",
        ),
        (
            "discount_range",
            "CHECK(discount >= 0 AND discount <= 100)",
            "A discount is between 0 and 100 %.",
        ),
    ]

    @api.constrains("min_volume", "max_volume")
    def _check_volumes(self):
        for offer in self:
            if offer.max_volume and offer.min_volume > offer.max_volume:
                raise ValidationError(
                    self.env._(
                        "The offer %(name)s asks for at least %(min)s contacts but "
                        "at most %(max)s.",
                        name=offer.name,
                        min=offer.min_volume,
                        max=offer.max_volume,
                    )
                )

    @api.constrains("prior_probability")
    def _check_prior(self):
        for offer in self:
            if not 0 <= offer.prior_probability <= 1:
                raise ValidationError(
                    self.env._("A prior acceptance rate is between 0 and 1.")
                )

    @api.constrains("cost_email", "cost_call", "cost_mail", "cost_sms")
    def _check_costs(self):
        for offer in self:
            if min(offer._get_channel_costs().values()) < 0:
                raise ValidationError(
                    self.env._(
                        "The offer %(name)s has a negative cost.", name=offer.name
                    )
                )

    def _get_channel_costs(self):
        """:return: {channel: the offer's own cost per contact}"""
        self.ensure_one()
        return {channel: self[fname] for channel, fname in COST_FIELDS.items()}

    # ---- EXPECTED PROFIT (SQL form of optimiser/value.py)

    @api.model
    def _contact_cost_sql(self, offer_alias, channel_sql, channel_cost_sql):
        """SQL: the cost of one contact (optimiser.value.contact_cost): the
        offer's own cost on the channel + the channel's cost per contact.

        :param offer_alias: alias of marketing_offer
        :param channel_sql: SQL of the channel code
        :param channel_cost_sql: SQL of the channel's cost per contact
            (NULL: none, e.g. no active marketing.channel)
        """
        return SQL(
            "(COALESCE(CASE %s %s END, 0) + COALESCE(%s, 0))",
            channel_sql,
            SQL(" ").join(
                SQL("WHEN %s THEN %s", channel, SQL.identifier(offer_alias, fname))
                for channel, fname in COST_FIELDS.items()
            ),
            channel_cost_sql,
        )

    @api.model
    def _expected_profit_sql(
        self, probability_sql, offer_alias, channel_sql, channel_cost_sql
    ):
        """SQL: the expected profit of a contact (optimiser.value.
        expected_profit): probability x the offer's value - the contact's
        cost (:meth:`_contact_cost_sql`)."""
        return SQL(
            "(%s * COALESCE(%s, 0) - %s)",
            probability_sql,
            SQL.identifier(offer_alias, "value"),
            self._contact_cost_sql(offer_alias, channel_sql, channel_cost_sql),
        )


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"  # pylint: disable=consider-merging-classes-inherited

    offer_ids = fields.One2many("marketing.offer", "campaign_id", "Offers")

    def _get_audience_query(self, channel):
        """While a scenario is applied (context ``mrm_scenario_id``), the
        audience is the scenario's chosen contacts of this campaign and
        channel, still in the campaign's own audience (consent is read
        again at apply time)."""
        query = super()._get_audience_query(channel)
        scenario_id = self.env.context.get("mrm_scenario_id")
        if not scenario_id:
            return query
        return SQL(
            """
            SELECT DISTINCT ch.partner_id AS id
              FROM marketing_scenario_choice ch
             WHERE ch.scenario_id = %(scenario)s AND ch.campaign_id = %(campaign)s
               AND ch.channel = %(channel)s
               AND ch.partner_id IN (%(audience)s)
            """,
            scenario=scenario_id,
            campaign=self.id,
            channel=channel,
            audience=query,
        )


class MarketingCampaignMember(models.Model):
    _inherit = "marketing.campaign.member"  # pylint: disable=consider-merging-classes-inherited

    offer_id = fields.Many2one(
        "marketing.offer", ondelete="set null", index="btree_not_null", tracking=True
    )
