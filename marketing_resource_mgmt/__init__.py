from . import models
from . import wizards
from . import controllers


def uninstall_hook(env):
    """What the addon put outside its own tables goes with it: the behaviour
    measures' marking triggers (they would write into a table the uninstall
    removes), and the activities of its activity types (campaign calls,
    inbound answers on leads and orders: Odoo cannot delete the types while
    activities on its own leads and orders still use them)."""
    from .models.marketing_partner_behaviour_sql import uninstall_triggers

    uninstall_triggers(env.cr)

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
