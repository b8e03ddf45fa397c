/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {Component, reactive, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";

// the bus notification a long action sends at each step
// (crm_lead_routing/progress.py, Progress)
export const PROGRESS_TYPE = "mrm_progress";

/**
 * "Working…": the long actions in progress for this user (route now, the
 * audience generation, the cluster split, the response score, a scenario
 * run, a follow-on), each with its step and a bar, at the bottom of any
 * backend page until the action ends.
 */
export class ActionProgress extends Component {
  static template = "crm_lead_routing.ActionProgress";
  static props = {actions: Object};

  setup() {
    this.actions = useState(this.props.actions);
  }

  get running() {
    return Object.values(this.actions);
  }

  percent(action) {
    return Math.min(100, Math.round((100 * action.done) / (action.total || 1)));
  }
}

export const actionProgressService = {
  dependencies: ["bus_service"],
  start(env, {bus_service}) {
    const actions = reactive({});
    registry.category("main_components").add("mrm_action_progress", {
      Component: ActionProgress,
      props: {actions},
    });
    const receive = (payload) => {
      if (payload.finished) {
        delete actions[payload.key];
      } else {
        actions[payload.key] = payload;
      }
    };
    bus_service.subscribe(PROGRESS_TYPE, receive);
    bus_service.start();
    return {actions, receive};
  },
};

registry.category("services").add("mrm_action_progress", actionProgressService);
