/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Builds a segment with a fuzzy criterion, watches the live count change,
// previews it and finds it in the Campaign Library.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("marketing_segment_tour", {
  url: "/odoo/action-marketing_resource_mgmt.action_marketing_segment",
  steps: () => [
    {
      content: "Create a segment",
      trigger: ".o_list_button_add",
      run: "click",
    },
    {
      content: "Name it",
      trigger: ".o_field_widget[name=name] input",
      run: "edit Tour South Yorkshire",
    },
    {
      content: "Add a criterion line",
      trigger: ".o_field_widget[name=criterion_ids] .o_field_x2many_list_row_add a",
      run: "click",
    },
    {
      content: "On the reference of the contact",
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=field_name] input",
      run: "edit ref",
    },
    {
      content: "Normalised value",
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=value] input",
      run: "edit tour-mrm",
    },
    {
      content: "Leave the line",
      trigger: ".o_field_widget[name=name] input",
      run: "click",
    },
    {
      content: "The live count shows the six tour contacts",
      trigger: ".o_field_widget[name=partner_count]:contains(/^\\s*6\\s*$/)",
    },
    {
      content: "Add a fuzzy criterion",
      trigger: ".o_field_widget[name=criterion_ids] .o_field_x2many_list_row_add a",
      run: "click",
    },
    {
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=field_name] input",
      run: "edit mrm_county",
    },
    {
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=operator] select",
      run: "selectByLabel is similar to",
    },
    {
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=value] input",
      run: "edit South Yorkshire",
    },
    {
      content: "Leave the line",
      trigger: ".o_field_widget[name=name] input",
      run: "click",
    },
    {
      content: "The live count drops to the three South Yorkshire spellings",
      trigger: ".o_field_widget[name=partner_count]:contains(/^\\s*3\\s*$/)",
    },
    {
      content: "Preview (saves the segment)",
      trigger: "button[name=action_preview]",
      run: "click",
    },
    {
      content: "The preview lists three contacts with the matcher",
      trigger:
        ".modal .o_mrm_preview_lines .o_data_row:nth-child(3):contains(trigram similarity)",
    },
    {
      trigger: ".modal .o_mrm_preview_lines:not(:has(.o_data_row:nth-child(4)))",
    },
    {
      content: "Close the preview",
      trigger: ".modal-footer button.btn-primary",
      run: "click",
    },
    {
      content: "Back to the Campaign Library",
      trigger: ".o_breadcrumb .breadcrumb-item a:contains(Segments)",
      run: "click",
    },
    {
      content: "The segment is in the library",
      trigger: ".o_list_view .o_data_row td:contains(Tour South Yorkshire)",
    },
  ],
});
