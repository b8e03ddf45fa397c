# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Batch routing as a queue job, the OCA way: a large batch of new leads
is delayed (``with_delay``) and waits for the job, which routes those still
waiting. queue_job's own ``trap_jobs`` catches the job in the test."""

from unittest.mock import patch

from odoo.tests import tagged

from ..models import crm_lead as routing_lead
from .common import RoutingCommon, trap_jobs


@tagged("post_install", "-at_install")
class TestRoutingJob(RoutingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._rule("Everyone", [cls.alice, cls.bob])

    def test_large_batch_is_a_job(self):
        with trap_jobs() as trap, patch.object(routing_lead, "INLINE_ROUTING_MAX", 2):
            small = self._leads(2, route=True)
            leads = self._leads(4, route=True)
        # a batch up to the limit is routed at once
        self.assertEqual(set(small.mapped("routing_state")), {"assigned"})
        trap.assert_jobs_count(1, only=self.Rule._route_waiting_leads)
        self.assertEqual(list(trap.enqueued_jobs[0].args), [leads.ids])
        self.assertEqual(set(leads.mapped("routing_state")), {"waiting"})
        # meanwhile the scheduled action routes one lead, a user deletes one
        self.Rule._route_leads(leads[0].ids)
        first_user = leads[0].user_id
        history = leads[0].assignment_ids
        self.assertIn(first_user, self.alice | self.bob)
        deleted_id = leads[3].id
        leads[3].unlink()
        trap.perform_enqueued_jobs()
        rest = leads[1:3]
        self.assertEqual(set(rest.mapped("routing_state")), {"assigned"})
        self.assertEqual(rest.user_id | first_user, self.alice | self.bob)
        # the lead routed meanwhile is not routed twice
        self.assertEqual(leads[0].user_id, first_user)
        self.assertEqual(leads[0].assignment_ids, history)
        self.assertFalse(self.Lead.browse(deleted_id).exists())
        # the job's result says what it did
        result = self.Rule._route_waiting_leads(leads.ids)
        self.assertEqual(result, "No lead was still waiting.")

    def test_job_result_summary(self):
        leads = self._leads(3)
        leads.write({"routing_state": "waiting"})
        leads[2].active = False
        result = self.Rule._route_waiting_leads(leads.ids)
        self.assertEqual(
            result,
            "2 leads: 2 routed by a rule, 0 in a pool, 0 to the fallback, "
            "0 waiting, 0 not routed.",
        )
        self.assertEqual(set(leads[:2].mapped("routing_state")), {"assigned"})
        # an archived lead is left alone
        self.assertEqual(leads[2].routing_state, "waiting")
