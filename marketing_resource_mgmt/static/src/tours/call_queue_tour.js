/** @odoo-module **/
// A caller works three calls from the queue: each call screen shows the
// script, the caller records an outcome with the call's duration and goes
// on to the next call.
import {registry} from "@web/core/registry";

function workCall(callee, outcome, label, last) {
  return [
    {
      content: `The call screen is ${callee}'s`,
      trigger: `.o_mrm_call_screen .o_field_widget[name=partner_id]:contains(${callee})`,
    },
    {
      content: "The call screen shows the script",
      trigger:
        ".o_mrm_call_screen .o_field_widget[name=call_script]:contains(Tour script)",
    },
    {
      content: "Record the outcome",
      trigger: ".o_mrm_call_screen button[name=action_open_call_outcome]",
      run: "click",
    },
    {
      content: `Outcome: ${label}`,
      trigger: `.modal .o_field_widget[name=outcome] input[data-value=${outcome}]`,
      run: "click",
    },
    {
      content: "Duration of the call",
      trigger: ".modal .o_field_widget[name=duration] input",
      run: "edit 00:05",
    },
    {
      content: last ? "Save" : "Save and take the next call",
      trigger: last
        ? ".modal button[name=action_confirm]"
        : ".modal button[name=action_confirm_next]",
      run: "click",
    },
    {
      content: "The dialog is closed",
      trigger: "body:not(:has(.modal))",
    },
  ];
}

registry.category("web_tour.tours").add("mrm_call_queue_tour", {
  steps: () => [
    ...workCall("Callee 00", "no_answer", "No answer", false),
    ...workCall("Callee 01", "not_interested", "Not interested", false),
    ...workCall("Callee 02", "interested", "Interested", true),
    {
      content: "The last call shows its outcome",
      trigger:
        ".o_mrm_call_screen .o_field_widget[name=call_outcome]:contains(Interested)",
    },
  ],
});
