/** @odoo-module **/
// Runs a campaign from the six-step template: start, phase gates (manager
// override with a reason), audience generation, on to measurement.
import {registry} from "@web/core/registry";

function overrideGate(reason, nextPhase) {
  return [
    {
      content: "Override the phase gate",
      trigger: ".o_form_view button[name=action_override_phase]",
      run: "click",
    },
    {
      content: "Say why",
      trigger: ".modal div[name=reason] textarea",
      run: `edit ${reason}`,
    },
    {
      content: "Close the phase",
      trigger: ".modal button[name=action_confirm]",
      run: "click",
    },
    {
      // the current phase, shown on the status bar or folded into its
      // dropdown when the header's buttons leave it little room
      content: `Now in ${nextPhase}`,
      trigger: `.o_statusbar_status .o_arrow_button_current:contains(${nextPhase}):not(:visible), .o_statusbar_status .o_arrow_button_current:contains(${nextPhase})`,
    },
  ];
}

registry.category("web_tour.tours").add("mrm_campaign_controller_tour", {
  steps: () => [
    {
      content: "Start the campaign from its template",
      trigger: ".o_form_view button[name=action_start]",
      run: "click",
    },
    {
      content: "The first phase is current",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains(Outline)",
    },
    ...overrideGate("Outline agreed in the kick-off", "Team and tasks"),
    ...overrideGate("Team briefed", "Selection and generation"),
    {
      content: "Open the audience tab",
      trigger: ".o_notebook a[name=audience]",
      run: "click",
    },
    {
      content: "Generate the audience",
      trigger: ".o_form_view button[name=action_generate]",
      run: "click",
    },
    {
      content: "The generation result is shown",
      trigger: ".o_field_widget[name=generation_state]:contains(Generated)",
    },
    ...overrideGate("Lists generated", "Launch"),
    ...overrideGate("Launched", "Measurement"),
  ],
});
