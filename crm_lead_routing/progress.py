# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A visible "working…" with progress for the long actions a person waits
for in the browser (route now, audience generation, cluster split, response
score, scenario run, follow-on, contact import).

The action runs in one transaction, whose own bus messages would only leave
at its end: each message is sent from a cursor of its own, committed at
once, to the acting user; the web client shows a box with the action's
title, its current step and a bar (static/src/progress/, any backend page).
Under tests the message goes through the test's transaction (a cursor of
its own would commit to the test database) and stays a ``bus.bus`` row to
read.

Actions that run as a queue job show their state on the record instead
(queued, then done or failed), as the audience generation and the scenario
do. Kept here, in the lowest of the project's addons, so that every addon
uses the same mechanism.
"""

import threading
import uuid

# the bus notification type the web client's progress box listens to
PROGRESS_TYPE = "mrm_progress"


def send_now(env, notification_type, payload):
    """Send a bus notification to the current user now, not at the end of
    the transaction (see the module's docstring).

    :return: True
    """
    if getattr(threading.current_thread(), "testing", False):
        env.user._bus_send(notification_type, payload)
        return True
    with env.registry.cursor() as cr:
        env(cr=cr).user._bus_send(notification_type, payload)
    return True


class Progress:
    """The progress of one long action, told to the user's browser.

    Used as a context manager: the box opens at 0 and closes on leaving the
    block, on success or error::

        with Progress(env, _("Splitting the segment"), 3) as progress:
            progress.step(_("Reading the contacts' behaviour"))
            ...
            progress.step(_("Clustering"))

    :param env: the acting user's environment
    :param title: what the action does (translated)
    :param total: its number of steps
    """

    def __init__(self, env, title, total):
        self.env = env
        self.title = title
        self.total = max(int(total), 1)
        self.done = 0
        self.key = uuid.uuid4().hex

    def _send(self, label, finished=False):
        return send_now(
            self.env,
            PROGRESS_TYPE,
            {
                "key": self.key,
                "title": self.title,
                "step": label or "",
                "done": self.done,
                "total": self.total,
                "finished": finished,
            },
        )

    def step(self, label=""):
        """Start the next step: the box shows ``label`` and the steps done
        before it."""
        self._send(label)
        self.done = min(self.done + 1, self.total)
        return True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.done = self.total
        self._send("", finished=True)
        return False
