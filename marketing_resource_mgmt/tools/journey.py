# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The plain engine of campaign journeys (no ORM): the step graph's rules,
due-time arithmetic, the A/B split's seeded assignment and its winner.

A journey is a tree of steps. A step has a trigger (what makes a
participant enter it), an action (what is done to the participant once
the step is due) and, below a parent, the parent's outcome that leads to
it. The models (models/marketing_journey*.py) translate steps to plain
dicts and ask this module whether the graph is valid; the SQL of the
scheduler (models/marketing_journey_path.py) uses ``ab_bucket_sql``, the
same arithmetic as ``ab_bucket``.
"""

from datetime import timedelta

from odoo.tools import SQL

# ---- Kinds -----------------------------------------------------------------

TRIGGERS = [
    ("joined", "Joined (the campaign, or the parent step done)"),
    ("state", "Member state reached"),
    ("no_reaction", "No reaction within N days"),
    ("quotation", "Quotation sent, not confirmed within N days"),
    ("order", "Order confirmed"),
    ("date", "Date field reached"),
]
# triggers that count days from a reference time: N must be at least one
DAY_TRIGGERS = ("no_reaction", "quotation")
# the member states a trigger can wait for (or wait in vain for: no
# reaction); their SQL is kpi_rules' (one definition)
TRIGGER_STATES = [
    ("opened", "Opened"),
    ("clicked", "Clicked"),
    ("answered", "Answered"),
    ("bounced", "Bounced"),
]
# trigger state -> the member KPI of kpi_rules.MEMBER_KPIS that defines it
TRIGGER_STATE_KPIS = {
    "opened": "members_opened",
    "clicked": "members_clicked",
    "answered": "members_responded",
    "bounced": "members_bounced",
}
ACTIONS = [
    ("mail", "Send the e-mail mailing"),
    ("sms", "Send the SMS mailing"),
    ("activity", "Schedule an activity"),
    ("call", "Schedule a call"),
    ("lead", "Create a lead"),
    ("move", "Move to another campaign"),
    ("tag", "Tag the contact"),
    ("wait", "Wait"),
    ("ab_split", "A/B split"),
]
# actions that send a message: the contact policy is checked first
SEND_ACTIONS = {"mail": "email", "sms": "sms"}
# the outcome of a parent step that leads to a child
BRANCHES = [
    ("done", "Done"),
    ("blocked", "Blocked"),
    ("failed", "Failed"),
    ("variant", "A/B variant"),
]
PATH_STATES = [
    ("waiting", "Waiting"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("blocked", "Blocked"),
]
AB_METRICS = [
    ("opened", "Open rate"),
    ("clicked", "Click rate"),
    ("answered", "Response rate"),
]

# ---- Graph validation ------------------------------------------------------


class JourneyError(ValueError):
    """A journey's steps break a rule: ``args`` are the rule's code and the
    names to put in its message (the model words it for the user)."""


def validate_steps(steps, complete=False):
    """Check a journey's steps as a whole.

    :param steps: list of dicts with ``id``, ``name``, ``parent_id`` (an id
        of ``steps`` or None), ``trigger``, ``trigger_days``, ``action``,
        ``wait_days``, ``branch``, ``ab_percent`` (of an A/B variant) and
        ``ab_winner_percent`` (of an A/B step)
    :param complete: the journey is to run (started): an A/B split must have
        its variants; while it is being built, a split without variants yet
        is accepted (its variants are added in a second save, as they name
        it as their parent)
    :return: None
    :raise JourneyError: with the first rule broken: a loop between steps,
        a step without action, a wait (or an N days) of zero or less, an
        A/B split whose shares do not make 100 %, a variant outside an A/B
        split
    """
    by_id = {step["id"]: step for step in steps}
    for step in steps:
        seen = set()
        current = step
        while current.get("parent_id"):
            if current["id"] in seen:
                raise JourneyError("loop", {"name": step["name"]})
            seen.add(current["id"])
            current = by_id.get(current["parent_id"])
            if current is None:
                break
    for step in steps:
        if not step.get("action"):
            raise JourneyError("no_action", {"name": step["name"]})
        if step["action"] == "wait" and (step.get("wait_days") or 0) <= 0:
            raise JourneyError("zero_wait", {"name": step["name"]})
        if step.get("trigger") in DAY_TRIGGERS and (step.get("trigger_days") or 0) <= 0:
            raise JourneyError("zero_days", {"name": step["name"]})
        parent = by_id.get(step.get("parent_id"))
        is_variant = step.get("branch") == "variant"
        if is_variant and (not parent or parent["action"] != "ab_split"):
            raise JourneyError("variant_outside", {"name": step["name"]})
        if parent and parent["action"] == "ab_split" and not is_variant:
            raise JourneyError("ab_child", {"name": step["name"]})
    for step in steps:
        if step["action"] != "ab_split":
            continue
        variants = [s for s in steps if s.get("parent_id") == step["id"]]
        if not variants and not complete:
            continue
        shares = [v.get("ab_percent") or 0 for v in variants]
        total = sum(shares) + (step.get("ab_winner_percent") or 0)
        if len(variants) < 2 or min(shares) <= 0 or total != 100:
            raise JourneyError("ab_total", {"name": step["name"], "total": total})


# ---- Due times -------------------------------------------------------------


def due_time(reference, days):
    """:return: when a step counting ``days`` from ``reference`` is due"""
    return reference + timedelta(days=days or 0)


def days_interval_sql(days):
    """:return: SQL interval of ``days`` days (a bound parameter)"""
    return SQL("make_interval(days => %s)", int(days or 0))


# ---- A/B split ---------------------------------------------------------------

# Fibonacci hashing: the participant id, shifted by the seed, times 2^31 /
# golden ratio, modulo 2^31, then scaled to 0..99 by its high bits, so that
# consecutive ids spread evenly over the buckets and another seed draws other
# groups. The same arithmetic in Python (ab_bucket) and SQL (ab_bucket_sql),
# within bigint: both factors stay below 2^31.
_GOLDEN = 1327217885
_SEED_STRIDE = 40503
_MODULUS = 2**31


def ab_bucket(seed, participant_id):
    """:return: the participant's bucket, 0..99, for the split's ``seed``"""
    shifted = (participant_id + seed * _SEED_STRIDE) % _MODULUS
    return (shifted * _GOLDEN % _MODULUS) * 100 // _MODULUS


def ab_bucket_sql(seed, id_sql):
    """:return: SQL of ``ab_bucket(seed, id_sql)`` (bigint arithmetic)"""
    return SQL(
        "(mod(mod((%s)::bigint + %s, %s) * %s, %s) * 100 / %s)",
        id_sql,
        int(seed) * _SEED_STRIDE,
        _MODULUS,
        _GOLDEN,
        _MODULUS,
        _MODULUS,
    )


def ab_ranges(variants):
    """The buckets of each variant, in order, the rest for the winner.

    :param variants: list of (key, percent)
    :return: list of (key, low, high): buckets low <= b < high go to key;
        the buckets from the last high to 100 wait for the winner
    """
    ranges, low = [], 0
    for key, percent in variants:
        ranges.append((key, low, low + percent))
        low += percent
    return ranges


def ab_assign(ranges, bucket):
    """:return: the key of ``bucket`` in ``ranges``, None for the winner's share"""
    for key, low, high in ranges:
        if low <= bucket < high:
            return key
    return None


def choose_winner(stats):
    """The variant with the highest measured rate.

    :param stats: list of (key, hits, total) in the variants' order
    :return: the key whose hits / total is highest (ties: the first), None
        when no variant has a participant
    """
    best, best_rate = None, -1.0
    for key, hits, total in stats:
        if not total:
            continue
        rate = hits / total
        if rate > best_rate:
            best, best_rate = key, rate
    return best
