/** @odoo-module **/
/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {_t} from "@web/core/l10n/translation";
import publicWidget from "@web/legacy/js/public/public_widget";

/**
 * The vendor's new feed token on the portal: a button copies it.
 */
publicWidget.registry.CampaignVendorToken = publicWidget.Widget.extend({
  selector: ".o_vendor_new_token",
  events: {"click .o_vendor_token_copy": "_onCopy"},

  async _onCopy() {
    const input = this.el.querySelector(".o_vendor_token_value");
    const button = this.el.querySelector(".o_vendor_token_copy");
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      // not a secure context: the selected text is copied the old way
      document.execCommand("copy");
    }
    button.textContent = _t("Copied");
    button.classList.add("o_copied");
  },
});
