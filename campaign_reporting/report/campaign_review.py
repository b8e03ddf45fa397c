# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The printable campaign review and vendor programme report (QWeb PDF).

Every figure is read from the KPI views (``campaign.kpi``,
``campaign.kpi.channel``) as the printing user: their record rules apply
(a company's campaigns stay in that company, a salesperson prints the
campaigns they take part in). The return is the one of ``kpi/arithmetic.py``,
the targets against actuals the KPI digest's lines.
"""

from odoo import _, api, models
from odoo.exceptions import AccessError

from ..kpi import net_return, roi, roi_basis
from ..models.campaign_kpi import withheld_fields

FUNNEL_COLUMNS = [
    "members_targeted",
    "members_contacted",
    "members_responded",
    "leads",
    "opportunities",
    "won",
    "orders",
]
COST_ROWS = [
    "cost_timesheet",
    "cost_bill",
    "cost_direct",
    "cost_other",
    "cost_total",
    "committed_po",
    "committed_bill",
    "committed_total",
    "budget",
    "budget_remaining",
]
MONEY_DIGEST_LINES = {"revenue", "cost_total", "cofunding_committed", "net_cost", "roi"}


class ReportCampaignReview(models.AbstractModel):
    _name = "report.campaign_reporting.report_campaign_review"
    _description = "Campaign review (PDF)"

    @api.model
    def _get_review(self, campaign):
        """Everything the review prints of ``campaign``, read as the user.

        :raise AccessError: when the user may not see the campaign's KPIs
        :return: dict
        """
        kpi = self.env["campaign.kpi"].search([("campaign_id", "=", campaign.id)])
        if not kpi:
            raise AccessError(
                _(
                    "You cannot see the figures of the campaign %(campaign)s.",
                    campaign=campaign.display_name,
                )
            )
        show_money = self.env["campaign.monitor"]._can_see_money()
        fields_ = kpi._fields
        withheld = withheld_fields(kpi.data_issue)
        issue = (
            dict(fields_["data_issue"]._description_selection(self.env)).get(
                kpi.data_issue
            )
            if kpi.data_issue
            else False
        )

        def label(name):
            return fields_[name].get_description(self.env)["string"]

        lines = [
            line
            for line in campaign._get_kpi_digest_lines()
            if show_money or line["name"] not in MONEY_DIGEST_LINES
        ]
        channels = self.env["campaign.kpi.channel"].search(
            [("campaign_id", "=", campaign.id)], order="channel"
        )
        channel_labels = dict(
            self.env["campaign.kpi.channel"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        funnel = [
            {
                "channel": channel_labels.get(row.channel, row.channel),
                "values": [row[name] for name in FUNNEL_COLUMNS],
            }
            for row in channels
            if any(row[name] for name in FUNNEL_COLUMNS)
        ]
        review = {
            "campaign": campaign,
            "kpi": kpi,
            "currency": campaign.currency_id or campaign.company_id.currency_id,
            "issue": issue,
            "lines": lines,
            "funnel_headers": [label(name) for name in FUNNEL_COLUMNS],
            "funnel": funnel,
            "funnel_total": [kpi[name] for name in FUNNEL_COLUMNS],
            "show_money": show_money,
            "lessons_learned": campaign.lessons_learned,
        }
        if show_money:
            review["costs"] = [
                {
                    "name": name,
                    "label": label(name),
                    "amount": None if name in withheld else kpi[name],
                }
                for name in COST_ROWS
            ]
            review["cofunding"] = self.env["marketing.campaign.cofunding"].search(
                [("campaign_id", "=", campaign.id)], order="id"
            )
            review["cofunding_totals"] = [
                {
                    "label": label(name),
                    "amount": None if name in withheld else kpi[name],
                }
                for name in (
                    "cofunding_committed",
                    "cofunding_claimed",
                    "cofunding_received",
                )
            ]
            cost_known = "net_cost" not in withheld
            revenue = None if "revenue" in withheld else kpi.revenue
            net_cost = kpi.net_cost if cost_known else None
            basis = roi_basis(net_cost, kpi.cofunding_committed)
            review["return"] = {
                "revenue": revenue,
                "net_cost": net_cost,
                "net_return": net_return(revenue, net_cost),
                "roi": roi(revenue, net_cost),
                "basis": basis,
                "basis_label": dict(
                    fields_["roi_basis"]._description_selection(self.env)
                ).get(basis),
            }
        return review

    @api.model
    def _get_report_values(self, docids, data=None):
        campaigns = self.env["utm.campaign"].browse(docids)
        campaigns.check_access("read")
        return {
            "doc_ids": docids,
            "doc_model": "utm.campaign",
            "docs": campaigns,
            "reviews": [self._get_review(campaign) for campaign in campaigns],
        }


class ReportVendorProgramme(models.AbstractModel):
    """All campaigns a vendor co-funds: status, funnel (at the vendor's share
    level, as in its portal page and XML feed) and claims. Printed for a
    vendor (res.partner) or for a campaign (one section per vendor of the
    campaign, limited to the campaign's company)."""

    _name = "report.campaign_reporting.report_vendor_programme"
    _description = "Vendor programme report (PDF)"

    @api.model
    def _get_programme(self, vendor, company=None):
        """:return: dict of the vendor's programme, campaigns the user can read"""
        statuses = self.env["campaign.vendor.status"]._get_status(vendor)
        visible_domain = [("id", "in", [s["campaign"].id for s in statuses])]
        if company:
            visible_domain.append(("company_id", "in", [company.id, False]))
        # the user's own record rules decide which campaigns are printed
        visible = self.env["utm.campaign"].search(visible_domain)
        statuses = [s for s in statuses if s["campaign"] in visible]
        claims = self.env["marketing.campaign.cofunding"].search(
            [
                ("campaign_id", "in", visible.ids),
                ("partner_id", "child_of", vendor.commercial_partner_id.id),
            ],
            order="campaign_id, id",
        )
        return {
            "vendor": vendor.commercial_partner_id,
            "statuses": statuses,
            "claims": claims,
        }

    @api.model
    def _get_report_values(self, docids, data=None):
        campaigns = self.env["utm.campaign"].browse(docids)
        campaigns.check_access("read")
        programmes = []
        for campaign in campaigns:
            # sudo: which vendors co-fund it (their lines are then read as
            # the user in _get_programme)
            vendors = campaign.sudo().cofunding_ids.partner_id.commercial_partner_id
            for vendor in vendors.sorted("name"):
                programmes.append(
                    self._get_programme(
                        vendor.with_env(self.env), campaign.company_id or None
                    )
                )
        return {
            "doc_ids": docids,
            "doc_model": "utm.campaign",
            "docs": campaigns,
            "programmes": programmes,
        }


class ReportVendorProgrammePartner(models.AbstractModel):
    """The vendor programme report printed from the vendor's contact."""

    _name = "report.campaign_reporting.report_vendor_programme_partner"
    _inherit = "report.campaign_reporting.report_vendor_programme"
    _description = "Vendor programme report of a vendor (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        vendors = self.env["res.partner"].browse(docids)
        vendors.check_access("read")
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": vendors,
            "programmes": [self._get_programme(vendor) for vendor in vendors],
        }
