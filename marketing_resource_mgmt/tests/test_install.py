# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.crm_lead_routing.tests.install_common import assert_models_refuse


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The addon is installed with its groups, category, menus and access rules."""

    addon = "marketing_resource_mgmt"

    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", self.addon)])
        self.assertEqual(module.state, "installed")

    def test_groups(self):
        user_group = self.env.ref("marketing_resource_mgmt.group_marketing_user")
        manager_group = self.env.ref("marketing_resource_mgmt.group_marketing_manager")
        self.assertIn(user_group, manager_group.implied_ids)
        self.assertEqual(
            user_group.category_id,
            self.env.ref("marketing_resource_mgmt.module_category_marketing_resource"),
        )
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "marketing_resource_mgmt.group_marketing_manager"
            )
        )

    def test_menu_restricted_to_group(self):
        root = self.env.ref("marketing_resource_mgmt.menu_marketing_resource_root")
        self.assertEqual(
            root.groups_id,
            self.env.ref("marketing_resource_mgmt.group_marketing_user"),
        )
        config = self.env.ref("marketing_resource_mgmt.menu_configuration_root")
        self.assertEqual(
            config.groups_id,
            self.env.ref("marketing_resource_mgmt.group_marketing_manager"),
        )

    def test_models_refuse_users_without_group(self):
        """An internal user outside the addon's groups is refused every model."""
        outsider = new_test_user(
            self.env, "mrm_outsider", groups="sales_team.group_sale_salesman"
        )
        assert_models_refuse(self, "marketing_resource_mgmt", outsider)

    def test_opportunity_index_on_orders(self):
        """Lead deletion and merge need sale_order.opportunity_id indexed."""
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'sale_order' "
            "AND indexname = 'sale_order_opportunity_id_mrm_index'"
        )
        self.assertIn("(opportunity_id)", self.env.cr.fetchone()[0])
