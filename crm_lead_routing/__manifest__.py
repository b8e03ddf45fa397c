# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Lead Routing",
    "summary": "Routing rules with strategies, pools, per-assignee rights, "
    "explanations, simulation and recycling",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/mrm-suite/marketing-resource-management",
    "author": "MRM Suite contributors",
    "maintainers": ["mrm-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "installable": True,
    # crm: routing must work without the marketing addons; it uses the
    # lead's campaign_id (from utm, through crm) like any other lead field.
    # queue_job (OCA, 18.0 from PyPI): a large batch of new leads is routed
    # as a job (with_delay), not in the importing request.
    "depends": ["crm", "queue_job"],
    "data": [
        "security/crm_lead_routing_security.xml",
        "security/ir.model.access.csv",
        "views/crm_match_views.xml",
        "views/crm_routing_rule_views.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/crm_routing_wizard_views.xml",
        "views/crm_lead_routing_menus.xml",
        "data/crm_match_abbreviation_data.xml",
        "data/crm_lead_routing_data.xml",
    ],
    "demo": ["demo/crm_lead_routing_demo.xml"],
    "assets": {
        # the "working…" box of the long actions (progress.py)
        "web.assets_backend": [
            "crm_lead_routing/static/src/progress/*",
        ],
        "web.assets_tests": [
            "crm_lead_routing/static/src/tours/*.js",
        ],
    },
}
