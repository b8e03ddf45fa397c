# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The response model per offer: calibrated probabilities where the answer
is known, the model card, the prior of contacts with no history, the
probabilities written set-based."""

import math
import random

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from ..tools import scoring
from .common import tagged_segment
from .offer_common import OfferCase, offer_partner_vals


@tagged("post_install", "-at_install")
class TestResponseModelEngine(TransactionCase):
    """tools/scoring.py alone, on synthetic rows."""

    def test_calibrated_on_known_probabilities(self):
        rng = random.Random(11)
        names = ["x", "noise"]
        features, labels, truth = [], [], []
        for _i in range(4000):
            x, noise = rng.gauss(0, 1), rng.gauss(0, 1)
            p = 1 / (1 + math.exp(-(-1.5 + 1.2 * x)))
            features.append([x, noise])
            labels.append(1 if rng.random() < p else 0)
            truth.append(p)
        model = scoring.train_response_model(features, labels, names)
        predicted = model.predict(features)
        error = sum(abs(a - b) for a, b in zip(predicted, truth, strict=True)) / len(
            truth
        )
        self.assertLess(error, 0.03)
        # calibration: in each decile of the prediction, the mean prediction
        # is the observed rate
        pairs = sorted(zip(predicted, labels, strict=True))
        size = len(pairs) // 10
        for decile in range(10):
            chunk = pairs[decile * size : (decile + 1) * size]
            mean_p = sum(p for p, _y in chunk) / size
            rate = sum(y for _p, y in chunk) / size
            self.assertAlmostEqual(mean_p, rate, delta=0.08)
        self.assertEqual(model.top_features(1)[0][0], "x")
        self.assertGreater(model.auc, 0.7)
        self.assertEqual(model.sample_size, 4000)
        self.assertAlmostEqual(model.base_rate, sum(labels) / 4000)
        self.assertEqual(model.reasons([2.0, 0.0], count=1), ["x"])
        self.assertEqual(model.reasons([-3.0, 0.0], count=1), [])

    def test_one_class_refused(self):
        with self.assertRaises(ValueError):
            scoring.train_response_model([[0.0], [1.0]] * 10, [0] * 20, ["x"])


@tagged("post_install", "-at_install")
class TestOfferResponseModel(OfferCase):
    def test_prior_without_history(self):
        """No answers anywhere: the model card says so and every contact
        gets the offer's prior, not zero."""
        self.env["marketing.campaign.member"].search([]).write({"state": "targeted"})
        self.offer_a.with_user(self.manager).action_train_model()
        self.assertEqual(self.offer_a.model_state, "prior")
        self.assertTrue(self.offer_a.model_message)
        probabilities = self._probabilities(self.offer_a)
        # every contact on both channels of the campaign
        self.assertEqual(len(probabilities), 2 * self.AUDIENCE)
        self.assertEqual(self.offer_a.score_count, 2 * self.AUDIENCE)
        self.assertEqual(set(probabilities.mapped("probability")), {0.05})
        self.assertEqual(set(probabilities.mapped("channel")), {"email", "call"})

    def test_consent_leaves_out_of_the_scored_audience(self):
        self.env["mail.blacklist"]._add(self.partners[0].email)
        self.offer_a.with_user(self.manager).action_train_model()
        rows = self._probabilities(self.offer_a).filtered(
            lambda r: r.partner_id == self.partners[0]
        )
        self.assertEqual(rows.mapped("channel"), ["call"])

    def test_rescoring_replaces(self):
        self.offer_a._train_and_score()
        self.partners[1].category_id = [(5, 0, 0)]
        self.offer_a._train_and_score()
        self.assertNotIn(self.partners[1], self._probabilities(self.offer_a).partner_id)
        self.assertEqual(
            len(self._probabilities(self.offer_a)), 2 * (self.AUDIENCE - 1)
        )

    def test_calibration_on_seeded_history(self):
        """400 contacts reached by a past campaign of the same type: those
        who prefer calls answered with probability 0.6, the others 0.1. The
        offer learns it from the campaign type's answers and scores the
        same contacts close to those rates; the card holds the figures."""
        rng = random.Random(5)
        tag = self.env["res.partner.category"].create({"name": "MRM calibration"})
        partners = self.env["res.partner"].create(
            [
                dict(
                    offer_partner_vals(i, tag, "Calib"),
                    mrm_preferred_channel="call" if i % 2 else "email",
                )
                for i in range(400)
            ]
        )
        past = self.env["utm.campaign"].create(
            {"title": "Past calls", "user_id": self.owner.id}
        )
        past_offer = self.env["marketing.offer"].create(
            {
                "name": "Past check",
                "campaign_id": past.id,
                "value": 30,
                "family": "service",
            }
        )
        self.offer_b.family = "service"
        states = []
        for partner in partners:
            rate = 0.6 if partner.mrm_preferred_channel == "call" else 0.1
            states.append("responded" if rng.random() < rate else "contacted")
        self.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": past.id,
                    "partner_id": partner.id,
                    "channel": "call",
                    "state": state,
                    "offer_id": past_offer.id,
                }
                for partner, state in zip(partners, states, strict=True)
            ]
        )
        self.campaign.write(
            {
                "segment_ids": [(6, 0, tagged_segment(self.env, tag).ids)],
                "use_email": False,
            }
        )
        self.offer_b.with_user(self.manager).action_train_model()
        offer = self.offer_b
        self.assertEqual(offer.model_state, "trained")
        self.assertEqual(offer.model_sample_size, 400)
        self.assertEqual(offer.model_positive_count, states.count("responded"))
        self.assertIn("service", offer.model_scope)
        self.assertGreater(offer.model_auc, 0.65)
        self.assertTrue(offer.model_date)
        self.assertTrue(
            offer.model_top_features.startswith(
                dict(scoring.OFFER_FEATURES)["prefers_channel"]
            )
        )
        rows = self._probabilities(offer)
        self.assertEqual(len(rows), 400)
        for preferred, truth in (("call", 0.6), ("email", 0.1)):
            group = rows.filtered(
                lambda r, p=preferred: r.partner_id.mrm_preferred_channel == p
            )
            mean = sum(group.mapped("probability")) / len(group)
            self.assertAlmostEqual(mean, truth, delta=0.08)
        # the reason of a caller-preferring contact names the preference
        caller = rows.filtered(lambda r: r.partner_id.mrm_preferred_channel == "call")[
            :1
        ]
        self.assertIn("prefers_channel", caller.reason)
        self.assertIn(
            dict(scoring.OFFER_FEATURES)["prefers_channel"],
            offer._get_reason_labels(caller.reason),
        )
        # a contact with no history gets the base rate, not zero
        newcomer = self.env["res.partner"].create(
            offer_partner_vals(999, tag, "Calib new")
        )
        offer._train_and_score()
        row = self._probabilities(offer).filtered(lambda r: r.partner_id == newcomer)
        self.assertTrue(row.no_history)
        self.assertAlmostEqual(row.probability, offer.model_base_rate, places=4)
        self.assertGreater(row.probability, 0)

    def test_training_needs_rights(self):
        with self.assertRaises(AccessError):
            self.offer_a.with_user(self.owner).action_train_model()
        # a marketing user reads the offers and their probabilities
        self.offer_a._train_and_score()
        self.assertTrue(
            self.env["marketing.offer.probability"]
            .with_user(self.owner)
            .search_count([("offer_id", "=", self.offer_a.id)])
        )
