/** @odoo-module **/
/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("campaign_reporting_monitor", {
  url: "/odoo/action-campaign_reporting.campaign_monitor_action",
  steps: () => [
    {
      content: "The monitor shows the campaigns as cards",
      trigger: ".o_cm_card .o_cm_open_campaign:contains('Spring Push')",
    },
    {
      content: "The funnel and the cost vs revenue chart are drawn",
      trigger: ".o_cm_funnel .o_cm_funnel_step[data-kpi='leads']",
    },
    {
      trigger: ".o_cm_cost_revenue .o_cm_chart_row",
    },
    {
      content: "Filter on the call channel",
      trigger: "select.o_cm_filter_channel",
      run: "select call",
    },
    {
      content: "One lead came from a call",
      trigger:
        ".o_cm_card:contains('Spring Push') tr[data-kpi='leads'] .o_cm_drill:contains('1')",
      run: "click",
    },
    {
      content: "The drill-down lists that lead",
      trigger: ".o_list_view .o_data_row:contains('A opportunity 1')",
    },
    {
      content: "... and only that one",
      trigger: ".o_list_view:not(:has(.o_data_row:contains('A lead 2')))",
    },
    {
      content: "Back to the monitor",
      trigger:
        ".o_breadcrumb .o_back_button a, .breadcrumb-item a:contains('Campaign Monitor')",
      run: "click",
    },
    {
      content: "Open the campaign's own screen",
      trigger: ".o_cm_card .o_cm_open_campaign:contains('Spring Push')",
      run: "click",
    },
    {
      trigger: ".o_form_view .o_field_widget[name='title'] input",
    },
  ],
});

registry.category("web_tour.tours").add("campaign_reporting_vendor_portal", {
  url: "/my",
  steps: () => [
    {
      content: "The vendor's portal home links to its co-funded campaigns",
      trigger: "a[href='/my/cofunded_campaigns']",
      run: "click",
    },
    {
      content: "The campaign it co-funds, with its figures",
      trigger:
        ".o_cofunded_campaign[data-code='CR-A'] tr[data-kpi='leads'] .o_kpi_actual:contains('8')",
    },
    {
      content: "Its own funding line",
      trigger:
        ".o_cofunded_campaign[data-code='CR-A'] .o_cofunded_funding:contains('1000.00')",
    },
    {
      content: "No other vendor's campaign",
      trigger: "body:not(:has(.o_cofunded_campaign[data-code='CR-B']))",
    },
  ],
});
