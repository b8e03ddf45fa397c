# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

VENDOR_SHARE_LEVELS = [
    ("status", "Status only"),
    ("funnel", "Status and funnel"),
    ("revenue", "Status, funnel and revenue"),
]


class MarketingCampaignCofunding(models.Model):
    _inherit = "marketing.campaign.cofunding"

    claim_move_id = fields.Many2one(
        "account.move",
        string="Claim invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Customer invoice sent to the vendor to claim the co-funding.",
    )
    claim_payment_state = fields.Selection(
        related="claim_move_id.payment_state", string="Claim payment"
    )
    vendor_share_level = fields.Selection(
        VENDOR_SHARE_LEVELS,
        default="funnel",
        required=True,
        help="Figures the vendor sees in its portal page and XML feed.",
    )

    # ---- ACTIONS

    def action_claim(self):
        """Invoice the co-funding to the vendor (one customer invoice per line).

        :return: an action opening the claim invoice(s)
        """
        moves = self._action_claim()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        if len(moves) == 1:
            action.update(views=[(False, "form")], res_id=moves.id)
        else:
            action["domain"] = [("id", "in", moves.ids)]
        return action

    def _action_claim(self):
        """Create and post the claim invoices; the lines move to 'claimed'."""
        for line in self:
            if line.state != "committed":
                raise UserError(
                    _(
                        "Only committed co-funding can be claimed (%(vendor)s: "
                        "%(state)s).",
                        vendor=line.partner_id.display_name,
                        state=dict(
                            line._fields["state"]._description_selection(self.env)
                        )[line.state],
                    )
                )
            if line.claim_move_id and line.claim_move_id.state != "cancel":
                raise UserError(
                    _(
                        "%(vendor)s has already been invoiced for this co-funding.",
                        vendor=line.partner_id.display_name,
                    )
                )
            line.campaign_id._check_open_for_costs()
        moves = self.env["account.move"].create(
            [line._prepare_claim_invoice_vals() for line in self]
        )
        moves.action_post()
        # finance staff claim without editing the campaign's plan: the state
        # follows the invoice the user was allowed to create
        for line, move in zip(self, moves, strict=True):
            line.sudo().write({"claim_move_id": move.id, "state": "claimed"})
        return moves

    def _prepare_claim_invoice_vals(self):
        self.ensure_one()
        campaign = self.campaign_id
        company = campaign.company_id or self.env.company
        account = self._get_claim_income_account(company)
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": company.id,
            "currency_id": (self.currency_id or company.currency_id).id,
            "invoice_origin": campaign.code or campaign.name,
            "ref": _("Co-funding %(campaign)s", campaign=campaign.display_name),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": _(
                            "Co-funding of campaign %(campaign)s",
                            campaign=campaign.display_name,
                        ),
                        "quantity": 1.0,
                        "price_unit": self.amount,
                        "account_id": account.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    @api.model
    def _get_claim_income_account(self, company):
        account = (
            self.env["account.account"]
            .with_company(company)
            .search(
                [
                    *self.env["account.account"]._check_company_domain(company),
                    ("account_type", "=", "income_other"),
                    ("deprecated", "=", False),
                ],
                limit=1,
            )
        ) or self.env["account.account"].with_company(company).search(
            [
                *self.env["account.account"]._check_company_domain(company),
                ("account_type", "=", "income"),
                ("deprecated", "=", False),
            ],
            limit=1,
        )
        if not account:
            raise UserError(
                _(
                    "Company %(company)s has no income account to invoice co-funding.",
                    company=company.name,
                )
            )
        return account

    def _sync_claim_state(self):
        """Follow the claim invoice: paid -> received, unpaid again -> claimed,
        cancelled -> back to committed."""
        for line in self.filtered("claim_move_id"):
            move = line.claim_move_id
            if move.state == "cancel":
                new_state = "committed"
            elif move.payment_state in ("paid", "in_payment"):
                new_state = "received"
            else:
                new_state = "claimed"
            if line.state in ("claimed", "received") and line.state != new_state:
                line.sudo().state = new_state
