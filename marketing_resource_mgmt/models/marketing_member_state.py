# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..kpi_rules import MEMBER_STATES


class MarketingMemberState(models.Model):
    """A campaign member state (kpi_rules.MEMBER_STATES) as a record, so that
    a segment criterion can hold several of them ("member of campaign X
    with state in ..."). The records mirror MEMBER_STATES: init() adds the
    missing ones; nobody edits them."""

    _name = "marketing.member.state"
    _description = "Campaign Member State"
    _order = "sequence, id"

    code = fields.Char(required=True, readonly=True)
    # the label is the member's own state label (translated with it)
    name = fields.Char(required=True, readonly=True)
    sequence = fields.Integer(readonly=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A member state exists once."),
    ]

    def init(self):
        res = super().init()
        for sequence, (code, label) in enumerate(MEMBER_STATES):
            self.env.cr.execute(
                SQL(
                    "INSERT INTO marketing_member_state (code, name, sequence) "
                    "VALUES (%s, %s, %s) "
                    "ON CONFLICT (code) DO UPDATE SET sequence = EXCLUDED.sequence",
                    code,
                    label,
                    sequence,
                )
            )
        return res

    @api.depends("code")
    def _compute_display_name(self):
        labels = dict(
            self.env["marketing.campaign.member"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        for state in self:
            state.display_name = labels.get(state.code, state.name)

    @api.model
    def _get_by_codes(self, codes):
        """:return: the state records of the member state ``codes``"""
        return self.search([("code", "in", list(codes))])
