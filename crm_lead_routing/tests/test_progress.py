# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The "working…" of the long actions (progress.py): bus notifications to
the acting user, read back from bus.bus as the web client receives them."""

import json

from odoo.tests import HttpCase, tagged

from ..progress import PROGRESS_TYPE, Progress
from .common import RoutingCommon


def read_progress(env, since_id, user=None):
    """The progress payloads sent to ``user`` (default: env's) after the
    bus.bus row ``since_id``, in order.

    :return: list of payload dicts
    """
    user = user or env.user
    env.cr.flush()  # the bus's pre-commit hook writes its rows
    Bus = env["bus.bus"].sudo()
    target = [env.cr.dbname, "res.partner", user.partner_id.id]
    payloads = []
    for row in Bus.search([("id", ">", since_id)], order="id"):
        message = json.loads(row.message)
        if json.loads(row.channel) == target and message["type"] == PROGRESS_TYPE:
            payloads.append(message["payload"])
    return payloads


def last_bus_id(env):
    return env["bus.bus"].sudo().search([], order="id desc", limit=1).id or 0


@tagged("post_install", "-at_install")
class TestProgress(RoutingCommon):
    def test_steps_then_closed(self):
        since = last_bus_id(self.env)
        with Progress(self.env, "Tidying", 2) as bar:
            bar.step("first")
            bar.step("second")
        sent = read_progress(self.env, since)
        self.assertEqual(
            [(p["step"], p["done"], p["total"], p["finished"]) for p in sent],
            [("first", 0, 2, False), ("second", 1, 2, False), ("", 2, 2, True)],
        )
        self.assertEqual({p["title"] for p in sent}, {"Tidying"})
        self.assertEqual(len({p["key"] for p in sent}), 1)

    def test_closed_on_error(self):
        """An action that fails still closes its box."""
        since = last_bus_id(self.env)
        # not assertRaises: its savepoint would drop the bus messages sent
        # through the test's transaction (outside tests they leave through
        # a cursor of their own, whatever becomes of the action's)
        failed = False
        try:
            with Progress(self.env, "Fails", 3) as bar:
                bar.step("dividing")
                _fail = 1 / 0
        except ZeroDivisionError:
            failed = True
        self.assertTrue(failed)
        sent = read_progress(self.env, since)
        self.assertEqual([p["finished"] for p in sent], [False, True])

    def test_route_now_shows_progress(self):
        """Route now, as the sales manager presses it: its box opens and
        closes in that user's browser, nobody else's."""
        self._rule("RR", [self.alice])
        since = last_bus_id(self.env)
        result = self.Rule.with_user(self.manager).search([]).action_route_waiting()
        self.assertIs(result, True)
        sent = read_progress(self.env, since, user=self.manager)
        self.assertEqual(len(sent), 2)
        self.assertEqual(sent[0]["title"], "Routing the waiting leads")
        self.assertTrue(sent[0]["step"])
        self.assertTrue(sent[-1]["finished"])
        self.assertFalse(read_progress(self.env, since, user=self.env.user))


@tagged("post_install", "-at_install")
class TestProgressTour(HttpCase):
    def test_box_shows_the_server_messages(self):
        """An action in progress (its first step sent, as route now sends
        it), then ended: the web client's box shows its title, step and bar,
        then goes. Under tests the bus messages stay in the test's
        transaction and never reach the browser: the payloads the server
        sent (bus.bus rows) are handed over a system parameter and given to
        the box's bus handler by the tour."""
        admin = self.env.ref("base.user_admin")
        since = last_bus_id(self.env)
        with Progress(self.env(user=admin), "Routing the waiting leads", 1) as bar:
            bar.step("Matching the rules and assigning")
        sent = read_progress(self.env, since, user=admin)
        self.assertEqual([p["finished"] for p in sent], [False, True])
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_lead_routing.tour_progress_payloads", json.dumps(sent)
        )
        # the rows themselves would reach the browser when its bus connects
        # (it reads bus.bus through the test's cursor), all at once
        self.env["bus.bus"].sudo().search([("id", ">", since)]).unlink()
        self.start_tour("/odoo", "crm_lead_routing_progress_tour", login="admin")
