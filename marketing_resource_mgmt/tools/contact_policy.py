# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The contact policy, in one place: how often one person may be contacted.

A company sets, for a rolling period of ``period_days`` days:

- ``max_contacts``: at most this many contacts of one person across all
  campaigns and channels (0: no cap);
- ``max_per_channel``: at most this many on each channel (0 or absent: no cap);
- ``quiet_days``: no contact for this many days after the person answered a
  campaign (0: none);

and, always, never on a channel without consent (the segments' channel
exclusions: do-not-contact, opt-outs, blacklists, missing address).

A *contact* (a touch) is a campaign member the person was reached through:
its ``date_contacted`` (set by the trace sync when a mailing went out, by a
caller's outcome, by a posted letter batch). An *answer* is its
``date_responded``. Both are columns of ``marketing_campaign_member``; the
SQL forms of these rules are in ``models/marketing_contact_policy.py``, which
``tests/test_contact_policy.py`` proves equal to :func:`verdict`.

Plain Python (no ORM): the optimiser's per-contact caps (:func:`remaining`),
next-best-action, journeys and the audience generation read it.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

CHANNELS = ("email", "sms", "call", "mail")

# the policy's own reasons; consent reasons are the segments' exclusion
# reasons (marketing.segment CHANNEL_REASONS), passed through as they are
FREQUENCY_CAP = "frequency_cap"
CHANNEL_CAP = "channel_cap"
QUIET_PERIOD = "quiet_period"
REASON_LABELS = {
    FREQUENCY_CAP: _lt("Contacted too often in the period (all channels)"),
    CHANNEL_CAP: _lt("Contacted too often in the period on this channel"),
    QUIET_PERIOD: _lt("Answered a campaign recently (quiet period)"),
}


@dataclass(frozen=True)
class ContactPolicy:
    period_days: int = 30
    max_contacts: int = 0
    max_per_channel: dict = field(default_factory=dict)
    quiet_days: int = 0

    def channel_cap(self, channel):
        return self.max_per_channel.get(channel) or 0

    @property
    def has_caps(self):
        return bool(self.max_contacts or any(self.max_per_channel.values()))

    def since(self, now):
        """Start of the period the caps count contacts in."""
        return now - timedelta(days=self.period_days)

    def quiet_since(self, now):
        """Answers after this moment keep the person in the quiet period."""
        return now - timedelta(days=self.quiet_days)


def check_policy(policy):
    """:return: a list of problems (translatable messages), empty when valid."""
    problems = []
    if policy.period_days < 1 and policy.has_caps:
        problems.append(_lt("The contact policy's period must be at least one day."))
    if policy.max_contacts < 0 or any(v < 0 for v in policy.max_per_channel.values()):
        problems.append(_lt("A contact cap cannot be negative (0 means no cap)."))
    if policy.quiet_days < 0:
        problems.append(_lt("The quiet period cannot be negative (0 means none)."))
    return problems


def verdict(policy, channel, *, consent_reason, touches, touches_channel, last_answer, now):
    """Whether one person may be contacted on ``channel`` now.

    :param consent_reason: the first consent exclusion reason of the person on
        the channel, or None
    :param touches: contacts of the person in the period (all channels)
    :param touches_channel: contacts of the person in the period on ``channel``
    :param last_answer: the person's latest answer (datetime) or None
    :return: None when allowed, else the reason code (consent reasons first)
    """
    if consent_reason:
        return consent_reason
    if policy.quiet_days and last_answer and last_answer >= policy.quiet_since(now):
        return QUIET_PERIOD
    if policy.max_contacts and touches >= policy.max_contacts:
        return FREQUENCY_CAP
    cap = policy.channel_cap(channel)
    if cap and touches_channel >= cap:
        return CHANNEL_CAP
    return None


def remaining(policy, *, touches, touches_by_channel, last_answer, now):
    """How many more contacts the person may get in the period.

    :return: {"total": n or None, channel: n or None, ...}; None = no cap.
        In the quiet period everything is 0.
    """
    quiet = bool(
        policy.quiet_days and last_answer and last_answer >= policy.quiet_since(now)
    )
    result = {
        "total": 0
        if quiet
        else (max(policy.max_contacts - touches, 0) if policy.max_contacts else None)
    }
    for channel in CHANNELS:
        cap = policy.channel_cap(channel)
        if quiet:
            result[channel] = 0
        elif cap:
            result[channel] = max(cap - touches_by_channel.get(channel, 0), 0)
        else:
            result[channel] = None
    return result
