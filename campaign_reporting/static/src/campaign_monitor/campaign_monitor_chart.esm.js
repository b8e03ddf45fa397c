/** @odoo-module **/
/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {Component, onWillStart, onWillUnmount, useEffect, useRef} from "@odoo/owl";
import {loadBundle} from "@web/core/assets";

/**
 * A Chart.js chart, loaded and drawn as Odoo's graph view does (the
 * "web.chartjs_lib" bundle, loaded once, on demand). Redrawn when its
 * config changes.
 */
export class CampaignMonitorChart extends Component {
  static template = "campaign_reporting.CampaignMonitorChart";
  static props = {
    config: Object,
    name: String,
    height: {type: Number, optional: true},
  };

  setup() {
    this.canvasRef = useRef("canvas");
    this.chart = null;
    onWillStart(() => loadBundle("web.chartjs_lib"));
    useEffect(
      () => {
        this.renderChart();
      },
      () => [this.props.config]
    );
    onWillUnmount(() => {
      if (this.chart) {
        this.chart.destroy();
      }
    });
  }

  renderChart() {
    if (this.chart) {
      this.chart.destroy();
    }
    // Chart is the global of web.chartjs_lib
    // eslint-disable-next-line no-undef
    this.chart = new Chart(this.canvasRef.el, this.props.config);
    this.canvasRef.el.dataset.rendered = "1";
  }
}
