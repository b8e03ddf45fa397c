"""Every public method of the three addons answers over a real XML-RPC
connection with something XML-RPC can marshal (issue 18, defect 6).

The public methods are found by introspection (methods of the addons'
classes, not starting with ``_``, not part of the ORM's own API whose
results Odoo's RPC layer converts): a new one fails
``test_every_public_method_has_a_call`` until it gets a line in CALLS.
Each call must either succeed or be refused cleanly (a UserError,
ValidationError or AccessError fault), as its line says; never "cannot
marshal" nor a server error.
"""

import base64
import xmlrpc.client

from odoo import models
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

ADDONS = ("marketing_resource_mgmt", "crm_lead_routing", "campaign_reporting")
# XML-RPC fault codes of Odoo's /xmlrpc/2/object: a warning (UserError and
# its subclasses), an access error; 1 is a server error (or a result that
# cannot be marshalled)
CLEAN_REFUSALS = (2, 3, 4)
# called by a framework, never by an RPC client (report_xlsx's hooks take
# a workbook object)
NOT_RPC = {
    ("report.campaign_reporting.campaign_pnl_xlsx", "generate_xlsx_report"),
    ("report.campaign_reporting.campaign_pnl_xlsx", "get_workbook_options"),
    # Odoo's mail and SMS queues, which the trace sync follows: Odoo's own
    # mail.mail.send and sms.sms.send return None, which XML-RPC cannot
    # carry, with or without these addons (the overrides return what Odoo's
    # methods return); Odoo's scheduled actions run them
    ("mail.mail", "send"),
    ("sms.sms", "send"),
}


def _ref(xmlid):
    return lambda case: case.env.ref(xmlid).ids


def _model():
    return lambda case: []


def _created(model, vals):
    return lambda case: case.env[model].create(vals(case)).ids


SPRING = "marketing_resource_mgmt.demo_campaign_spring"


def _spring_phase_done(case):
    """The spring campaign with its tasks done, so its phase may close."""
    campaign = case.env.ref(SPRING)
    campaign.project_id.task_ids.write({"state": "1_done"})
    return campaign.ids


AUTUMN = "marketing_resource_mgmt.demo_campaign_autumn"
CALL_MEMBER = "marketing_resource_mgmt.demo_member_2"


def _mail_batch(case):
    """The spring campaign's newest direct-mail batch (made by the call of
    action_create_mail_batch before)."""
    return (
        case.env["marketing.mail.batch"]
        .search(
            [("campaign_id", "=", case.env.ref(SPRING).id)], order="id desc", limit=1
        )
        .ids
    )


SEGMENT = "marketing_resource_mgmt.demo_segment_south_yorkshire"
OFFER = "marketing_resource_mgmt.demo_offer_spring_upgrade"
SCENARIO = "marketing_resource_mgmt.demo_scenario_spring"
# base.main_partner: the company's own partner, id 1 in every database
MAIN_PARTNER = 1


def _journey(case):
    """A one-step journey (tag who joins) on the spring campaign."""
    tag = case.env["res.partner.category"].create({"name": "RPC journey"})
    journey = case.env["marketing.journey"].create(
        {
            "name": "RPC journey",
            "campaign_id": case.env.ref(SPRING).id,
            "step_ids": [
                (0, 0, {"name": "Tag", "action": "tag", "tag_ids": [(6, 0, tag.ids)]})
            ],
        }
    )
    return journey.ids


def _last_journey(case):
    return case.env["marketing.journey"].search([], order="id desc", limit=1).ids


# (model, method): (records, args, expected outcome: "ok" or "refused")
CALLS = {
    # crm_lead_routing
    ("crm.lead", "action_claim"): (lambda c: c.pool_leads[:1].ids, [], "ok"),
    ("crm.lead", "action_claim_next"): (_model(), [], "ok"),
    ("crm.lead", "action_route"): (lambda c: c.plain_leads.ids, [], "ok"),
    ("crm.routing.rule", "action_route_waiting"): (
        lambda c: c.pool_rule.ids,
        [],
        "ok",
    ),
    ("crm.routing.rule", "action_view_leads"): (lambda c: c.pool_rule.ids, [], "ok"),
    ("crm.routing.rule", "action_view_pool"): (lambda c: c.pool_rule.ids, [], "ok"),
    ("crm.routing.rule", "action_claim_next"): (lambda c: c.pool_rule.ids, [], "ok"),
    ("crm.routing.reassign", "action_reassign"): (
        _created(
            "crm.routing.reassign",
            lambda c: {
                "from_user_id": c.env.ref("base.user_demo").id,
                "to_user_ids": [(6, 0, c.env.ref("base.user_admin").ids)],
                "lead_domain": f"[('id', 'in', {c.demo_leads.ids})]",
            },
        ),
        [],
        "ok",
    ),
    ("crm.routing.simulation", "action_simulate"): (
        _created(
            "crm.routing.simulation",
            lambda c: {
                "rule_ids": [(6, 0, c.pool_rule.ids)],
                "lead_domain": f"[('id', 'in', {c.plain_leads.ids})]",
            },
        ),
        [],
        "ok",
    ),
    # marketing_resource_mgmt
    # journeys (issue 14): created, started, run, viewed, stopped
    ("marketing.journey", "action_start"): (_journey, [], "ok"),
    ("marketing.journey", "action_run_now"): (_last_journey, [], "ok"),
    ("marketing.journey", "action_view_participants"): (_last_journey, [], "ok"),
    ("marketing.journey", "action_stop"): (_last_journey, [], "ok"),
    ("marketing.journey.step", "action_view_participants"): (
        lambda case: case.env["marketing.journey.step"]
        .search([], order="id desc", limit=1)
        .ids,
        [],
        "ok",
    ),
    ("utm.campaign", "action_view_journeys"): (_ref(SPRING), [], "ok"),
    ("marketing.campaign.member", "action_mark_contacted"): (
        _ref("marketing_resource_mgmt.demo_member_1"),
        [],
        "ok",
    ),
    # offers, next best action and scenarios (issue 13), while the spring
    # campaign runs
    ("marketing.offer", "action_train_model"): (_ref(OFFER), [], "ok"),
    ("marketing.offer", "action_view_probabilities"): (_ref(OFFER), [], "ok"),
    ("marketing.offer", "get_next_best_actions"): (_model(), [MAIN_PARTNER], "ok"),
    ("marketing.offer", "action_nba_accept"): (
        _ref(OFFER),
        [MAIN_PARTNER, "call"],
        "ok",
    ),
    ("marketing.offer", "action_nba_decline"): (
        _ref(OFFER),
        [MAIN_PARTNER, "email"],
        "ok",
    ),
    ("marketing.scenario", "action_run"): (_ref(SCENARIO), [], "ok"),
    ("marketing.scenario", "action_compare"): (_ref(SCENARIO), [], "ok"),
    ("marketing.scenario", "action_view_choices"): (_ref(SCENARIO), [], "ok"),
    ("marketing.scenario", "action_apply"): (_ref(SCENARIO), [], "ok"),
    ("marketing.scenario", "action_reset_to_draft"): (_ref(SCENARIO), [], "ok"),
    # the demo scenario is applied by now: a second apply is refused
    ("marketing.scenario.compare", "action_apply_a"): (
        _created(
            "marketing.scenario.compare",
            lambda c: {"scenario_a_id": c.env.ref(SCENARIO).id},
        ),
        [],
        "refused",
    ),
    ("marketing.scenario.compare", "action_apply_b"): (
        _created(
            "marketing.scenario.compare",
            lambda c: {"scenario_a_id": c.env.ref(SCENARIO).id},
        ),
        [],
        "refused",
    ),
    # a campaign's life, in this order (the calls run in the table's order)
    ("utm.campaign", "action_start"): (
        lambda case: case.env.ref(SPRING).copy().ids,
        [],
        "ok",
    ),
    ("utm.campaign", "action_generate"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_next_phase"): (_spring_phase_done, [], "ok"),
    ("utm.campaign", "action_override_phase"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_view_project_tasks"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_view_task_calendar"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_view_members"): (_ref(SPRING), [], "ok"),
    ("marketing.segment", "action_preview"): (_ref(SEGMENT), [], "ok"),
    ("marketing.segment", "action_open_overlap"): (_ref(SEGMENT), [], "ok"),
    ("marketing.segment", "action_open_cluster"): (_ref(SEGMENT), [], "ok"),
    ("marketing.segment", "action_open_import"): (_ref(SEGMENT), [], "ok"),
    ("marketing.segment", "action_view_partners"): (_ref(SEGMENT), [], "ok"),
    ("marketing.segment", "action_refresh_behaviour"): (_ref(SEGMENT), [], "ok"),
    # the demo data have too few answers for a score: a clean refusal
    ("marketing.segment", "action_compute_response_score"): (
        _ref(SEGMENT),
        [],
        "refused",
    ),
    ("sale.order", "action_confirm"): (
        _ref("campaign_reporting.demo_sale_order_spring_2"),
        [],
        "ok",
    ),
    ("account.move", "button_draft"): (
        _ref("campaign_reporting.demo_invoice_spring_1"),
        [],
        "ok",
    ),
    ("marketing.campaign.phase.override", "action_confirm"): (
        _created(
            "marketing.campaign.phase.override",
            lambda c: {"campaign_id": c.env.ref(SPRING).id, "reason": "RPC test"},
        ),
        [],
        "ok",
    ),
    ("marketing.segment.cluster", "action_split"): (
        _created(
            "marketing.segment.cluster",
            lambda c: {"segment_id": c.env.ref(SEGMENT).id, "cluster_count": 2},
        ),
        [],
        "ok",
    ),
    ("marketing.segment.import", "action_import"): (
        _created(
            "marketing.segment.import",
            lambda c: {
                "segment_name": "RPC import",
                "file": base64.b64encode(
                    b"first_name,last_name,email\nAda,Lovelace,ada@example.com\n"
                ),
                "filename": "contacts.csv",
            },
        ),
        [],
        "ok",
    ),
    # the call queue (the demo's call members of the spring campaign)
    ("marketing.campaign.member", "action_next_call"): (_model(), [], "ok"),
    ("marketing.campaign.member", "action_open_call_outcome"): (
        _ref(CALL_MEMBER),
        [],
        "ok",
    ),
    ("marketing.campaign.member", "record_call_outcome"): (
        _ref(CALL_MEMBER),
        ["busy"],
        "ok",
    ),
    ("marketing.call.outcome.wizard", "action_confirm"): (
        _created(
            "marketing.call.outcome.wizard",
            lambda c: {"member_id": c.env.ref(CALL_MEMBER).id, "outcome": "no_answer"},
        ),
        [],
        "ok",
    ),
    ("marketing.call.outcome.wizard", "action_confirm_next"): (
        _created(
            "marketing.call.outcome.wizard",
            lambda c: {"member_id": c.env.ref(CALL_MEMBER).id, "outcome": "voicemail"},
        ),
        [],
        "ok",
    ),
    ("marketing.campaign.member", "action_register_inbound"): (
        _model(),
        ["nobody-known@example.com"],
        "ok",
    ),
    ("marketing.campaign.member", "action_view_traces"): (
        _ref("marketing_resource_mgmt.demo_member_3"),
        [],
        "ok",
    ),
    # direct mail: a batch, posted, then a letter returned
    ("utm.campaign", "action_create_mail_batch"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_view_mail_batches"): (_ref(SPRING), [], "ok"),
    ("marketing.mail.batch", "action_view_members"): (_mail_batch, [], "ok"),
    ("marketing.mail.batch", "action_mark_sent"): (_mail_batch, [], "ok"),
    ("marketing.campaign.member", "action_mail_returned"): (
        _ref("marketing_resource_mgmt.demo_member_4"),
        [],
        "ok",
    ),
    # a contact's and a lead's campaign context
    ("res.partner", "action_view_campaign_members"): (
        _ref("base.res_partner_address_1"),
        [],
        "ok",
    ),
    ("crm.lead", "action_view_campaign_context"): (
        lambda c: c.plain_leads[:1].ids,
        [],
        "ok",
    ),
    ("marketing.inbound.call.wizard", "action_register"): (
        _created(
            "marketing.inbound.call.wizard",
            lambda c: {"phone": "+44 20 7946 0000", "email": "rpc@example.com"},
        ),
        [],
        "ok",
    ),
    # the SMS mailing on the members, sent in batches (one without recipients)
    ("mailing.mailing", "action_send_sms"): (
        _created(
            "mailing.mailing",
            lambda c: {
                "subject": "RPC SMS",
                "mailing_type": "sms",
                "body_plaintext": "Hello",
                "mailing_model_id": c.env["ir.model"]._get_id(
                    "marketing.campaign.member"
                ),
                "mailing_domain": "[('id', '=', 0)]",
            },
        ),
        [],
        "ok",
    ),
    # campaign_reporting
    ("marketing.campaign.cofunding", "action_claim"): (
        _ref("marketing_resource_mgmt.demo_campaign_spring_cofunding"),
        [],
        "ok",
    ),
    ("campaign.vendor.token", "action_generate_token"): (
        _ref("campaign_reporting.demo_vendor_token"),
        [],
        "ok",
    ),
    ("campaign.vendor.token", "action_revoke"): (
        _ref("campaign_reporting.demo_vendor_token"),
        [],
        "ok",
    ),
    # the n/a figures come as False (XML-RPC has no null)
    ("campaign.monitor", "get_monitor_data"): (_model(), [], "ok"),
    ("campaign.monitor", "action_drill_down"): (
        _model(),
        [None, "members_targeted"],
        "ok",
    ),
    ("campaign.monitor", "action_open_campaign"): (_model(), [None], "ok"),
    ("utm.campaign", "action_view_kpi_snapshots"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_close"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_reopen_campaign"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_cancel"): (_ref(AUTUMN), [], "ok"),
    ("utm.campaign", "action_print_pnl_workbook"): (_ref(SPRING), [], "ok"),
    # follow-on campaigns (issue 14)
    ("utm.campaign", "action_create_follow_on"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_view_follow_ons"): (_ref(SPRING), [], "ok"),
    ("utm.campaign.follow.on", "action_create"): (
        _created(
            "utm.campaign.follow.on",
            lambda c: {
                "campaign_id": c.env.ref(SPRING).id,
                "subset": "custom",
                "member_domain": "[]",
            },
        ),
        [],
        "ok",
    ),
    ("utm.campaign", "action_print_review"): (_ref(SPRING), [], "ok"),
    ("utm.campaign", "action_send_review"): (_ref(SPRING), [], "ok"),
}
# the campaign id the monitor's methods take
CAMPAIGN_ARG = {"action_drill_down", "action_open_campaign"}


def public_methods(env):
    """``{(model, method)}``: the public methods the three addons define."""
    found = set()
    for name in env.registry:
        model_class = type(env[name])
        for cls in model_class.mro():
            parts = getattr(cls, "__module__", "").split(".")
            if parts[:2] != ["odoo", "addons"] or len(parts) < 3:
                continue
            if parts[2] not in ADDONS:
                continue
            for attr, value in vars(cls).items():
                if (
                    callable(value)
                    and not attr.startswith("_")
                    and not hasattr(models.BaseModel, attr)
                ):
                    found.add((name, attr))
    return found


@tagged("post_install", "-at_install")
class TestPublicMethodsOverRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the test is about answers over XML-RPC, not calling hours: calls are
        # allowed all day, whatever time of day the suite runs
        cls.env["utm.campaign"].search([]).write(
            {"call_hour_from": 0.0, "call_hour_to": 24.0}
        )
        admin = cls.env.ref("base.user_admin")
        Lead = cls.env["crm.lead"].with_context(routing_skip=True)
        cls.pool_rule = cls.env["crm.routing.rule"].create(
            {
                "name": "RPC pool",
                "strategy": "pool",
                "sequence": 0,
                "domain": "[('name', '=like', 'RPC pool %')]",
                "assignee_ids": [(0, 0, {"user_id": admin.id})],
            }
        )
        cls.pool_leads = Lead.create(
            [
                {
                    "name": f"RPC pool {i}",
                    "type": "lead",
                    "routing_state": "pool",
                    "routing_rule_id": cls.pool_rule.id,
                }
                for i in range(4)
            ]
        )
        cls.plain_leads = Lead.create(
            [{"name": f"RPC pool plain {i}", "type": "lead"} for i in range(2)]
        )
        cls.demo_leads = Lead.create(
            [
                {
                    "name": f"RPC demo's {i}",
                    "type": "lead",
                    "user_id": cls.env.ref("base.user_demo").id,
                }
                for i in range(3)
            ]
        )

    def test_every_public_method_has_a_call(self):
        found = public_methods(self.env)
        self.assertIn(("crm.routing.reassign", "action_reassign"), found)
        self.assertEqual(found - NOT_RPC - set(CALLS), set(), "add them to CALLS")
        self.assertEqual(set(CALLS) - found, set(), "CALLS lists gone methods")

    def test_every_public_method_answers_over_xmlrpc(self):
        admin = self.env.ref("base.user_admin")
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, admin.login, "admin", {}
        )
        self.assertTrue(uid)
        failures = {}
        for (model, method), (records, args, expected) in CALLS.items():
            ids = records(self)
            if method in CAMPAIGN_ARG:
                args = [self.env.ref(SPRING).id, *args[1:]]
            params = [ids, *args] if ids else list(args)
            try:
                with mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"):
                    result = self.xmlrpc_object.execute_kw(
                        self.env.cr.dbname, uid, "admin", model, method, params
                    )
                outcome = "ok"
                detail = repr(result)[:120]
            except xmlrpc.client.Fault as fault:
                outcome = (
                    "refused" if fault.faultCode in CLEAN_REFUSALS else "server error"
                )
                detail = fault.faultString.strip().splitlines()[-1][:300]
            if outcome != expected:
                failures[f"{model}.{method}"] = f"{outcome}: {detail}"
        self.maxDiff = None
        self.assertEqual(failures, {})
