/** @odoo-module **/
/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {Component, onWillStart, useState} from "@odoo/owl";
import {CampaignMonitorChart} from "./campaign_monitor_chart.esm";
import {_t} from "@web/core/l10n/translation";
import {getColor} from "@web/core/colors/colors";
import {formatFloat, formatMonetary} from "@web/views/fields/formatters";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

export const KPI_LABELS = {
  members_targeted: _t("Targeted"),
  members_contacted: _t("Contacted"),
  members_opened: _t("Opened"),
  members_clicked: _t("Clicked"),
  members_responded: _t("Responded"),
  members_unsubscribed: _t("Unsubscribed"),
  members_bounced: _t("Bounced"),
  leads: _t("Leads"),
  opportunities: _t("Opportunities"),
  won: _t("Won"),
  lost: _t("Lost"),
  quotations: _t("Quotations"),
  orders: _t("Orders"),
  revenue: _t("Revenue"),
  cost_total: _t("Cost"),
};

export const SIGNAL_LABELS = {
  on_track: _t("On track"),
  at_risk: _t("At risk"),
  off_track: _t("Off track"),
  not_started: _t("Not started"),
  none: _t("No target"),
};

export const ROI_LABELS = {
  fully_funded: _t("Fully funded"),
  no_cost: _t("No cost yet"),
};

const FUNNEL_STEPS = [
  "members_targeted",
  "members_contacted",
  "members_opened",
  "members_clicked",
  "members_responded",
  "leads",
  "opportunities",
  "won",
  "orders",
];

export class CampaignMonitor extends Component {
  static template = "campaign_reporting.CampaignMonitor";
  static props = ["*"];
  static components = {CampaignMonitorChart};

  setup() {
    this.orm = useService("orm");
    this.actionService = useService("action");
    this.kpiLabels = KPI_LABELS;
    this.signalLabels = SIGNAL_LABELS;
    this.roiLabels = ROI_LABELS;
    this.state = useState({
      loading: true,
      data: null,
      filters: {
        scope: "controlled",
        phase_id: "",
        user_id: "",
        campaign_type: "",
        channel: "",
        state: "",
        signal: "",
        date_from: "",
        date_to: "",
      },
    });
    onWillStart(() => this.load());
  }

  async load() {
    this.state.loading = true;
    const filters = {};
    for (const [key, value] of Object.entries(this.state.filters)) {
      if (value) {
        filters[key] = value;
      }
    }
    const data = await this.orm.call("campaign.monitor", "get_monitor_data", [filters]);
    // plain objects, outside the reactive state: Chart.js writes into them
    this.charts = this.chartConfigs(data);
    this.state.data = data;
    this.state.loading = false;
  }

  async onFilterChange(name, ev) {
    this.state.filters[name] = ev.target.value;
    await this.load();
  }

  async resetFilters() {
    for (const key of Object.keys(this.state.filters)) {
      this.state.filters[key] = "";
    }
    this.state.filters.scope = "controlled";
    await this.load();
  }

  async drillDown(campaignId, kpi) {
    // a parent's card shows its follow-ons' figures too: so does the list
    const card = this.state.data.cards.find((item) => item.id === campaignId);
    const action = await this.orm.call("campaign.monitor", "action_drill_down", [
      campaignId,
      kpi,
      this.state.filters.channel || false,
      Boolean(card && card.rollup),
    ]);
    await this.actionService.doAction(action);
  }

  async openCampaign(campaignId) {
    const action = await this.orm.call("campaign.monitor", "action_open_campaign", [
      campaignId,
    ]);
    await this.actionService.doAction(action);
  }

  get funnel() {
    const totals = this.state.data.totals;
    return FUNNEL_STEPS.map((step) => ({
      key: step,
      label: KPI_LABELS[step],
      value: totals[step] || 0,
    }));
  }

  /**
   * Chart.js configurations of the three charts, from the monitor's data:
   * the funnel (totals of the cards shown), cost against revenue per
   * campaign (the first 15 cards with money) and the responses over time
   * against the pro-rata target (data.timeline).
   *
   * @param {Object} data result of get_monitor_data
   * @returns {Object} {funnel, costRevenue, timeline}
   */
  chartConfigs(data) {
    const colors = [0, 1, 2, 3].map((index) => getColor(index, "light", "odoo"));
    const common = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
    };
    const funnelSteps = FUNNEL_STEPS.map((step) => data.totals[step] || 0);
    const moneyCards = data.cards.filter((card) => card.money).slice(0, 15);
    const timeline = data.timeline || {labels: [], responses: [], target: []};
    return {
      funnel: {
        type: "bar",
        data: {
          labels: FUNNEL_STEPS.map((step) => KPI_LABELS[step]),
          datasets: [
            {
              label: _t("Funnel"),
              data: funnelSteps,
              backgroundColor: colors[0],
            },
          ],
        },
        options: {
          ...common,
          indexAxis: "y",
          plugins: {legend: {display: false}},
        },
      },
      costRevenue: {
        type: "bar",
        data: {
          labels: moneyCards.map((card) => card.name),
          datasets: [
            {
              label: _t("Revenue"),
              data: moneyCards.map((card) => card.money.revenue || 0),
              backgroundColor: colors[1],
            },
            {
              label: _t("Cost"),
              data: moneyCards.map((card) => card.money.cost_total || 0),
              backgroundColor: colors[2],
            },
          ],
        },
        options: {...common, plugins: {legend: {position: "top"}}},
      },
      timeline: {
        type: "line",
        data: {
          labels: [...timeline.labels],
          datasets: [
            {
              label: _t("Responses"),
              // after today: no figure yet (false from the server)
              data: timeline.responses.map((value) => (value === false ? null : value)),
              borderColor: colors[0],
              backgroundColor: colors[0],
              pointRadius: 0,
            },
            {
              label: _t("Pro-rata target"),
              data: [...timeline.target],
              borderColor: colors[3],
              backgroundColor: colors[3],
              borderDash: [6, 4],
              pointRadius: 0,
            },
          ],
        },
        options: {...common, plugins: {legend: {position: "top"}}},
      },
    };
  }

  formatValue(kpi, value) {
    if (value === null || value === undefined || value === false) {
      return "n/a";
    }
    if (kpi.name === "revenue" || kpi.name === "cost_total") {
      return formatMonetary(value, {digits: [16, 0]});
    }
    return formatFloat(value, {digits: [16, 0]});
  }

  /**
   * Whether a figure can be drilled into: a figure shown as "n/a" (withheld
   * or unknown) has no records behind it.
   */
  isKnown(value) {
    return value !== null && value !== undefined && value !== false;
  }

  formatAmount(value) {
    if (value === null || value === undefined || value === false) {
      return "n/a";
    }
    return formatFloat(value, {digits: [16, 2]});
  }
}

registry
  .category("actions")
  .add("campaign_reporting.campaign_monitor", CampaignMonitor);
