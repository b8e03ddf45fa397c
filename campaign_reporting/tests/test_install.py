# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.crm_lead_routing.tests.install_common import (
    addon_models,
    assert_models_refuse,
)


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The addon is installed with its finance group and menu."""

    def test_installed(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "campaign_reporting")]
        )
        self.assertEqual(module.state, "installed")
        self.assertTrue(
            {"marketing_resource_mgmt", "crm_lead_routing", "account"}
            <= set(module.dependencies_id.mapped("name"))
        )

    def test_group_and_menu(self):
        group = self.env.ref("campaign_reporting.group_campaign_finance")
        self.assertEqual(
            group.category_id,
            self.env.ref("marketing_resource_mgmt.module_category_marketing_resource"),
        )
        menu = self.env.ref("campaign_reporting.menu_campaign_monitor_root")
        self.assertEqual(
            menu.parent_id, self.env.ref("marketing_resource_mgmt.menu_reporting_root")
        )

    def test_models_refuse_users_without_group(self):
        """An internal user outside the addon's groups is refused every model."""
        outsider = new_test_user(self.env, "cr_outsider", groups="base.group_user")
        self.assertEqual(
            set(addon_models(self.env, "campaign_reporting")),
            {
                "campaign.kpi",
                "campaign.kpi.channel",
                "campaign.kpi.snapshot",
                "campaign.vendor.token",
                "campaign.vendor.token.show",
            },
        )
        assert_models_refuse(self, "campaign_reporting", outsider)
