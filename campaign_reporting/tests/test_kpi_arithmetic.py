# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import BaseCase

from ..kpi import (
    ROI_FULLY_FUNDED,
    ROI_NO_COST,
    ROI_PERCENT,
    SIGNAL_AT_RISK,
    SIGNAL_NONE,
    SIGNAL_NOT_STARTED,
    SIGNAL_OFF_TRACK,
    SIGNAL_ON_TRACK,
    elapsed_ratio,
    has_started,
    net_return,
    percent,
    ratio,
    roi,
    roi_basis,
    roi_xlsx_formula,
    signal_for,
    worst_signal,
)


class TestKpiArithmetic(BaseCase):
    """The plain-Python KPI arithmetic, without a database."""

    def test_ratio_and_percent(self):
        self.assertEqual(ratio(1, 4), 0.25)
        self.assertIsNone(ratio(1, 0))
        self.assertIsNone(ratio(None, 3))
        self.assertEqual(percent(3, 6), 50.0)
        self.assertIsNone(percent(3, 0))

    def test_elapsed_ratio(self):
        start, end = date(2024, 1, 1), date(2024, 1, 11)
        self.assertEqual(elapsed_ratio(start, end, date(2024, 1, 6)), 0.5)
        self.assertEqual(elapsed_ratio(start, end, date(2023, 12, 1)), 0.0)
        self.assertEqual(elapsed_ratio(start, end, date(2025, 1, 1)), 1.0)
        self.assertEqual(elapsed_ratio(None, end), 1.0)

    def test_signal_against_pro_rata_target(self):
        # half-way through, 45 of 100 expected 50: 90 % -> on track
        self.assertEqual(signal_for(45, 100, 0.5), SIGNAL_ON_TRACK)
        self.assertEqual(signal_for(35, 100, 0.5), SIGNAL_AT_RISK)
        self.assertEqual(signal_for(20, 100, 0.5), SIGNAL_OFF_TRACK)
        self.assertEqual(signal_for(20, 0, 0.5), SIGNAL_NONE)
        # thresholds are parameters
        self.assertEqual(
            signal_for(35, 100, 0.5, on_track=70, at_risk=50), SIGNAL_ON_TRACK
        )

    def test_budget_signal(self):
        self.assertEqual(
            signal_for(1200, 1000, 0.5, lower_is_better=True), SIGNAL_OFF_TRACK
        )
        self.assertEqual(
            signal_for(700, 1000, 0.5, lower_is_better=True), SIGNAL_AT_RISK
        )
        self.assertEqual(
            signal_for(400, 1000, 0.5, lower_is_better=True), SIGNAL_ON_TRACK
        )

    def test_worst_signal(self):
        self.assertEqual(
            worst_signal([SIGNAL_ON_TRACK, SIGNAL_NONE, SIGNAL_AT_RISK]), SIGNAL_AT_RISK
        )
        self.assertEqual(worst_signal([]), SIGNAL_NONE)

    def test_roi(self):
        # the readme's worked example: revenue 1,800, net cost 350
        self.assertAlmostEqual(roi(1800, 350), 1450 / 350 * 100)
        self.assertEqual(net_return(1800, 350), 1450.0)
        self.assertEqual(roi_basis(350, 1000), ROI_PERCENT)
        # the case: co-funding above the cost is not a -310 % ROI
        self.assertIsNone(roi(6000, -2850))
        self.assertEqual(roi_basis(-2850, 4200), ROI_FULLY_FUNDED)
        self.assertEqual(net_return(6000, -2850), 8850.0)
        # nothing spent, nothing funded: no ROI, "no cost yet"
        self.assertIsNone(roi(0, 0))
        self.assertEqual(roi_basis(0, 0), ROI_NO_COST)
        # unknown figures stay unknown
        self.assertIsNone(roi(None, 10))
        self.assertIsNone(roi_basis(None, 10))
        self.assertIsNone(net_return(5, None))

    def test_roi_excel_formula(self):
        labels = {ROI_FULLY_FUNDED: 'Fully "funded"', ROI_NO_COST: "None"}
        self.assertEqual(
            roi_xlsx_formula("B16", "B15", "B14", labels),
            '=IF(B15>0,(B16-B15)/B15,IF(B14<>0,"Fully ""funded""","None"))',
        )

    def test_not_started(self):
        today = date(2024, 5, 1)
        self.assertFalse(has_started("draft", date(2024, 1, 1), today))
        self.assertFalse(has_started("running", date(2024, 6, 1), today))
        self.assertTrue(has_started("running", date(2024, 5, 1), today))
        self.assertTrue(has_started("running", None, today))
        self.assertEqual(
            worst_signal([SIGNAL_NOT_STARTED, SIGNAL_NONE]), SIGNAL_NOT_STARTED
        )
