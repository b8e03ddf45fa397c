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
    # drops the Campaign Monitor's stored funnel and its triggers
    "uninstall_hook": "uninstall_hook",
    # marketing_resource_mgmt + crm_lead_routing: the campaigns and leads it
    # reports on; account: invoices, bills, analytic lines; purchase: committed
    # cost (confirmed purchase orders); report_xlsx (OCA, 18.0 from PyPI): the
    # P&L workbook as an Odoo report; queue_job (OCA, 18.0 from PyPI): the
    # funnel refresh after a generation job runs as a job too.
    "depends": [
        "marketing_resource_mgmt",
        "crm_lead_routing",
        "account",
        "purchase",
        "report_xlsx",
        "queue_job",
    ],
    "external_dependencies": {"python": ["xlsxwriter", "lxml"]},
    "data": [
        "security/campaign_reporting_security.xml",
        "security/ir.model.access.csv",
        "views/campaign_kpi_views.xml",
        "views/marketing_campaign_cofunding_views.xml",
        "views/campaign_vendor_token_views.xml",
        "views/utm_campaign_views.xml",
        "views/res_config_settings_views.xml",
        "views/portal_templates.xml",
        "wizards/campaign_vendor_token_show_views.xml",
        "views/campaign_reporting_menus.xml",
        "report/campaign_pnl_report.xml",
        "report/campaign_review_report.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
    ],
    "demo": ["demo/campaign_reporting_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "campaign_reporting/static/src/campaign_monitor/*",
        ],
        "web.assets_frontend": [
            "campaign_reporting/static/src/portal/*",
        ],
        "web.assets_tests": [
            "campaign_reporting/static/src/tours/*",
        ],
    },
}
