# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import xmlrpc.client
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from .common import tagged_segment
from .offer_common import offer_partner_vals


@tagged("post_install", "-at_install")
class TestScenarioTour(HttpCase):
    def _member(self, campaign, person):
        return self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", campaign.id), ("partner_id", "=", person.id)]
        )

    def _running_campaign(self, owner):
        """A running campaign of 12 tagged contacts (e-mail only) and its
        offer. :return: (partners, campaign, offer)"""
        tag = self.env["res.partner.category"].create({"name": "MRM tour offers"})
        partners = self.env["res.partner"].create(
            [offer_partner_vals(i, tag, "Tour contact") for i in range(12)]
        )
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Tour offers",
                "template_id": self.env.ref(
                    "marketing_resource_mgmt.template_six_step"
                ).id,
                "user_id": owner.id,
                "date_start": date(2026, 3, 2),
                "segment_ids": [(6, 0, tagged_segment(self.env, tag).ids)],
                "use_email": True,
                "use_call": False,
                "use_mail": False,
            }
        )
        campaign.with_user(owner).action_start()
        offer = self.env["marketing.offer"].create(
            {"name": "Tour upgrade", "campaign_id": campaign.id, "value": 50}
        )
        return partners, campaign, offer

    def test_restricted_user_over_rpc(self):
        """A marketing user (not a manager) over real XML-RPC: reads the
        offers and the next best actions, records an answer; cannot make,
        run or apply a scenario, nor train a model."""
        user = new_test_user(
            self.env,
            login="mrm_nba_rpc",
            password="mrm_nba_rpc_pw1",
            groups="marketing_resource_mgmt.group_marketing_user,"
            "project.group_project_user,hr_timesheet.group_hr_timesheet_user",
        )
        partners, campaign, offer = self._running_campaign(user)
        offer._train_and_score()
        scenario = self.env["marketing.scenario"].create(
            {"name": "RPC plan", "campaign_ids": [(6, 0, campaign.ids)]}
        )
        db, password = self.env.cr.dbname, "mrm_nba_rpc_pw1"
        uid = self.xmlrpc_common.authenticate(db, user.login, password, {})

        def call(model, method, args, kwargs=None):
            return self.xmlrpc_object.execute_kw(
                db, uid, password, model, method, args, kwargs or {}
            )

        actions = call("marketing.offer", "get_next_best_actions", [partners[0].id])
        self.assertEqual(actions[0]["offer_id"], offer.id)
        self.assertEqual(actions[0]["channel"], "email")
        result = call(
            "marketing.offer",
            "action_nba_accept",
            [[offer.id], partners[0].id, "email"],
        )
        self.assertTrue(result["member_id"] and result["lead_id"])
        self.assertEqual(
            call(
                "marketing.offer",
                "search_read",
                [[("id", "=", offer.id)]],
                {"fields": ["model_state"]},
            )[0]["model_state"],
            offer.model_state,
        )
        for model, method, args in (
            ("marketing.scenario", "create", [{"name": "Mine"}]),
            ("marketing.scenario", "action_run", [scenario.ids]),
            ("marketing.scenario", "action_apply", [scenario.ids]),
            ("marketing.offer", "action_train_model", [offer.ids]),
            ("marketing.offer", "write", [offer.ids, {"value": 1}]),
        ):
            with self.assertRaises(xmlrpc.client.Fault) as fault:
                call(model, method, args)
            # 4: an access error (Odoo's XML-RPC fault codes)
            self.assertEqual(fault.exception.faultCode, 4, fault.exception.faultString)
        self.assertEqual(scenario.state, "draft")
        self.assertEqual(offer.value, 50)

    def test_scenario_tour(self):
        admin = self.env.ref("base.user_admin")
        partners, campaign, offer = self._running_campaign(admin)
        Scenario = self.env["marketing.scenario"]
        wide = Scenario.create(
            {
                "name": "Tour wide plan",
                "campaign_ids": [(6, 0, campaign.ids)],
                "budget_total": 0.1,
            }
        )
        wide.action_run()
        tight = Scenario.create(
            {
                "name": "Tour tight plan",
                "campaign_ids": [(6, 0, campaign.ids)],
                "budget_total": 0.04,
            }
        )
        self.start_tour(
            f"/odoo/action-marketing_resource_mgmt.action_marketing_scenario/{tight.id}",
            "mrm_scenario_tour",
            login="admin",
        )
        self.assertEqual(tight.state, "applied")
        self.assertEqual(wide.state, "done")
        members = self.env["marketing.campaign.member"].search(
            [("campaign_id", "=", campaign.id)]
        )
        self.assertEqual(len(members), 4)
        self.assertEqual(members.offer_id, offer)
        self.assertLessEqual(members.partner_id, partners)

    def test_next_best_action_tour(self):
        admin = self.env.ref("base.user_admin")
        partners, campaign, offer = self._running_campaign(admin)
        offer._train_and_score()
        person = partners[2]
        self.start_tour(
            f"/odoo/contacts/{person.id}",
            "mrm_next_best_action_tour",
            login="admin",
        )
        member = self._member(campaign, person)
        self.assertEqual(member.state, "responded")
        self.assertEqual(member.offer_id, offer)
        self.assertTrue(member.lead_id)

    def test_lead_next_best_action_tour(self):
        """On a lead's form: the person's top offers, best first; accepting
        one records the member's answer with that offer."""
        admin = self.env.ref("base.user_admin")
        partners, campaign, upgrade = self._running_campaign(admin)
        service = self.env["marketing.offer"].create(
            {"name": "Tour service check", "campaign_id": campaign.id, "value": 20}
        )
        for offer in upgrade | service:
            offer._train_and_score()
        person = partners[3]
        lead = self.env["crm.lead"].create(
            {
                "name": "Tour lead of a scored contact",
                "type": "opportunity",
                "partner_id": person.id,
            }
        )
        ranked = self.env["marketing.offer"].get_next_best_actions(person.id)
        self.assertEqual([a["offer_id"] for a in ranked], [upgrade.id, service.id])
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "mrm_lead_next_best_action_tour",
            login="admin",
        )
        member = self._member(campaign, person)
        self.assertEqual(len(member), 1)
        self.assertEqual(member.state, "responded")
        self.assertEqual(member.answer, "interested")
        self.assertEqual(member.offer_id, service)
        self.assertEqual(member.channel, "email")
        self.assertTrue(member.lead_id)
        self.assertEqual(member.lead_id.partner_id, person)
