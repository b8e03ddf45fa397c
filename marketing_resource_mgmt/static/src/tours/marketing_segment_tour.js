/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Builds a segment with criteria whose fields are picked by their labels in
// Odoo's field selector (one through a relation: Country > Country Name),
// watches the live count change, previews it and finds it in the Campaign
// Library with its contact count.
import {registry} from "@web/core/registry";

/**
 * Steps picking the selected criterion line's field by its label in Odoo's
 * field selector (no technical name typed).
 */
function pickField(what, label, name) {
  return [
    {
      content: `Open the field selector for ${what}`,
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=field_name] .o_model_field_selector",
      run: "click",
    },
    {
      trigger: ".o_model_field_selector_popover_search input",
      run: `edit ${label}`,
    },
    {
      content: `Pick "${label}"`,
      trigger: `.o_model_field_selector_popover_item[data-name=${name}] .o_model_field_selector_popover_item_name:contains(${label})`,
      run: "click",
    },
    {
      trigger: `.o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=field_name] .o_model_field_selector_chain_part:contains(${label})`,
    },
  ];
}

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
    ...pickField("the contact's reference", "Reference", "ref"),
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
    ...pickField("the county as written in the source", "County", "mrm_county"),
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
      content: "A criterion through a relation: Country > Country Name",
      trigger: ".o_field_widget[name=criterion_ids] .o_field_x2many_list_row_add a",
      run: "click",
    },
    {
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=field_name] .o_model_field_selector",
      run: "click",
    },
    {
      trigger: ".o_model_field_selector_popover_search input",
      run: "edit Country",
    },
    {
      content: "Open the Country relation by its arrow",
      trigger:
        ".o_model_field_selector_popover_item[data-name=country_id]:contains(Country) .o_model_field_selector_popover_item_relation",
      run: "click",
    },
    {
      trigger: ".o_model_field_selector_popover_title:contains(Country)",
    },
    {
      trigger: ".o_model_field_selector_popover_search input",
      run: "edit Country Name",
    },
    {
      content: "Pick the country's name by its label",
      trigger:
        ".o_model_field_selector_popover_item[data-name=name] .o_model_field_selector_popover_item_name:contains(Country Name)",
      run: "click",
    },
    {
      content: "The line shows the path by its labels",
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=field_name] .o_model_field_selector_chain_part:contains(Country Name)",
    },
    {
      trigger:
        ".o_field_widget[name=criterion_ids] .o_selected_row .o_field_widget[name=value] input",
      run: "edit United Kingdom",
    },
    {
      content: "Leave the line",
      trigger: ".o_field_widget[name=name] input",
      run: "click",
    },
    {
      content: "The Irish South Yorkshire contact is out: two left",
      trigger: ".o_field_widget[name=partner_count]:contains(/^\\s*2\\s*$/)",
    },
    {
      content: "The advanced filter does not contradict the count",
      trigger:
        ".o_notebook a[name=domain], .o_notebook .nav-link:contains(Advanced filter)",
      run: "click",
    },
    {
      trigger: ".o_mrm_domain_help",
    },
    {
      trigger:
        ".o_mrm_segment_domain:not(:has(.o_domain_show_selection_button:visible))",
    },
    {
      content: "Preview (saves the segment)",
      trigger: "button[name=action_preview]",
      run: "click",
    },
    {
      content: "The preview is titled after the segment, not 'Odoo'",
      trigger: ".modal .modal-title:contains(Preview of Tour South Yorkshire)",
    },
    {
      content: "The preview lists two contacts with the matcher",
      trigger:
        ".modal .o_mrm_preview_lines .o_data_row:nth-child(2):contains(trigram similarity)",
    },
    {
      trigger: ".modal .o_mrm_preview_lines:not(:has(.o_data_row:nth-child(3)))",
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
      content: "The segment is in the library, with its contact count",
      trigger:
        ".o_list_view .o_data_row:contains(Tour South Yorkshire) td[name=contact_count]:contains(2)",
    },
  ],
});
