# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


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

    def _get_leads_with_effort(self):
        """A lead that answered a campaign is logged work too (routing's
        one policy: archived, never deleted, and the user is told)."""
        answered = (
            self.env["marketing.campaign.member"]
            .sudo()
            .search([("lead_id", "in", self.ids)])
            .lead_id
        )
        return super()._get_leads_with_effort() | set(answered.ids)
