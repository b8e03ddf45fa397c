"""KPI arithmetic: percentages, ratios and target signals.

Kept apart from the models (as mis-builder keeps its expression engine apart)
so that it is unit-tested without a database. The SQL view computes the same
ratios set-wise; these functions serve the monitor's signals and the digest.
"""

from datetime import date

SIGNAL_ON_TRACK = "on_track"
SIGNAL_AT_RISK = "at_risk"
SIGNAL_OFF_TRACK = "off_track"
SIGNAL_NONE = "none"

# Default thresholds (percent of the pro-rata target reached). A campaign that
# has reached 90 % of what it should have reached by today is on track, 60 %
# at risk, below that off track. Editable in the settings.
DEFAULT_ON_TRACK = 90.0
DEFAULT_AT_RISK = 60.0

_SIGNAL_ORDER = [SIGNAL_NONE, SIGNAL_ON_TRACK, SIGNAL_AT_RISK, SIGNAL_OFF_TRACK]


def ratio(numerator, denominator):
    """Return numerator / denominator, or None when it is undefined.

    :param numerator: number or None
    :param denominator: number or None
    :return: float or None (None for a missing operand or a zero denominator)
    """
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def percent(actual, target):
    """Percentage of ``target`` reached by ``actual`` (None without target)."""
    value = ratio(actual, target)
    return None if value is None else round(value * 100.0, 2)


def elapsed_ratio(date_start, date_end, today=None):
    """Share (0..1) of the campaign's duration elapsed at ``today``.

    Without dates the whole target is expected (1.0): the campaign is judged
    against its full targets.
    """
    today = today or date.today()
    if not date_start or not date_end or date_end <= date_start:
        return 1.0
    if today <= date_start:
        return 0.0
    if today >= date_end:
        return 1.0
    return (today - date_start).days / (date_end - date_start).days


def signal_for(
    actual,
    target,
    expected_share=1.0,
    on_track=DEFAULT_ON_TRACK,
    at_risk=DEFAULT_AT_RISK,
    lower_is_better=False,
):
    """Signal of one KPI against its target.

    :param actual: the figure reached so far
    :param target: the campaign's target for the whole campaign
    :param expected_share: share of the target expected by now (0..1)
    :param on_track: percent of the expected value at or above which the KPI is on track
    :param at_risk: percent of the expected value at or above which it is at risk
    :param lower_is_better: for a budget: spending above the pro-rata budget is bad
    :return: one of the SIGNAL_* constants (SIGNAL_NONE without a target or figure)
    """
    if actual is None or not target:
        return SIGNAL_NONE
    if lower_is_better:
        # cost against budget: over budget is off track, over the pro-rata
        # share (beyond the on-track tolerance) is at risk
        if actual > target:
            return SIGNAL_OFF_TRACK
        expected = target * max(expected_share, 0.0)
        if expected and actual > expected * (200.0 - on_track) / 100.0:
            return SIGNAL_AT_RISK
        return SIGNAL_ON_TRACK
    expected = target * expected_share
    if expected <= 0:
        return SIGNAL_ON_TRACK
    reached = actual / expected * 100.0
    if reached >= on_track:
        return SIGNAL_ON_TRACK
    if reached >= at_risk:
        return SIGNAL_AT_RISK
    return SIGNAL_OFF_TRACK


def worst_signal(signals):
    """The worst of several signals (off track > at risk > on track > none)."""
    worst = SIGNAL_NONE
    for sig in signals:
        if _SIGNAL_ORDER.index(sig) > _SIGNAL_ORDER.index(worst):
            worst = sig
    return worst
