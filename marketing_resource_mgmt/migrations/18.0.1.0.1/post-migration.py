# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Phases became the project's stages: give the campaigns started before
    their stages, so that their tasks leave the "None" column."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["utm.campaign"]._migrate_phase_stages()
