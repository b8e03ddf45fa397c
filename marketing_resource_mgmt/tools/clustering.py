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


# The measures, in the order of scoring.feature_vector, and the words that
# describe a cluster above or below the whole segment on each.
FEATURES = ("recency", "frequency", "monetary")
WORDS = {
    # feature: (word when the cluster is below the segment, word when above)
    "recency": ("recent", "lapsed"),
    "frequency": ("occasional", "frequent"),
    "monetary": ("low_value", "high_value"),
}
TYPICAL = "typical"
NO_ORDERS = "no_orders"
# A cluster differs from its segment on a measure when its centre is at least
# a quarter of a standard deviation away from the segment's mean (the centre
# of the standardised space): closer than that is noise, not a profile.
PROFILE_THRESHOLD = 0.25


class NotSplittable(ValueError):
    """The rows cannot be split into two or more clusters (all alike)."""


def _as_array(features):
    import numpy as np

    return np.asarray(features, dtype=float).reshape(len(features), -1)


def degenerate_features(features):
    """Indices of the measures that do not vary over the rows (every contact
    has the same value, e.g. no contact ever ordered): they cannot separate
    anything and are left out of the clustering.

    :param features: list of feature vectors (or a 2-D array)
    :return: sorted list of column indices
    """
    if not len(features):
        return list(range(len(FEATURES)))
    data = _as_array(features)
    spread = data.max(axis=0) - data.min(axis=0)
    return [int(i) for i in range(data.shape[1]) if spread[i] == 0]


def plan_split(features, k):
    """How many clusters the rows support, and which measures to use.

    :param features: list of feature vectors (or a 2-D array)
    :param k: the number of clusters asked for
    :return: (k_used, dropped): at most k, at most the number of distinct
        rows over the measures that vary; the dropped (degenerate) measures
    :raise NotSplittable: when fewer than two distinct rows remain
    """
    import numpy as np

    dropped = degenerate_features(features)
    width = _as_array(features).shape[1] if len(features) else 0
    kept = [i for i in range(width) if i not in dropped]
    distinct = len(np.unique(_as_array(features)[:, kept], axis=0)) if kept else 1
    if distinct < MIN_K:
        raise NotSplittable(
            f"{len(features)} rows, {distinct} distinct profile(s): nothing to split"
        )
    return min(k, distinct), dropped


def kmeans_split(features, k):
    """Cluster the feature rows into at most ``k`` groups.

    Measures that do not vary are dropped (their centre coordinate is 0 in
    every cluster, so they weigh the same for every centre in
    nearest_cluster and the SQL membership); ``k`` is reduced to the number
    of distinct rows when there are fewer (k-means would otherwise return
    empty clusters and a ConvergenceWarning).

    Identical rows (the contacts of one company, the many who never
    ordered) are fitted once with their count as weight: the same weighted
    k-means and scaling, on fewer rows. The numeric libraries run on one
    thread: a server runs several workers per core, and their OpenMP threads
    spinning against each other made a 100,000-row fit four times slower
    on a loaded two-core machine (tests/bench/README.md).

    :param features: list of feature vectors (see scoring.feature_vector)
    :param k: number of clusters asked for (MIN_K..MAX_K)
    :return: (labels, model) where labels[i] is the cluster of row i and
        model is {"mean": [...], "scale": [...], "centers": [[...], ...],
        "dropped": [...], "k_requested": k} with the centres expressed in
        standardised units; len(model["centers"]) is the k used
    :raise NotSplittable: fewer than two distinct rows (a ValueError)
    """
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    if not MIN_K <= k <= MAX_K:
        raise ValueError(f"k must be between {MIN_K} and {MAX_K}")
    k_used, dropped = plan_split(features, k)
    data = _as_array(features)
    width = data.shape[1]
    kept = [i for i in range(width) if i not in dropped]
    unique, inverse, counts = np.unique(
        data[:, kept], axis=0, return_inverse=True, return_counts=True
    )
    inverse = inverse.reshape(-1)
    with threadpool_limits(limits=1):
        scaler = StandardScaler().fit(unique, sample_weight=counts)
        kmeans = KMeans(n_clusters=k_used, random_state=RANDOM_STATE, n_init=N_INIT)
        unique_labels = kmeans.fit_predict(
            scaler.transform(unique), sample_weight=counts
        )

    def full(center):
        # back to all the measures: a dropped one sits at 0 in every centre
        values = dict(zip(kept, center, strict=True))
        return [float(values.get(i, 0.0)) for i in range(width)]

    centers = [full(center) for center in kmeans.cluster_centers_]
    # order the clusters by their centre (recency first) so that cluster 0 is
    # always the most recent buyers: stable names across runs
    order = sorted(range(k_used), key=lambda i: tuple(centers[i]))
    rank = np.empty(k_used, dtype=int)
    rank[order] = np.arange(k_used)
    means = dict(zip(kept, scaler.mean_, strict=True))
    scales = dict(zip(kept, scaler.scale_, strict=True))
    model = {
        # a dropped measure: its one value, unit scale
        "mean": [float(means.get(i, data[0][i])) for i in range(width)],
        "scale": [float(scales.get(i) or 1.0) for i in range(width)],
        "centers": [centers[i] for i in order],
        "dropped": dropped,
        "k_requested": k,
    }
    return rank[unique_labels[inverse]].tolist(), model


def describe(model, index):
    """Words describing cluster ``index`` against the whole segment.

    The standardised space is centred on the segment's mean, so a centre
    coordinate says how far the cluster is from the segment on each measure,
    in standard deviations. Dropped (non-varying) measures say nothing.

    :return: list of word keys (WORDS values, or [TYPICAL] when the cluster
        is like its segment on every measure, or [NO_ORDERS] when nobody in
        it ever ordered)
    """
    center = model["centers"][index]
    frequency = FEATURES.index("frequency")
    raw_frequency = (
        model["mean"][frequency] + center[frequency] * model["scale"][frequency]
    )
    if raw_frequency <= 1e-9:
        # nobody in the cluster ever ordered: that is its profile
        return [NO_ORDERS]
    words = []
    for i, name in enumerate(FEATURES):
        if i in model.get("dropped", []):
            continue
        z = model["centers"][index][i]
        if z <= -PROFILE_THRESHOLD:
            words.append(WORDS[name][0])
        elif z >= PROFILE_THRESHOLD:
            words.append(WORDS[name][1])
    return words or [TYPICAL]


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
    import numpy as np

    data = _as_array(features)
    labels = np.asarray(labels, dtype=int)
    sizes = np.bincount(labels, minlength=k)

    def mean(values):
        sums = np.bincount(labels, weights=values, minlength=k)
        return [float(sums[i] / sizes[i]) if sizes[i] else 0.0 for i in range(k)]

    if len(data):
        recency, frequency = mean(data[:, 0]), mean(data[:, 1])
        monetary = mean(np.expm1(data[:, 2]))
    else:
        recency = frequency = monetary = [0.0] * k
    return [
        {
            "size": int(sizes[i]),
            "recency": recency[i],
            "frequency": frequency[i],
            "monetary": monetary[i],
        }
        for i in range(k)
    ]
