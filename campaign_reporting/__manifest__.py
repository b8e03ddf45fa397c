# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Campaign Reporting",
    "summary": "Campaign Monitor, KPIs, P&L workbook, finance reconciliation, "
    "KPI digest and vendor partner status",
    "version": "18.0.1.0.0",
    "category": "Marketing",
    "website": "https://github.com/mrm-suite/marketing-resource-management",
    "author": "MRM Suite contributors",
    "maintainers": ["mrm-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "installable": True,
    # marketing_resource_mgmt + crm_lead_routing: the campaigns and leads it
    # reports on; account: invoices, bills, analytic lines; purchase: committed
    # cost (confirmed purchase orders); report_xlsx (OCA, 18.0 from PyPI): the
    # P&L workbook as an Odoo report.
    "depends": [
        "marketing_resource_mgmt",
        "crm_lead_routing",
        "account",
        "purchase",
        "report_xlsx",
    ],
    "data": [
        "security/campaign_reporting_security.xml",
        "security/ir.model.access.csv",
        "views/campaign_reporting_menus.xml",
    ],
    "demo": [],
}
