/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// The campaigns as a kanban by phase, then the campaign's task calendar.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("mrm_campaign_kanban_tour", {
  steps: () => [
    {
      content: "Switch to the kanban",
      trigger: ".o_switch_view.o_kanban",
      run: "click",
    },
    {
      content: "The Outline column holds the campaign in its first phase",
      trigger:
        ".o_kanban_group:has(.o_column_title:contains(Outline)) .o_kanban_record:contains(Kanban Outline campaign)",
    },
    {
      content: "The Team and tasks column the one moved on",
      trigger:
        ".o_kanban_group:has(.o_column_title:contains(Team and tasks)) .o_kanban_record:contains(Kanban Team campaign)",
    },
    {
      content: "... and not the other",
      trigger:
        ".o_kanban_group:has(.o_column_title:contains(Team and tasks)):not(:has(.o_kanban_record:contains(Kanban Outline campaign)))",
    },
    {
      content: "Open the campaign",
      trigger: ".o_kanban_record:contains(Kanban Team campaign)",
      run: "click",
    },
    {
      content: "The campaign's form (more buttons may sit under More)",
      trigger: ".o_form_view .o-form-buttonbox",
      run() {
        const more = document.querySelector(".o-form-buttonbox .o_button_more");
        if (more && !document.querySelector("button[name=action_view_task_calendar]")) {
          more.click();
        }
      },
    },
    {
      content: "Its tasks in the project's calendar",
      trigger: "button[name=action_view_task_calendar]",
      run: "click",
    },
    {
      trigger: ".o_calendar_view",
    },
  ],
});
