/** @odoo-module **/
// Answers a campaign on the portal page: call me back, at a preferred time.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("mrm_campaign_answer_tour", {
  steps: () => [
    {
      content: "The page shows the campaign and the answers",
      trigger: ".o_campaign_answer .o_campaign_code",
    },
    {
      content: "Choose: call me back",
      trigger: "#answer_callback",
      run: "click",
    },
    {
      content: "Give a preferred time",
      trigger: "input[name=callback_time]",
      run: "edit Thursday after 2pm",
    },
    {
      content: "Send the answer",
      trigger: ".o_campaign_answer_submit",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The answer is confirmed",
      trigger: ".o_campaign_answer_done:contains(call you back)",
    },
  ],
});
