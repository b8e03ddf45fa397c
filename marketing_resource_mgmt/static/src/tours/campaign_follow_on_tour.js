/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// A marketer creates a follow-on campaign for the non-responders of a
// campaign: the wizard counts the members of each subset, the new campaign
// opens with them.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("mrm_campaign_follow_on_tour", {
  steps: () => [
    {
      content: "Create a follow-on from the campaign",
      trigger: ".o_form_view button[name=action_create_follow_on]",
      run: "click",
    },
    {
      content: "Two non-responders to copy",
      trigger: ".modal div[name=member_count]:contains(2)",
    },
    {
      content: "Openers who did not click instead",
      trigger: ".modal div[name=subset] input[data-value=openers_no_click]",
      run: "click",
    },
    {
      content: "One of them",
      trigger: ".modal div[name=member_count]:contains(1)",
    },
    {
      content: "Back to the non-responders",
      trigger: ".modal div[name=subset] input[data-value=non_responders]",
      run: "click",
    },
    {
      trigger: ".modal div[name=member_count]:contains(2)",
    },
    {
      content: "Name the follow-on",
      trigger: ".modal div[name=title] input",
      run: "edit Tour reminder",
    },
    {
      content: "Create it",
      trigger: ".modal-footer button[name=action_create]",
      run: "click",
    },
    {
      content: "The follow-on campaign opens",
      trigger: ".o_breadcrumb .active:contains(Tour reminder)",
    },
    {
      content: "with the two members",
      trigger: ".o_form_view button[name=action_view_members]:contains(2)",
    },
  ],
});
