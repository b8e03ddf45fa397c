# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import warnings
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SegmentCase


@tagged("post_install", "-at_install")
class TestClusterSplitDegenerate(SegmentCase):
    """The cluster split on data that cannot support the clusters asked for:
    contacts without orders, fewer behaviours than clusters."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.Behaviour = cls.env["marketing.partner.behaviour"]
        cls.no_orders = cls.Partner.create(
            [{"name": f"prospect {i}", "comment": "split-none"} for i in range(60)]
        )
        cls.none_segment = cls.Segment.create(
            {"name": "Prospects", "domain": "[('comment', '=', 'split-none')]"}
        )
        # 40 prospects and 6 alike buyers: two behaviours
        cls.prospects = cls.Partner.create(
            [{"name": f"mixed {i}", "comment": "split-mixed"} for i in range(40)]
        )
        cls.buyers = cls.Partner.create(
            [{"name": f"buyer {i}", "comment": "split-mixed"} for i in range(6)]
        )
        today = fields.Date.context_today(cls.Partner)
        cls.Behaviour.create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "last_date": today - timedelta(days=30),
                    "recency_days": 30,
                    "frequency": 4,
                    "monetary": 2500.0,
                }
                for partner in cls.buyers
            ]
        )
        cls.mixed_segment = cls.Segment.create(
            {"name": "Mixed", "domain": "[('comment', '=', 'split-mixed')]"}
        )

    def split(self, segment, k):
        wizard = self.env["marketing.segment.cluster"].create(
            {"segment_id": segment.id, "cluster_count": k}
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no ConvergenceWarning
            return wizard.action_split()

    def test_no_orders_cannot_be_split(self):
        with self.assertRaisesRegex(UserError, "cannot be split.*same buying"):
            self.split(self.none_segment, 3)
        self.assertFalse(self.none_segment.child_ids)

    def test_fewer_behaviours_than_clusters(self):
        action = self.split(self.mixed_segment, 3)
        # the split says it made fewer clusters, then opens them
        self.assertEqual(action["tag"], "display_notification")
        message = action["params"]["message"]
        self.assertIn("3 clusters were asked", message)
        self.assertIn("split into 2", message)
        following = action["params"]["next"]
        children = self.Segment.browse(following["domain"][0][2])
        self.assertEqual(len(children), 2)
        buyers, prospects = children.sorted("cluster_index")
        self.assertEqual(buyers.cluster_size, 6)
        self.assertEqual(prospects.cluster_size, 40)
        self.assertEqual(set(buyers._get_partner_ids()), set(self.buyers.ids))
        self.assertEqual(set(prospects._get_partner_ids()), set(self.prospects.ids))
        # labels from each cluster's profile against the whole segment
        self.assertEqual(buyers.cluster_profile, "recent, frequent, high value")
        self.assertEqual(prospects.cluster_profile, "never ordered")
        self.assertIn("(never ordered)", prospects.name)
        # the list the split opens shows size and profile
        view = self.env["marketing.segment"].get_view(following["views"][0][0], "list")
        for name in ("cluster_size", "cluster_profile", "contact_count"):
            self.assertIn(f'name="{name}"', view["arch"])
        self.assertEqual(prospects.contact_count, 40)
        # the segment's chatter keeps the note
        self.assertIn("split into 2", self.mixed_segment.message_ids[:1].body or "")
