/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {Component, onWillDestroy, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";
import {useService} from "@web/core/utils/hooks";

// the bus notification the import sends after each batch of rows
// (marketing.segment.import._send_progress)
export const PROGRESS_TYPE = "marketing_segment_import_progress";

/**
 * The contact import's progress bar: shown in the import dialog while the
 * server imports a large file (its own transaction is still open, so the
 * progress comes over the bus, sent from a cursor of its own).
 */
export class SegmentImportProgress extends Component {
  static template = "marketing_resource_mgmt.SegmentImportProgress";
  static props = {...standardWidgetProps};

  setup() {
    this.state = useState({done: 0, total: 0, step: ""});
    this.busService = useService("bus_service");
    this.onProgress = (payload) => {
      if (payload.wizard_id === this.props.record.resId) {
        Object.assign(this.state, payload);
      }
    };
    this.busService.subscribe(PROGRESS_TYPE, this.onProgress);
    this.busService.start();
    onWillDestroy(() => this.busService.unsubscribe(PROGRESS_TYPE, this.onProgress));
  }

  get visible() {
    return this.state.total > 0 && this.props.record.data.state !== "done";
  }

  get percent() {
    if (!this.state.total) {
      return 0;
    }
    return Math.min(100, Math.round((100 * this.state.done) / this.state.total));
  }
}

registry.category("view_widgets").add("mrm_import_progress", {
  component: SegmentImportProgress,
});
