# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The outbound call policy, in one place: the outcome codes a caller records,
what each does to the campaign member (state, retry, end of the calls, lead,
blacklist, consent), the default retry delays and maximum attempts, the
lease a caller holds on the call they work, and the calling-hours arithmetic.

Plain Python (no ORM): ``marketing.campaign.member`` reads this table and
applies the effects; a campaign may override the retry delays and the
maximum number of attempts (validated by :func:`check_policy`).
"""

from collections import namedtuple
from datetime import datetime, time, timedelta

import pytz

from odoo.tools.translate import LazyTranslate

# the messages are shown to users: translated when the models show them
_lt = LazyTranslate(__name__)

Outcome = namedtuple(
    "Outcome",
    [
        "label",  # shown to the caller
        "retry",  # True: the member is called again after the retry delay
        "state",  # member state it moves to (None: unchanged), forward only
        "answer",  # member answer it records (None: unchanged)
        "effect",  # None, "lead", "blacklist" or "callback"
        "consent",  # None, "opt_in" or "opt_out" recorded for the call channel
    ],
)

# The outcome codes, in the order the caller sees them.
OUTCOMES = {
    "no_answer": Outcome("No answer", True, None, None, None, None),
    "busy": Outcome("Busy", True, None, None, None, None),
    "voicemail": Outcome("Voicemail", True, "contacted", None, None, None),
    "wrong_number": Outcome("Wrong number", False, "bounced", None, None, None),
    "callback": Outcome(
        "Call back at a time", False, "contacted", "callback", "callback", None
    ),
    "interested": Outcome(
        "Interested", False, "responded", "interested", "lead", "opt_in"
    ),
    "not_interested": Outcome(
        "Not interested", False, "declined", "not_interested", None, None
    ),
    "do_not_call": Outcome(
        "Do not call", False, "unsubscribed", "unsubscribe", "blacklist", "opt_out"
    ),
}
OUTCOME_SELECTION = [(code, outcome.label) for code, outcome in OUTCOMES.items()]
RETRY_OUTCOMES = tuple(code for code, outcome in OUTCOMES.items() if outcome.retry)

# Default retry delays (minutes) of the retrying outcomes: a busy line is
# tried again soon, an unanswered call later the same day, a voicemail the
# next half day (common contact-centre practice; a campaign can override).
DEFAULT_RETRY_MINUTES = {"no_answer": 120, "busy": 30, "voicemail": 240}
# Calls (attempts) per member before the retrying outcomes give up.
DEFAULT_MAX_ATTEMPTS = 3
# How long a caller holds the member "next call" gave them before the member
# goes back to the queue (an abandoned screen): long enough for a call and
# its notes.
LEASE_MINUTES = 30
# Member states a call never moves back from (forward-only rank).
STATE_RANK = {"targeted": 0, "contacted": 1, "responded": 2, "converted": 3}
# Member states whose calls are over, whatever the outcome table says.
CLOSED_STATES = ("converted", "declined", "unsubscribed", "bounced")


class PolicyError(ValueError):
    """A policy value that cannot work (the models turn it into a
    ValidationError or UserError with the same message, translated into the
    user's language by ``str()``)."""


def check_policy(retry_minutes, max_attempts):
    """:raise PolicyError: on a retry delay or a maximum that cannot work"""
    for code, minutes in retry_minutes.items():
        if code not in RETRY_OUTCOMES:
            raise PolicyError(
                _lt("'%(code)s' is not an outcome that is retried.", code=code)
            )
        if minutes is None or minutes <= 0:
            raise PolicyError(
                _lt(
                    "The retry delay of '%(outcome)s' must be more than zero minutes.",
                    outcome=OUTCOMES[code].label,
                )
            )
    if max_attempts is None or max_attempts < 1:
        raise PolicyError(
            _lt("The maximum number of call attempts must be at least 1.")
        )


def check_hours(hour_from, hour_to):
    """:raise PolicyError: unless 0 <= hour_from < hour_to <= 24"""
    if not (0 <= hour_from < hour_to <= 24):
        raise PolicyError(
            _lt(
                "Calling hours must run from an earlier to a later hour of the day "
                "(0 to 24)."
            )
        )


def to_local(utc_naive, tz_name):
    """The naive local time in ``tz_name`` (UTC when unknown) of a naive UTC
    datetime."""
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    return pytz.utc.localize(utc_naive).astimezone(zone).replace(tzinfo=None)


def format_hour(hour):
    """9.5 -> '09:30'."""
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def within_hours(local_dt, hour_from, hour_to):
    """True when the local time ``local_dt`` is inside the calling hours."""
    hour = local_dt.hour + local_dt.minute / 60 + local_dt.second / 3600
    return hour_from <= hour < hour_to


def _at_hour(day, hour):
    if hour >= 24:
        return datetime.combine(day, time()) + timedelta(days=1)
    minutes = round(hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60))


def into_hours(local_dt, hour_from, hour_to):
    """The first local time at or after ``local_dt`` inside the calling hours
    (naive datetimes, both in the campaign's time zone)."""
    if within_hours(local_dt, hour_from, hour_to):
        return local_dt
    start = _at_hour(local_dt.date(), hour_from)
    if local_dt < start:
        return start
    return _at_hour(local_dt.date() + timedelta(days=1), hour_from)


def next_step(outcome_code, attempts, max_attempts, retry_minutes, now, callback_at):
    """What a recorded outcome does to the member's queue entry.

    :param outcome_code: a key of OUTCOMES
    :param attempts: the member's attempts, this call included
    :param max_attempts: the campaign's maximum
    :param retry_minutes: {outcome: minutes} (defaults filled in)
    :param now: naive UTC datetime of the call
    :param callback_at: naive UTC datetime the contact asked for, or None
    :return: (done, next_at): ``done`` True when the member is not called
        again; ``next_at`` the UTC time from which it may be (None when done)
    :raise PolicyError: on an unknown outcome, or a callback without a time
    """
    outcome = OUTCOMES.get(outcome_code)
    if outcome is None:
        raise PolicyError(_lt("Unknown call outcome '%(code)s'.", code=outcome_code))
    if outcome.effect == "callback":
        if not callback_at:
            raise PolicyError(_lt("A call back needs the time the contact asked for."))
        if callback_at <= now:
            raise PolicyError(_lt("The call-back time must be in the future."))
        return False, callback_at
    if not outcome.retry or attempts >= max_attempts:
        return True, None
    return False, now + timedelta(minutes=retry_minutes[outcome_code])


def forward_state(current, target):
    """The member state after an outcome that moves it to ``target``: the
    positive states only move forward; the negative ones (declined,
    unsubscribed, bounced) apply unless the member is already converted."""
    if target is None or current == "converted":
        return current
    if target in STATE_RANK:
        if STATE_RANK.get(current, 0) >= STATE_RANK[target] and current in STATE_RANK:
            return current
        return target
    return target
