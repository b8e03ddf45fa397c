# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo data fills every screen: run on the demo database the tests use
(./setup/test.sh installs the addons with their demo data)."""

import re

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env.ref("marketing_resource_mgmt.demo_partner_tag_uk")
        cls.contacts = cls.env["res.partner"].search(
            [("category_id", "in", cls.tag.ids)]
        )
        cls.winter = cls.env.ref("marketing_resource_mgmt.demo_campaign_winter")
        cls.webinar = cls.env.ref("marketing_resource_mgmt.demo_campaign_webinar")
        cls.spring = cls.env.ref("marketing_resource_mgmt.demo_campaign_spring")

    def test_contacts_are_messy_uk_data(self):
        self.assertGreaterEqual(len(self.contacts), 250)
        self.assertEqual(set(self.contacts.country_id.mapped("code")), {"GB"})
        phones = self.contacts.filtered("phone").mapped("phone")
        shapes = {re.sub(r"\d", "9", phone)[:6] for phone in phones}
        self.assertGreater(len(shapes), 4, "phones written in several ways")
        counties = set(self.contacts.mapped("mrm_county"))
        self.assertTrue(
            {"Yorkshire, South", "South Yorkshire"} & counties
            or any(c and c.isupper() for c in counties),
            "counties written as people type them",
        )
        self.assertTrue(self.contacts.filtered(lambda p: not p.email))
        self.assertTrue(self.contacts.filtered("mrm_opt_out"))

    def test_headline_segment_matches_the_contacts(self):
        segment = self.env.ref("marketing_resource_mgmt.demo_segment_companies_us")
        self.assertGreaterEqual(segment.partner_count, 200)
        self.assertEqual(segment.user_id, self.env.ref("base.user_admin"))

    def test_cluster_split_and_response_score(self):
        segment = self.env.ref("marketing_resource_mgmt.demo_segment_companies_us")
        wizard = self.env["marketing.segment.cluster"].create(
            {"segment_id": segment.id, "cluster_count": 3}
        )
        wizard.action_split()
        clusters = segment.child_ids.filtered("cluster_model")
        self.assertGreaterEqual(len(clusters), 2)
        self.assertTrue(all(size > 0 for size in clusters.mapped("cluster_size")))
        action = segment.action_compute_response_score()
        self.assertEqual(action["params"]["type"], "success")
        scores = self.contacts.mapped("mrm_response_score")
        self.assertGreater(len(set(scores)), 1, "the score tells contacts apart")
        self.assertGreater(max(scores), 0)

    def test_monitor_has_figures(self):
        data = self.env["campaign.monitor"].get_monitor_data()
        cards = {card["id"]: card for card in data["cards"]}
        for campaign in (self.winter, self.webinar):
            card = cards[campaign.id]
            figures = card["figures"]
            self.assertGreater(figures["members_contacted"], 0)
            self.assertGreater(figures["members_responded"], 0)
            self.assertGreater(figures["members_converted"], 0)
            self.assertGreater(figures["orders"], 0)
            self.assertGreater(figures["won"], 0)
            money = card["money"]
            for key in ("cost_timesheet", "cost_bill", "cost_direct", "revenue"):
                self.assertGreater(money[key], 0, f"{campaign.title}: {key}")
        # every state a member can reach is in the demo
        states = set(
            self.env["marketing.campaign.member"]
            .search([("campaign_id", "in", (self.winter | self.webinar).ids)])
            .mapped("state")
        )
        self.assertGreaterEqual(
            states,
            {
                "targeted",
                "sent",
                "opened",
                "clicked",
                "contacted",
                "responded",
                "converted",
                "declined",
                "unsubscribed",
                "bounced",
            },
        )

    def test_phases_follow_the_dates(self):
        for campaign in (self.winter, self.webinar):
            phases = campaign.phase_ids.sorted(lambda p: (p.sequence, p.id))
            self.assertEqual(campaign.phase_id, phases[-1], campaign.title)
            self.assertEqual(set(phases[:-1].mapped("state")), {"done"})
        spring_phases = self.spring.phase_ids.sorted(lambda p: (p.sequence, p.id))
        self.assertNotEqual(self.spring.phase_id, spring_phases[0])
        self.assertNotEqual(self.spring.phase_id, spring_phases[-1])

    def test_owners_are_demo_users(self):
        bot = self.env.ref("base.user_root")
        demo_users = self.env.ref("base.user_admin") | self.env.ref("base.user_demo")
        segments = self.env["marketing.segment"].search(
            [("id", "in", self._demo_ids("marketing.segment"))]
        )
        self.assertTrue(segments)
        self.assertFalse(segments.filtered(lambda s: s.user_id == bot))
        campaigns = self.winter | self.webinar | self.spring
        self.assertLessEqual(campaigns.user_id, demo_users)
        leads = self.env["crm.lead"].search(
            [("contact_name", "in", self.contacts.mapped("name"))]
        )
        self.assertTrue(leads)
        self.assertFalse(leads.filtered(lambda lead: lead.user_id == bot))
        self.assertTrue(
            leads.filtered(lambda lead: lead.user_id in demo_users),
            "the demo rules routed some",
        )

    def _demo_ids(self, model):
        return (
            self.env["ir.model.data"]
            .search([("model", "=", model), ("module", "=", "marketing_resource_mgmt")])
            .mapped("res_id")
        )
