# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .marketing_campaign_member import CHANNELS

PERIODS = [("day", "Day"), ("batch", "Batch")]


class MarketingChannel(models.Model):
    """A contact channel's cost per contact and capacity per period in a
    company: what the campaign optimiser spends and fills."""

    _name = "marketing.channel"
    _description = "Marketing Channel Cost and Capacity"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(CHANNELS, "Channel", required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    cost_per_contact = fields.Monetary(
        tracking=True,
        help="What one contact on this channel costs (an e-mail, a letter "
        "posted, a caller's minutes), on top of the offer's own cost.",
    )
    period = fields.Selection(PERIODS, default="day", required=True)
    capacity_source = fields.Selection(
        [("fixed", "Fixed"), ("callers", "Callers' capacities")],
        default="fixed",
        required=True,
        tracking=True,
        help="Callers' capacities: the calls per day of the callers of the "
        "running campaigns (each caller counted once, with their largest "
        "capacity).",
    )
    capacity_fixed = fields.Integer("Fixed capacity", tracking=True)
    capacity = fields.Integer(
        "Capacity per period",
        compute="_compute_capacity",
        help="Contacts this channel handles per period (0: no limit).",
    )
    caller_count = fields.Integer(compute="_compute_capacity")

    _sql_constraints = [
        (
            "company_code_unique",
            "UNIQUE(company_id, code)",
            "A channel is set once per company.",
        ),
        ("cost_positive", "CHECK(cost_per_contact >= 0)", "A cost cannot be negative."),
        (
            "capacity_positive",
            "CHECK(capacity_fixed >= 0)",
            "A capacity cannot be negative.",
        ),
    ]

    @api.depends("capacity_source", "capacity_fixed", "company_id")
    def _compute_capacity(self):
        for channel in self:
            if channel.capacity_source == "callers":
                by_caller = channel._get_caller_capacities()
                channel.capacity = sum(by_caller.values())
                channel.caller_count = len(by_caller)
            else:
                channel.capacity = channel.capacity_fixed
                channel.caller_count = 0

    def _get_caller_capacities(self):
        """:return: {user id: calls per day}: the callers of the company's
        running campaigns, each with the largest capacity of their team
        rows (a caller on several campaigns calls for all of them in the
        same day)."""
        self.ensure_one()
        groups = (
            self.env["marketing.campaign.team"]
            .sudo()
            ._read_group(
                [
                    ("makes_calls", "=", True),
                    ("campaign_id.state", "=", "running"),
                    ("company_id", "=", self.company_id.id),
                ],
                ["user_id"],
                ["capacity:max"],
            )
        )
        return {user.id: capacity for user, capacity in groups}

    @api.model
    def _get_company_channels(self, company):
        """:return: {channel code: marketing.channel} of ``company``"""
        channels = self.search([("company_id", "=", company.id)])
        return {channel.code: channel for channel in channels}
