# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Context markers of the addons' own internal calls.

A context key set to ``True`` can also be sent by any client in its RPC
context (JSON-RPC or XML-RPC), so a key that lifts a check must not be
trusted as a value: these markers are objects, compared by identity, which
no RPC context can carry.
"""

# routing's own reads and writes of leads skip the assignees' scopes
NO_SCOPE = object()
# lead values fetched into the cache unmasked (masked when formatted)
UNMASKED = object()
# the rule's write checks that it keeps an assignee once all its lines are
# written, instead of each line on its own
RULE_CHECKS_ASSIGNEES = object()


def marked(env, key, marker):
    """True when ``env``'s context holds ``marker`` under ``key`` (set by
    the addon's own code, never by a client)."""
    return env.context.get(key) is marker
