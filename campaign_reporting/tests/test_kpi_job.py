# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""After an audience generation run as a queue job, the Campaign Monitor's
stored funnel is refreshed by a job of its own."""

from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.marketing_resource_mgmt.tests.common import (
    CampaignCase,
    tagged_audience,
)
from odoo.addons.queue_job.job import Job


@tagged("post_install", "-at_install")
class TestKpiRefreshJob(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _partners, segment = tagged_audience(cls.env, "KPI Job", 5)
        cls.campaign.write({"segment_ids": [(6, 0, segment.ids)], "use_email": True})
        cls.campaign.with_user(cls.owner).action_start()

    def _dirty(self):
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT campaign_id FROM campaign_kpi_dirty"))
        return {row[0] for row in self.env.cr.fetchall()}

    def _jobs(self):
        return self.env["queue.job"].search(
            [
                ("model_name", "=", "campaign.kpi"),
                ("method_name", "=", "_refresh_stored_funnel_job"),
                ("state", "=", "pending"),
            ]
        )

    def _stored_targeted(self):
        self.env.cr.execute(
            SQL(
                "SELECT members_targeted FROM campaign_kpi_funnel "
                "WHERE campaign_id = %s",
                self.campaign.id,
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def test_inline_generation_makes_no_job(self):
        self.campaign.with_user(self.owner).action_generate()
        self.assertFalse(self._jobs())
        self.assertIn(self.campaign.id, self._dirty())

    def test_generation_job_enqueues_one_refresh(self):
        self.env["campaign.kpi"]._refresh_stored_funnel()
        campaign_model = type(self.env["utm.campaign"])
        with patch.object(campaign_model, "_generation_uses_queue", return_value=True):
            self.campaign.sudo()._generate_members()
            self.assertEqual(len(self.campaign.member_ids), 5)
            # a second generation while the refresh waits: still one job
            self.campaign.sudo()._generate_members()
        job = self._jobs()
        self.assertEqual(len(job), 1)
        self.assertIn(self.campaign.id, self._dirty())
        # until the job runs, the stored funnel has not counted them
        self.assertFalse(self._stored_targeted())
        Job.load(self.env, job.uuid).perform()
        self.assertFalse(self._dirty())
        self.assertEqual(self._stored_targeted(), 5)
        self.assertEqual(
            self.env["campaign.kpi"]._refresh_stored_funnel_job(),
            "0 campaigns recomputed.",
        )
