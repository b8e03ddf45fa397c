# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""RFM features and the response score (logistic regression, scikit-learn).

No ORM here: plain lists in, plain lists out, so that it is unit-tested alone.
"""

import math

# Recency given to a customer who never bought: ten years, further than any
# real purchase in the window, so that "never" sorts with "long ago".
NEVER_RECENCY_DAYS = 3650
# Fewest contacts of each class (answered / did not) to train on: below this a
# logistic regression learns noise.
MIN_CLASS_SIZE = 5
# Fixed seed: the same data always give the same model and scores.
RANDOM_STATE = 0


def feature_vector(recency_days, frequency, monetary):
    """The RFM features of one customer: recency in days (never -> ten
    years), frequency, log(1 + monetary) (spending is heavy-tailed).

    :return: list of three floats
    """
    recency = NEVER_RECENCY_DAYS if recency_days is None else float(recency_days)
    return [
        min(recency, NEVER_RECENCY_DAYS),
        float(frequency or 0),
        math.log1p(max(float(monetary or 0), 0.0)),
    ]


def train(features, labels):
    """Fit a standardised logistic regression on the feature rows.

    :param features: list of feature vectors (see feature_vector)
    :param labels: list of 0/1 (1 = answered a campaign)
    :return: a fitted scikit-learn pipeline
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    if len(set(labels)) < 2:
        raise ValueError("the training set needs both classes")
    model = make_pipeline(
        StandardScaler(), LogisticRegression(random_state=RANDOM_STATE)
    )
    # one thread: a server runs several workers per core (see
    # clustering.kmeans_split)
    with threadpool_limits(limits=1):
        model.fit(np.asarray(features, dtype=float), np.asarray(labels))
    return model


def predict(model, features):
    """Probability of answering for each feature row.

    :return: list of floats in [0, 1]
    """
    import numpy as np
    from threadpoolctl import threadpool_limits

    if not len(features):
        return []
    with threadpool_limits(limits=1):
        probabilities = model.predict_proba(np.asarray(features, dtype=float))
    return probabilities[:, 1].tolist()
