# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A campaign world built from real records, with hand-computed expectations.

Campaign A (the reference): 10 members, 8 leads (4 opportunities, 1 won,
2 lost), 1 quotation, 2 confirmed orders, one posted invoice of 2,000 and a
posted refund of 200, 4 h of timesheet at 50/h, a posted vendor bill of
1,000, a direct cost of 120, another analytic cost of 30, a confirmed
purchase order of 500 not yet billed, a draft bill of 300 analysed at 50 %,
co-funding of 1,000 committed by vendor V1 (and 500 still in draft by V2).
Campaign B has no analytic account; campaign C is in another currency.
"""

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# Hand-computed expectations for campaign A (see the module docstring).
EXPECTED_A = {
    "members_targeted": 10,
    "members_contacted": 7,
    "members_responded": 3,
    "members_unsubscribed": 1,
    "leads": 8,
    "opportunities": 4,
    "won": 1,
    "lost": 2,
    "quotations": 1,
    "orders": 2,
    "revenue": 1800.0,
    "cost_timesheet": 200.0,
    "cost_bill": 1000.0,
    "cost_direct": 120.0,
    "cost_other": 30.0,
    "cost_total": 1350.0,
    "committed_po": 500.0,
    "committed_bill": 150.0,
    "committed_total": 650.0,
    "budget": 5000.0,
    "budget_remaining": 3000.0,
    "cofunding_committed": 1000.0,
    "cofunding_claimed": 0.0,
    "cofunding_received": 0.0,
    "net_cost": 350.0,
    "roi": (1800.0 - 350.0) / 350.0 * 100.0,
    "cost_per_lead": 1350.0 / 8,
    "cost_per_won": 1350.0,
    "rate_lead_opportunity": 50.0,
    "rate_opportunity_won": 25.0,
    "rate_member_order": 20.0,
    "pct_members": 50.0,
    "pct_responses": 50.0,
    "pct_leads": 50.0,
    "pct_opportunities": 50.0,
    "pct_won": 50.0,
    "pct_orders": 50.0,
    "pct_revenue": 50.0,
    "pct_budget": 27.0,
}
# per channel of campaign A: members by the member's channel, leads and
# orders by the channel of the member who produced the lead
EXPECTED_A_CHANNELS = {
    "email": {"members_targeted": 6, "members_responded": 1, "leads": 1, "orders": 0},
    "call": {"members_targeted": 4, "members_responded": 2, "leads": 1, "orders": 1},
    "none": {"members_targeted": 0, "members_responded": 0, "leads": 6, "orders": 1},
}


class CampaignReportingCommon(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.env.user.groups_id |= (
            cls.env.ref("marketing_resource_mgmt.group_marketing_manager")
            | cls.env.ref("campaign_reporting.group_campaign_finance")
            | cls.env.ref("sales_team.group_sale_manager")
            | cls.env.ref("purchase.group_purchase_manager")
            | cls.env.ref("hr_timesheet.group_hr_timesheet_approver")
            | cls.env.ref("analytic.group_analytic_accounting")
        )
        cls.manager = cls.env.user
        cls.project_plan = cls.env["account.analytic.plan"].browse(
            int(
                cls.env["ir.config_parameter"].sudo().get_param("analytic.project_plan")
            )
        )
        cls.owner = new_test_user(
            cls.env,
            login="cr_owner",
            groups="marketing_resource_mgmt.group_marketing_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            email="owner@example.com",
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="cr_salesperson",
            groups="marketing_resource_mgmt.group_marketing_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.finance_user = new_test_user(
            cls.env,
            login="cr_finance",
            groups="campaign_reporting.group_campaign_finance,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.vendor_1 = cls.env["res.partner"].create(
            {"name": "Vendor One", "is_company": True, "email": "v1@example.com"}
        )
        cls.vendor_2 = cls.env["res.partner"].create(
            {"name": "Vendor Two", "is_company": True, "email": "v2@example.com"}
        )
        cls.vendor_3 = cls.env["res.partner"].create(
            {"name": "Vendor Three", "is_company": True}
        )
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        if not cls.won_stage:
            cls.won_stage = cls.env["crm.stage"].create({"name": "Won", "is_won": True})
        cls._build_campaign_a()
        cls._build_campaign_b()
        cls._build_campaign_c()
        cls.env.flush_all()

    # ---- builders

    @classmethod
    def _new_campaign(cls, name, code, **vals):
        return cls.env["utm.campaign"].create(
            {
                "name": name,
                "code": code,
                "user_id": cls.owner.id,
                "company_id": cls.company.id,
                "state": "running",
                "date_start": fields.Date.to_date("2024-01-01"),
                "date_end": fields.Date.to_date("2024-12-31"),
                **vals,
            }
        )

    @classmethod
    def _direct_cost(cls, campaign, amount, label="Print run"):
        """A direct cost entry and its analytic line."""
        cost = cls.env["marketing.campaign.cost"].create(
            {
                "campaign_id": campaign.id,
                "date": fields.Date.to_date("2024-03-01"),
                "category": "print",
                "amount": amount,
                "currency_id": campaign.currency_id.id,
                **(
                    {"name": label}
                    if "name" in cls.env["marketing.campaign.cost"]._fields
                    else {}
                ),
            }
        )
        if not cost.analytic_line_id:
            cost.analytic_line_id = cls.env["account.analytic.line"].create(
                {
                    "name": label,
                    "account_id": campaign.analytic_account_id.id,
                    "amount": -amount,
                    "date": cost.date,
                }
            )
        return cost

    @classmethod
    def _build_campaign_a(cls):
        cls.account_a = cls.env["account.analytic.account"].create(
            {"name": "Campaign A", "plan_id": cls.project_plan.id}
        )
        cls.campaign_a = cls._new_campaign(
            "Spring Push",
            "CR-A",
            analytic_account_id=cls.account_a.id,
            budget=5000.0,
            target_members=20,
            target_responses=6,
            target_leads=16,
            target_opportunities=8,
            target_won=2,
            target_orders=4,
            target_revenue=3600.0,
        )
        camp = cls.campaign_a
        cls.env["marketing.campaign.team"].create(
            {"campaign_id": camp.id, "user_id": cls.salesperson.id, "role": "caller"}
        )
        # ---- leads and opportunities
        Lead = cls.env["crm.lead"]
        leads = Lead.create(
            [
                {"name": f"A lead {i}", "type": "lead", "campaign_id": camp.id}
                for i in range(1, 5)
            ]
            + [
                {
                    "name": f"A opportunity {i}",
                    "type": "opportunity",
                    "campaign_id": camp.id,
                    "partner_id": cls.partner_a.id,
                }
                for i in range(1, 5)
            ]
        )
        cls.lead_1, _l2, _l3, lead_4 = leads[:4]
        cls.opp_won, _o2, opp_lost, _o4 = leads[4:]
        lead_4.action_set_lost()
        opp_lost.action_set_lost()
        cls.opp_won.action_set_won()
        # ---- members: 6 by e-mail, 4 by call
        partners = cls.env["res.partner"].create(
            [{"name": f"Member {i}", "email": f"m{i}@example.com"} for i in range(10)]
        )
        states = [
            ("email", "targeted", False),
            ("email", "targeted", False),
            ("email", "contacted", False),
            ("email", "contacted", False),
            ("email", "responded", cls.lead_1),
            ("email", "unsubscribed", False),
            ("call", "bounced", False),
            ("call", "contacted", False),
            ("call", "converted", cls.opp_won),
            ("call", "declined", False),
        ]
        cls.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": camp.id,
                    "partner_id": partner.id,
                    "channel": channel,
                    "state": state,
                    "lead_id": lead.id if lead else False,
                }
                for partner, (channel, state, lead) in zip(
                    partners, states, strict=True
                )
            ]
        )
        # ---- sales: SO1 from the won opportunity (invoiced), SO2 confirmed,
        # SO3 a quotation, SO4 cancelled
        SaleOrder = cls.env["sale.order"]

        def order(qty, price, **vals):
            return SaleOrder.create(
                {
                    "partner_id": cls.partner_a.id,
                    "campaign_id": camp.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product_a.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                            }
                        )
                    ],
                    **vals,
                }
            )

        cls.so_1 = order(2, 1000.0, opportunity_id=cls.opp_won.id)
        cls.so_2 = order(1, 500.0)
        cls.so_3 = order(1, 700.0)
        so_4 = order(1, 900.0)
        (cls.so_1 | cls.so_2 | so_4).action_confirm()
        so_4._action_cancel()
        cls.invoice_a = cls.so_1._create_invoices()
        cls.invoice_a.invoice_date = fields.Date.to_date("2024-04-01")
        cls.invoice_a.action_post()
        refund = cls.init_invoice(
            "out_refund", cls.partner_a, "2024-04-15", amounts=[200.0]
        )
        refund.campaign_id = camp
        refund.action_post()
        cls.refund_a = refund
        draft_invoice = cls.init_invoice(
            "out_invoice", cls.partner_a, "2024-04-20", amounts=[999.0]
        )
        draft_invoice.campaign_id = camp
        # ---- costs
        employee = cls.env["hr.employee"].create(
            {
                "name": "Campaign caller",
                "hourly_cost": 50.0,
                "company_id": cls.company.id,
            }
        )
        cls.project_a = cls.env["project.project"].create(
            {
                "name": "Campaign A project",
                "account_id": cls.account_a.id,
                "company_id": cls.company.id,
            }
        )
        cls.timesheet_a = cls.env["account.analytic.line"].create(
            {
                "name": "Calls",
                "project_id": cls.project_a.id,
                "employee_id": employee.id,
                "unit_amount": 4.0,
                "date": fields.Date.to_date("2024-03-10"),
            }
        )
        distribution = {str(cls.account_a.id): 100.0}
        cls.bill_a = cls.init_invoice(
            "in_invoice", cls.vendor_1, "2024-03-15", amounts=[1000.0]
        )
        cls.bill_a.invoice_line_ids.analytic_distribution = distribution
        cls.bill_a.action_post()
        draft_bill = cls.init_invoice(
            "in_invoice", cls.vendor_2, "2024-03-20", amounts=[300.0]
        )
        draft_bill.invoice_line_ids.analytic_distribution = {
            str(cls.account_a.id): 50.0
        }
        cls.draft_bill_a = draft_bill
        cls.direct_cost_a = cls._direct_cost(camp, 120.0)
        cls.other_line_a = cls.env["account.analytic.line"].create(
            {
                "name": "Room hire (misc.)",
                "account_id": cls.account_a.id,
                "amount": -30.0,
                "date": fields.Date.to_date("2024-03-12"),
            }
        )
        cls.product_service = cls._create_product(
            name="Mailing house service",
            type="service",
            purchase_method="purchase",
            standard_price=250.0,
        )
        cls.purchase_a = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor_1.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product_service.id,
                            "product_qty": 2,
                            "price_unit": 250.0,
                            "analytic_distribution": distribution,
                            "taxes_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.purchase_a.button_confirm()
        # ---- co-funding
        Cofunding = cls.env["marketing.campaign.cofunding"]
        cls.cofunding_a1 = Cofunding.create(
            {
                "campaign_id": camp.id,
                "partner_id": cls.vendor_1.id,
                "amount": 1000.0,
                "currency_id": cls.company.currency_id.id,
                "state": "committed",
            }
        )
        cls.cofunding_a2 = Cofunding.create(
            {
                "campaign_id": camp.id,
                "partner_id": cls.vendor_2.id,
                "amount": 500.0,
                "currency_id": cls.company.currency_id.id,
                "state": "draft",
            }
        )

    @classmethod
    def _build_campaign_b(cls):
        """No analytic account: costs unknown, revenue still right."""
        cls.campaign_b = cls._new_campaign("Autumn Fair", "CR-B", budget=1000.0)
        invoice = cls.init_invoice(
            "out_invoice", cls.partner_b, "2024-05-01", amounts=[700.0]
        )
        invoice.campaign_id = cls.campaign_b
        invoice.action_post()
        cls.env["crm.lead"].create(
            {"name": "B lead", "type": "lead", "campaign_id": cls.campaign_b.id}
        )
        cls.cofunding_b3 = cls.env["marketing.campaign.cofunding"].create(
            {
                "campaign_id": cls.campaign_b.id,
                "partner_id": cls.vendor_3.id,
                "amount": 400.0,
                "currency_id": cls.company.currency_id.id,
                "state": "committed",
            }
        )

    @classmethod
    def _build_campaign_c(cls):
        """Campaign funded in another currency than its company's books."""
        other = cls.setup_other_currency("EUR")
        account = cls.env["account.analytic.account"].create(
            {"name": "Campaign C", "plan_id": cls.project_plan.id}
        )
        cls.campaign_c = cls._new_campaign(
            "Euro Tour", "CR-C", analytic_account_id=account.id, budget=2000.0
        )
        cls.env["account.analytic.line"].create(
            {"name": "Stand", "account_id": account.id, "amount": -80.0}
        )
        # a vendor funds it in euros: the money would mix currencies
        cls.env["marketing.campaign.cofunding"].create(
            {
                "campaign_id": cls.campaign_c.id,
                "partner_id": cls.vendor_2.id,
                "amount": 300.0,
                "currency_id": other.id,
                "state": "committed",
            }
        )

    def kpi(self, campaign):
        self.env.flush_all()
        return self.env["campaign.kpi"].search([("campaign_id", "=", campaign.id)])
