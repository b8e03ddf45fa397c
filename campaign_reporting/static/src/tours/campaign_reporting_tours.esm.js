/** @odoo-module **/
/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {download} from "@web/core/network/download";
import {registry} from "@web/core/registry";

/**
 * Let the next report download go to the server as the web client sends it,
 * with Odoo's test flag force_report_rendering (without it Odoo answers
 * HTML under tests), and mark the body with the first bytes received.
 */
function catchNextDownload() {
  const original = download._download;
  download._download = async (options) => {
    download._download = original;
    const body = new FormData();
    body.append("csrf_token", odoo.csrf_token);
    body.append("data", options.data.data);
    const context = JSON.parse(options.data.context || "{}");
    body.append("context", JSON.stringify({...context, force_report_rendering: true}));
    const response = await fetch(options.url, {method: "POST", body});
    const head = new Uint8Array(await response.arrayBuffer()).slice(0, 5);
    document.body.dataset.mrmDownloaded = [
      response.headers.get("Content-Type"),
      String.fromCharCode(...head),
    ].join(" ");
  };
}

registry.category("web_tour.tours").add("campaign_reporting_monitor", {
  url: "/odoo/action-campaign_reporting.campaign_monitor_action",
  steps: () => [
    {
      content: "The monitor shows the campaigns as cards",
      trigger: ".o_cm_card .o_cm_open_campaign:contains('Spring Push')",
    },
    {
      content: "The funnel, responses over time and cost vs revenue charts are drawn",
      trigger: ".o_cm_funnel .o_cm_chart_funnel canvas[data-rendered='1']",
    },
    {
      trigger: ".o_cm_funnel .o_cm_funnel_step[data-kpi='leads']",
    },
    {
      trigger: ".o_cm_timeline .o_cm_chart_timeline canvas[data-rendered='1']",
    },
    {
      trigger: ".o_cm_cost_revenue .o_cm_chart_cost_revenue canvas[data-rendered='1']",
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
        ".o_cofunded_campaign[data-code='CR-A'] .o_cofunded_funding:contains('1,000.00')",
    },
    {
      content: "No other vendor's campaign",
      trigger: "body:not(:has(.o_cofunded_campaign[data-code='CR-B']))",
    },
  ],
});

/**
 * Fetch a URL of the vendor feed and fail the tour unless it is the
 * campaign's XML status.
 */
async function expectFeed(url, headers) {
  const response = await fetch(url, {headers: headers || {}});
  const body = await response.text();
  if (response.status !== 200 || !body.includes("<campaignStatus")) {
    throw new Error(`The feed ${url} answered ${response.status}: ${body}`);
  }
}

registry.category("web_tour.tours").add("campaign_reporting_vendor_feed", {
  url: "/my",
  steps: () => [
    {
      content: "The portal tile of the co-funded campaigns has its icon",
      trigger:
        "a[href='/my/cofunded_campaigns'] .o_portal_icon img[src$='cofunded_campaigns.svg']",
    },
    {
      trigger: "a[href='/my/cofunded_campaigns']",
      run: "click",
    },
    {
      content: "States are labels, money is formatted",
      trigger:
        ".o_cofunded_campaign[data-code='CR-A'] .o_cofunded_state:contains('Running')",
    },
    {
      trigger:
        ".o_cofunded_campaign[data-code='CR-A'] .o_cofunded_funding_state:contains('Committed')",
    },
    {
      content: "The campaign's feed link works while logged in",
      trigger: ".o_cofunded_campaign[data-code='CR-A'] a.o_vendor_feed_link",
      async run() {
        await expectFeed(this.anchor.getAttribute("href"));
      },
    },
    {
      content: "Get a token for the vendor's own systems",
      trigger: "button.o_vendor_get_token:contains('Get a feed token')",
      run: "click",
    },
    {
      content: "The token is shown once, with a copy button",
      trigger: ".o_vendor_new_token .o_vendor_token_copy",
      run: "click",
    },
    {
      trigger: ".o_vendor_new_token .o_vendor_token_copy.o_copied",
    },
    {
      content: "The token opens the feed without the session",
      trigger: ".o_vendor_new_token input.o_vendor_token_value",
      async run() {
        const token = this.anchor.value;
        const url = "/campaign_reporting/vendor/feed/CR-A.xml";
        const response = await fetch(url, {
          credentials: "omit",
          headers: {"X-Vendor-Token": token},
        });
        const body = await response.text();
        if (response.status !== 200 || !body.includes("<campaignStatus")) {
          throw new Error(`The token was refused: ${response.status} ${body}`);
        }
      },
    },
    {
      content: "The button now replaces the token",
      trigger: "button.o_vendor_get_token:contains('Replace my feed token')",
    },
  ],
});

registry.category("web_tour.tours").add("campaign_reporting_finance_names", {
  url: "/odoo/action-campaign_reporting.campaign_kpi_action_finance",
  steps: () => [
    {
      content: "The campaign's whole name is shown, never cut",
      trigger:
        ".o_list_view td[name='campaign_id']:contains('Spring Push for the Northern Regional Distributors')",
      run() {
        const cell = this.anchor;
        if (cell.scrollWidth > cell.clientWidth + 1) {
          throw new Error(
            `The campaign name is cut: ${cell.scrollWidth} > ${cell.clientWidth}`
          );
        }
      },
    },
  ],
});

registry.category("web_tour.tours").add("campaign_reporting_monitor_signals", {
  url: "/odoo/action-campaign_reporting.campaign_monitor_action",
  steps: () => [
    {
      content: "Only controlled campaigns by default: no plain UTM campaign",
      trigger: ".o_cm_card .o_cm_open_campaign:contains('Spring Push')",
    },
    {
      trigger: "body:not(:has(.o_cm_card:contains('Newsletter (plain)')))",
    },
    {
      content: "A campaign before its start is 'Not started'",
      trigger:
        ".o_cm_card:contains('Winter Launch') .o_cm_signal:contains('Not started')",
    },
    {
      content: "A fully funded campaign shows its return as an amount",
      trigger: ".o_cm_card:contains('Spring Push') .o_cm_roi:contains('Fully funded')",
    },
    {
      content: "An unknown cost is 'n/a', with nothing to click",
      trigger:
        ".o_cm_card:contains('Autumn Fair') tr[data-kpi='cost_total'] .o_cm_unknown:contains('n/a')",
    },
    {
      trigger:
        ".o_cm_card:contains('Autumn Fair'):not(:has(a.o_cm_drill[data-kpi='cost_total']))",
    },
    {
      content: "All UTM campaigns on request",
      trigger: "select.o_cm_filter_scope",
      run: "select all",
    },
    {
      trigger: ".o_cm_card .o_cm_open_campaign:contains('Newsletter (plain)')",
    },
  ],
});

registry.category("web_tour.tours").add("campaign_reporting_print_review", {
  steps: () => [
    {
      content: "The campaign's form",
      trigger: ".o_form_view .o_field_widget[name='title'] input",
    },
    {
      content: "Catch the download the print will start",
      trigger: ".o_form_view .o_form_statusbar button[name='action_print_review']",
      run: () => catchNextDownload(),
    },
    {
      content: "Print its review",
      trigger: ".o_form_view .o_form_statusbar button[name='action_print_review']",
      run: "click",
    },
    {
      content: "The browser downloads the review as a PDF (wkhtmltopdf)",
      trigger: "body[data-mrm-downloaded='application/pdf %PDF-']",
    },
  ],
});
