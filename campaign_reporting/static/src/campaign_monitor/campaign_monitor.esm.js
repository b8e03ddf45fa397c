/** @odoo-module **/
/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {Component, onWillStart, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
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
    this.state.data = await this.orm.call("campaign.monitor", "get_monitor_data", [
      filters,
    ]);
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
    const top = Math.max(...FUNNEL_STEPS.map((step) => totals[step] || 0), 1);
    return FUNNEL_STEPS.map((step) => ({
      key: step,
      label: KPI_LABELS[step],
      value: totals[step] || 0,
      width: Math.max(((totals[step] || 0) / top) * 100, 1),
    }));
  }

  get costRevenue() {
    const cards = this.state.data.cards.filter((card) => card.money);
    const top = Math.max(
      ...cards.map((card) =>
        Math.max(card.money.revenue || 0, card.money.cost_total || 0)
      ),
      1
    );
    return cards.slice(0, 15).map((card) => ({
      id: card.id,
      name: card.name,
      revenue: card.money.revenue,
      cost: card.money.cost_total,
      revenueWidth: ((card.money.revenue || 0) / top) * 100,
      costWidth: ((card.money.cost_total || 0) / top) * 100,
      currency: card.currency,
    }));
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
