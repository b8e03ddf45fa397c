/** @odoo-module **/
/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

/** The spreadsheet model of the open dashboard (found in the web client's
 * component tree: the dashboard action keeps it in its state). */
function dashboardModel() {
  const stack = [odoo.__WOWL_DEBUG__.root.__owl__];
  while (stack.length) {
    const node = stack.pop();
    const model = node.component?.state?.activeDashboard?.model;
    if (model) {
      return model;
    }
    stack.push(...Object.values(node.children || {}));
  }
  return null;
}

/**
 * Every cell of the dashboard's sheets once its pivots are loaded: none
 * shows an error (#DIV/0!, #ERROR, ...); a campaign without known costs
 * reads "n/a" in the ROI column.
 */
async function checkNoErrorCell() {
  const model = dashboardModel();
  if (!model) {
    throw new Error("The dashboard's spreadsheet model was not found");
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const cells = model.getters
      .getSheetIds()
      .flatMap((sheetId) => model.getters.getEvaluatedCells(sheetId));
    const loading = cells.some((cell) => String(cell.value).startsWith("Loading"));
    if (!loading) {
      const errors = cells.filter((cell) => cell.type === "error");
      if (errors.length) {
        throw new Error(
          "Cells in error: " +
            errors.map((cell) => `${cell.value} ${cell.message || ""}`)
        );
      }
      const sheetId = model.getters.getSheetIds()[0];
      const roi = [];
      for (let row = 24; row < 48; row++) {
        roi.push(model.getters.getEvaluatedCell({sheetId, col: 6, row}).value);
      }
      if (!roi.includes("n/a")) {
        throw new Error("No ROI reads n/a: " + JSON.stringify(roi));
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("The dashboard's pivots did not load");
}

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
      content: "No cell shows an error; unknown ROI reads n/a",
      trigger:
        ".o_spreadsheet_dashboard_action:not(:has(.dashboard-loading-status)) .o_renderer",
      run: () => checkNoErrorCell(),
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
