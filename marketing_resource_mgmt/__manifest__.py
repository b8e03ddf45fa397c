# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Marketing Resource Management",
    "summary": "Campaign library, segments, phased campaigns, audience generation, "
    "inbound matching and portal answers",
    "version": "18.0.1.0.3",
    "category": "Marketing",
    "website": "https://github.com/mrm-suite/marketing-resource-management",
    "author": "MRM Suite contributors",
    "maintainers": ["mrm-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": True,
    "installable": True,
    "uninstall_hook": "uninstall_hook",
    # Why each dependency:
    # crm: leads and opportunities answer campaigns; sale_crm: quotes and orders
    # from opportunities; mass_mailing: the e-mail channel (lists, mailings,
    # tracking, blacklist); mass_mailing_sms: the SMS channel (SMS mailings,
    # SMS traces whose results come back to the members, phone blacklist and
    # SMS opt-out), Odoo's own instead of a gateway of ours; project +
    # hr_timesheet: a campaign's tasks and staff effort as cost; portal:
    # customers answer campaigns from a token link;
    # crm_lead_routing: the shared fuzzy matchers and routing of answer leads;
    # queue_job (OCA, 18.0 from PyPI): long jobs spread over workers.
    "depends": [
        "crm",
        "sale_crm",
        "mass_mailing",
        "mass_mailing_sms",
        "project",
        "hr_timesheet",
        "portal",
        "crm_lead_routing",
        "queue_job",
    ],
    "data": [
        "security/marketing_resource_mgmt_security.xml",
        "security/marketing_segment_security.xml",
        "security/marketing_campaign_security.xml",
        "security/ir.model.access.csv",
        "security/marketing_campaign_loop_security.xml",
        "security/marketing_offer_security.xml",
        "security/marketing_journey_security.xml",
        "views/marketing_segment_views.xml",
        "views/res_partner_views.xml",
        "views/marketing_campaign_template_views.xml",
        "views/utm_campaign_views.xml",
        "views/utm_campaign_generation_views.xml",
        "views/crm_lead_views.xml",
        "views/marketing_campaign_member_views.xml",
        "templates/campaign_answer_templates.xml",
        "wizards/marketing_segment_wizard_views.xml",
        "wizards/marketing_campaign_phase_override_views.xml",
        "views/marketing_resource_mgmt_menus.xml",
        "views/marketing_segment_menus.xml",
        "views/marketing_campaign_menus.xml",
        "views/marketing_call_queue_views.xml",
        "views/res_config_settings_views.xml",
        "views/marketing_journey_views.xml",
        "wizards/marketing_inbound_call_views.xml",
        "views/utm_campaign_follow_on_views.xml",
        "wizards/utm_campaign_follow_on_views.xml",
        "views/marketing_offer_views.xml",
        "views/marketing_scenario_views.xml",
        "views/marketing_offer_menus.xml",
        "data/marketing_segment_data.xml",
        "data/marketing_campaign_data.xml",
        "data/marketing_campaign_template_data.xml",
        "data/marketing_offer_data.xml",
        "data/marketing_journey_data.xml",
    ],
    "demo": [
        "demo/marketing_demo_data.xml",
        "demo/marketing_campaign_demo.xml",
        "demo/marketing_segment_demo.xml",
        "demo/marketing_offer_demo.xml",
        "demo/marketing_journey_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "marketing_resource_mgmt/static/src/segment/*",
            "marketing_resource_mgmt/static/src/next_best_action/*",
            "marketing_resource_mgmt/static/src/segment_import/*",
        ],
        "web.assets_tests": [
            "marketing_resource_mgmt/static/src/tours/*.js",
        ],
    },
}
