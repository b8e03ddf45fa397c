# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from pathlib import Path

from odoo.tests import tagged

from .common import CampaignReportingCommon

USAGE = Path(__file__).resolve().parents[1] / "readme" / "USAGE.md"
# a row of the worked example: | label | `field` | computation | value |
ROW = re.compile(r"^\|[^|]*\|\s*`(\w+)`\s*\|[^|]*\|\s*([-\d,.]+)\s*\|\s*$")


@tagged("post_install", "-at_install")
class TestReadmeWorkedExample(CampaignReportingCommon):
    """The readme's worked example is what the code computes."""

    def test_worked_example(self):
        rows = {
            match.group(1): float(match.group(2).replace(",", ""))
            for match in map(ROW.match, USAGE.read_text().splitlines())
            if match
        }
        self.assertGreaterEqual(len(rows), 30)
        self.assertIn("roi", rows)
        kpi = self.kpi(self.campaign_a)
        for name, value in rows.items():
            with self.subTest(kpi=name):
                self.assertAlmostEqual(kpi[name], value, places=2)
        self.assertEqual(kpi.roi_basis, "percent")
        # the monitor shows the same ROI, rounded to two decimals
        card = next(
            c
            for c in self.env["campaign.monitor"].get_monitor_data({})["cards"]
            if c["id"] == self.campaign_a.id
        )
        self.assertEqual(card["money"]["roi"], rows["roi"])
        self.assertEqual(card["signal"], "off_track")
