from . import controllers
from . import models
from . import report
from . import wizards


def uninstall_hook(env):
    """Drop the Campaign Monitor's stored funnel, its triggers and views."""
    from .models.campaign_kpi_store import uninstall_store

    uninstall_store(env.cr)
