/** @odoo-module **/
/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("campaign_reporting_dashboard_open", {
  url: "/odoo/dashboards",
  steps: () => [
    {
      content: "The Marketing group lists the Campaigns dashboard",
      trigger:
        ".o_spreadsheet_dashboard_search_panel .o_search_panel_category_value:contains('Campaigns')",
      run: "click",
    },
    {
      content: "It loads: its sheet is drawn",
      trigger:
        ".o_spreadsheet_dashboard_action .o_renderer .o-grid canvas, .o_spreadsheet_dashboard_action .dashboard-loading-status.error",
    },
    {
      content: "... without a loading error",
      trigger:
        ".o_spreadsheet_dashboard_action:not(:has(.dashboard-loading-status)) .o_renderer",
    },
    {
      content: "Its global filters: period, campaign type, owner, campaign",
      trigger: ".o-filter-value[title='Period (start date)']",
    },
    {
      trigger: ".o-filter-value[title='Owner']",
    },
    {
      trigger: ".o-filter-value[title='Campaign']",
    },
    {
      content: "Filter on the e-mail campaigns",
      trigger: ".o-filter-value[title='Campaign type'] select",
      run: "select email",
    },
    {
      content: "The filter is active and the dashboard still drawn",
      trigger: ".o-filter-value[title='Campaign type'] .o_side_panel_filter_icon",
    },
    {
      trigger:
        ".o_spreadsheet_dashboard_action:not(:has(.dashboard-loading-status)) .o_renderer .o-grid canvas",
    },
  ],
});
