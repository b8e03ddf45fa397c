/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Creates a campaign from an empty form: the template fills in its channels
// and targets as soon as it is picked, and the campaign saves.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("mrm_campaign_new_tour", {
  url: "/odoo/action-marketing_resource_mgmt.action_utm_campaign_controller",
  steps: () => [
    {
      content: "Create a campaign",
      trigger: ".o_list_button_add",
      run: "click",
    },
    {
      content: "Name it",
      trigger: ".o_field_widget[name=title] input",
      run: "edit Tour new campaign",
    },
    {
      content: "Targets start empty",
      trigger: ".o_field_widget[name=target_members] input:value(0)",
    },
    {
      content: "Pick the six-step template",
      trigger: ".o_field_widget[name=template_id] input",
      run: "edit Six-step",
    },
    {
      trigger:
        ".o_field_widget[name=template_id] .dropdown-item:contains(Six-step campaign)",
      run: "click",
    },
    {
      content: "The template's targets are filled in",
      trigger: ".o_field_widget[name=target_members] input:value(500)",
    },
    {
      trigger: ".o_field_widget[name=target_leads] input:value(40)",
    },
    {
      content: "Start date",
      trigger: ".o_field_widget[name=date_start] input",
      run: "edit 04/01/2026",
    },
    {
      content: "End date",
      trigger: ".o_field_widget[name=date_end] input",
      run: "edit 06/30/2026",
    },
    {
      content: "Open the audience tab",
      trigger: ".o_notebook a[name=audience]",
      run: "click",
    },
    {
      content: "The template's channels are on: calls too",
      trigger: ".o_field_widget[name=use_call] input:checked",
    },
    {
      trigger: ".o_field_widget[name=use_mail] input:checked",
    },
    {
      content: "Save",
      trigger: ".o_form_button_save",
      run: "click",
    },
    {
      content: "Saved: the campaign has its code",
      trigger: ".o_form_saved .o_field_widget[name=code]:contains(/\\S/)",
    },
    {
      content: "Ready to start from its template",
      trigger: ".o_form_view button[name=action_start]",
    },
  ],
});
