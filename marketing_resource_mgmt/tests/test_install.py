# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The addon is installed with its groups, category and menus."""

    def test_module_installed(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "marketing_resource_mgmt")]
        )
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
