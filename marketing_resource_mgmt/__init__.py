from . import models
from . import wizards
from . import controllers


def uninstall_hook(env):
    """Drop the behaviour measures' marking triggers: they would otherwise
    write into a table the uninstall removes."""
    from .models.marketing_partner_behaviour_sql import uninstall_triggers

    uninstall_triggers(env.cr)
