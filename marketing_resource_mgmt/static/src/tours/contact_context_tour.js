/** @odoo-module **/
// A contact in a live campaign: the form shows the smart button and, in the
// Marketing tab, the membership with its channel, state and next step.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("mrm_contact_context_tour", {
  steps: () => [
    {
      content: "The smart button counts the live campaigns",
      trigger: ".o_form_view button.o_mrm_campaign_button:contains(1)",
    },
    {
      content: "Open the Marketing tab",
      trigger: ".o_notebook a[name=mrm_marketing]",
      run: "click",
    },
    {
      content: "The campaign membership is listed",
      trigger:
        ".o_mrm_live_campaigns .o_data_row:contains(Context campaign):contains(E-mail)",
    },
    {
      content: "Open the memberships from the smart button",
      trigger: ".o_form_view button.o_mrm_campaign_button",
      run: "click",
    },
    {
      content: "The members list shows the campaign",
      trigger: ".o_list_view .o_data_row:contains(Context campaign)",
    },
  ],
});
