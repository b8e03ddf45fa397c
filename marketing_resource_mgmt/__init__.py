from . import models
from . import wizards
from . import controllers


def uninstall_hook(env):
    """Activities of the addon's activity types (campaign calls, inbound
    answers on leads and orders) go with it: Odoo cannot delete the types
    while activities on its own leads and orders still use them."""
    type_ids = (
        env["ir.model.data"]
        .search(
            [
                ("module", "=", "marketing_resource_mgmt"),
                ("model", "=", "mail.activity.type"),
            ]
        )
        .mapped("res_id")
    )
    env["mail.activity"].sudo().with_context(active_test=False).search(
        [("activity_type_id", "in", type_ids)]
    ).unlink()
