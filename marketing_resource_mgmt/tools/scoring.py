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


# ---- Response model per offer (issue 13) ------------------------------------
# The features of one (contact, channel) pair, in this order. Behaviour
# (purchases), profile, past campaigns (other campaigns than the offer's own:
# the answer being learned is never a feature) and the channel.
OFFER_FEATURES = (
    ("recency", "Days since the last purchase"),
    ("frequency", "Purchases in the window"),
    ("monetary", "Spending in the window (log)"),
    ("past_campaigns", "Campaigns reached before"),
    ("past_answers", "Campaigns answered before"),
    ("past_answers_channel", "Answers before on this channel"),
    ("is_company", "Is a company"),
    ("prefers_channel", "Prefers this channel"),
    ("channel_email", "Channel: e-mail"),
    ("channel_call", "Channel: call"),
    ("channel_mail", "Channel: direct mail"),
    ("channel_sms", "Channel: SMS"),
)
OFFER_CHANNELS = ("email", "call", "mail", "sms")
# Share of the training rows held out to measure the model (AUC): a quarter,
# the usual split for a few hundred to a few thousand rows.
HOLDOUT_SHARE = 0.25
# Folds of the probability calibration (CalibratedClassifierCV, sigmoid):
# three keep enough rows in each fold for the small training sets of a
# marketing department.
CALIBRATION_FOLDS = 3


def offer_feature_vector(
    recency_days,
    frequency,
    monetary,
    past_campaigns,
    past_answers,
    past_answers_channel,
    is_company,
    preferred_channel,
    channel,
):
    """The features of one (contact, channel) pair, in OFFER_FEATURES order.

    :return: list of floats
    """
    return [
        *feature_vector(recency_days, frequency, monetary),
        float(past_campaigns or 0),
        float(past_answers or 0),
        float(past_answers_channel or 0),
        1.0 if is_company else 0.0,
        1.0 if preferred_channel and preferred_channel == channel else 0.0,
        *(1.0 if channel == code else 0.0 for code in OFFER_CHANNELS),
    ]


class ResponseModel:
    """A calibrated logistic regression and its model card.

    :ivar model: the fitted CalibratedClassifierCV
    :ivar sample_size: rows trained on (training part plus held-out part)
    :ivar positives: answering rows among them
    :ivar base_rate: positives / sample_size (the prior of a contact with
        no history)
    :ivar auc: area under the ROC curve on the held-out part (None when
        that part has one class only)
    :ivar weights: {feature: average standardised coefficient}
    """

    def __init__(self, model, sample_size, positives, auc, names):
        self.model = model
        self.sample_size = sample_size
        self.positives = positives
        self.base_rate = positives / sample_size if sample_size else 0.0
        self.auc = auc
        self.names = list(names)
        coefs, means, scales = [], [], []
        for calibrated in model.calibrated_classifiers_:
            pipeline = calibrated.estimator
            scaler, regression = pipeline[0], pipeline[-1]
            coefs.append(regression.coef_[0])
            means.append(scaler.mean_)
            scales.append(scaler.scale_)
        count = len(coefs)
        self._coef = [sum(c[i] for c in coefs) / count for i in range(len(names))]
        self._mean = [sum(m[i] for m in means) / count for i in range(len(names))]
        self._scale = [
            (sum(s[i] for s in scales) / count) or 1.0 for i in range(len(names))
        ]
        self.weights = dict(zip(self.names, self._coef, strict=True))

    def top_features(self, count=5):
        """:return: [(feature, weight)] by decreasing absolute weight"""
        ranked = sorted(self.weights.items(), key=lambda item: -abs(item[1]))
        return [(name, round(weight, 4)) for name, weight in ranked[:count]]

    def predict(self, features):
        return predict(self.model, features)

    def reasons(self, row, count=2):
        """The features that raise this row's probability most (their
        contribution to the linear score, above the average contact).

        :return: list of feature names (at most ``count``; none when no
            feature raises the probability)
        """
        contributions = [
            (coef * (value - mean) / scale, name)
            for coef, value, mean, scale, name in zip(
                self._coef, row, self._mean, self._scale, self.names, strict=True
            )
        ]
        contributions.sort(reverse=True)
        return [name for value, name in contributions[:count] if value > 0]


def train_response_model(features, labels, names, seed=RANDOM_STATE):
    """Fit a standardised logistic regression with sigmoid calibration
    (CalibratedClassifierCV) on a stratified training part, measure its AUC
    on the held-out part.

    :param features: list of feature rows
    :param labels: list of 0/1 (1 = answered)
    :param names: the feature names, in row order
    :param seed: random seed of the split and of the solver
    :return: ResponseModel
    :raise ValueError: when a class has fewer than MIN_CLASS_SIZE rows
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    positives = sum(labels)
    if min(positives, len(labels) - positives) < MIN_CLASS_SIZE:
        raise ValueError(f"each class needs at least {MIN_CLASS_SIZE} rows")
    holdout = len(labels) >= 4 * MIN_CLASS_SIZE * 2
    if holdout:
        x_train, x_test, y_train, y_test = train_test_split(
            features,
            labels,
            test_size=HOLDOUT_SHARE,
            stratify=labels,
            random_state=seed,
        )
    else:
        x_train, x_test, y_train, y_test = features, [], labels, []
    folds = max(2, min(CALIBRATION_FOLDS, sum(y_train), len(y_train) - sum(y_train)))
    model = CalibratedClassifierCV(
        make_pipeline(StandardScaler(), LogisticRegression(random_state=seed)),
        method="sigmoid",
        cv=folds,
    )
    model.fit(x_train, y_train)
    auc = None
    if holdout and len(set(y_test)) == 2:
        auc = float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
    return ResponseModel(model, len(labels), positives, auc, names)
