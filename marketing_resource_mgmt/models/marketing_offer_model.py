# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The response model of an offer: trained on past members' outcomes
(tools/scoring.py, calibrated logistic regression), its model card on the
offer, and the probabilities of the campaign's audience written set-based."""

from odoo import fields, models
from odoo.tools import SQL, split_every

from odoo.addons.crm_lead_routing.progress import Progress

from ..kpi_rules import CONTACTED_STATES, POSITIVE_RESPONSE_STATES
from ..tools import scoring

# Most answers a model is trained on: a deterministic sample above it (the
# fit and its calibration stay under a few seconds on this machine).
TRAINING_MAX_ROWS = 50000
# Probabilities written per INSERT ... SELECT unnest statement.
WRITE_BATCH = 100000


class MarketingOffer(models.Model):
    _inherit = "marketing.offer"  # pylint: disable=consider-merging-classes-inherited

    # ---- ACTIONS

    def action_train_model(self):
        """Train each offer's response model and score its campaign's
        audience.

        :return: True
        """
        self.check_access("write")
        title = self.env._("Training the response models")
        with Progress(self.env, title, len(self)) as bar:
            for offer in self:
                bar.step(offer.display_name)
                offer.sudo()._train_and_score()
        return True

    def action_view_probabilities(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Acceptance probabilities"),
            "res_model": "marketing.offer.probability",
            "view_mode": "list",
            "domain": [("offer_id", "=", self.id)],
            "context": {"search_default_group_channel": 1},
        }

    # ---- TRAINING

    def _train_and_score(self):
        self.ensure_one()
        model = self._train_response_model()
        return self._score_probabilities(model)

    def _feature_sql(self, pairs):
        """SQL of the feature columns of ``pairs`` (a query with columns
        partner_id, channel, campaign_id and any others, kept as ``pr.*``).

        Past campaigns are counted over the members of other campaigns than
        the pair's own, so that the answer being learned is never a feature.
        """
        return SQL(
            """
            SELECT pr.*,
                   CURRENT_DATE - b.last_date AS recency, b.frequency, b.monetary,
                   COALESCE(h.past_campaigns, 0), COALESCE(h.past_answers, 0),
                   COALESCE(h.past_answers_channel, 0),
                   cp.is_company, p.mrm_preferred_channel,
                   b.id IS NULL AND COALESCE(h.past_campaigns, 0) = 0
              FROM (%(pairs)s) pr
              JOIN res_partner p ON p.id = pr.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
              LEFT JOIN marketing_partner_behaviour b
                     ON b.partner_id = p.commercial_partner_id
                    AND b.company_id = %(company)s
              LEFT JOIN LATERAL (
                    SELECT count(DISTINCT h.campaign_id) AS past_campaigns,
                           count(DISTINCT h.campaign_id)
                               FILTER (WHERE h.state IN %(positive)s) AS past_answers,
                           count(*) FILTER (WHERE h.state IN %(positive)s
                                              AND h.channel = pr.channel)
                               AS past_answers_channel
                      FROM marketing_campaign_member h
                     WHERE h.partner_id = pr.partner_id
                       AND h.campaign_id <> pr.campaign_id
                       AND h.state IN %(contacted)s) h ON TRUE
            """,
            pairs=pairs,
            company=self.company_id.id,
            positive=POSITIVE_RESPONSE_STATES,
            contacted=CONTACTED_STATES,
        )

    @staticmethod
    def _feature_row(row, offset):
        """The feature vector of a row of _feature_sql (its feature columns
        start at ``offset``)."""
        # recency, frequency, monetary, past campaigns, past answers, past
        # answers on the channel, is a company, preferred channel; then the
        # channel (row[1])
        return scoring.offer_feature_vector(*row[offset : offset + 8], row[1])

    def _get_training_scopes(self):
        """The populations to learn from, most specific first: the offer's
        own answers, its family's, its campaign type's, the company's.

        :return: list of (label, SQL condition over m / c / o)
        """
        self.ensure_one()
        scopes = [
            (self.env._("this offer"), SQL("m.offer_id = %s", self.id)),
        ]
        if self.family:
            scopes.append(
                (
                    self.env._("the family %(family)s", family=self.family),
                    SQL("o.family = %s", self.family),
                )
            )
        campaign_type = self.campaign_id.campaign_type
        if campaign_type:
            label = dict(
                self.campaign_id._fields["campaign_type"]._description_selection(
                    self.env
                )
            ).get(campaign_type, campaign_type)
            scopes.append(
                (
                    self.env._("campaigns of type %(type)s", type=label),
                    SQL("c.campaign_type = %s", campaign_type),
                )
            )
        scopes.append((self.env._("every campaign of the company"), SQL("TRUE")))
        return scopes

    def _training_pairs(self, condition):
        return SQL(
            """
            SELECT m.partner_id, m.channel, m.campaign_id,
                   (m.state IN %(positive)s)::int AS label
              FROM marketing_campaign_member m
              JOIN utm_campaign c ON c.id = m.campaign_id
              LEFT JOIN marketing_offer o ON o.id = m.offer_id
             WHERE m.company_id = %(company)s AND m.state IN %(contacted)s
               AND %(condition)s
             ORDER BY md5(m.id::text)
             LIMIT %(limit)s
            """,
            positive=POSITIVE_RESPONSE_STATES,
            contacted=CONTACTED_STATES,
            company=self.company_id.id,
            condition=condition,
            limit=TRAINING_MAX_ROWS,
        )

    def _find_training_scope(self):
        """:return: the first (label, condition) of _get_training_scopes with
        enough answers of both kinds, or None"""
        for label, condition in self._get_training_scopes():
            self.env.cr.execute(
                SQL(
                    "SELECT count(*), COALESCE(sum(label), 0) FROM (%s) t",
                    self._training_pairs(condition),
                )
            )
            total, positives = self.env.cr.fetchone()
            if min(positives, total - positives) >= scoring.MIN_CLASS_SIZE:
                return label, condition
        return None

    def _train_response_model(self):
        """Train the offer's response model on the first scope with enough
        answers of both kinds, and write its model card. Without enough
        answers anywhere, the card says "prior only" (the offer's prior
        acceptance rate is then every contact's probability).

        :return: scoring.ResponseModel, or None (prior only)
        """
        self.ensure_one()
        self.env["marketing.campaign.member"].flush_model()
        self.env["marketing.partner.behaviour"].flush_model()
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "is_company", "mrm_preferred_channel"]
        )
        self.flush_model()
        scope = self._find_training_scope()
        if not scope:
            self.write(
                {
                    "model_state": "prior",
                    "model_date": fields.Datetime.now(),
                    "model_scope": False,
                    "model_sample_size": 0,
                    "model_positive_count": 0,
                    "model_base_rate": self.prior_probability,
                    "model_auc": 0,
                    "model_top_features": False,
                    "model_message": self.env._(
                        "Too few answers to learn from (at least %(min)s "
                        "acceptances and %(min)s refusals): every contact gets "
                        "the prior acceptance rate.",
                        min=scoring.MIN_CLASS_SIZE,
                    ),
                }
            )
            return None
        label, condition = scope
        self.env.cr.execute(self._feature_sql(self._training_pairs(condition)))
        rows = self.env.cr.fetchall()
        labels = [row[3] for row in rows]
        features = [self._feature_row(row, 4) for row in rows]
        names = [name for name, _label in scoring.OFFER_FEATURES]
        model = scoring.train_response_model(features, labels, names)
        feature_labels = dict(scoring.OFFER_FEATURES)
        self.write(
            {
                "model_state": "trained",
                "model_date": fields.Datetime.now(),
                "model_scope": label,
                "model_sample_size": model.sample_size,
                "model_positive_count": model.positives,
                "model_base_rate": model.base_rate,
                "model_auc": model.auc or 0,
                "model_top_features": "\n".join(
                    f"{feature_labels[name]}: {weight:+.3f}"
                    for name, weight in model.top_features()
                ),
                "model_message": False,
            }
        )
        return model

    # ---- SCORING

    def _scoring_pairs(self):
        """SQL of the (partner_id, channel, campaign_id) pairs to score: the
        campaign's audience on each of its channels (segments, consent and
        the channel's requirements, as the generation reads them)."""
        self.ensure_one()
        campaign = self.campaign_id
        parts = [
            SQL(
                "SELECT a.id AS partner_id, %s::varchar AS channel, "
                "%s AS campaign_id FROM (%s) a",
                channel,
                campaign.id,
                campaign._get_audience_query(channel),
            )
            for channel in campaign._get_channels()
        ]
        if not parts or not campaign.segment_ids:
            return None
        return SQL(" UNION ALL ").join(parts)

    def _score_probabilities(self, model=None):
        """Write the probability of every (contact, channel) of the
        campaign's audience, replacing the offer's previous ones: the
        model's, or the base rate for a contact with no history (no
        behaviour, no past campaign), or the prior without a model.

        :param model: scoring.ResponseModel or None
        :return: number of probabilities written
        """
        self.ensure_one()
        campaign = self.campaign_id
        pairs = self._scoring_pairs()
        Probability = self.env["marketing.offer.probability"]
        Probability.flush_model()
        self.env.cr.execute(
            SQL("DELETE FROM marketing_offer_probability WHERE offer_id = %s", self.id)
        )
        count = 0
        if pairs is not None:
            for segment in campaign.segment_ids:
                segment._flush_sources()
            self.env.cr.execute(self._feature_sql(pairs))
            rows = self.env.cr.fetchall()
            prior = model.base_rate if model else self.prior_probability
            partners, channels, probabilities, reasons, no_history = [], [], [], [], []
            features = [self._feature_row(row, 3) for row in rows] if model else []
            predicted = model.predict(features) if model else []
            for index, row in enumerate(rows):
                empty = row[-1]
                partners.append(row[0])
                channels.append(row[1])
                no_history.append(bool(empty))
                if model and not empty:
                    probabilities.append(round(predicted[index], 6))
                    reasons.append(",".join(model.reasons(features[index])))
                else:
                    probabilities.append(round(prior, 6))
                    reasons.append("")
            for chunk in split_every(WRITE_BATCH, range(len(partners))):
                chunk = list(chunk)
                self.env.cr.execute(
                    SQL(
                        """
                        INSERT INTO marketing_offer_probability
                               (offer_id, campaign_id, company_id, partner_id,
                                channel, probability, reason, no_history)
                        SELECT %(offer)s, %(campaign)s, %(company)s, u.partner_id,
                               u.channel, u.probability, NULLIF(u.reason, ''),
                               u.no_history
                          FROM unnest(%(partners)s::int[], %(channels)s::varchar[],
                                      %(probabilities)s::float8[],
                                      %(reasons)s::varchar[], %(empty)s::bool[])
                               AS u(partner_id, channel, probability, reason,
                                    no_history)
                        ON CONFLICT (partner_id, offer_id, channel) DO NOTHING
                        """,
                        offer=self.id,
                        campaign=campaign.id,
                        company=self.company_id.id,
                        partners=[partners[i] for i in chunk],
                        channels=[channels[i] for i in chunk],
                        probabilities=[probabilities[i] for i in chunk],
                        reasons=[reasons[i] for i in chunk],
                        empty=[no_history[i] for i in chunk],
                    )
                )
                count += self.env.cr.rowcount
        Probability.invalidate_model()
        self.write({"score_date": fields.Datetime.now(), "score_count": count})
        return count

    def _get_reason_labels(self, reason):
        """:return: the labels of a probability's reason codes, joined"""
        labels = dict(scoring.OFFER_FEATURES)
        codes = [code for code in (reason or "").split(",") if code in labels]
        return ", ".join(self.env._(labels[code]) for code in codes)  # pylint: disable=translation-not-lazy

    def _cron_score_offers(self):
        """Retrain and rescore the offers of the running campaigns (nightly):
        next-best-action and new scenarios read fresh probabilities."""
        offers = self.search([("campaign_id.state", "=", "running")])
        for offer in offers:
            offer._train_and_score()
        return True
