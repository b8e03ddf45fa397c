# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Writes data/files/campaign_dashboard.json, the Campaigns dashboard.

Run it after a change of the layout (not imported by Odoo):

    python campaign_reporting_dashboard/tools/build_dashboard.py

The dashboard is an Odoo spreadsheet: pivots on the KPI views
(``campaign.kpi``, ``campaign.kpi.channel``), formulas reading them, and the
global filters of Odoo's own dashboards (period, campaign type, owner,
campaign). The ROI column's formula is ``kpi.arithmetic.roi_xlsx_formula``,
the same as the P&L workbook's; the campaigns are those of the Campaign
Monitor's default scope (``campaign_monitor.CONTROLLED_DOMAIN``).
"""

import importlib.util
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# the one definition of the ROI: campaign_reporting/kpi/arithmetic.py (plain
# Python, loaded from its file without the addon and its ORM models)
_spec = importlib.util.spec_from_file_location(
    "kpi_arithmetic",
    os.path.join(HERE, "..", "..", "campaign_reporting", "kpi", "arithmetic.py"),
)
arithmetic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(arithmetic)
ROI_FULLY_FUNDED = arithmetic.ROI_FULLY_FUNDED
ROI_NO_COST = arithmetic.ROI_NO_COST
roi_xlsx_formula = arithmetic.roi_xlsx_formula

OUTPUT = os.path.join(HERE, "..", "data", "files", "campaign_dashboard.json")

# The Campaign Monitor's default scope (campaign_monitor.CONTROLLED_DOMAIN)
# read through the KPI row's campaign; test_dashboard proves both agree.
CONTROLLED_DOMAIN = [
    "|",
    "|",
    ["campaign_id.template_id", "!=", False],
    ["campaign_id.team_ids", "!=", False],
    ["state", "!=", "draft"],
]

FILTER_PERIOD = "5a4c2a3e-0b6f-4c51-9d55-7d0a9c6f0001"
FILTER_TYPE = "5a4c2a3e-0b6f-4c51-9d55-7d0a9c6f0002"
FILTER_OWNER = "5a4c2a3e-0b6f-4c51-9d55-7d0a9c6f0003"
FILTER_CAMPAIGN = "5a4c2a3e-0b6f-4c51-9d55-7d0a9c6f0004"

CAMPAIGN_TYPES = ["telemarketing", "direct_mail", "email", "press", "event", "mixed"]
CHANNELS = ["email", "call", "mail", "sms", "none"]

FIELD_MATCHING = {
    FILTER_PERIOD: {"chain": "date_start", "type": "date", "offset": 0},
    FILTER_TYPE: {"chain": "campaign_type", "type": "selection"},
    FILTER_OWNER: {"chain": "user_id", "type": "many2one"},
    FILTER_CAMPAIGN: {"chain": "campaign_id", "type": "many2one"},
}

TOTAL_MEASURES = [
    "members_targeted",
    "target_members",
    "members_responded",
    "target_responses",
    "leads",
    "target_leads",
    "opportunities",
    "target_opportunities",
    "won",
    "target_won",
    "orders",
    "target_orders",
    "revenue",
    "target_revenue",
    "cost_total",
    "budget",
    "cofunding_committed",
    "net_cost",
    "net_return",
]
FUNNEL_MEASURES = [
    "members_targeted",
    "members_contacted",
    "members_responded",
    "leads",
    "opportunities",
    "won",
    "orders",
]
MONEY_MEASURES = [
    "revenue",
    "cost_total",
    "cofunding_committed",
    "net_cost",
    "net_return",
    "roi",
]
TARGET_MEASURES = [
    "pct_members",
    "pct_responses",
    "pct_leads",
    "pct_won",
    "pct_revenue",
    "pct_budget",
]


def pivot(pid, name, model, rows, measures, sort=None):
    definition = {
        "type": "ODOO",
        "id": str(pid),
        "formulaId": str(pid),
        "name": name,
        "model": model,
        "domain": CONTROLLED_DOMAIN,
        "context": {},
        "measures": [{"id": m, "fieldName": m} for m in measures],
        "rows": [{"fieldName": r} for r in rows],
        "columns": [],
        "fieldMatching": FIELD_MATCHING,
    }
    if sort:
        definition["sortedColumn"] = {
            "groupId": [[], []],
            "measure": sort[0],
            "order": sort[1],
        }
    return definition


PIVOTS = {
    "1": pivot(1, "Campaign KPIs: totals", "campaign.kpi", [], TOTAL_MEASURES),
    "2": pivot(
        2, "Funnel by channel", "campaign.kpi.channel", ["channel"], FUNNEL_MEASURES
    ),
    "3": pivot(
        3,
        "Top campaigns by net return",
        "campaign.kpi",
        ["campaign_id"],
        MONEY_MEASURES + ["pct_responses"],
        sort=("net_return", "desc"),
    ),
    "4": pivot(
        4,
        "Bottom campaigns by net return",
        "campaign.kpi",
        ["campaign_id"],
        MONEY_MEASURES + ["pct_responses"],
        sort=("net_return", "asc"),
    ),
    "5": pivot(
        5,
        "Return by campaign type",
        "campaign.kpi",
        ["campaign_type"],
        MONEY_MEASURES[:-1],
    ),
    "6": pivot(
        6,
        "Campaigns against targets",
        "campaign.kpi",
        ["campaign_id"],
        TARGET_MEASURES,
        sort=("pct_responses", "desc"),
    ),
    # the campaigns' money shared out to their channels (the rule of
    # campaign_reporting/kpi/arithmetic.py, "return by channel")
    "7": pivot(
        7,
        "Return by channel",
        "campaign.kpi.channel",
        ["channel"],
        MONEY_MEASURES[:-1],
    ),
}

# None: a campaign whose cost is unknown (no analytic account): the pivot
# gives an empty cell, and the ROI reads "n/a" as in the Campaign Monitor
ROI_LABELS = {
    ROI_FULLY_FUNDED: "Fully funded",
    ROI_NO_COST: "No cost yet",
    None: "n/a",
}

# styles: 1 section title, 2 column header, 3 body, 4 header right, 5 total
STYLES = {
    "1": {"textColor": "#01666b", "fontSize": 16, "bold": True},
    "2": {"textColor": "#434343", "bold": True, "fontSize": 11},
    "3": {"textColor": "#434343", "verticalAlign": "middle"},
    "4": {"textColor": "#434343", "bold": True, "fontSize": 11, "align": "right"},
    "5": {"textColor": "#434343", "bold": True, "fillColor": "#f2f2f2"},
}
FORMATS = {"1": "#,##0", "2": "0.0%", "3": "0.0"}
BORDERS = {"1": {"bottom": {"style": "thin", "color": "#CCCCCC"}}}

COLS = "ABCDEFG"


def t(text):
    escaped = text.replace('"', '""')
    return f'=_t("{escaped}")'


class Sheet:
    def __init__(self, sheet_id, name, col_number, row_number):
        self.data = {
            "id": sheet_id,
            "name": name,
            "colNumber": col_number,
            "rowNumber": row_number,
            "rows": {},
            "cols": {},
            "merges": [],
            "cells": {},
            "styles": {},
            "formats": {},
            "borders": {},
            "conditionalFormats": [],
            "figures": [],
            "tables": [],
            "areGridLinesVisible": False,
            "isVisible": True,
            "headerGroups": {"ROW": [], "COL": []},
            "dataValidationRules": [],
            "comments": {},
        }

    def set(self, ref, content, style=None, fmt=None, border=None):
        self.data["cells"][ref] = {"content": content}
        if style:
            self.data["styles"][ref] = style
        if fmt:
            self.data["formats"][ref] = fmt
        if border:
            self.data["borders"][ref] = border


FUNNEL_LABELS = [
    "Targeted",
    "Contacted",
    "Responded",
    "Leads",
    "Opportunities",
    "Won",
    "Orders",
]
MONEY_HEADERS = ["Revenue", "Cost", "Co-funding", "Net cost", "Net return", "ROI"]


def build_data_sheet(data):
    """Totals against targets, funnel totals, the campaign types' list."""
    data.set("A1", t("KPI"), 2)
    data.set("B1", t("Actual"), 4)
    data.set("C1", t("Target"), 4)
    kpis = [
        ("Members reached", "members_targeted", "target_members"),
        ("Responses", "members_responded", "target_responses"),
        ("Leads", "leads", "target_leads"),
        ("Opportunities", "opportunities", "target_opportunities"),
        ("Won deals", "won", "target_won"),
        ("Orders", "orders", "target_orders"),
        ("Revenue", "revenue", "target_revenue"),
        ("Cost (of budget)", "cost_total", "budget"),
        ("Co-funding committed", "cofunding_committed", None),
        ("Net cost", "net_cost", None),
        ("Net return", "net_return", None),
    ]
    for row, (label, actual, target) in enumerate(kpis, start=2):
        data.set(f"A{row}", t(label))
        data.set(f"B{row}", f'=PIVOT.VALUE(1,"{actual}")', fmt=1)
        if target:
            data.set(f"C{row}", f'=PIVOT.VALUE(1,"{target}")', fmt=1)
    data.set("A14", t("Funnel"), 2)
    data.set("B14", t("All channels"), 4)
    for i, (label, measure) in enumerate(
        zip(FUNNEL_LABELS, FUNNEL_MEASURES, strict=True)
    ):
        row = 15 + i
        data.set(f"A{row}", t(label))
        data.set(f"B{row}", f'=PIVOT.VALUE(2,"{measure}")', fmt=1)
    data.set("E1", t("Campaign types"), 2)
    for i, key in enumerate(CAMPAIGN_TYPES, start=2):
        data.set(f"E{i}", key)


def build_figures(dash):
    """Scorecards against targets (progress bars), the funnel chart and the
    cost vs revenue chart of the top campaigns."""
    cards = [
        ("Responses", 3),
        ("Leads", 4),
        ("Won deals", 6),
        ("Orders", 7),
        ("Revenue", 8),
        ("Cost of budget", 9),
    ]
    for i, (title, row) in enumerate(cards):
        dash.data["figures"].append(
            {
                "id": f"c0a1b2c3-0000-4000-8000-00000000000{i + 1}",
                "x": i * 168,
                "y": 10,
                "width": 160,
                "height": 108,
                "tag": "chart",
                "data": {
                    "type": "scorecard",
                    "title": {"text": title, "bold": True, "color": "#434343"},
                    "background": "#EFF6FF" if row < 8 else "#FEF2F2",
                    "keyValue": f"Data!B{row}",
                    "baseline": f"Data!C{row}",
                    "baselineMode": "progress",
                    "baselineColorUp": "#00A04A",
                    "baselineColorDown": "#DC6965",
                    "humanize": True,
                },
            }
        )
    dash.set("A7", t("Funnel"), 1, border=1)
    dash.set("E7", t("Cost vs revenue"), 1, border=1)
    dash.data["figures"].append(
        {
            "id": "c0a1b2c3-0000-4000-8000-000000000010",
            "x": 0,
            "y": 178,
            "width": 500,
            "height": 344,
            "tag": "chart",
            "data": {
                "type": "bar",
                "title": {},
                "dataSets": [{"dataRange": "Data!B14:B21"}],
                "dataSetsHaveTitle": True,
                "labelRange": "Data!A15:A21",
                "legendPosition": "none",
                "stacked": False,
                "aggregated": False,
                "horizontal": False,
                "background": "#FFFFFF",
            },
        }
    )
    dash.data["figures"].append(
        {
            "id": "c0a1b2c3-0000-4000-8000-000000000011",
            "x": 520,
            "y": 178,
            "width": 500,
            "height": 344,
            "tag": "chart",
            "data": {
                "type": "bar",
                "title": {},
                "dataSets": [
                    {"dataRange": "Campaigns!B24:B34"},
                    {"dataRange": "Campaigns!C24:C34"},
                ],
                "dataSetsHaveTitle": True,
                "labelRange": "Campaigns!A25:A34",
                "legendPosition": "top",
                "stacked": False,
                "aggregated": False,
                "horizontal": False,
                "background": "#FFFFFF",
            },
        }
    )


def campaign_table(dash, top, pid, title, size=10):
    """The campaigns of pivot ``pid`` in its order, with their return."""
    dash.set(f"A{top}", t(title), 1, border=1)
    dash.set(f"A{top + 1}", t("Campaign"), 2)
    for col, label in zip(COLS[1:], MONEY_HEADERS, strict=True):
        dash.set(f"{col}{top + 1}", t(label), 4)
    for i in range(1, size + 1):
        row = top + 1 + i
        dash.set(f"A{row}", f'=PIVOT.HEADER({pid},"#campaign_id",{i})', 3)
        for col, measure in zip(COLS[1:6], MONEY_MEASURES[:5], strict=True):
            dash.set(
                f"{col}{row}",
                f'=PIVOT.VALUE({pid},"{measure}","#campaign_id",{i})',
                3,
                fmt=1,
            )
        # blank row when the pivot has fewer campaigns
        formula = roi_xlsx_formula(f"B{row}", f"E{row}", f"D{row}", ROI_LABELS)
        dash.set(f"G{row}", f'=IF(A{row}="","",{formula[1:]})', 3, fmt=2)


def channel_table(dash, top):
    """The funnel per channel, and its total."""
    dash.set(f"A{top}", t("Funnel by channel"), 1, border=1)
    dash.set(f"A{top + 1}", t("Channel"), 2)
    for col, label in zip(COLS[1:], FUNNEL_LABELS[:6], strict=False):
        dash.set(f"{col}{top + 1}", t(label), 4)
    channel_measures = [m for m in FUNNEL_MEASURES if m != "orders"][:6]
    for i, channel in enumerate(CHANNELS):
        row = top + 2 + i
        dash.set(f"A{row}", f'=PIVOT.HEADER(2,"channel","{channel}")', 3)
        for col, measure in zip(COLS[1:], channel_measures, strict=True):
            dash.set(
                f"{col}{row}",
                f'=PIVOT.VALUE(2,"{measure}","channel","{channel}")',
                3,
                fmt=1,
            )
    row = top + 2 + len(CHANNELS)
    dash.set(f"A{row}", t("Total"), 5)
    for col, measure in zip(COLS[1:], channel_measures, strict=True):
        dash.set(f"{col}{row}", f'=PIVOT.VALUE(2,"{measure}")', 5, fmt=1)


def return_table(dash, top, title, header, pivot, field, keys):
    """The return per value of ``field`` (pivot ``pivot``'s rows ``keys``),
    its total, and the ROI of each row from its sums."""
    dash.set(f"A{top}", t(title), 1, border=1)
    dash.set(f"A{top + 1}", t(header), 2)
    for col, label in zip(COLS[1:], MONEY_HEADERS, strict=True):
        dash.set(f"{col}{top + 1}", t(label), 4)
    for i, key in enumerate(keys + [None]):
        row = top + 2 + i
        args = f',"{field}","{key}"' if key else ""
        style = 3 if key else 5
        if key:
            dash.set(f"A{row}", f'=PIVOT.HEADER({pivot},"{field}","{key}")', 3)
        else:
            dash.set(f"A{row}", t("Total"), 5)
        for col, measure in zip(COLS[1:6], MONEY_MEASURES[:5], strict=True):
            dash.set(
                f"{col}{row}", f'=PIVOT.VALUE({pivot},"{measure}"{args})', style, fmt=1
            )
        formula = roi_xlsx_formula(f"B{row}", f"E{row}", f"D{row}", ROI_LABELS)
        dash.set(f"G{row}", formula, style, fmt=2)


def type_table(dash, top):
    """The return per campaign type, and its total."""
    return_table(
        dash, top, "Return by campaign type", "Type", 5, "campaign_type", CAMPAIGN_TYPES
    )


def channel_return_table(dash, top):
    """The return per channel (the campaigns' money shared out to their
    channels), its total, and the ROI of each from its sums."""
    return_table(dash, top, "Return by channel", "Channel", 7, "channel", CHANNELS)


def target_table(dash, top):
    """The campaigns' % of each target reached."""
    dash.set(f"A{top}", t("Campaigns against targets (% reached)"), 1, border=1)
    dash.set(f"A{top + 1}", t("Campaign"), 2)
    target_headers = [
        "Members",
        "Responses",
        "Leads",
        "Won",
        "Revenue",
        "Cost of budget",
    ]
    for col, label in zip(COLS[1:], target_headers, strict=True):
        dash.set(f"{col}{top + 1}", t(label), 4)
    for i in range(1, 21):
        row = top + 1 + i
        dash.set(f"A{row}", f'=PIVOT.HEADER(6,"#campaign_id",{i})', 3)
        for col, measure in zip(COLS[1:], TARGET_MEASURES, strict=True):
            dash.set(
                f"{col}{row}",
                f'=PIVOT.VALUE(6,"{measure}","#campaign_id",{i})',
                3,
                fmt=3,
            )


def build():
    dash = Sheet("campaign_dashboard", "Campaigns", 7, 110)
    data = Sheet("campaign_dashboard_data", "Data", 8, 40)
    dash.data["cols"] = {"0": {"size": 275}}
    dash.data["cols"].update({str(i): {"size": 115} for i in range(1, 7)})
    dash.data["rows"] = {"6": {"size": 40}}
    build_data_sheet(data)
    build_figures(dash)
    campaign_table(dash, 23, 3, "Top campaigns by net return")
    campaign_table(dash, 36, 4, "Bottom campaigns by net return")
    channel_table(dash, 49)
    type_table(dash, 59)
    target_table(dash, 69)
    channel_return_table(dash, 92)
    return {
        "version": 21,
        "sheets": [dash.data, data.data],
        "styles": STYLES,
        "formats": FORMATS,
        "borders": BORDERS,
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {
            "locale": {
                "name": "English (US)",
                "code": "en_US",
                "thousandsSeparator": ",",
                "decimalSeparator": ".",
                "dateFormat": "mm/dd/yyyy",
                "timeFormat": "hh:mm:ss",
                "formulaArgSeparator": ",",
                "weekStart": 7,
            }
        },
        "pivots": PIVOTS,
        "pivotNextId": len(PIVOTS) + 1,
        "customTableStyles": {},
        "odooVersion": 12,
        "globalFilters": [
            {
                "id": FILTER_PERIOD,
                "type": "date",
                "label": "Period (start date)",
                "rangeType": "from_to",
                "defaultValue": {},
            },
            {
                "id": FILTER_TYPE,
                "type": "text",
                "label": "Campaign type",
                "defaultValue": "",
                "rangeOfAllowedValues": "Data!E2:E7",
            },
            {
                "id": FILTER_OWNER,
                "type": "relation",
                "label": "Owner",
                "modelName": "res.users",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
            },
            {
                "id": FILTER_CAMPAIGN,
                "type": "relation",
                "label": "Campaign",
                "modelName": "utm.campaign",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
            },
        ],
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": {},
    }


if __name__ == "__main__":
    with open(OUTPUT, "w", encoding="utf-8") as out:
        json.dump(build(), out, indent=1, ensure_ascii=False)
        out.write("\n")
