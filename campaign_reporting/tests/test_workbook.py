# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import random
import zipfile
from datetime import date, datetime
from unittest.mock import patch

import openpyxl
import xlsxwriter

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..report.xlsx_rows import NUMBER, STRING, RowsWorksheet
from .common import EXPECTED_A, CampaignReportingCommon

REPORT = "campaign_reporting.action_report_campaign_pnl"


@tagged("post_install", "-at_install")
class TestPnlWorkbook(CampaignReportingCommon):
    """The P&L workbook, read back with openpyxl: cells, formulas, references."""

    def render(self, campaign):
        content, kind = self.env["ir.actions.report"]._render_xlsx(
            REPORT, campaign.ids, {}
        )
        self.assertEqual(kind, "xlsx")
        return openpyxl.load_workbook(io.BytesIO(content))

    def test_summary_and_sources(self):
        book = self.render(self.campaign_a)
        self.assertEqual(
            book.sheetnames,
            [
                "Summary",
                "Timesheets",
                "Vendor bills",
                "Direct costs",
                "Other costs",
                "Committed",
                "Revenue",
                "Co-funding",
            ],
        )
        summary = book["Summary"]
        labels = {summary.cell(row, 1).value: row for row in range(6, 19)}
        # formulas that add up
        self.assertEqual(summary["B12"].value, "=SUM(B8:B11)")
        self.assertEqual(summary["B13"].value, "=B6-B7-B12")
        self.assertEqual(summary["B15"].value, "=B12-B14")
        self.assertEqual(summary["B17"].value, "=B16-B15")
        self.assertEqual(summary["A12"].value, "Actual cost")
        self.assertIn("Net cost", labels)
        self.assertEqual(summary["B6"].value, EXPECTED_A["budget"])
        # each source row points at its sheet's total cell, which sums the lines
        sources = {
            8: ("Timesheets", "cost_timesheet"),
            9: ("Vendor bills", "cost_bill"),
            10: ("Direct costs", "cost_direct"),
            11: ("Other costs", "cost_other"),
            7: ("Committed", "committed_total"),
            16: ("Revenue", "revenue"),
            14: ("Co-funding", "cofunding_committed"),
        }
        for row, (sheet_name, kpi) in sources.items():
            with self.subTest(sheet=sheet_name):
                sheet = book[sheet_name]
                formula = summary.cell(row, 2).value
                lines = [
                    sheet.cell(r, 7).value
                    for r in range(2, sheet.max_row + 1)
                    if sheet.cell(r, 6).value != "Total"
                ]
                total_row = sheet.max_row
                self.assertEqual(sheet.cell(total_row, 6).value, "Total")
                self.assertEqual(formula, f"='{sheet_name}'!G{total_row}")
                self.assertEqual(
                    sheet.cell(total_row, 7).value, f"=SUM(G2:G{total_row - 1})"
                )
                self.assertAlmostEqual(sum(lines), EXPECTED_A[kpi], places=2)
                self.assertEqual(summary.cell(row, 3).value, len(lines))

    def test_accounting_references(self):
        book = self.render(self.campaign_a)
        bills = book["Vendor bills"]
        self.assertEqual(bills["C1"].value, "Journal entry / document")
        self.assertEqual(bills["C2"].value, self.bill_a.name)
        analytic_line = self.env["account.analytic.line"].search(
            [("move_line_id.move_id", "=", self.bill_a.id)]
        )
        self.assertEqual(bills["D2"].value, analytic_line.id)
        self.assertEqual(bills["E2"].value, "Vendor One")
        revenue = book["Revenue"]
        self.assertEqual(
            {revenue["C2"].value, revenue["C3"].value},
            {self.invoice_a.name, self.refund_a.name},
        )
        timesheets = book["Timesheets"]
        self.assertEqual(timesheets["D2"].value, self.timesheet_a.id)
        self.assertEqual(timesheets["F2"].value, "Campaign caller")
        direct = book["Direct costs"]
        self.assertEqual(direct["D2"].value, self.direct_cost_a.analytic_line_id.id)
        committed = book["Committed"]
        self.assertEqual(
            {committed["C2"].value, committed["C3"].value},
            {self.purchase_a.name, f"{self.draft_bill_a.name or ''} (draft)"},
        )
        self.assertEqual(book["Summary"]["B7"].number_format.split(";")[0], "#,##0.00")

    def test_constant_memory(self):
        """The workbook is written in XlsxWriter's constant_memory mode."""
        options = []
        original = xlsxwriter.Workbook.__init__

        def spy(workbook, filename=None, opts=None):
            options.append(dict(opts or {}))
            return original(workbook, filename, opts)

        with patch.object(xlsxwriter.Workbook, "__init__", spy):
            self.render(self.campaign_a)
        self.assertTrue(options[0]["constant_memory"])

    def test_queries_independent_of_lines(self):
        """The workbook reads each source set-wise: 40 more cost lines cost no
        extra query."""
        self.render(self.campaign_a)
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.render(self.campaign_a)
        few = self.env.cr.sql_log_count - before
        self.env["account.analytic.line"].create(
            [
                {"name": f"extra {i}", "account_id": self.account_a.id, "amount": -1.0}
                for i in range(40)
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        book = self.render(self.campaign_a)
        many = self.env.cr.sql_log_count - before
        self.assertEqual(book["Summary"]["C11"].value, 41)
        self.assertEqual(many, few)

    def test_bad_input(self):
        with self.assertRaisesRegex(UserError, "no analytic account"):
            self.campaign_b.action_print_pnl_workbook()
        with self.assertRaisesRegex(UserError, "mix currencies"):
            self.campaign_c.action_print_pnl_workbook()
        with self.assertRaises(UserError):
            self.render(self.campaign_b)
        action = self.campaign_a.action_print_pnl_workbook()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "campaign_reporting.campaign_pnl_xlsx")


@tagged("post_install", "-at_install")
class TestBulkRows(CampaignReportingCommon):
    """RowsWorksheet.write_rows writes what XlsxWriter's own writers write."""

    STRINGS = [
        "plain",
        "",
        " leading",
        "trailing ",
        'a & b <c> "d"',
        "control \x01 and \x1f",
        "_x0041_ looks escaped",
        "\ufffe\uffff",
        "<r>rich</r>",
        "tab\tnew\nline\rreturn",
        "é ü 中文",
        "\u00a0no-break space",
        "x" * 33000,
    ]

    def build(self, fast, rows):
        """Every file of a workbook: header row, ``rows``, a total row."""
        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": False})
        # a fixed creation time: docProps/core.xml would differ across a second
        book.set_properties({"created": datetime(2026, 1, 1)})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        money = book.add_format({"num_format": "#,##0.00"})
        bold = book.add_format({"bold": True})
        sheet = book.add_worksheet("Lines", worksheet_class=RowsWorksheet)
        sheet.set_column(0, 0, 12)
        sheet.write_row(0, 0, ["Date", "Label", "Entry"], bold)
        columns = [
            (NUMBER, date_fmt),
            (STRING, None),
            (STRING, None),
            (NUMBER, None),
            (STRING, None),
            (NUMBER, money),
        ]
        if fast:
            end = sheet.write_rows(1, rows, columns)
        else:
            end = sheet._write_rows_generic(1, rows, columns)
        sheet.write_string(end, 4, "Total", bold)
        book.close()
        archive = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        return {name: archive.read(name) for name in archive.namelist()}

    def test_same_bytes_as_xlsxwriter(self):
        rng = random.Random(7)
        rows = [
            (
                rng.choice([None, 46023, 61, 59, -1]),
                rng.choice(self.STRINGS),
                rng.choice(self.STRINGS),
                rng.choice([None, index, 10**17, 0.1 + 0.2]),
                rng.choice(self.STRINGS),
                rng.choice([None, -12.5, 1e-7, 123456789.125, 0, 2.0 / 3.0]),
            )
            for index in range(400)
        ]
        rows.append((None, None, None, None, None, None))  # an empty row
        rows.append((46024, "after the empty row", "", 1, "x", 1.0))
        fast, generic = self.build(True, rows), self.build(False, rows)
        self.assertEqual(sorted(fast), sorted(generic))
        sheet = "xl/worksheets/sheet1.xml"
        # (assertTrue: a failure would print megabytes of XML)
        self.assertTrue(b'<dimension ref="A1:F404"/>' in fast[sheet])
        self.assertTrue(b"_x005F_x0041_" in fast[sheet])  # an escape went through
        self.assertTrue(b'<row r="403"><c r="A403" s="2"><v>46024</v>' in fast[sheet])
        for name in fast:
            with self.subTest(part=name):
                self.assertTrue(fast[name] == generic[name], f"{name} differs")

    def test_refuses_what_xlsxwriter_refuses(self):
        book = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True})
        sheet = book.add_worksheet("Lines", worksheet_class=RowsWorksheet)
        columns = [(NUMBER, None), (STRING, None)]
        sheet.write_rows(0, [(1, "a"), (2, "b")], columns)
        sheet.write_rows(2, [(3, "c")], columns)
        with self.assertRaises(ValueError):
            sheet.write_rows(1, [(4, "d")], columns)  # already written
        with self.assertRaises(TypeError):
            sheet.write_rows(5, [(float("nan"), "e")], columns)
        with self.assertRaises(TypeError):
            sheet.write_rows(6, [(7, {"en_US": "not a string"})], columns)
        book.close()

    def test_report_lines_through_bulk_path(self):
        """The report writes its lines through write_rows' fast path, and a
        line needing escapes reads back as written."""
        label = ' Calls & <follow-up> "Q1" '
        self.env["account.analytic.line"].create(
            {
                "name": label,
                "account_id": self.account_a.id,
                "amount": -2.5,
                "date": date(2024, 3, 11),
            }
        )
        self.env.flush_all()
        with patch.object(
            RowsWorksheet,
            "_write_rows_generic",
            side_effect=AssertionError("generic path used"),
        ):
            content, _kind = self.env["ir.actions.report"]._render_xlsx(
                "campaign_reporting.action_report_campaign_pnl",
                self.campaign_a.ids,
                {},
            )
        book = openpyxl.load_workbook(io.BytesIO(content))
        other = book["Other costs"]
        row = next(
            r for r in range(2, other.max_row + 1) if other.cell(r, 2).value == label
        )
        self.assertEqual(other.cell(row, 1).value.date(), date(2024, 3, 11))
        self.assertEqual(other.cell(row, 7).value, 2.5)
        self.assertEqual(other.cell(row, 3).value, "")
