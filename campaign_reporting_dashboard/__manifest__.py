# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Campaign Reporting Dashboard",
    "summary": "The campaign KPIs as a dashboard in Odoo's Dashboards app",
    "version": "18.0.1.0.0",
    "category": "Marketing",
    "website": "https://github.com/mrm-suite/marketing-resource-management",
    "author": "MRM Suite contributors",
    "maintainers": ["mrm-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "installable": True,
    # campaign_reporting: the KPI models the dashboard reads (campaign.kpi,
    # campaign.kpi.channel); spreadsheet_dashboard (Odoo Community): the
    # Dashboards app, its spreadsheet engine, pivots, lists and global
    # filters. A separate addon so that campaign_reporting itself does not
    # pull the spreadsheet engine in; installed with both (auto_install).
    "depends": ["campaign_reporting", "spreadsheet_dashboard"],
    "auto_install": True,
    "data": [
        "data/dashboards.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "campaign_reporting_dashboard/static/src/tours/*",
        ],
    },
}
