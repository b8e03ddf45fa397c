/** @odoo-module **/
import {registry} from "@web/core/registry";

// A second salesperson claims a lead from a pool (made by the manager's tour)
// and reads why it came to them.
registry.category("web_tour.tours").add("crm_lead_routing_claim_tour", {
  url: "/odoo/action-crm_lead_routing.crm_lead_action_pool",
  steps: () => [
    {
      content: "Open the pool lead",
      trigger: ".o_data_row .o_data_cell:contains('Tour pool lead')",
      run: "click",
    },
    {
      content: "Claim it",
      trigger: ".o_form_view button[name='action_claim']",
      run: "click",
    },
    {
      content: "The claim is confirmed",
      trigger: ".o_notification:contains('You claimed the lead Tour pool lead')",
    },
    {
      content: "The lead reloads as the claimer's: nothing left to claim",
      trigger: ".o_form_view:not(:has(button[name='action_claim']))",
    },
    {
      content: "Open the routing tab",
      trigger: ".o_notebook a[name='routing']",
      run: "click",
    },
    {
      content: "The explanation says who claimed it from which pool",
      trigger:
        ".o_routing_explanation:contains('Claimed by Tour Claimer from the pool of')",
    },
  ],
});

// The routing manager creates a rule with a pool.
registry.category("web_tour.tours").add("crm_lead_routing_rule_tour", {
  url: "/odoo/action-crm_lead_routing.crm_routing_rule_action",
  steps: () => [
    {
      content: "New rule",
      trigger: ".o_list_button_add",
      run: "click",
    },
    {
      content: "Name it",
      trigger: ".o_field_widget[name='name'] input",
      run: "edit Tour pool",
    },
    {
      content: "Pool strategy",
      trigger: ".o_field_widget[name='strategy'] select",
      run: 'select "pool"',
    },
    {
      content: "Add an assignee",
      trigger: ".o_field_widget[name='assignee_ids'] .o_field_x2many_list_row_add a",
      run: "click",
    },
    {
      content: "Choose the claimer",
      trigger:
        ".o_field_widget[name='assignee_ids'] .o_field_widget[name='user_id'] input",
      run: "edit Tour Claimer",
    },
    {
      content: "Pick the user",
      trigger: "ul.ui-autocomplete a:contains('Tour Claimer')",
      run: "click",
    },
    {
      content: "Save",
      trigger: ".o_form_button_save",
      run: "click",
    },
    {
      content: "Saved",
      trigger: ".o_form_readonly, .o_form_saved",
    },
  ],
});
