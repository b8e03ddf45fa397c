# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Segment options of the campaign loop: people, companies or both; a
recorded opt-in required for a channel; undeliverable postal addresses."""

from odoo import fields, models
from odoo.tools import SQL

from .marketing_consent import CONSENT_CHANNELS


# kept apart from the model's main file to keep parallel work mergeable
class MarketingSegment(models.Model):
    _inherit = "marketing.segment"  # pylint: disable=consider-merging-classes-inherited

    partner_kind = fields.Selection(
        [
            ("both", "People and companies"),
            ("person", "People"),
            ("company", "Companies"),
        ],
        string="Targets",
        default="both",
        required=True,
        help="Target individual people, companies, or both.",
    )
    require_opt_in = fields.Selection(
        CONSENT_CHANNELS,
        string="Requires recorded opt-in for",
        help="Only contacts whose latest consent record for this channel is an "
        "opt-in (see the contact's consent log).",
    )

    def _get_base_query(self):
        query = super()._get_base_query()
        alias = query.table
        if self.partner_kind != "both":
            query.add_where(
                SQL(
                    "%s IS %s",
                    SQL.identifier(alias, "is_company"),
                    SQL("TRUE" if self.partner_kind == "company" else "NOT TRUE"),
                )
            )
        if self.require_opt_in:
            self.env["marketing.consent"].flush_model()
            query.add_where(
                self.env["marketing.consent"]._opt_in_sql(
                    self.require_opt_in, SQL.identifier(alias, "id")
                )
            )
        return query

    def _get_reason_sql(self, reason, alias):
        """A returned letter makes the postal address missing for direct mail."""
        condition = super()._get_reason_sql(reason, alias)
        if reason == "address_missing":
            condition = SQL(
                "(%s OR %s IS TRUE)",
                condition,
                SQL.identifier(alias, "mrm_address_undeliverable"),
            )
        return condition
