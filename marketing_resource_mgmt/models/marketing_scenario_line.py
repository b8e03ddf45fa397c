# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The inputs (budgets, capacities) and results (totals, constraints, the
chosen contacts) of a campaign scenario."""

from odoo import fields, models

from .marketing_campaign_member import CHANNELS

RESULT_KINDS = [("campaign", "Campaign"), ("offer", "Offer"), ("channel", "Channel")]


class MarketingScenarioBudget(models.Model):
    _name = "marketing.scenario.budget"
    _description = "Scenario Budget per Campaign"
    _order = "scenario_id, id"

    scenario_id = fields.Many2one(
        "marketing.scenario", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="scenario_id.company_id", store=True)
    currency_id = fields.Many2one(related="scenario_id.currency_id")
    campaign_id = fields.Many2one("utm.campaign", required=True, ondelete="cascade")
    budget = fields.Monetary(required=True)

    _sql_constraints = [
        (
            "scenario_campaign_unique",
            "UNIQUE(scenario_id, campaign_id)",
            "One budget per campaign in a scenario.",
        ),
    ]


class MarketingScenarioCapacity(models.Model):
    _name = "marketing.scenario.capacity"
    _description = "Scenario Capacity per Channel"
    _order = "scenario_id, id"

    scenario_id = fields.Many2one(
        "marketing.scenario", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="scenario_id.company_id", store=True)
    channel = fields.Selection(CHANNELS, required=True)
    capacity = fields.Integer(
        required=True, help="Contacts the channel takes over the scenario's periods."
    )

    _sql_constraints = [
        (
            "scenario_channel_unique",
            "UNIQUE(scenario_id, channel)",
            "One capacity per channel in a scenario.",
        ),
    ]


class MarketingScenarioResult(models.Model):
    _name = "marketing.scenario.result"
    _description = "Scenario Result by Campaign, Offer or Channel"
    _order = "scenario_id, kind, profit desc, id"

    scenario_id = fields.Many2one(
        "marketing.scenario", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="scenario_id.company_id", store=True)
    currency_id = fields.Many2one(related="scenario_id.currency_id")
    kind = fields.Selection(RESULT_KINDS, required=True)
    name = fields.Char(required=True)
    contacts = fields.Integer()
    responses = fields.Float("Expected responses", digits=(16, 2))
    revenue = fields.Monetary("Expected revenue")
    cost = fields.Monetary()
    profit = fields.Monetary("Expected profit")
    roi = fields.Float("ROI", digits=(16, 2), help="(Revenue - cost) / cost.")


class MarketingScenarioConstraint(models.Model):
    _name = "marketing.scenario.constraint"
    _description = "Scenario Constraint and its Shadow Price"
    _order = "scenario_id, binding desc, shadow_price desc, id"

    scenario_id = fields.Many2one(
        "marketing.scenario", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="scenario_id.company_id", store=True)
    currency_id = fields.Many2one(related="scenario_id.currency_id")
    kind = fields.Char(required=True)
    key = fields.Char()
    name = fields.Char(required=True)
    limit = fields.Float(digits=(16, 2))
    used = fields.Float(digits=(16, 2))
    shadow_price = fields.Monetary(
        help="What one more unit of this limit would add to the expected profit."
    )
    binding = fields.Boolean(help="The plan uses all of this limit.")
    explanation = fields.Char()


class MarketingScenarioChoice(models.Model):
    """A (contact, offer, channel) the optimiser chose: written set-based by
    the run, read by "Apply"."""

    _name = "marketing.scenario.choice"
    _description = "Scenario Choice"
    _order = "scenario_id, partner_id, id"
    _log_access = False

    scenario_id = fields.Many2one(
        "marketing.scenario", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    offer_id = fields.Many2one("marketing.offer", required=True, ondelete="cascade")
    campaign_id = fields.Many2one("utm.campaign", required=True, ondelete="cascade")
    channel = fields.Selection(CHANNELS, required=True)
    probability = fields.Float(digits=(5, 4))
    expected_value = fields.Float(digits=(16, 2))
    cost = fields.Float(digits=(16, 2))
