# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Channel choice per contact ("one channel per contact" generation).

A contact gets the channel it prefers when the campaign uses it and the
contact can be reached on it (consent and address/number present), else the
cheapest channel it can be reached on. Plain Python; the generation turns
:func:`beats` into SQL.
"""

# Cheapest first: typical cost of one contact (an e-mail, an SMS, a posted
# letter, a caller's few minutes). Only the order matters.
CHANNEL_COST_ORDER = ("email", "sms", "mail", "call")


def cost_rank(channel):
    return CHANNEL_COST_ORDER.index(channel)


def beats(other, channel, preferred):
    """True when ``other`` is chosen before ``channel`` for a contact that
    prefers ``preferred`` (both reachable)."""
    if other == channel:
        return False
    if preferred == other:
        return True
    if preferred == channel:
        return False
    return cost_rank(other) < cost_rank(channel)


def choose(reachable, preferred):
    """The one channel of a contact reachable on ``reachable`` (an iterable of
    channel codes the campaign uses), or None."""
    best = None
    for channel in reachable:
        if best is None or beats(channel, best, preferred):
            best = channel
    return best
