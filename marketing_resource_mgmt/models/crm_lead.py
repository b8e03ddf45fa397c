# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from .logged_work import done_activity_counts


class CrmLead(models.Model):
    _inherit = "crm.lead"

    campaign_member_ids = fields.One2many(
        "marketing.campaign.member", "lead_id", string="Campaign members"
    )
    campaign_match_route = fields.Selection(
        [
            ("utm", "UTM campaign"),
            ("code", "Campaign code"),
            ("partner", "Member contact"),
            ("email", "Member e-mail"),
            ("phone", "Member phone"),
            ("portal", "Portal answer"),
        ],
        readonly=True,
        copy=False,
        help="How the lead was tied to its campaign.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        if not self.env.context.get("mrm_skip_inbound"):
            leads._match_inbound_campaign()
        return leads

    def _match_inbound_campaign(self):
        """Tie new leads to the campaign they answer (UTM, code, or a member's
        contact, e-mail or phone) and move the member on."""
        text = (
            "COALESCE(r.name, '') || ' ' || COALESCE(r.description, '') "
            "|| ' ' || COALESCE(r.referred, '')"
        )
        matches = self.env["marketing.campaign.member"]._match_inbound(
            self, text, "r.email_normalized", ("r.phone", "r.mobile")
        )
        self.env["marketing.campaign.member"]._apply_inbound(self, matches, "responded")

    def unlink(self):
        # checked before mail.thread's unlink, which deletes the messages
        # (the done activities) first
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._unlink_except_campaign_effort()
        return super().unlink()

    def _unlink_except_campaign_effort(self):
        """A lead that answered a campaign, or carries done activities, is
        logged work: it is archived, never deleted."""
        if not self:
            return
        answered = (
            self.env["marketing.campaign.member"]
            .sudo()
            .search([("lead_id", "in", self.ids)], limit=1)
        )
        if answered:
            raise UserError(
                _(
                    "The lead %(name)s answers the campaign %(campaign)s; that is "
                    "logged work and cannot be deleted: archive the lead instead.",
                    name=answered.lead_id.name,
                    campaign=answered.campaign_id.title,
                )
            )
        done = done_activity_counts(self)
        if done:
            lead = self.browse(min(done))
            raise UserError(
                _(
                    "The lead %(name)s has done activities; they are logged work and "
                    "cannot be deleted: archive the lead instead.",
                    name=lead.name,
                )
            )
