# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The cluster split's plain module (no database): degenerate measures,
fewer distinct contacts than clusters, labels from the profile."""

import warnings

from odoo.tests import BaseCase

from ..tools import clustering

NEVER = [3650, 0.0, 0.0]  # scoring.feature_vector of a contact without orders


class TestClusteringDegenerate(BaseCase):
    def split(self, rows, k):
        """kmeans_split, failing on any warning (ConvergenceWarning...)."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return clustering.kmeans_split(rows, k)

    def test_contacts_without_orders_cannot_be_split(self):
        """500 contacts without orders: every measure is the same."""
        rows = [list(NEVER) for _i in range(500)]
        self.assertEqual(clustering.degenerate_features(rows), [0, 1, 2])
        with self.assertRaises(clustering.NotSplittable):
            self.split(rows, 3)

    def test_fewer_distinct_profiles_than_clusters(self):
        """490 without orders and 10 alike buyers: two behaviours, so two
        clusters for three asked, and no warning."""
        rows = [list(NEVER) for _i in range(490)] + [[20, 3, 6.0]] * 10
        labels, model = self.split(rows, 3)
        self.assertEqual(len(model["centers"]), 2)
        self.assertEqual(model["k_requested"], 3)
        self.assertEqual(sorted(set(labels)), [0, 1])
        sizes = [labels.count(0), labels.count(1)]
        self.assertEqual(sizes, [10, 490], "cluster 0 = the recent buyers")
        self.assertEqual(
            clustering.describe(model, 0), ["recent", "frequent", "high_value"]
        )
        # the non-buyers are most of the segment: their profile is that
        self.assertEqual(clustering.describe(model, 1), [clustering.NO_ORDERS])

    def test_constant_measures_are_dropped(self):
        """Same frequency and value for all, recency varies: the split is on
        recency alone and the labels speak of recency only."""
        rows = [[days, 1.0, 4.0] for days in (5, 6, 7, 8, 300, 310, 320, 330)]
        labels, model = self.split(rows, 2)
        self.assertEqual(model["dropped"], [1, 2])
        self.assertEqual(labels, [0, 0, 0, 0, 1, 1, 1, 1])
        self.assertEqual(clustering.describe(model, 0), ["recent"])
        self.assertEqual(clustering.describe(model, 1), ["lapsed"])
        # a dropped measure weighs the same for every centre: a contact that
        # later differs on it is placed by recency alone
        self.assertEqual(clustering.nearest_cluster(model, [6, 50.0, 12.0]), 0)
        self.assertEqual(clustering.nearest_cluster(model, [305, 0.0, 0.0]), 1)
        # its centre coordinate is 0, its mean the one value, its scale 1
        self.assertEqual([c[1] for c in model["centers"]], [0.0, 0.0])
        self.assertEqual((model["mean"][1], model["scale"][1]), (1.0, 1.0))

    def test_labels_against_the_whole_segment(self):
        """A middle group is "like the whole segment", not "recent, frequent,
        high value" as before."""
        rows = (
            [[5 + i, 20, 9.0] for i in range(5)]
            + [[300 + i, 10, 6.0] for i in range(5)]
            + [[700 + i, 1, 2.0] for i in range(5)]
        )
        labels, model = self.split(rows, 3)
        self.assertEqual(len(model["centers"]), 3)
        descriptions = [clustering.describe(model, i) for i in range(3)]
        self.assertEqual(descriptions[0], ["recent", "frequent", "high_value"])
        self.assertEqual(descriptions[2], ["lapsed", "occasional", "low_value"])
        self.assertNotEqual(descriptions[1], descriptions[0])
        self.assertEqual(len({tuple(d) for d in descriptions}), 3)
        profiles = clustering.profiles(rows, labels, 3)
        self.assertEqual([p["size"] for p in profiles], [5, 5, 5])

    def test_typical(self):
        model = {
            "centers": [[0.1, -0.2, 0.0]],
            "mean": [100.0, 2.0, 5.0],
            "scale": [10.0, 1.0, 1.0],
            "dropped": [],
        }
        self.assertEqual(clustering.describe(model, 0), [clustering.TYPICAL])
