/** @odoo-module **/
// A marketer builds a two-step journey on a campaign: a mail to everyone who
// joins, then a call for those who did not open it after three days; starts
// it and runs it once; then (after the scheduler's passes) sees the counts of
// each step move.
import {registry} from "@web/core/registry";

function addStep(name, extra) {
  return [
    {
      content: "Add a step",
      trigger: "div[name=step_ids] .o_field_x2many_list_row_add a",
      run: "click",
    },
    {
      content: "Name the step",
      trigger: ".modal .o_field_widget[name=name] input",
      run: `edit ${name}`,
    },
    ...extra,
    {
      content: "Save the step",
      trigger: ".modal .o_form_button_save",
      run: "click",
    },
    {
      content: "The dialog is closed",
      trigger: "body:not(:has(.modal))",
    },
    {
      content: "Save the journey",
      trigger: ".o_form_button_save:enabled",
      run: "click",
    },
    {
      content: "Saved",
      trigger: ".o_form_saved",
    },
    {
      content: `The step ${name} is in the tree`,
      trigger: `div[name=step_ids] .o_data_row:contains(${name})`,
    },
  ];
}

function stepCount(name, column, count) {
  return {
    content: `${name}: ${column} ${count}`,
    trigger: `div[name=step_ids] .o_data_row:contains(${name}) td[name=${column}]:contains(${count})`,
  };
}

registry.category("web_tour.tours").add("mrm_journey_build_tour", {
  steps: () => [
    {
      content: "New journey",
      trigger: ".o_list_button_add",
      run: "click",
    },
    {
      content: "Name it",
      trigger: ".o_field_widget[name=name] input",
      run: "edit Welcome journey",
    },
    {
      content: "Its campaign",
      trigger: ".o_field_widget[name=campaign_id] input",
      run: "edit Journey tour",
    },
    {
      content: "Choose the campaign",
      trigger: ".o-autocomplete--dropdown-item:contains(Journey tour campaign)",
      run: "click",
    },
    {
      content: "Save",
      trigger: ".o_form_button_save:enabled",
      run: "click",
    },
    {
      content: "Saved: it can be started",
      trigger: ".o_form_saved button[name=action_start]",
    },
    ...addStep("Welcome mail", [
      {
        content: "Send the e-mail mailing",
        trigger: ".modal .o_field_widget[name=action] select",
        run: "selectByLabel Send the e-mail mailing",
      },
    ]),
    ...addStep("Call non-openers", [
      {
        content: "After the welcome mail",
        trigger: ".modal .o_field_widget[name=parent_id] input",
        run: "edit Welcome",
      },
      {
        content: "Choose it",
        trigger: ".o-autocomplete--dropdown-item:contains(Welcome mail)",
        run: "click",
      },
      {
        content: "When they did not react",
        trigger: ".modal .o_field_widget[name=trigger] select",
        run: "selectByLabel No reaction within N days",
      },
      {
        content: "... within three days",
        trigger: ".modal .o_field_widget[name=trigger_days] input",
        run: "edit 3",
      },
      {
        content: "Schedule a call",
        trigger: ".modal .o_field_widget[name=action] select",
        run: "selectByLabel Schedule a call",
      },
    ]),
    {
      content: "The call step is below the mail",
      trigger:
        "div[name=step_ids] .o_data_row:contains(Call non-openers) td[name=tree_name]:contains(└)",
    },
    {
      content: "Start",
      trigger: "button[name=action_start]",
      run: "click",
    },
    {
      content: "Run it now",
      trigger: "button[name=action_run_now]",
      run: "click",
    },
    stepCount("Welcome mail", "done_count", 3),
    stepCount("Call non-openers", "done_count", 0),
  ],
});

registry.category("web_tour.tours").add("mrm_journey_counts_tour", {
  steps: () => [
    stepCount("Welcome mail", "done_count", 3),
    stepCount("Call non-openers", "done_count", 2),
    {
      content: "Open the participants of the call step",
      trigger:
        "div[name=step_ids] .o_data_row:contains(Call non-openers) button[name=action_view_participants]",
      run: "click",
    },
    {
      content: "Two participants got a call",
      trigger: ".o_list_view .o_group_header:contains(Done):contains(2)",
    },
  ],
});
