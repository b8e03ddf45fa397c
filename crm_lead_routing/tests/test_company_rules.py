# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Companies are kept apart on every model with company data: each model of
the suite's addons with a company (its own, or a related one) has a
multi-company record rule, and the side tables of routing (assignees,
criteria, assignment history, alias lists) are filtered by it."""

import xmlrpc.client

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import DISABLED_MAIL_CONTEXT

SUITE_ADDONS = {"marketing_resource_mgmt", "crm_lead_routing", "campaign_reporting"}
COMPANY_FIELDS = ("company_id", "company_ids")


@tagged("post_install", "-at_install")
class TestCompanyRules(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.env["crm.routing.rule"].search([]).write({"active": False})
        cls.main = cls.env.company
        cls.other = cls.env["res.company"].create({"name": "Rules Other Co"})
        cls.env.user.company_ids |= cls.other
        # a routing manager of the main company only: the side tables are
        # readable to them, the other company's rows must not be
        cls.manager = new_test_user(
            cls.env,
            "cr_manager",
            groups="crm_lead_routing.group_routing_manager,base.group_user",
            name="Main Manager",
            password="cr_manager",
            company_id=cls.main.id,
            company_ids=[(6, 0, cls.main.ids)],
        )
        cls.salesman = new_test_user(
            cls.env,
            "cr_salesman",
            groups="sales_team.group_sale_salesman",
            name="Salesman of both",
            company_id=cls.main.id,
            company_ids=[(6, 0, (cls.main | cls.other).ids)],
        )
        cls.rows = {}
        for company in (cls.main, cls.other):
            rule = cls.env["crm.routing.rule"].create(
                {
                    "name": f"Rule of {company.name}",
                    "company_id": company.id,
                    "assignee_ids": [(0, 0, {"user_id": cls.salesman.id})],
                    "criterion_ids": [
                        (
                            0,
                            0,
                            {"field_name": "city", "operator": "=", "value": "Leeds"},
                        )
                    ],
                }
            )
            lead = cls.env["crm.lead"].create(
                {
                    "name": f"Lead of {company.name}",
                    "company_id": company.id,
                    "user_id": cls.salesman.id,
                }
            )
            assignment = cls.env["crm.lead.assignment"].create(
                {"lead_id": lead.id, "user_id": cls.salesman.id, "rule_id": rule.id}
            )
            alias_list = cls.env["crm.match.alias.list"].create(
                {
                    "name": f"Aliases of {company.name}",
                    "company_id": company.id,
                    "line_ids": [(0, 0, {"name": "Spelling"})],
                }
            )
            cls.rows[company] = {
                "crm.routing.rule": rule,
                "crm.routing.assignee": rule.assignee_ids,
                "crm.routing.rule.criterion": rule.criterion_ids,
                "crm.lead.assignment": assignment,
                "crm.match.alias.list": alias_list,
                "crm.match.alias.list.line": alias_list.line_ids,
            }

    def _suite_company_models(self):
        """Every model of the suite's addons (defined or extended there)
        with company data: a searchable company (stored, or related), or
        lines that belong to such a record (a required many2one deleted with
        it, e.g. a template's phases)."""
        models = {}
        for ir_model in self.env["ir.model"].search([]):
            if not SUITE_ADDONS & set((ir_model.modules or "").split(", ")):
                continue
            Model = self.env.get(ir_model.model)
            if Model is not None and not (Model._transient or Model._abstract):
                models[ir_model.model] = Model
        with_company = set()
        for name, Model in models.items():
            field = Model._fields.get("company_id")
            if (
                field
                and field.type == "many2one"
                and field.comodel_name == "res.company"
                and (field.store or field.related)
            ):
                with_company.add(name)
        changed = True
        while changed:
            changed = False
            for name, Model in models.items():
                if name not in with_company and any(
                    field.type == "many2one"
                    and field.required
                    and field.ondelete == "cascade"
                    and field.comodel_name in with_company
                    for field in Model._fields.values()
                ):
                    with_company.add(name)
                    changed = True
        return sorted(with_company)

    def test_every_company_model_has_a_working_rule(self):
        models = self._suite_company_models()
        # the enumeration reaches the side tables of the defect
        self.assertTrue(
            {
                "crm.routing.assignee",
                "crm.routing.rule.criterion",
                "crm.lead.assignment",
                "utm.campaign",
                "crm.match.alias.list.line",
            }
            <= set(models),
            models,
        )
        # lines of a record with a company, where the marketing addon is
        # installed (a template's phases and tasks)
        for model in (
            "marketing.campaign.template.phase",
            "marketing.campaign.template.task",
        ):
            if model in self.env:
                self.assertIn(model, models)
        Rule = self.env["ir.rule"]
        user = self.manager
        missing = []
        for model in models:
            rules = Rule.search(
                [("model_id.model", "=", model), ("global", "=", True)]
            ).filtered(lambda r: "company_ids" in (r.domain_force or ""))
            if not rules:
                missing.append(model)
                continue
            # the rule is evaluated with the user's companies: the company
            # of one company's user is in its domain, the other's is not
            domain_main = Rule.with_user(user)._compute_domain(model, "read")
            values = self._company_values(domain_main)
            self.assertIn(self.main.id, values, f"{model}: {domain_main}")
            self.assertNotIn(self.other.id, values, f"{model}: {domain_main}")
        self.assertFalse(missing, "models with company data but no company rule")

    @staticmethod
    def _company_values(domain):
        values = set()
        for leaf in domain or []:
            if (
                isinstance(leaf, list | tuple)
                and len(leaf) == 3
                and str(leaf[0]).split(".")[-1] in COMPANY_FIELDS
            ):
                right = leaf[2]
                values |= set(right if isinstance(right, list | tuple) else [right])
        return values

    def test_side_tables_kept_apart(self):
        for model in self.rows[self.main]:
            mine = self.rows[self.main][model]
            theirs = self.rows[self.other][model]
            self.assertTrue(mine and theirs, model)
            Model = self.env[model].with_user(self.manager)
            found = Model.search([("id", "in", (mine | theirs).ids)])
            self.assertEqual(found, mine.with_user(self.manager), model)
            # the related lead or rule names do not come through the links
            self.assertFalse(
                Model.search_read([("id", "in", theirs.ids)], ["display_name"]),
                model,
            )
            self.assertEqual(
                Model.search_count([]),
                Model.sudo().search_count(
                    [("company_id", "in", [False, self.main.id])]
                ),
                model,
            )

    def test_side_tables_over_rpc(self):
        for model in (
            "crm.routing.assignee",
            "crm.routing.rule.criterion",
            "crm.lead.assignment",
        ):
            theirs = self.rows[self.other][model]
            mine = self.rows[self.main][model]
            found = self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.manager.id,
                "cr_manager",
                model,
                "search_read",
                [[("id", "in", (mine | theirs).ids)]],
                {"fields": ["id"]},
            )
            self.assertEqual([row["id"] for row in found], mine.ids, model)
            with (
                self.assertRaises(xmlrpc.client.Fault),
                mute_logger("odoo.http", "odoo.addons.base.controllers.rpc"),
            ):
                self.xmlrpc_object.execute_kw(
                    self.env.cr.dbname,
                    self.manager.id,
                    "cr_manager",
                    model,
                    "read",
                    [theirs.ids, ["id"]],
                )
