# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..kpi import DEFAULT_AT_RISK, DEFAULT_ON_TRACK


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    campaign_signal_on_track = fields.Float(
        "On track from (%)",
        config_parameter="campaign_reporting.signal_on_track",
        default=DEFAULT_ON_TRACK,
        help="Share of the pro-rata target at or above which a KPI is on track.",
    )
    campaign_signal_at_risk = fields.Float(
        "At risk from (%)",
        config_parameter="campaign_reporting.signal_at_risk",
        default=DEFAULT_AT_RISK,
        help="Share of the pro-rata target at or above which a KPI is at risk; "
        "below it the KPI is off track.",
    )

    @api.constrains("campaign_signal_on_track", "campaign_signal_at_risk")
    def _check_campaign_signal_thresholds(self):
        for settings in self:
            if not (
                0 < settings.campaign_signal_at_risk < settings.campaign_signal_on_track
            ):
                raise ValidationError(
                    _(
                        "The 'at risk' threshold must be above 0 and below the "
                        "'on track' threshold."
                    )
                )
