# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""K-means split of customers on their behavioural measures (scikit-learn).

The fitted model is returned as plain numbers (means, scales, centres) so that
membership of a cluster can be evaluated later in SQL: a contact belongs to
the cluster whose centre is nearest in the standardised feature space.
"""

# Fixed seed and several initialisations: the same data always give the same
# clusters, and a poor random start does not decide them.
RANDOM_STATE = 0
N_INIT = 10
MIN_K, MAX_K = 2, 10


def kmeans_split(features, k):
    """Cluster the feature rows into ``k`` groups.

    :param features: list of feature vectors (see scoring.feature_vector)
    :param k: number of clusters (MIN_K..MAX_K, at most the number of rows)
    :return: (labels, model) where labels[i] is the cluster of row i and
        model is {"mean": [...], "scale": [...], "centers": [[...], ...]}
        with the centres expressed in standardised units
    """
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    if not MIN_K <= k <= MAX_K:
        raise ValueError(f"k must be between {MIN_K} and {MAX_K}")
    if len(features) < k:
        raise ValueError("fewer rows than clusters")
    scaler = StandardScaler()
    scaled = scaler.fit_transform(features)
    kmeans = KMeans(n_clusters=k, random_state=RANDOM_STATE, n_init=N_INIT)
    labels = kmeans.fit_predict(scaled)
    # order the clusters by their centre's first coordinate (recency) so that
    # cluster 0 is always the most recent buyers: stable names across runs
    order = sorted(range(k), key=lambda i: tuple(kmeans.cluster_centers_[i]))
    rank = {old: new for new, old in enumerate(order)}
    scale = [float(s) if s else 1.0 for s in scaler.scale_]
    model = {
        "mean": [float(m) for m in scaler.mean_],
        "scale": scale,
        "centers": [[float(c) for c in kmeans.cluster_centers_[i]] for i in order],
    }
    return [rank[int(label)] for label in labels], model


def nearest_cluster(model, vector):
    """Index of the centre nearest to ``vector`` (raw features); ties go to
    the lowest index, as in the SQL version."""
    scaled = [
        (value - mean) / scale
        for value, mean, scale in zip(
            vector, model["mean"], model["scale"], strict=True
        )
    ]
    distances = [
        sum((a - b) ** 2 for a, b in zip(scaled, centre, strict=True))
        for centre in model["centers"]
    ]
    return distances.index(min(distances))


def profiles(features, labels, k):
    """Size and average raw measures of each cluster.

    :return: list of dicts (size, recency, frequency, monetary) per cluster;
        monetary is averaged back from log(1 + x)
    """
    import math

    result = []
    for index in range(k):
        rows = [f for f, label in zip(features, labels, strict=True) if label == index]
        size = len(rows)
        result.append(
            {
                "size": size,
                "recency": sum(r[0] for r in rows) / size if size else 0.0,
                "frequency": sum(r[1] for r in rows) / size if size else 0.0,
                "monetary": sum(math.expm1(r[2]) for r in rows) / size if size else 0.0,
            }
        )
    return result
