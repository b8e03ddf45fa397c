/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Closes a running campaign (with a confirmation), then a member unsubscribes
// through the answer link mailed before the close.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("mrm_campaign_close_tour", {
  steps: () => [
    {
      content: "The campaign runs its first phase",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains(Outline)",
    },
    {
      content: "Close the campaign",
      trigger: ".o_form_view button[name=action_close]",
      run: "click",
    },
    {
      content: "Asked to confirm",
      trigger: ".modal:contains(Close the campaign?) .modal-footer .btn-primary",
      run: "click",
    },
    {
      content: "The status bar shows the campaign closed, not its old phase",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains(Closed)",
    },
    {
      trigger: ".o_statusbar_status:not(:contains(Outline))",
    },
  ],
});

registry.category("web_tour.tours").add("mrm_campaign_ended_unsubscribe_tour", {
  steps: () => [
    {
      content: "The old link says the campaign has ended",
      trigger: ".o_campaign_answer_ended:contains(has now ended)",
    },
    {
      content: "No answer but unsubscribing is offered",
      trigger: ".o_campaign_answer_ended:not(:has(#answer_interested))",
    },
    {
      content: "Unsubscribe",
      trigger: ".o_campaign_unsubscribe",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Unsubscribed",
      trigger: ".o_campaign_answer_done:contains(You are unsubscribed)",
    },
  ],
});
