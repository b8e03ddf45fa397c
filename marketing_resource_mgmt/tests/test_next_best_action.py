# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Next-best-action: the top offers for one person, consent and the contact
policy, accept / decline recorded as the member's answer."""

from unittest.mock import patch

import numpy as np

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.marketing_resource_mgmt import optimiser

from .offer_common import OfferCase


@tagged("post_install", "-at_install")
class TestNextBestAction(OfferCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer_a._train_and_score()
        cls.offer_b._train_and_score()
        cls.person = cls.partners[3]
        cls.Offer = cls.env["marketing.offer"]

    def _nba(self, user=None, partner=None):
        return self.Offer.with_user(user or self.caller_a).get_next_best_actions(
            (partner or self.person).id
        )

    def test_ranked_by_expected_value(self):
        actions = self._nba()
        # offer A: 0.05 x 100 - (0.01 e-mail) ; offer B: 0.1 x 40 - 0.01
        self.assertEqual(
            [a["offer_id"] for a in actions], [self.offer_a.id, self.offer_b.id]
        )
        first = actions[0]
        # the call costs 4.5 + 1: e-mail is the better channel of offer A
        self.assertEqual(first["channel"], "email")
        # a person with no history gets the offer's base rate (learnt from the
        # company's answers when the offer has none, e.g. on a demo database)
        # or else its prior
        rate = self.offer_a.model_base_rate or self.offer_a.prior_probability
        self.assertAlmostEqual(first["expected_value"], rate * 100 - 0.01, places=2)
        self.assertEqual(first["campaign_id"], self.campaign.id)
        self.assertTrue(first["prior"])
        self.assertTrue(first["reason"])
        # one line per offer
        self.assertEqual(len({a["offer_id"] for a in actions}), len(actions))

    def test_one_rule_for_the_expected_profit(self):
        """Next-best-action ranks by the optimiser's own expected profit:
        the figure it shows for an offer and channel is the profit of the
        scenario's candidate (optimiser.Problem.profit), the plain-Python
        rule (optimiser/value.py) and priced_value without prices."""
        self.offer_a.write({"cost_email": 0.2, "cost_call": 1.5})
        self.offer_b.cost_email = 0.05
        channels = self.env["marketing.channel"]._get_company_channels(self.env.company)
        self.assertTrue(channels["email"].cost_per_contact)
        actions = self.Offer.get_next_best_actions(self.person.id, limit=10)
        self.assertEqual(len(actions), 2)
        scenario = self.env["marketing.scenario"].create(
            {"name": "One rule", "campaign_ids": [(6, 0, self.campaign.ids)]}
        )
        candidates = scenario._fetch_candidates()
        problem = scenario._build_problem(candidates)
        codes = [
            code
            for code, _label in self.env["marketing.campaign.member"]
            ._fields["channel"]
            .selection
        ]
        mine = problem.contact == self.person.id
        for action in actions:
            offer = self.Offer.browse(action["offer_id"])
            at = mine & (problem.offer == offer.id)
            # the channel it shows is the scenario's most profitable one
            best = np.flatnonzero(at)[np.argmax(problem.profit[at])]
            self.assertEqual(codes[problem.channel[best]], action["channel"])
            self.assertAlmostEqual(
                action["expected_value"], problem.profit[best], places=2
            )
            cost = optimiser.contact_cost(
                offer._get_channel_costs()[action["channel"]],
                channels[action["channel"]].cost_per_contact,
            )
            self.assertAlmostEqual(cost, problem.cost[best], places=6)
            rule = optimiser.expected_profit(
                candidates["probability"][best], offer.value, cost
            )
            self.assertAlmostEqual(rule, problem.profit[best], places=6)
            self.assertAlmostEqual(
                optimiser.priced_value(
                    [],
                    problem.offer[best],
                    problem.channel[best],
                    problem.campaign[best],
                    problem.value[best],
                    problem.cost[best],
                ),
                rule,
                places=6,
            )
        # the ranking follows it
        self.assertEqual(
            [a["expected_value"] for a in actions],
            sorted((a["expected_value"] for a in actions), reverse=True),
        )

    def test_only_running_campaigns_and_open_offers(self):
        self.offer_b.active = False
        self.assertEqual([a["offer_id"] for a in self._nba()], [self.offer_a.id])
        self.campaign.sudo().state = "closed"
        self.assertEqual(self._nba(), [])

    def test_consent_at_scoring_time(self):
        """A contact blacklisted for e-mail before scoring is offered calls
        only."""
        self.offer_a.value = 1000
        self.env["mail.blacklist"]._add(self.person.email)
        self.offer_a._train_and_score()
        self.offer_b._train_and_score()
        self.assertEqual({a["channel"] for a in self._nba()}, {"call"})

    def test_accept_records_the_answer(self):
        result = self.offer_a.with_user(self.caller_a).action_nba_accept(
            self.person.id, "call"
        )
        member = self.env["marketing.campaign.member"].browse(result["member_id"])
        self.assertEqual(member.partner_id, self.person)
        self.assertEqual(member.offer_id, self.offer_a)
        self.assertEqual(member.channel, "call")
        self.assertEqual(member.state, "responded")
        self.assertEqual(member.answer, "interested")
        self.assertTrue(result["lead_id"])
        self.assertEqual(member.lead_id.id, result["lead_id"])
        self.assertIn("Accepted the offer", member.message_ids[0].body)
        # answered: the campaign's offers are no longer proposed
        self.assertEqual(self._nba(), [])
        # and the answer is a training row of the offer's own scope
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM marketing_campaign_member WHERE offer_id = %s "
            "AND state = 'responded'",
            [self.offer_a.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1)

    def test_decline_on_existing_member(self):
        self.campaign.with_user(self.owner).action_generate()
        member = self.env["marketing.campaign.member"].search(
            [
                ("partner_id", "=", self.person.id),
                ("channel", "=", "email"),
                ("campaign_id", "=", self.campaign.id),
            ]
        )
        # members of the campaign (targeted) still get its offers
        self.assertTrue(self._nba())
        result = self.offer_b.with_user(self.caller_a).action_nba_decline(
            self.person.id, "email"
        )
        self.assertEqual(result["member_id"], member.id)
        self.assertEqual(member.state, "declined")
        self.assertEqual(member.answer, "not_interested")
        self.assertEqual(member.offer_id, self.offer_b)
        self.assertFalse(result["lead_id"])

    def test_bad_input(self):
        with self.assertRaisesRegex(UserError, "Unknown channel"):
            self.offer_a.action_nba_accept(self.person.id, "pigeon")
        with self.assertRaisesRegex(UserError, "needs a contact"):
            self.offer_a.action_nba_accept(0, "call")
        self.assertEqual(self.Offer.get_next_best_actions(0), [])
        self.campaign.sudo().state = "closed"
        with self.assertRaisesRegex(UserError, "does not run"):
            self.offer_a.action_nba_accept(self.person.id, "call")
        self.campaign.sudo().state = "running"
        self.offer_a.action_nba_decline(self.person.id, "call")
        member = self.env["marketing.campaign.member"].search(
            [
                ("partner_id", "=", self.person.id),
                ("campaign_id", "=", self.campaign.id),
            ]
        )
        member._unsubscribe()
        with self.assertRaisesRegex(UserError, "unsubscribed"):
            self.offer_a.action_nba_accept(self.person.id, "call")

    def test_needs_marketing_rights(self):
        salesman = new_test_user(
            self.env, login="mrm_nba_sales", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            self.Offer.with_user(salesman).get_next_best_actions(self.person.id)

    def test_second_company_offers_invisible(self):
        company2 = self.env["res.company"].create({"name": "MRM NBA Co 2"})
        campaign2 = self.env["utm.campaign"].create(
            {
                "title": "Company 2 push",
                "user_id": self.owner.id,
                "company_id": company2.id,
                "segment_ids": [(6, 0, self.segment.ids)],
                "use_email": True,
            }
        )
        campaign2.sudo().state = "running"
        offer2 = self.Offer.create(
            {"name": "Co2 offer", "campaign_id": campaign2.id, "value": 5000}
        )
        offer2._train_and_score()
        self.assertTrue(
            self.env["marketing.offer.probability"].search_count(
                [("offer_id", "=", offer2.id)]
            )
        )
        offers = [a["offer_id"] for a in self._nba(user=self.manager)]
        self.assertNotIn(offer2.id, offers)
        self.assertFalse(
            self.Offer.with_user(self.manager).search([("id", "=", offer2.id)])
        )
        # in company 2 it comes first
        self.manager.company_ids = [(4, company2.id)]
        env2 = self.env(
            user=self.manager, context={"allowed_company_ids": [company2.id]}
        )
        actions = env2["marketing.offer"].get_next_best_actions(self.person.id)
        self.assertEqual(actions[0]["offer_id"], offer2.id)

    # ---- the contact policy, read at the time of the call

    def _other_campaign_member(self, **vals):
        other = self.env["utm.campaign"].create(
            {"title": "Other push", "user_id": self.owner.id}
        )
        return self.env["marketing.campaign.member"].create(
            {"campaign_id": other.id, "partner_id": self.person.id, **vals}
        )

    def test_consent_now(self):
        """Blacklisted after the scoring: e-mail is no longer offered."""
        self.offer_a.value = 1000
        self.assertIn("email", {a["channel"] for a in self._nba()})
        self.env["mail.blacklist"]._add(self.person.email)
        self.assertEqual({a["channel"] for a in self._nba()}, {"call"})
        self.person.mrm_opt_out = True
        self.assertEqual(self._nba(), [])

    def test_quiet_period(self):
        self.env.company.mrm_policy_quiet_days = 14
        self.assertTrue(self._nba())
        self._other_campaign_member(
            state="responded", date_responded=fields.Datetime.now()
        )
        self.assertEqual(self._nba(), [])
        # another person is not affected
        self.assertTrue(self._nba(partner=self.partners[4]))

    def test_contacts_per_period(self):
        self.env.company.mrm_policy_max_contacts = 1
        self.assertTrue(self._nba())
        self._other_campaign_member(
            state="contacted", date_contacted=fields.Datetime.now()
        )
        self.assertEqual(self._nba(), [])

    def test_contacts_per_period_on_a_channel(self):
        """E-mailed once this period with at most one e-mail a period: the
        offers come by phone only (each one on its best allowed channel,
        none lost to the e-mail rows ranked above them)."""
        self.env.company.mrm_policy_max_email = 1
        self.offer_a.value = self.offer_b.value = 1000
        self.assertEqual({a["channel"] for a in self._nba()}, {"email"})
        self._other_campaign_member(
            channel="email", state="contacted", date_contacted=fields.Datetime.now()
        )
        actions = self._nba()
        self.assertEqual({a["channel"] for a in actions}, {"call"})
        self.assertEqual(
            {a["offer_id"] for a in actions}, {self.offer_a.id, self.offer_b.id}
        )
        # the policy was asked once, for every channel
        with patch.object(
            type(self.env["marketing.contact.policy"]),
            "_check_channels",
            autospec=True,
            side_effect=type(self.env["marketing.contact.policy"])._check_channels,
        ) as asked:
            self._nba()
        self.assertEqual(asked.call_count, 1)
