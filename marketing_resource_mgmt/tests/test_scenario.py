# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Scenarios: run (inline and as a queue job), results and shadow prices,
compare, apply through the generation, bad input, rights, second company."""

import ast
from collections import Counter

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .offer_common import OfferCase


@tagged("post_install", "-at_install")
class TestScenario(OfferCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Scenario = cls.env["marketing.scenario"].with_user(cls.manager)

    def _scenario(self, **vals):
        return self.Scenario.create(
            {
                "name": vals.pop("name", "Spring plan"),
                "campaign_ids": [(6, 0, self.campaign.ids)],
                **vals,
            }
        )

    def _choices(self, scenario):
        return self.env["marketing.scenario.choice"].search(
            [("scenario_id", "=", scenario.id)]
        )

    def test_defaults(self):
        scenario = self._scenario(period_count=2)
        self.assertEqual(scenario.offer_ids, self.offer_a | self.offer_b)
        capacities = {line.channel: line.capacity for line in scenario.capacity_ids}
        # the callers of the running campaigns (this one: 30 + 10 calls a
        # day), each once, over two days
        call = self.env.ref("marketing_resource_mgmt.channel_call")
        by_caller = call._get_caller_capacities()
        self.assertEqual(by_caller[self.caller_a.id], 30)
        self.assertEqual(by_caller[self.caller_b.id], 10)
        self.assertEqual(call.capacity, sum(by_caller.values()))
        self.assertEqual(capacities["call"], 2 * call.capacity)
        self.assertEqual(capacities["email"], 100000)

    def test_run_and_apply(self):
        # budget for five e-mails of offer A and nothing else: binding
        scenario = self._scenario(budget_total=0.05)
        scenario.action_run()
        self.assertEqual(scenario.state, "done")
        self.assertEqual(scenario.candidate_count, 2 * 2 * self.AUDIENCE)
        choices = self._choices(scenario)
        self.assertEqual(len(choices), 5)
        self.assertEqual(set(choices.mapped("channel")), {"email"})
        self.assertEqual(choices.offer_id, self.offer_a)
        self.assertAlmostEqual(scenario.expected_cost, 0.05, places=4)
        # contacts with no history: the offer's base rate (or its prior)
        rate = self.offer_a.model_base_rate
        self.assertTrue(rate)
        for probability in choices.mapped("probability"):
            self.assertAlmostEqual(probability, rate, places=3)
        # the base rate and the figures are stored rounded (3 and 2 decimals)
        self.assertAlmostEqual(scenario.expected_responses, 5 * rate, delta=0.01)
        self.assertAlmostEqual(scenario.expected_revenue, 5 * rate * 100, delta=0.5)
        self.assertAlmostEqual(
            scenario.roi, (scenario.expected_revenue - 0.05) / 0.05, delta=0.5
        )
        by_kind = {(r.kind, r.name): r for r in scenario.result_ids}
        self.assertEqual(by_kind[("offer", self.offer_a.name)].contacts, 5)
        self.assertEqual(by_kind[("campaign", self.campaign.title)].contacts, 5)
        budget = scenario.constraint_ids.filtered(lambda c: "budget" in c.kind)
        self.assertTrue(budget.binding)
        self.assertGreater(budget.shadow_price, 0)
        self.assertIn("is worth", budget.explanation)
        self.assertGreaterEqual(scenario.bound, scenario.expected_profit - 0.01)
        # apply: the members of the chosen contacts, with their offer
        scenario.action_apply()
        self.assertEqual(scenario.state, "applied")
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertEqual(members.partner_id, choices.partner_id)
        self.assertEqual(set(members.mapped("channel")), {"email"})
        self.assertEqual(members.offer_id, self.offer_a)
        # through the generation: the campaign's e-mail mailing on its members
        self.assertEqual(self.campaign.generation_state, "done")
        mailing = self.campaign.mailing_id
        self.assertEqual(mailing.mailing_model_real, "marketing.campaign.member")
        self.assertEqual(
            self.env["marketing.campaign.member"].search(
                ast.literal_eval(mailing.mailing_domain)
            ),
            members,
        )
        with self.assertRaisesRegex(UserError, "before applying"):
            scenario.action_apply()

    def test_call_capacity_binds_with_caller_day(self):
        """Calls only, offer A worth a lot: the callers' capacity binds and
        its shadow price is phrased per caller-day."""
        self.campaign.use_email = False
        self.offer_a.value = 1000
        scenario = self._scenario()
        scenario.capacity_ids.filtered(lambda c: c.channel == "call").capacity = 3
        scenario.action_run()
        choices = self._choices(scenario)
        self.assertEqual(len(choices), 3)
        self.assertEqual(set(choices.mapped("channel")), {"call"})
        capacity = scenario.constraint_ids.filtered(
            lambda c: "capacity" in c.kind and c.binding
        )
        self.assertEqual(len(capacity), 1)
        self.assertIn("caller-day", capacity.explanation)
        scenario.action_apply()
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertEqual(len(members), 3)
        # the generation spread the calls over the callers, with activities
        self.assertTrue(all(members.mapped("user_id")))
        self.assertTrue(members.activity_ids)

    def _touch(self, partner, channel):
        """One contact of ``partner`` today in another campaign."""
        other = self.env["utm.campaign"].create(
            {"title": f"Earlier push {partner.id} {channel}", "user_id": self.owner.id}
        )
        self.env["marketing.campaign.member"].create(
            {
                "campaign_id": other.id,
                "partner_id": partner.id,
                "channel": channel,
                "state": "contacted",
                "date_contacted": fields.Datetime.now(),
            }
        )

    def test_person_with_one_contact_left_gets_at_most_one(self):
        """The contact policy allows 2 contacts a period; a person contacted
        once already gets at most 1 offer of a 2-offers-per-person plan, the
        others 2 (the caps are constraints of the optimiser's problem)."""
        self.env.company.mrm_policy_max_contacts = 2
        self.offer_a.value = self.offer_b.value = 1000
        touched, fresh = self.partners[0], self.partners[1]
        self._touch(touched, "email")
        scenario = self._scenario(max_per_contact=2)
        scenario.action_run()
        self.assertEqual(scenario.state, "done")
        per = Counter(self._choices(scenario).mapped(lambda c: c.partner_id.id))
        self.assertEqual(per[touched.id], 1)
        self.assertEqual(per[fresh.id], 2)
        cap = scenario.constraint_ids.filtered(lambda c: c.kind == "contact_cap")
        self.assertEqual(cap.limit, 2)

    def test_person_with_one_call_left_gets_at_most_one_call(self):
        """Calls only, at most 2 calls a period: a person called once
        already gets one of the two offers by phone, the others both."""
        self.env.company.mrm_policy_max_call = 2
        self.campaign.use_email = False
        self.offer_a.value = self.offer_b.value = 1000
        touched, fresh = self.partners[0], self.partners[1]
        self._touch(touched, "call")
        scenario = self._scenario(max_per_contact=2)
        scenario.capacity_ids.filtered(lambda c: c.channel == "call").capacity = 1000
        scenario.action_run()
        choices = self._choices(scenario)
        self.assertEqual(set(choices.mapped("channel")), {"call"})
        per = Counter(choices.mapped(lambda c: c.partner_id.id))
        self.assertEqual(per[touched.id], 1)
        self.assertEqual(per[fresh.id], 2)

    def test_queue_job(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "marketing_resource_mgmt.scenario_queue_threshold", "0"
        )
        self.offer_a._train_and_score()
        scenario = self._scenario(budget_total=1)
        with trap_jobs() as trap:
            scenario.action_run()
            self.assertEqual(scenario.state, "queued")
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(scenario.state, "done")
        self.assertTrue(self._choices(scenario))

    def test_queue_job_failure_written(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "marketing_resource_mgmt.scenario_queue_threshold", "0"
        )
        self.offer_a._train_and_score()
        scenario = self._scenario()
        with trap_jobs() as trap:
            scenario.action_run()
            self.campaign.sudo().state = "closed"
            trap.perform_enqueued_jobs()
        self.assertEqual(scenario.state, "failed")
        self.assertIn(self.campaign.title, scenario.message)

    def test_bad_input_saves_nothing(self):
        scenario = self._scenario()
        self.offer_b.value = 0
        with self.assertRaisesRegex(UserError, self.offer_b.name):
            scenario.action_run()
        self.offer_b.value = 40
        scenario.budget_total = -5
        with self.assertRaisesRegex(UserError, "total budget"):
            scenario.action_run()
        scenario.budget_total = 0
        scenario.capacity_ids[:1].capacity = -1
        with self.assertRaisesRegex(UserError, "capacity"):
            scenario.action_run()
        scenario.capacity_ids[:1].capacity = 10
        # infeasible: the offer needs more contacts than the channels take
        self.offer_a.min_volume = 15
        scenario.capacity_ids = [(5, 0, 0)] + [
            (0, 0, {"channel": "email", "capacity": 5}),
            (0, 0, {"channel": "call", "capacity": 5}),
        ]
        with self.assertRaises(UserError) as caught:
            scenario.action_run()
        self.assertIn(self.offer_a.name, str(caught.exception))
        self.assertEqual(scenario.state, "draft")
        self.assertFalse(self._choices(scenario))
        self.assertFalse(scenario.result_ids)
        # nothing scored either: the run's writes were rolled back
        self.assertFalse(self.offer_a.score_date)

    def test_rights(self):
        scenario = self._scenario()
        # a marketing user reads scenarios, does not make or run them
        self.assertEqual(
            scenario.with_user(self.owner).read(["name"])[0]["name"], "Spring plan"
        )
        with self.assertRaises(AccessError):
            self.env["marketing.scenario"].with_user(self.owner).create({"name": "x"})
        with self.assertRaises(AccessError):
            scenario.with_user(self.owner).action_run()
        with self.assertRaises(AccessError):
            self.offer_a.with_user(self.owner).write({"value": 1})

    def test_second_company(self):
        company2 = self.env["res.company"].create({"name": "MRM scenario Co 2"})
        campaign2 = self.env["utm.campaign"].create(
            {"title": "Co2", "user_id": self.owner.id, "company_id": company2.id}
        )
        offer2 = self.env["marketing.offer"].create(
            {"name": "Co2 offer", "campaign_id": campaign2.id, "value": 10}
        )
        scenario2 = self.env["marketing.scenario"].create(
            {"name": "Co2 plan", "company_id": company2.id}
        )
        Offer = self.env["marketing.offer"].with_user(self.manager)
        Scenario = self.env["marketing.scenario"].with_user(self.manager)
        self.assertFalse(Offer.search([("id", "=", offer2.id)]))
        self.assertFalse(Scenario.search([("id", "=", scenario2.id)]))
        self.assertNotIn(
            "Co2 plan", [r["name"] for r in Scenario.search_read([], ["name"])]
        )
        with self.assertRaises(AccessError):
            scenario2.with_user(self.manager).read(["name"])
        channels = self.env["marketing.channel"].with_user(self.manager).search([])
        self.assertNotIn(company2, channels.company_id)

    def test_compare(self):
        cheap = self._scenario(name="Cheap", budget_total=0.03)
        rich = self._scenario(name="Rich", budget_total=0.1)
        cheap.action_run()
        rich.action_run()
        action = cheap.action_compare()
        self.assertEqual(action["res_model"], "marketing.scenario.compare")
        wizard = (
            self.env["marketing.scenario.compare"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"scenario_b_id": rich.id})
        )
        html = str(wizard.comparison)
        self.assertIn("Cheap", html)
        self.assertIn("Rich", html)
        self.assertIn("Expected profit", html)
        self.assertEqual(rich.chosen_count, 10)
        self.assertEqual(cheap.chosen_count, 3)
        wizard.action_apply_b()
        self.assertEqual(rich.state, "applied")
        self.assertEqual(cheap.state, "done")

    def test_copy(self):
        scenario = self._scenario(budget_total=0.05)
        scenario.action_run()
        copy = scenario.copy()
        self.assertEqual(copy.state, "draft")
        self.assertEqual(copy.budget_total, 0.05)
        self.assertFalse(copy.result_ids)
        self.assertIn("copy", copy.name)
