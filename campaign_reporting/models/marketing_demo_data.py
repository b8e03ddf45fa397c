# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Finance side of the demo data: the past demo campaigns get vendor
purchases and bills on their analytic accounts, direct costs, co-funding and
leads, so the Campaign Monitor and the finance reconciliation have figures."""

from datetime import timedelta

from odoo import api, models

# (campaign xml id suffix, vendor xml id, [(description, amount)], co-funding
# (vendor xml id, amount, state))
FINANCE = [
    (
        "winter",
        "base.res_partner_12",
        [("Printing and postage", 1850.0), ("List cleaning", 420.0)],
        ("base.res_partner_2", 1200.0, "received"),
    ),
    (
        "webinar",
        "base.res_partner_4",
        [("Webinar platform", 690.0)],
        ("base.res_partner_3", 800.0, "claimed"),
    ),
]


class MarketingDemoData(models.AbstractModel):
    _inherit = "marketing.demo.data"

    @api.model
    def _load_finance(self):
        env = self.sudo().with_context(tracking_disable=True).env
        # a plain record (no external id): uninstalling keeps the bills
        product = env["product.product"].create(
            {
                "name": "Campaign services",
                "default_code": "MRM-DEMO-SVC",
                "type": "service",
                "purchase_method": "purchase",
                "purchase_ok": True,
                "sale_ok": False,
                "supplier_taxes_id": [(5, 0, 0)],
            }
        )
        for key, vendor, lines, cofunding in FINANCE:
            campaign = env.ref(
                f"marketing_resource_mgmt.demo_campaign_{key}", raise_if_not_found=False
            )
            if not campaign or not campaign.analytic_account_id:
                continue
            account = campaign.analytic_account_id
            order = env["purchase.order"].create(
                {
                    "partner_id": env.ref(vendor).id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "name": name,
                                "product_qty": 1,
                                "price_unit": amount,
                                "taxes_id": [(5, 0, 0)],
                                "analytic_distribution": {str(account.id): 100},
                            },
                        )
                        for name, amount in lines
                    ],
                }
            )
            order.button_confirm()
            order.action_create_invoice()
            bills = order.invoice_ids
            bills.write({"invoice_date": campaign.date_start + timedelta(days=20)})
            bills.action_post()
            env["marketing.campaign.cost"].create(
                {
                    "campaign_id": campaign.id,
                    "partner_id": env.ref(vendor).id,
                    "category": "other",
                    "name": "Prize draw vouchers",
                    "amount": 150.0,
                    "date": campaign.date_start + timedelta(days=5),
                }
            )
            partner, amount, state = cofunding
            env["marketing.campaign.cofunding"].create(
                {
                    "campaign_id": campaign.id,
                    "partner_id": env.ref(partner).id,
                    "amount": amount,
                    "state": state,
                }
            )
            members = campaign.member_ids.filtered(
                lambda m: m.state in ("responded", "converted")
            )
            opportunities = env["crm.lead"].create(
                [
                    {
                        "name": f"{campaign.title}: {member.partner_id.name}",
                        "type": "opportunity",
                        "partner_id": member.partner_id.id,
                        "campaign_id": campaign.id,
                        "user_id": member.partner_id.user_id.id,
                        "expected_revenue": 1500.0,
                    }
                    for member in members[:8]
                ]
            )
            opportunities[:3].action_set_won()
        return True
