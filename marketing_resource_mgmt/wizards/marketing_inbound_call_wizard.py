# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize


class MarketingInboundCallWizard(models.TransientModel):
    """Register an inbound call (or e-mail) from the screen: the phone number
    or e-mail address, typed or taken from a contact, goes through the same
    matching as the API (``marketing.campaign.member.action_register_inbound``)
    and the dialog shows what it found."""

    _name = "marketing.inbound.call.wizard"
    _description = "Register Inbound Call"

    partner_id = fields.Many2one(
        "res.partner", "Contact", help="Fills in the contact's phone and e-mail."
    )
    phone = fields.Char(compute="_compute_from_partner", store=True, readonly=False)
    email = fields.Char(
        "E-mail", compute="_compute_from_partner", store=True, readonly=False
    )
    note = fields.Text(help="Added to each activity (what the caller said).")
    state = fields.Selection(
        [("draft", "To register"), ("done", "Registered")],
        default="draft",
        required=True,
    )
    member_ids = fields.Many2many(
        "marketing.campaign.member", string="Members found", readonly=True
    )
    result = fields.Html(readonly=True, sanitize=True)

    @api.depends("partner_id")
    def _compute_from_partner(self):
        for wizard in self:
            partner = wizard.partner_id
            if partner:
                wizard.phone = partner.phone or partner.mobile or False
                wizard.email = partner.email or False

    def action_register(self):
        """Register the inbound call for the members found and show them (or
        a message when nobody matched).

        :return: the action reopening this dialog with its result
        """
        self.ensure_one()
        if self.state == "done":
            raise UserError(_("This call is already registered."))
        phone = (self.phone or "").strip()
        email = (self.email or "").strip()
        if not phone and not email:
            raise UserError(_("Enter the caller's phone number or e-mail address."))
        if email and not email_normalize(email) and not phone:
            raise UserError(
                _("%(email)s is not an e-mail address.", email=email),
            )
        Member = self.env["marketing.campaign.member"]
        done = Member.action_register_inbound(
            email=email or False, phone=phone or False, note=self.note or False
        )
        self.write(
            {
                "state": "done",
                "member_ids": [(6, 0, done)],
                "result": self._result_html(Member.sudo().browse(done), phone, email),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Inbound call"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _result_html(self, members, phone, email):
        """What the registration did, per campaign: the member, its state and
        the activity raised (and for whom); or why nothing happened."""
        searched = ", ".join(value for value in (phone, email) if value)
        if not members:
            return Markup("<p class='o_mrm_inbound_none'>%s</p>") % _(
                "No member of a running campaign has %(searched)s: no activity "
                "was created. Check the number or the address, or handle the "
                "call outside the campaigns.",
                searched=searched,
            )
        activity_type = self.env.ref(
            "marketing_resource_mgmt.mail_activity_type_inbound_answer"
        )
        states = dict(members._fields["state"]._description_selection(self.env))
        lines = []
        for member in members:
            activity = member.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            ).sorted("id")[-1:]
            lines.append(
                Markup("<li>%s</li>")
                % _(
                    "%(campaign)s: %(contact)s (%(state)s), activity "
                    '"%(summary)s" for %(user)s',
                    campaign=member.campaign_id.display_name,
                    contact=member.partner_id.display_name,
                    state=states.get(member.state),
                    summary=activity.summary or "",
                    user=activity.user_id.name or "",
                )
            )
        return Markup("<p class='o_mrm_inbound_found'>%s</p><ul>%s</ul>") % (
            _(
                "%(searched)s: %(count)s campaign membership(s) found.",
                searched=searched,
                count=len(members),
            ),
            Markup("").join(lines),
        )
