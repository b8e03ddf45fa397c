# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.crm_lead_routing.tests.install_common import assert_models_refuse


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The addon is installed with its group and menu; it needs crm, and
    queue_job for the jobs of large batches (no marketing addon)."""

    def test_installed_with_crm_and_queue_job_only(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "crm_lead_routing")]
        )
        self.assertEqual(module.state, "installed")
        self.assertEqual(
            sorted(module.dependencies_id.mapped("name")), ["crm", "queue_job"]
        )

    def test_group_and_menu(self):
        group = self.env.ref("crm_lead_routing.group_routing_manager")
        self.assertIn(self.env.ref("sales_team.group_sale_salesman"), group.implied_ids)
        menu = self.env.ref("crm_lead_routing.menu_lead_routing_root")
        self.assertEqual(menu.parent_id, self.env.ref("crm.crm_menu_root"))

    def test_models_refuse_users_without_group(self):
        """An internal user outside the addon's groups is refused every model."""
        outsider = new_test_user(self.env, "routing_outsider", groups="base.group_user")
        assert_models_refuse(self, "crm_lead_routing", outsider)
