# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The contact's side of the campaign loop: preferred channel, consent log,
undeliverable postal address, and the campaigns the person is in (shown on
the contact and lead forms)."""

from odoo import _, api, fields, models

from .marketing_consent import CONSENT_CHANNELS


# kept apart from the model's main file to keep parallel work mergeable
class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    mrm_preferred_channel = fields.Selection(
        CONSENT_CHANNELS,
        string="Preferred Channel",
        tracking=True,
        help="The channel the contact prefers to be reached on. Campaigns that "
        "generate one channel per contact use it first.",
    )
    mrm_address_undeliverable = fields.Boolean(
        string="Address Undeliverable",
        tracking=True,
        copy=False,
        help="Direct mail to this address came back: no direct mail until the "
        "address is corrected.",
    )
    mrm_consent_ids = fields.One2many("marketing.consent", "partner_id", "Consent")
    mrm_member_ids = fields.One2many(
        "marketing.campaign.member", "partner_id", "Campaign memberships"
    )
    mrm_live_member_ids = fields.Many2many(
        "marketing.campaign.member",
        compute="_compute_mrm_live_members",
        string="Live campaigns",
    )
    mrm_live_member_count = fields.Integer(compute="_compute_mrm_live_members")

    @api.depends("mrm_member_ids.state", "mrm_member_ids.campaign_id.state")
    def _compute_mrm_live_members(self):
        Member = self.env["marketing.campaign.member"]
        if not Member.has_access("read"):
            self.mrm_live_member_ids = False
            self.mrm_live_member_count = 0
            return
        members = Member.search(
            [
                ("partner_id", "in", self.ids),
                ("campaign_id.state", "=", "running"),
            ]
        )
        by_partner = {}
        for member in members:
            by_partner.setdefault(member.partner_id.id, []).append(member.id)
        for partner in self:
            ids = by_partner.get(partner._origin.id, [])
            partner.mrm_live_member_ids = [(6, 0, ids)]
            partner.mrm_live_member_count = len(ids)

    @api.model
    def _mrm_clear_undeliverable(self, vals):
        address = {"street", "street2", "zip", "city", "country_id"}
        if address & set(vals) and "mrm_address_undeliverable" not in vals:
            vals["mrm_address_undeliverable"] = False
        return vals

    def write(self, vals):
        # a corrected address is deliverable again
        return super().write(self._mrm_clear_undeliverable(dict(vals)))

    def action_view_campaign_members(self):
        """The contact's campaign memberships (live ones first)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Campaigns of %(name)s", name=self.display_name),
            "res_model": "marketing.campaign.member",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.id)],
            "context": {"create": False, "search_default_live": 1},
        }
