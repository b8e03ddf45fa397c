# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

COST_CATEGORIES = [
    ("media", "Media and advertising"),
    ("print", "Print and postage"),
    ("list", "Lists and data"),
    ("event", "Event and venue"),
    ("agency", "Agency and freelance"),
    ("travel", "Travel"),
    ("other", "Other"),
]


class MarketingCampaignCost(models.Model):
    """A direct cost entry of a campaign. Each entry posts one analytic line to
    the campaign's analytic account, next to timesheets and vendor bills."""

    _name = "marketing.campaign.cost"
    _description = "Campaign Cost"
    _order = "date desc, id desc"

    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    name = fields.Char("Description")
    date = fields.Date(required=True, default=fields.Date.context_today)
    partner_id = fields.Many2one("res.partner", string="Vendor")
    category = fields.Selection(COST_CATEGORIES, required=True, default="other")
    amount = fields.Monetary(required=True)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    analytic_line_id = fields.Many2one(
        "account.analytic.line", readonly=True, copy=False, ondelete="set null"
    )

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "A cost cannot be negative.")
    ]

    @api.model_create_multi
    def create(self, vals_list):
        costs = super().create(vals_list)
        costs._sync_analytic_line()
        return costs

    def write(self, vals):
        res = super().write(vals)
        if {"date", "partner_id", "amount", "name", "category", "campaign_id"} & set(
            vals
        ):
            self._sync_analytic_line()
        return res

    def unlink(self):
        lines = self.analytic_line_id
        res = super().unlink()
        lines.sudo().unlink()
        return res

    def _prepare_analytic_line_vals(self):
        self.ensure_one()
        category = dict(self._fields["category"].selection).get(self.category)
        return {
            "name": self.name or category,
            "date": self.date,
            "partner_id": self.partner_id.id,
            "amount": -self.currency_id._convert(
                self.amount,
                self.campaign_id.currency_id or self.env.company.currency_id,
                self.campaign_id.company_id or self.env.company,
                self.date,
            ),
            "account_id": self.campaign_id.analytic_account_id.id,
            "company_id": (self.campaign_id.company_id or self.env.company).id,
        }

    def _sync_analytic_line(self):
        """Create or update each entry's analytic line (the campaign's analytic
        account is created on the first cost when it has none yet)."""
        for cost in self:
            cost.campaign_id._ensure_analytic_account()
            vals = cost._prepare_analytic_line_vals()
            if cost.analytic_line_id:
                cost.analytic_line_id.sudo().write(vals)
            else:
                cost.analytic_line_id = (
                    self.env["account.analytic.line"].sudo().create(vals)
                )
