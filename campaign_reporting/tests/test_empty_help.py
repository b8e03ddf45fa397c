# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, tagged

ADDONS = ("marketing_resource_mgmt", "crm_lead_routing", "campaign_reporting")


@tagged("post_install", "-at_install")
class TestEmptyStateHelp(TransactionCase):
    def test_every_list_action_says_how_to_start(self):
        """Every window action of the three addons showing a list or a
        kanban has Odoo's empty-state help (what the screen is for and how
        to start)."""
        data = self.env["ir.model.data"].search(
            [("module", "in", ADDONS), ("model", "=", "ir.actions.act_window")]
        )
        actions = self.env["ir.actions.act_window"].browse(data.mapped("res_id"))
        checked = 0
        for action in actions:
            modes = set((action.view_mode or "").split(","))
            if action.target == "new" or not modes & {"list", "kanban"}:
                continue
            checked += 1
            # Odoo's empty-state classes (smiling face, empty folder...)
            self.assertIn(
                "o_view_nocontent_",
                str(action.help or ""),
                f"{action.xml_id} has no empty-state help",
            )
        self.assertGreaterEqual(checked, 20)
