# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRoutingTour(HttpCase):
    def test_pool_rule_claim_and_explanation(self):
        self.env["crm.routing.rule"].search([]).write({"active": False})
        manager = new_test_user(
            self.env,
            "tour_router",
            groups="crm_lead_routing.group_routing_manager",
            name="Tour Router",
        )
        claimer = new_test_user(
            self.env,
            "tour_claimer",
            groups="sales_team.group_sale_salesman",
            name="Tour Claimer",
        )
        self.start_tour("/odoo", "crm_lead_routing_rule_tour", login=manager.login)
        rule = self.env["crm.routing.rule"].search([("name", "=", "Tour pool")])
        self.assertEqual(rule.strategy, "pool")
        self.assertEqual(rule.assignee_ids.user_id, claimer)
        lead = self.env["crm.lead"].create({"name": "Tour pool lead", "type": "lead"})
        self.assertEqual(lead.routing_state, "pool")
        self.start_tour("/odoo", "crm_lead_routing_claim_tour", login=claimer.login)
        self.assertEqual(lead.user_id, claimer)
        self.assertIn("Claimed by Tour Claimer", lead.routing_explanation)
