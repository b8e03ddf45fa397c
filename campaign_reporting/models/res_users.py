# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    campaign_kpi_digest = fields.Boolean(
        "Campaign KPI digest",
        help="Marketing managers who tick this receive the KPI digest of every "
        "running campaign of their companies.",
    )

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["campaign_kpi_digest"]

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["campaign_kpi_digest"]
