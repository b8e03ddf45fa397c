/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Next-best-action: the best offers for the record's person now (computed by
// the server: marketing.offer.get_next_best_actions), with accept / decline
// buttons that record the answer on the campaign's member.
import {Component, onWillStart, onWillUpdateProps, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";
import {useService} from "@web/core/utils/hooks";

export class NextBestAction extends Component {
  static template = "marketing_resource_mgmt.NextBestAction";
  static props = {
    ...standardWidgetProps,
    partnerField: {type: String, optional: true},
  };

  setup() {
    this.orm = useService("orm");
    this.notification = useService("notification");
    this.state = useState({actions: [], loaded: false, partnerId: false});
    onWillStart(() => this.load(this.props));
    onWillUpdateProps((nextProps) => {
      if (this.getPartnerId(nextProps) !== this.state.partnerId) {
        return this.load(nextProps);
      }
    });
  }

  getPartnerId(props) {
    const record = props.record;
    if (!props.partnerField) {
      return record.resId || false;
    }
    const value = record.data[props.partnerField];
    if (Array.isArray(value)) {
      return value[0];
    }
    return (value && value.id) || value || false;
  }

  async load(props) {
    const partnerId = this.getPartnerId(props);
    this.state.partnerId = partnerId;
    this.state.actions = partnerId
      ? await this.orm.call("marketing.offer", "get_next_best_actions", [partnerId])
      : [];
    this.state.loaded = true;
  }

  formatProbability(value) {
    return `${(value * 100).toFixed(1)} %`;
  }

  async answer(action, accepted) {
    const method = accepted ? "action_nba_accept" : "action_nba_decline";
    await this.orm.call("marketing.offer", method, [
      [action.offer_id],
      this.state.partnerId,
      action.channel,
    ]);
    this.notification.add(
      accepted
        ? _t("%(offer)s: accepted", {offer: action.offer})
        : _t("%(offer)s: declined", {offer: action.offer}),
      {type: accepted ? "success" : "info"}
    );
    await this.load(this.props);
  }
}

export const nextBestAction = {
  component: NextBestAction,
  extractProps: ({attrs}) => ({partnerField: attrs.partner_field}),
};

registry.category("view_widgets").add("mrm_next_best_action", nextBestAction);
