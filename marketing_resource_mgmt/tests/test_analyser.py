# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SegmentCase


@tagged("post_install", "-at_install")
class TestAnalyser(SegmentCase):
    """Cluster split and response score on a seeded data set whose right
    answer is known."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Behaviour = cls.env["marketing.partner.behaviour"]
        cls.company = cls.env.company
        cls.Behaviour.search([("company_id", "=", cls.company.id)]).unlink()
        # the day PostgreSQL's CURRENT_DATE counts recency from (UTC), not the
        # user's: in the last hours of a UTC day they differ
        today = fields.Date.today()
        # three well separated groups of five customers
        cls.groups = {}
        specs = {
            "loyal": (5, 20, 10000.0, 3),
            "middle": (120, 5, 1000.0, 1),
            "lapsed": (700, 1, 40.0, 0),
        }
        for key, (recency, frequency, monetary, responded) in specs.items():
            partners = cls.Partner.create(
                [{"name": f"{key} {i}", "comment": "analyser-test"} for i in range(5)]
            )
            cls.Behaviour.create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": cls.company.id,
                        "last_date": today - timedelta(days=recency + i),
                        "recency_days": recency + i,
                        "frequency": frequency + i % 2,
                        "monetary": monetary * (1 + i / 10),
                        "responded": responded,
                    }
                    for i, partner in enumerate(partners)
                ]
            )
            cls.groups[key] = partners
        cls.segment = cls.Segment.create(
            {"name": "Analyser", "domain": "[('comment', '=', 'analyser-test')]"}
        )

    def test_cluster_split(self):
        wizard = self.env["marketing.segment.cluster"].create(
            {"segment_id": self.segment.id, "cluster_count": 3}
        )
        action = wizard.action_split()
        children = self.Segment.browse(action["domain"][0][2])
        self.assertEqual(len(children), 3)
        self.assertEqual(children.parent_id, self.segment)
        self.assertEqual(children.mapped("cluster_size"), [5, 5, 5])
        # cluster 0 is the most recent buyers; membership is re-evaluated in SQL
        loyal, middle, lapsed = children.sorted("cluster_index")
        self.assertEqual(set(loyal._get_partner_ids()), set(self.groups["loyal"].ids))
        self.assertEqual(set(middle._get_partner_ids()), set(self.groups["middle"].ids))
        self.assertEqual(set(lapsed._get_partner_ids()), set(self.groups["lapsed"].ids))
        self.assertAlmostEqual(loyal.cluster_recency, 7.0)
        self.assertGreater(loyal.cluster_monetary, lapsed.cluster_monetary)
        self.assertIn("recent", loyal.name)
        self.assertIn("lapsed", lapsed.name)

    def test_cluster_split_shows_progress(self):
        """The split tells the user's browser its three steps, then closes
        its box ("working…": crm_lead_routing/progress.py); a refused split
        closes it too."""
        from odoo.addons.crm_lead_routing.tests.test_progress import (
            last_bus_id,
            read_progress,
        )

        wizard = self.env["marketing.segment.cluster"].create(
            {"segment_id": self.segment.id, "cluster_count": 3}
        )
        since = last_bus_id(self.env)
        wizard.action_split()
        sent = read_progress(self.env, since)
        self.assertEqual([p["done"] for p in sent], [0, 1, 2, 3])
        self.assertEqual({p["total"] for p in sent}, {3})
        self.assertEqual({p["title"] for p in sent}, {"Splitting Analyser"})
        self.assertTrue(all(p["step"] for p in sent[:3]))
        self.assertEqual([p["finished"] for p in sent], [False] * 3 + [True])
        small = self.Segment.create(
            {"name": "Small", "domain": "[('name', '=', 'loyal 0')]"}
        )
        wizard = self.env["marketing.segment.cluster"].create(
            {"segment_id": small.id, "cluster_count": 3}
        )
        since = last_bus_id(self.env)
        # not assertRaises: its savepoint would drop the bus messages sent
        # through the test's transaction
        refused = False
        try:
            wizard.action_split()
        except UserError:
            refused = True
        self.assertTrue(refused)
        self.assertTrue(read_progress(self.env, since)[-1]["finished"])

    def test_cluster_bad_input(self):
        with self.assertRaises(ValidationError):
            self.env["marketing.segment.cluster"].create(
                {"segment_id": self.segment.id, "cluster_count": 1}
            )
        small = self.Segment.create(
            {"name": "Small", "domain": "[('name', '=', 'loyal 0')]"}
        )
        wizard = self.env["marketing.segment.cluster"].create(
            {"segment_id": small.id, "cluster_count": 3}
        )
        with self.assertRaises(UserError):
            wizard.action_split()
        self.assertFalse(small.child_ids)

    def test_response_score(self):
        result = self.Behaviour._compute_response_scores(
            partner_ids=self.segment._get_partner_ids()
        )
        self.assertEqual(result["trained"], 15)
        self.assertEqual(result["positive"], 10)
        self.Partner.invalidate_model(["mrm_response_score"])
        for partner in self.groups["loyal"]:
            self.assertGreater(partner.mrm_response_score, 0.6)
        for partner in self.groups["lapsed"]:
            self.assertLess(partner.mrm_response_score, 0.4)
        # usable as a criterion
        scored = self.Segment.create(
            {
                "name": "Likely",
                "domain": "[('comment', '=', 'analyser-test')]",
                "criterion_ids": [
                    (
                        0,
                        0,
                        {
                            "field_name": "mrm_response_score",
                            "operator": ">=",
                            "value": "0.6",
                        },
                    )
                ],
            }
        )
        ids = set(scored._get_partner_ids())
        self.assertTrue(set(self.groups["loyal"].ids) <= ids)
        self.assertFalse(ids & set(self.groups["lapsed"].ids))

    def test_response_score_of_contacts_without_behaviour(self):
        """A contact of a scored customer reads its customer's score; one
        without purchases or answers the company's baseline; the scores are
        kept per customer, not written on every contact."""
        employee = self.Partner.create(
            {"name": "Loyal employee", "parent_id": self.groups["loyal"][0].id}
        )
        stranger = self.Partner.create({"name": "Never bought", "comment": "x"})
        self.env.flush_all()
        self.env.cr.execute("SELECT max(write_date) FROM res_partner")
        written = self.env.cr.fetchone()[0]
        self.Behaviour._compute_response_scores(
            partner_ids=self.segment._get_partner_ids()
        )
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM res_partner WHERE write_date > %s", [written]
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0, "no contact rewritten")
        self.Partner.invalidate_model(["mrm_response_score"])
        loyal = self.groups["loyal"][0]
        self.assertEqual(employee.mrm_response_score, loyal.mrm_response_score)
        baseline = self.company.mrm_response_baseline
        self.assertAlmostEqual(stranger.mrm_response_score, baseline, places=2)
        self.assertLess(baseline, 0.4, "never bought: close to the lapsed")
        below = self.Partner.search(
            [("mrm_response_score", "<", 0.4), ("id", "in", (stranger | loyal).ids)]
        )
        self.assertEqual(below, stranger)
        # read and search agree, as the restricted user sees them
        group = self.env.ref("marketing_resource_mgmt.group_marketing_user")
        user = self.env["res.users"].create(
            {
                "name": "Score reader",
                "login": "score.reader",
                "groups_id": [(6, 0, group.ids)],
            }
        )
        as_user = self.Partner.with_user(user)
        self.assertEqual(
            as_user.browse(loyal.id).read(["mrm_response_score"])[0][
                "mrm_response_score"
            ],
            loyal.mrm_response_score,
        )
        self.assertIn(loyal, as_user.search([("mrm_response_score", ">=", 0.6)]).sudo())

    def test_response_score_needs_both_classes(self):
        with self.assertRaises(UserError):
            self.Behaviour._compute_response_scores(
                partner_ids=self.groups["loyal"].ids
            )
