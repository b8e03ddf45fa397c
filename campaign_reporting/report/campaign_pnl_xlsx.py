# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, time

from xlsxwriter.utility import datetime_to_excel_datetime

from odoo import _, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from odoo.addons.marketing_resource_mgmt.kpi_rules import (
    COFUNDING_COMMITTED,
    cost_source_sql,
)

from ..kpi import ROI_FULLY_FUNDED, ROI_NO_COST, roi, roi_basis, roi_xlsx_formula
from ..models.campaign_kpi_sql import jit_off
from .xlsx_rows import NUMBER, STRING, RowsWorksheet

# Source sheets: (key, title, query builder name). Each sheet lists the lines
# behind one cost source; the summary sums them with formulas.
_lt = LazyTranslate(__name__)
SOURCES = [
    ("timesheet", _lt("Timesheets")),
    ("bill", _lt("Vendor bills")),
    ("direct", _lt("Direct costs")),
    ("other", _lt("Other costs")),
    ("committed", _lt("Committed")),
    ("revenue", _lt("Revenue")),
    ("cofunding", _lt("Co-funding")),
]
# Rows fetched per round trip from the server-side cursor: bounded memory.
FETCH_SIZE = 2000


class CampaignPnlXlsx(models.AbstractModel):
    """Campaign P&L workbook for finance.

    A summary sheet whose money cells are formulas over the source sheets
    (timesheets, vendor bills, direct costs, other, committed, revenue,
    co-funding), each source sheet listing its lines with their accounting
    references. Written with XlsxWriter's constant_memory mode and read from
    PostgreSQL in batches, so a large campaign exports in constant memory.
    """

    _name = "report.campaign_reporting.campaign_pnl_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Campaign P&L workbook"

    def get_workbook_options(self):
        # rows are written in order, sheet by sheet: constant memory applies
        return {"constant_memory": True, "in_memory": False}

    def _get_objs_for_report(self, docids, data):
        return self.env["utm.campaign"].browse(docids or data.get("ids") or [])

    # ---- SQL per source (bound parameters, one campaign at a time)

    def _source_query(self, key, campaign):
        account = campaign.analytic_account_id.id
        # the account's lines of the source are selected and sorted first,
        # then a line's journal entry, partner and employee are looked up
        # (index lookups): joins made the planner hash every journal item and
        # every contact (0.8 s on M), and the lookups' estimated cost made it
        # walk the whole date index of the analytic lines to avoid a sort
        line_filters = {
            source: cost_source_sql(source, "l")
            for source in ("timesheet", "bill", "direct", "other")
        }
        if key in line_filters:
            return SQL(
                """
                SELECT l.date, l.name,
                       COALESCE(CASE WHEN l.move_line_id IS NOT NULL THEN (
                           SELECT am.name
                             FROM account_move_line aml
                             JOIN account_move am ON am.id = aml.move_id
                            WHERE aml.id = l.move_line_id
                       ) END, '') AS entry,
                       l.id AS analytic_line,
                       COALESCE((
                           SELECT p.name FROM res_partner p
                            WHERE p.id = COALESCE(
                                l.partner_id,
                                CASE WHEN l.move_line_id IS NOT NULL THEN (
                                    SELECT am.partner_id
                                      FROM account_move_line aml
                                      JOIN account_move am ON am.id = aml.move_id
                                     WHERE aml.id = l.move_line_id
                                ) END
                            )
                       ), '') AS partner,
                       COALESCE(CASE WHEN l.employee_id IS NOT NULL THEN (
                           SELECT emp.name FROM hr_employee emp
                            WHERE emp.id = l.employee_id
                       ) END, '') AS employee,
                       -l.amount AS amount
                  FROM (
                        SELECT l.id, l.date, l.name, l.move_line_id, l.partner_id,
                               l.employee_id, l.amount
                          FROM account_analytic_line l
                         WHERE l.account_id = %(account)s AND %(filter)s
                         ORDER BY l.date, l.id
                        OFFSET 0
                       ) l
                 ORDER BY l.date, l.id
                """,
                account=account,
                filter=line_filters[key],
            )
        if key == "committed":
            return SQL(
                """
                SELECT * FROM (
                    SELECT po.date_approve::date AS date, pol.name, po.name AS entry,
                           NULL::int AS analytic_line, COALESCE(p.name, '') AS partner,
                           '' AS employee,
                           pol.price_subtotal / COALESCE(NULLIF(po.currency_rate, 0), 1)
                           * (pol.product_qty - pol.qty_invoiced) / pol.product_qty
                           * d.value::numeric / 100.0 AS amount
                      FROM purchase_order_line pol
                      JOIN purchase_order po ON po.id = pol.order_id
                      LEFT JOIN res_partner p ON p.id = po.partner_id
                      CROSS JOIN LATERAL jsonb_each_text(pol.analytic_distribution) d
                     WHERE po.state IN ('purchase', 'done') AND pol.display_type IS NULL
                       AND pol.product_qty > 0 AND pol.product_qty > pol.qty_invoiced
                       AND %(account)s = ANY(string_to_array(d.key, ','))
                    UNION ALL
                    SELECT am.date, aml.name, COALESCE(am.name, '') || ' (draft)',
                           NULL::int, COALESCE(p.name, ''), '',
                           aml.balance * d.value::numeric / 100.0
                      FROM account_move_line aml
                      JOIN account_move am ON am.id = aml.move_id
                      LEFT JOIN res_partner p ON p.id = am.partner_id
                      CROSS JOIN LATERAL jsonb_each_text(aml.analytic_distribution) d
                     WHERE am.state = 'draft'
                       AND am.move_type IN ('in_invoice', 'in_refund')
                       AND aml.display_type = 'product'
                       AND %(account)s = ANY(string_to_array(d.key, ','))
                ) c ORDER BY date, entry
                """,
                account=str(account),
            )
        if key == "revenue":
            return SQL(
                """
                SELECT am.invoice_date AS date,
                       COALESCE(am.ref, am.invoice_origin, '') AS name,
                       am.name AS entry, NULL::int AS analytic_line,
                       COALESCE(p.name, '') AS partner, '' AS employee,
                       am.amount_untaxed_signed AS amount
                  FROM account_move am
                  LEFT JOIN res_partner p ON p.id = am.partner_id
                 WHERE am.campaign_id = %(campaign)s AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                 ORDER BY am.invoice_date, am.id
                """,
                campaign=campaign.id,
            )
        if key == "cofunding":
            return SQL(
                """
                SELECT am.invoice_date AS date, cf.state AS name,
                       COALESCE(am.name, '') AS entry, NULL::int AS analytic_line,
                       COALESCE(p.name, '') AS partner, '' AS employee,
                       cf.amount AS amount
                  FROM marketing_campaign_cofunding cf
                  LEFT JOIN account_move am ON am.id = cf.claim_move_id
                  LEFT JOIN res_partner p ON p.id = cf.partner_id
                 WHERE cf.campaign_id = %(campaign)s AND cf.state IN %(states)s
                 ORDER BY cf.id
                """,
                campaign=campaign.id,
                states=COFUNDING_COMMITTED,
            )
        raise ValueError(key)

    # ---- WORKBOOK

    def generate_xlsx_report(self, workbook, data, objs):
        objs._check_pnl_printable()
        self.env.flush_all()
        fmt = self._formats(workbook)
        with jit_off(self.env.cr):
            for campaign in objs:
                self._write_campaign(workbook, fmt, campaign, prefix=len(objs) > 1)

    def _formats(self, workbook):
        money = "#,##0.00;[Red]-#,##0.00"
        return {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "header": workbook.add_format(
                {"bold": True, "bottom": 1, "bg_color": "#D9E1F2", "text_wrap": True}
            ),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "money": workbook.add_format({"num_format": money}),
            "money_bold": workbook.add_format(
                {"num_format": money, "bold": True, "top": 1}
            ),
            "pct": workbook.add_format({"num_format": "0.0%"}),
            "bold": workbook.add_format({"bold": True}),
            "label": workbook.add_format({}),
        }

    def _write_campaign(self, workbook, fmt, campaign, prefix=False):
        """The summary sheet, then one sheet per source, for ``campaign``.

        In constant_memory mode every sheet is written row after row, so the
        totals and line counts the summary's formulas point at are read first
        with one aggregate per source.
        """
        tag = f"{(campaign.code or str(campaign.id))[:12]} " if prefix else ""
        totals = {}
        sheet_names = {}
        cr = self.env.cr
        for key, title in SOURCES:
            sheet_names[key] = f"{tag}{title}"[:31]
            cr.execute(
                SQL(
                    "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM (%s) q",
                    self._source_query(key, campaign),
                )
            )
            count, total = cr.fetchone()
            totals[key] = {
                "lines": count,
                "total": float(total),
                "total_cell": f"G{count + 2}",
            }
        summary = workbook.add_worksheet(f"{tag}{_('Summary')}"[:31])
        self._write_summary(summary, fmt, campaign, sheet_names, totals)
        for key, _title in SOURCES:
            self._write_source(workbook, fmt, sheet_names[key], key, campaign)

    def _write_source(self, workbook, fmt, name, key, campaign):
        """Write one source sheet; return its total, total cell and line count.

        The lines are written in batches by ``RowsWorksheet.write_rows`` (the
        same cells as XlsxWriter's ``write_*`` calls, without their per-cell
        overhead); the total row is a formula over the lines with its value
        cached.
        """
        sheet = workbook.add_worksheet(name, worksheet_class=RowsWorksheet)
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 5, 22)
        sheet.set_column(6, 6, 16)
        headers = [
            _("Date"),
            _("Description"),
            _("Journal entry / document"),
            _("Analytic line"),
            _("Partner"),
            _("Employee"),
            _("Amount"),
        ]
        sheet.write_row(0, 0, headers, fmt["header"])
        sheet.freeze_panes(1, 0)
        columns = [
            (NUMBER, fmt["date"]),  # Excel serial date
            (STRING, None),
            (STRING, None),
            (NUMBER, None),
            (STRING, None),
            (STRING, None),
            (NUMBER, fmt["money"]),
        ]
        row = 1
        total = 0.0
        cr = self.env.cr
        cr.execute(self._source_query(key, campaign))
        while True:
            batch = cr.fetchmany(FETCH_SIZE)
            if not batch:
                break
            cells = []
            for day, label, entry, analytic_line, partner, employee, amount in batch:
                amount = float(amount or 0.0)
                total += amount
                cells.append(
                    (
                        _excel_date(day) if day else None,
                        _text(label),
                        entry or "",
                        analytic_line or None,
                        partner or "",
                        _text(employee),
                        amount,
                    )
                )
            row = sheet.write_rows(row, cells, columns)
        # total row: a formula over the lines, with its value cached
        sheet.write_string(row, 5, _("Total"), fmt["bold"])
        if row > 1:
            sheet.write_formula(row, 6, f"=SUM(G2:G{row})", fmt["money_bold"], total)
        else:
            sheet.write_formula(row, 6, "=0", fmt["money_bold"], 0)
        return {"total": total, "total_cell": f"G{row + 1}", "lines": row - 1}

    def _write_summary(self, sheet, fmt, campaign, sheet_names, totals):
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 2, 18)

        def ref(key):
            return f"='{sheet_names[key]}'!{totals[key]['total_cell']}"

        sheet.write_string(
            0,
            0,
            _("Campaign P&L: %(campaign)s", campaign=campaign.display_name),
            fmt["title"],
        )
        sheet.write_string(1, 0, _("Analytic account"))
        sheet.write_string(1, 1, campaign.analytic_account_id.display_name or "")
        sheet.write_string(2, 0, _("Currency"))
        sheet.write_string(2, 1, campaign.currency_id.name or "")
        sheet.write_row(4, 0, [_("Figure"), _("Amount"), _("Lines")], fmt["header"])
        t = {key: totals[key]["total"] for key in totals}
        cost = t["timesheet"] + t["bill"] + t["direct"] + t["other"]
        budget = campaign.budget or 0.0
        net = cost - t["cofunding"]
        # rows 6.. (1-based Excel rows): fixed layout the formulas refer to
        rows = [
            (_("Budget"), None, budget, None),  # B6
            (
                _("Committed (open purchase orders, draft bills)"),
                ref("committed"),
                t["committed"],
                "committed",
            ),  # B7
            (
                _("Actual: timesheets"),
                ref("timesheet"),
                t["timesheet"],
                "timesheet",
            ),  # B8
            (_("Actual: vendor bills"), ref("bill"), t["bill"], "bill"),  # B9
            (_("Actual: direct costs"), ref("direct"), t["direct"], "direct"),  # B10
            (_("Actual: other costs"), ref("other"), t["other"], "other"),  # B11
            (_("Actual cost"), "=SUM(B8:B11)", cost, None),  # B12
            (
                _("Budget remaining"),
                "=B6-B7-B12",
                budget - t["committed"] - cost,
                None,
            ),  # B13
            (
                _("Co-funding committed"),
                ref("cofunding"),
                t["cofunding"],
                "cofunding",
            ),  # B14
            (_("Net cost"), "=B12-B14", net, None),  # B15
            (_("Invoiced revenue"), ref("revenue"), t["revenue"], "revenue"),  # B16
            (_("Net return"), "=B16-B15", t["revenue"] - net, None),  # B17
        ]
        row = 5
        for label, formula, value, key in rows:
            bold = formula and not formula.startswith("='")
            sheet.write_string(row, 0, label, fmt["bold"] if bold else fmt["label"])
            if formula:
                sheet.write_formula(
                    row, 1, formula, fmt["money_bold"] if bold else fmt["money"], value
                )
            else:
                sheet.write_number(row, 1, value, fmt["money"])
            if key:
                sheet.write_number(row, 2, totals[key]["lines"])
            row += 1
        # the return as defined once in kpi/arithmetic.py: a ratio while the
        # net cost is above zero, else "Fully funded" / "No cost yet" (the
        # return is then the net return amount of B17)
        labels = {
            ROI_FULLY_FUNDED: _("Fully funded"),
            ROI_NO_COST: _("No cost yet"),
        }
        value = roi(t["revenue"], net)
        cached = (
            value / 100.0
            if value is not None
            else labels[roi_basis(net, t["cofunding"])]
        )
        sheet.write_string(row, 0, _("ROI"), fmt["bold"])  # B18
        sheet.write_formula(
            row, 1, roi_xlsx_formula("B16", "B15", "B14", labels), fmt["pct"], cached
        )


# date.toordinal() of 1899-12-30, day 0 of Excel's 1900 date system
EXCEL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
EXCEL_FIRST_REAL_DAY = date(1900, 3, 1)


def _excel_date(value):
    """Excel serial number of a date, as XlsxWriter's ``write_datetime``
    stores it (Excel counts a 29 February 1900 that never was)."""
    if isinstance(value, datetime) or value < EXCEL_FIRST_REAL_DAY:
        return datetime_to_excel_datetime(_as_datetime(value), False, False)
    return value.toordinal() - EXCEL_EPOCH_ORDINAL


def _as_datetime(value):
    return datetime.combine(value, time()) if not isinstance(value, datetime) else value


def _text(value):
    if isinstance(value, dict):  # translated jsonb names
        return value.get("en_US") or next(iter(value.values()), "")
    return value or ""
