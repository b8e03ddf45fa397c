# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, new_test_user
from odoo.tests import common as odoo_test_common

# queue_job's test helpers (18.0 from PyPI) import SETATTR_SOURCES, a
# registry of known patch sources that the Odoo 18.0 source here predates:
# an empty one is what a newer Odoo starts from
if not hasattr(odoo_test_common, "SETATTR_SOURCES"):
    odoo_test_common.SETATTR_SOURCES = {}
from odoo.addons.queue_job.tests.common import trap_jobs  # noqa: E402, F401

DISABLED_MAIL_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_reset_password": True,
}


class RoutingCommon(TransactionCase):
    """Known rule set: the demo rules are archived, three salespeople and a
    routing manager are created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.env["crm.routing.rule"].search([]).write({"active": False})
        # phone numbers are read as British ones (home calling code 44)
        cls.env.company.country_id = cls.env.ref("base.uk")
        cls.env["ir.config_parameter"].sudo().set_param(
            "crm_lead_routing.conflict_policy", "restrictive"
        )
        salesman = "sales_team.group_sale_salesman"
        cls.alice = new_test_user(cls.env, "rt_alice", groups=salesman, name="Alice")
        cls.bob = new_test_user(cls.env, "rt_bob", groups=salesman, name="Bob")
        cls.carol = new_test_user(cls.env, "rt_carol", groups=salesman, name="Carol")
        cls.manager = new_test_user(
            cls.env,
            "rt_manager",
            groups="crm_lead_routing.group_routing_manager",
            name="Routing Manager",
        )
        cls.team = cls.env["crm.team"].create({"name": "Routing Test Team"})
        cls.Rule = cls.env["crm.routing.rule"]
        cls.Lead = cls.env["crm.lead"]

    @classmethod
    def _rule(cls, name, users, strategy="round_robin", criteria=(), **vals):
        """A rule with ``users`` as assignees (a user or a (user, vals) pair)."""
        assignees = []
        for item in users:
            user, extra = item if isinstance(item, tuple) else (item, {})
            assignees.append((0, 0, {"user_id": user.id, **extra}))
        return cls.Rule.create(
            {
                "name": name,
                "strategy": strategy,
                "user_id": cls.manager.id,
                "team_id": cls.team.id,
                "assignee_ids": assignees,
                "criterion_ids": [(0, 0, c) for c in criteria],
                **vals,
            }
        )

    @classmethod
    def _leads(cls, count, route=False, **vals):
        """``count`` new leads, not routed unless ``route``."""
        Lead = cls.Lead if route else cls.Lead.with_context(routing_skip=True)
        return Lead.create(
            [{"name": f"Lead {i:04d}", "type": "lead", **vals} for i in range(count)]
        )
