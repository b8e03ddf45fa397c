# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.marketing_resource_mgmt.models.chatter import log_note

from ..kpi import (
    ROI_PERCENT,
    SIGNAL_AT_RISK,
    SIGNAL_NONE,
    SIGNAL_NOT_STARTED,
    SIGNAL_OFF_TRACK,
    SIGNAL_ON_TRACK,
    elapsed_ratio,
    net_return,
    roi,
    roi_basis,
    signal_for,
    worst_signal,
)
from .campaign_kpi import MONEY_GROUPS, withheld_fields

SIGNAL_SELECTION = [
    (SIGNAL_ON_TRACK, "On track"),
    (SIGNAL_AT_RISK, "At risk"),
    (SIGNAL_OFF_TRACK, "Off track"),
    (SIGNAL_NOT_STARTED, "Not started"),
    (SIGNAL_NONE, "No target"),
]
# kanban colour index of each signal (Odoo's colour palette: 10 green,
# 2 orange, 1 red, 0 none)
SIGNAL_COLORS = {SIGNAL_ON_TRACK: 10, SIGNAL_AT_RISK: 2, SIGNAL_OFF_TRACK: 1}

# KPI rows of the digest e-mail: (KPI field, target field, label)
DIGEST_ROWS = [
    ("members_targeted", "target_members"),
    ("members_contacted", False),
    ("members_responded", "target_responses"),
    ("leads", "target_leads"),
    ("opportunities", "target_opportunities"),
    ("won", "target_won"),
    ("orders", "target_orders"),
    ("revenue", "target_revenue"),
    ("cost_total", "budget"),
    ("cofunding_committed", False),
    ("net_cost", False),
    ("roi", False),
]


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    kpi_snapshot_ids = fields.One2many(
        "campaign.kpi.snapshot", "campaign_id", string="Closing snapshots"
    )
    kpi_snapshot_count = fields.Integer(compute="_compute_kpi_snapshot_count")
    # the Campaign Monitor's signal, for the campaign kanban's colour
    monitor_signal = fields.Selection(
        SIGNAL_SELECTION, "Signal", compute="_compute_monitor_signal"
    )
    monitor_signal_color = fields.Integer(compute="_compute_monitor_signal")
    lessons_learned = fields.Html(
        help="What the team learned from the campaign: printed in the "
        "campaign review.",
    )
    kpi_revenue = fields.Monetary(
        "Invoiced revenue",
        compute="_compute_kpi_money",
        currency_field="currency_id",
        groups=MONEY_GROUPS,
    )
    kpi_cost_total = fields.Monetary(
        "Actual cost",
        compute="_compute_kpi_money",
        currency_field="currency_id",
        groups=MONEY_GROUPS,
    )
    kpi_committed_total = fields.Monetary(
        "Committed cost",
        compute="_compute_kpi_money",
        currency_field="currency_id",
        groups=MONEY_GROUPS,
    )

    def _compute_kpi_money(self):
        rows = {
            kpi.campaign_id.id: kpi
            for kpi in self.env["campaign.kpi"]
            .sudo()
            .search([("campaign_id", "in", self.ids)])
        }
        for campaign in self:
            kpi = rows.get(campaign.id)
            campaign.kpi_revenue = kpi.revenue if kpi else 0.0
            campaign.kpi_cost_total = kpi.cost_total if kpi else 0.0
            campaign.kpi_committed_total = kpi.committed_total if kpi else 0.0

    def _compute_monitor_signal(self):
        signals = self.env["campaign.monitor"]._campaign_signals(
            [cid for cid in self.ids if isinstance(cid, int)]
        )
        for campaign in self:
            signal = signals.get(campaign.id, SIGNAL_NONE)
            campaign.monitor_signal = signal
            campaign.monitor_signal_color = SIGNAL_COLORS.get(signal, 0)

    def _compute_kpi_snapshot_count(self):
        groups = dict(
            self.env["campaign.kpi.snapshot"]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"]
            )
        )
        for campaign in self:
            campaign.kpi_snapshot_count = groups.get(campaign, 0)

    # ---- ORM

    def _check_not_finance_only(self):
        """Finance staff read campaigns and their money; they do not edit them.

        :raise AccessError: for a finance user outside the marketing groups
        """
        user = self.env.user
        if self.env.su or not user.has_group(
            "campaign_reporting.group_campaign_finance"
        ):
            return
        if not user.has_group("marketing_resource_mgmt.group_marketing_user"):
            raise AccessError(
                _(
                    "Finance staff read the campaigns' figures; only marketing "
                    "users edit campaigns."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_not_finance_only()
        return super().create(vals_list)

    def unlink(self):
        self._check_not_finance_only()
        return super().unlink()

    def write(self, vals):
        self._check_not_finance_only()
        closing = self.env["utm.campaign"]
        reopening = self.env["utm.campaign"]
        if "state" in vals:
            closing = self.filtered(
                lambda c: c.state != "closed" and vals["state"] == "closed"
            )
            reopening = self.filtered(
                lambda c: c.state == "closed" and vals["state"] != "closed"
            )
            if reopening and not (
                self.env.su
                or self.env.user.has_group(
                    "marketing_resource_mgmt.group_marketing_manager"
                )
            ):
                raise AccessError(
                    _("Only a marketing manager can reopen a closed campaign.")
                )
        if closing:
            # freeze the figures as they are before closing
            self.env["campaign.kpi.snapshot"]._take(closing)
        res = super().write(vals)
        for campaign in closing:
            campaign._campaign_log(
                _("Campaign closed: figures frozen in a closing snapshot.")
            )
        for campaign in reopening:
            campaign._campaign_log(
                _("Campaign reopened by %(user)s.", user=self.env.user.name)
            )
        return res

    def _campaign_log(self, body):
        """Log a note on the campaign's chatter (never blocking the action)."""
        log_note(self, body)

    # ---- FINANCE

    def _check_open_for_costs(self):
        """Raise when one of the campaigns is closed (figures frozen)."""
        closed = self.filtered(lambda c: c.state == "closed")
        if closed:
            raise UserError(
                _(
                    "Campaign %(campaign)s is closed: its figures are frozen and it "
                    "accepts no new cost. A marketing manager can reopen it.",
                    campaign=", ".join(closed.mapped("display_name")),
                )
            )

    def action_reopen_campaign(self):
        """Reopen closed campaigns (marketing managers only, logged)."""
        if not self.env.user.has_group(
            "marketing_resource_mgmt.group_marketing_manager"
        ):
            raise AccessError(
                _("Only a marketing manager can reopen a closed campaign.")
            )
        closed = self.filtered(lambda c: c.state == "closed")
        if not closed:
            raise UserError(_("Only a closed campaign can be reopened."))
        closed.write({"state": "running"})
        return True

    def action_view_kpi_snapshots(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Closing snapshots"),
            "res_model": "campaign.kpi.snapshot",
            "domain": [("campaign_id", "=", self.id)],
            "views": [(False, "list"), (False, "form")],
        }

    def action_print_pnl_workbook(self):
        """The campaign P&L workbook (XLSX) for finance."""
        self._check_pnl_printable()
        report = self.env.ref("campaign_reporting.action_report_campaign_pnl")
        # config=False: no document layout wizard, this is no PDF; no None
        # values (no data), which XML-RPC cannot carry
        action = report.report_action(self, config=False)
        return {key: value for key, value in action.items() if value is not None}

    def action_print_review(self):
        """The campaign review (QWeb PDF; shown as HTML without wkhtmltopdf).

        :return: the report's action dict
        """
        report = self.env.ref("campaign_reporting.action_report_campaign_review")
        action = report.report_action(self, config=False)
        return {key: value for key, value in action.items() if value is not None}

    def action_send_review(self):
        """The mail composer with the campaign review and the vendor
        programme report attached (mail template "Campaign: review").

        :return: an ir.actions.act_window dict (the composer)
        """
        self.ensure_one()
        template = self.env.ref(
            "campaign_reporting.mail_template_campaign_review",
            raise_if_not_found=False,
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Send the campaign review"),
            "res_model": "mail.compose.message",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "utm.campaign",
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        }

    def _check_pnl_printable(self):
        """Refuse a workbook whose figures would be wrong (see campaign.kpi's
        data_issue: no analytic account, one outside the Projects plan, or
        amounts in a currency other than the campaign's)."""
        self.env.flush_all()
        issues = dict(
            self.env["campaign.kpi"]
            .sudo()
            ._read_group(
                [("campaign_id", "in", self.ids), ("data_issue", "!=", False)],
                ["campaign_id", "data_issue"],
            )
        )
        for campaign in self:
            issue = issues.get(campaign)
            if issue == "no_analytic_account":
                raise UserError(
                    _(
                        "Campaign %(campaign)s has no analytic account: its costs "
                        "cannot be reconciled.",
                        campaign=campaign.display_name,
                    )
                )
            if issue == "analytic_plan":
                raise UserError(
                    _(
                        "The analytic account of campaign %(campaign)s is not in the "
                        "Projects plan: its costs cannot be reconciled.",
                        campaign=campaign.display_name,
                    )
                )
            if issue == "currency":
                raise UserError(
                    _(
                        "Campaign %(campaign)s has amounts in a currency other than "
                        "%(currency)s (co-funding, invoices, bills or costs): the "
                        "workbook would mix currencies.",
                        campaign=campaign.display_name,
                        currency=campaign.currency_id.name,
                    )
                )

    # ---- DIGEST

    def _get_kpi_digest_partners(self):
        """Recipients of the campaign's digest: its owner and subscribed managers."""
        self.ensure_one()
        managers = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("campaign_kpi_digest", "=", True),
                    (
                        "groups_id",
                        "in",
                        self.env.ref(
                            "marketing_resource_mgmt.group_marketing_manager"
                        ).ids,
                    ),
                    ("share", "=", False),
                ]
            )
        )
        if self.company_id:
            managers = managers.filtered(lambda u: self.company_id in u.company_ids)
        return (self.user_id | managers).partner_id

    def _get_kpi_digest_lines(self):
        """KPI table of the digest: label, actual, target, % and signal per row."""
        self.ensure_one()
        kpi = self.env["campaign.kpi"].sudo().search([("campaign_id", "=", self.id)])
        monitor = self.env["campaign.monitor"]
        on_track, at_risk = monitor._get_thresholds()
        share = elapsed_ratio(
            kpi.date_start, kpi.date_end, fields.Date.context_today(self)
        )
        withheld = withheld_fields(kpi.data_issue)
        lines = []
        for name, target_name in DIGEST_ROWS:
            field = kpi._fields[name]
            label = field.get_description(self.env)["string"]
            actual = None if name in withheld else kpi[name]
            target = kpi[target_name] if target_name else None
            monetary = field.type == "monetary"
            if name == "roi" and actual is not None:
                # the return as defined once in kpi/arithmetic.py: a net cost
                # of zero or below has no ROI, its return is an amount
                actual = roi(kpi.revenue, kpi.net_cost)
                basis = roi_basis(kpi.net_cost, kpi.cofunding_committed)
                if basis != ROI_PERCENT:
                    actual = net_return(kpi.revenue, kpi.net_cost)
                    monetary = True
                    label = dict(
                        kpi._fields["roi_basis"]._description_selection(self.env)
                    )[basis]
                    label = _("Net return (%(basis)s)", basis=label)
            signal = signal_for(
                actual,
                target,
                share,
                on_track,
                at_risk,
                lower_is_better=(name == "cost_total"),
            )
            lines.append(
                {
                    "name": name,
                    "label": label,
                    "actual": actual,
                    "target": target,
                    "percent": round(actual * 100.0 / target, 1)
                    if target and actual is not None
                    else None,
                    "signal": signal,
                    "monetary": monetary,
                }
            )
        return lines

    def _get_kpi_digest_signal(self):
        return worst_signal(line["signal"] for line in self._get_kpi_digest_lines())

    @api.model
    def _cron_send_kpi_digest(self):
        """Send the KPI digest of every running campaign through Odoo's mail queue."""
        template = self.env.ref("campaign_reporting.mail_template_campaign_kpi_digest")
        campaigns = self.search([("state", "=", "running")])
        for campaign in campaigns:
            partners = campaign._get_kpi_digest_partners()
            if not partners:
                continue
            template.send_mail(
                campaign.id,
                email_values={"recipient_ids": [(6, 0, partners.ids)]},
            )
        return len(campaigns)

    def _generate_members(self):
        """A generation run as a job changes many members: the Campaign
        Monitor's stored funnel is then refreshed by a job too."""
        results = super()._generate_members()
        if results and self._generation_uses_queue():
            self.env["campaign.kpi"]._enqueue_funnel_refresh()
        return results
