# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class MarketingCampaignPhase(models.Model):
    """One phase of a running campaign, copied from its template. A phase gate
    closes when the phase's tasks are done, or by a manager's override with a
    reason; every move is logged in the campaign's chatter."""

    _name = "marketing.campaign.phase"
    _description = "Campaign Phase"
    _order = "campaign_id, sequence, id"

    campaign_id = fields.Many2one(
        "utm.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    template_phase_id = fields.Many2one(
        "marketing.campaign.template.phase", ondelete="set null"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Html("Work instructions")
    resources = fields.Text("Required resources")
    is_generation = fields.Boolean("Generation phase")
    state = fields.Selection(
        [("pending", "Pending"), ("open", "Open"), ("done", "Done")],
        default="pending",
        required=True,
    )
    task_ids = fields.One2many("project.task", "campaign_phase_id", "Tasks")
    stage_id = fields.Many2one(
        "project.task.type",
        string="Project stage",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The phase's column in the campaign's project.",
    )
    open_task_count = fields.Integer(compute="_compute_open_task_count")
    date_opened = fields.Datetime(readonly=True)
    date_closed = fields.Datetime(readonly=True)
    closed_by_id = fields.Many2one("res.users", readonly=True)
    override_reason = fields.Text(readonly=True)

    @api.depends("task_ids.state")
    def _compute_open_task_count(self):
        for phase in self:
            phase.open_task_count = len(
                phase.task_ids.filtered(
                    lambda t: t.state not in ("1_done", "1_canceled")
                )
            )

    def _close(self, override_reason=False):
        """Close this (current) phase and open the next one.

        :param override_reason: a manager's reason to close with open tasks
        :raise UserError: open tasks without an override, or not the current phase
        :raise AccessError: an override by someone who is not a marketing manager
        """
        self.ensure_one()
        campaign = self.campaign_id
        if campaign.phase_id != self or self.state != "open":
            raise UserError(_("Only the current phase of a campaign can be closed."))
        if override_reason:
            if not self.env.user.has_group(
                "marketing_resource_mgmt.group_marketing_manager"
            ):
                raise AccessError(
                    _("Only marketing managers can override a phase gate.")
                )
            if not override_reason.strip():
                raise UserError(_("Give a reason for the override."))
        elif self.open_task_count:
            raise UserError(
                _(
                    "The phase %(phase)s still has %(count)s open tasks: finish them, "
                    "or ask a marketing manager to override the gate with a reason.",
                    phase=self.name,
                    count=self.open_task_count,
                )
            )
        now = fields.Datetime.now()
        self.sudo().write(
            {
                "state": "done",
                "date_closed": now,
                "closed_by_id": self.env.user.id,
                "override_reason": override_reason or False,
            }
        )
        following = campaign.phase_ids.filtered(
            lambda p: p.state == "pending"
            and (p.sequence, p.id) > (self.sequence, self.id)
        ).sorted(lambda p: (p.sequence, p.id))
        next_phase = following[:1]
        if next_phase:
            next_phase.sudo().write({"state": "open", "date_opened": now})
            campaign.sudo().phase_id = next_phase
        if override_reason:
            body = _(
                "Phase %(phase)s closed by %(user)s with an override (%(count)s open "
                "tasks). Reason: %(reason)s",
                phase=self.name,
                user=self.env.user.name,
                count=self.open_task_count,
                reason=override_reason,
            )
        else:
            body = _(
                "Phase %(phase)s closed by %(user)s: all its tasks are done.",
                phase=self.name,
                user=self.env.user.name,
            )
        if next_phase:
            body += " " + _("Next phase: %(phase)s.", phase=next_phase.name)
        else:
            body += " " + _("That was the last phase.")
        campaign._log_phase_move(body)
        return next_phase
