/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";

// The "working…" box of a long action (crm_lead_routing/progress.py). Under
// tests the bus messages stay in the test's transaction: the test hands the
// payloads the server sent over a system parameter, and the tour gives them
// to the box's bus handler, one by one.
let payloads = [];

function receive(payload) {
  odoo.__WOWL_DEBUG__.root.env.services.mrm_action_progress.receive(payload);
}

registry.category("web_tour.tours").add("crm_lead_routing_progress_tour", {
  url: "/odoo",
  steps: () => [
    {
      content: "The action's first step arrives",
      trigger: ".o_main_navbar",
      async run() {
        payloads = JSON.parse(
          await rpc("/web/dataset/call_kw/ir.config_parameter/get_param", {
            model: "ir.config_parameter",
            method: "get_param",
            args: ["crm_lead_routing.tour_progress_payloads"],
            kwargs: {},
          })
        );
        receive(payloads[0]);
      },
    },
    {
      content: "Working…: the action, its step and its bar",
      trigger:
        ".o_mrm_action_progress:contains('Routing the waiting leads'):contains('0 / 1') .progress",
    },
    {
      content: "The action ends",
      trigger: ".o_mrm_action_progress_step:contains('Matching the rules')",
      run: () => receive(payloads[1]),
    },
    {
      content: "The box is gone",
      trigger: "body:not(:has(.o_mrm_action_progress))",
    },
  ],
});
