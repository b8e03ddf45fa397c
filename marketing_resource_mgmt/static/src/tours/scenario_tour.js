/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Runs a draft scenario, compares it with a second (solved) one side by side,
// then applies it: the campaign's members are generated.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("mrm_scenario_tour", {
  steps: () => [
    {
      content: "A draft scenario",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains(Draft)",
    },
    {
      content: "Run it",
      trigger: ".o_form_view button[name=action_run]",
      run: "click",
    },
    {
      content: "Solved, with its expected results",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains(Solved)",
    },
    {
      content: "Open the constraints",
      trigger: ".o_notebook a.nav-link:contains(Constraints)",
      run: "click",
    },
    {
      content: "The binding constraint and its shadow price",
      trigger: ".o_field_widget[name=constraint_ids] td:contains(is worth)",
    },
    {
      content: "Compare with the other scenario",
      trigger: ".o_form_view button[name=action_compare]",
      run: "click",
    },
    {
      content: "Both side by side",
      trigger: ".modal .o_mrm_scenario_compare th:contains(Tour wide plan)",
    },
    {
      trigger: ".modal .o_mrm_scenario_compare tr.o_mrm_compare_expected_profit",
    },
    {
      content: "Apply the first (the one just run)",
      trigger: ".modal .o_mrm_apply_a",
      run: "click",
    },
    {
      content: "Applied",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains(Applied)",
    },
  ],
});

// The contact form's next best action: the offer, its reason, accepted.
registry.category("web_tour.tours").add("mrm_next_best_action_tour", {
  steps: () => [
    {
      content: "Open the next best action tab",
      trigger: ".o_notebook a.nav-link:contains(Next best action)",
      run: "click",
    },
    {
      content: "The offer for this person, with its expected value",
      trigger: ".o_mrm_nba_row:contains(Tour upgrade):contains(Tour offers)",
    },
    {
      content: "The person accepts",
      trigger: ".o_mrm_nba_row:contains(Tour upgrade) .o_mrm_nba_accept",
      run: "click",
    },
    {
      content: "Answered: no offer of that campaign any more",
      trigger: ".o_mrm_nba_empty",
    },
  ],
});

registry.category("web_tour.tours").add("mrm_lead_next_best_action_tour", {
  steps: () => [
    {
      content: "Open the lead's next best action tab",
      trigger: ".o_notebook a.nav-link:contains(Next best action)",
      run: "click",
    },
    {
      content: "The best offer first, with its campaign",
      trigger:
        ".o_mrm_nba_table tbody tr.o_mrm_nba_row:first-child:contains(Tour upgrade):contains(Tour offers)",
    },
    {
      content: "The second offer below it",
      trigger:
        ".o_mrm_nba_table tbody tr.o_mrm_nba_row:nth-child(2):contains(Tour service check)",
    },
    {
      content: "The person accepts the second offer",
      trigger: ".o_mrm_nba_row:contains(Tour service check) .o_mrm_nba_accept",
      run: "click",
    },
    {
      content: "Answered: no offer of that campaign any more",
      trigger: ".o_mrm_nba_empty",
    },
  ],
});
