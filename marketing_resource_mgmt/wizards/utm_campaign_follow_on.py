# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Create a follow-on campaign for a subset of a campaign's members, in one
step: the new campaign is pre-filled from a template, linked to its parent,
carries the (changed) offer, and the members are copied set-based."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from odoo.addons.crm_lead_routing.progress import Progress

from ..models.chatter import log_note
from ..models.marketing_campaign_member import CHANNELS
from ..models.utm_campaign_follow_on import FOLLOW_ON_BATCH
from ..models.utm_campaign_generation import CHANNEL_REQUIREMENTS
from ..tools.membership import FOLLOW_ON_SUBSETS, follow_on_subset_sql

SUBSETS = [
    ("non_responders", "Non-responders"),
    ("openers_no_click", "Opened, did not click"),
    ("interested_no_order", "Interested, no order yet"),
    ("custom", "Custom filter"),
]


class UtmCampaignFollowOn(models.TransientModel):
    _name = "utm.campaign.follow.on"
    _description = "Create a Follow-on Campaign"

    campaign_id = fields.Many2one(
        "utm.campaign", string="Parent Campaign", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="campaign_id.company_id")
    subset = fields.Selection(
        SUBSETS,
        string="Members",
        required=True,
        default="non_responders",
        help="Non-responders: reached, no answer (nor unsubscribed). Opened, "
        "did not click: opened a mailing, clicked nothing, no answer. "
        "Interested, no order yet: a positive answer and no confirmed order of "
        "the contact since. Custom filter: your own conditions on the members.",
    )
    member_domain = fields.Char(
        string="Filter",
        default="[]",
        help="Conditions on the parent campaign's members (custom filter).",
    )
    channel = fields.Selection(
        CHANNELS,
        help="Reach the members on this channel (one member per contact); "
        "empty: each on the channel of the parent campaign.",
    )
    title = fields.Char(
        string="Campaign Name",
        required=True,
        compute="_compute_from_parent",
        store=True,
        precompute=True,
        readonly=False,
    )
    template_id = fields.Many2one(
        "marketing.campaign.template",
        compute="_compute_from_parent",
        store=True,
        precompute=True,
        readonly=False,
        help="The follow-on's phases, channels and targets come from it.",
    )
    offer_product_ids = fields.Many2many(
        "product.product",
        "utm_campaign_follow_on_product_rel",
        "wizard_id",
        "product_id",
        string="Offer: products",
        compute="_compute_from_parent",
        store=True,
        precompute=True,
        readonly=False,
    )
    offer_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Offer: pricelist",
        compute="_compute_from_parent",
        store=True,
        precompute=True,
        readonly=False,
    )
    offer_summary = fields.Html(
        string="Offer", compute="_compute_offer_summary", sanitize=False
    )
    member_count = fields.Integer(
        string="Members to copy", compute="_compute_member_count"
    )

    # ---- COMPUTES

    @api.depends("campaign_id")
    def _compute_from_parent(self):
        for wizard in self:
            parent = wizard.campaign_id
            wizard.title = (
                _("%(title)s: follow-on", title=parent.title) if parent else False
            )
            wizard.template_id = parent.template_id
            wizard.offer_product_ids = parent.offer_product_ids
            wizard.offer_pricelist_id = parent.offer_pricelist_id

    @api.depends("offer_product_ids", "offer_pricelist_id", "campaign_id")
    def _compute_offer_summary(self):
        Campaign = self.env["utm.campaign"]
        for wizard in self:
            wizard.offer_summary = Campaign._render_offer_table(
                Campaign._get_offer_rows(
                    wizard.offer_product_ids,
                    wizard.offer_pricelist_id,
                    wizard.campaign_id.currency_id,
                )
            )

    @api.depends("campaign_id", "subset", "member_domain", "channel")
    def _compute_member_count(self):
        for wizard in self:
            count = 0
            if wizard.campaign_id:
                self.env["marketing.campaign.member"].flush_model()
                try:
                    self.env.cr.execute(
                        SQL(
                            "SELECT count(*) FROM (%s) AS mrm_follow_on",
                            wizard._get_source_sql(),
                        )
                    )
                    count = self.env.cr.fetchone()[0]
                except UserError:
                    count = 0
            wizard.member_count = count

    # ---- MEMBERS

    def _get_member_domain(self):
        """:return: the custom filter as a domain on the members
        :raise UserError: when it does not parse"""
        self.ensure_one()
        try:
            domain = safe_eval((self.member_domain or "").strip() or "[]")
            if not isinstance(domain, list | tuple):
                raise ValueError(_("a domain is a list of conditions"))
            return expression.normalize_domain(list(domain))
        except Exception as error:
            raise UserError(
                _("The filter on the members does not parse: %(error)s", error=error)
            ) from error

    def _get_source_sql(self):
        """``SELECT partner_id, channel`` of the members to copy: the parent's
        active members of the subset that the user may read (record rules),
        whose contact is of the parent's company (or of none) and may be
        reached on the follow-on's channel (consent, as generation checks
        it), one row per (contact, channel).

        :return: odoo.tools.SQL
        """
        self.ensure_one()
        parent = self.campaign_id
        Member = self.env["marketing.campaign.member"]
        domain = [("campaign_id", "=", parent.id), ("active", "=", True)]
        if self.subset == "custom":
            domain = expression.AND([domain, self._get_member_domain()])
        try:
            query = Member._search(domain)
        except (ValueError, KeyError, TypeError, AssertionError) as error:
            raise UserError(
                _("The filter on the members is invalid: %(error)s", error=error)
            ) from error
        if query.is_empty():
            return SQL(
                "SELECT NULL::int AS partner_id, NULL::varchar AS channel "
                "WHERE FALSE"
            )
        alias = query.table
        if self.subset in FOLLOW_ON_SUBSETS:
            query.add_where(follow_on_subset_sql(self.subset, alias))
        partner = query.make_alias(alias, "mrm_partner")
        query.add_join(
            "JOIN",
            partner,
            "res_partner",
            SQL(
                "%s = %s",
                SQL.identifier(partner, "id"),
                SQL.identifier(alias, "partner_id"),
            ),
        )
        company = parent.company_id
        if company:
            query.add_where(
                SQL(
                    "(%s IS NULL OR %s = %s)",
                    SQL.identifier(partner, "company_id"),
                    SQL.identifier(partner, "company_id"),
                    company.id,
                )
            )
        channel = (
            SQL("%s::varchar", self.channel)
            if self.channel
            else SQL.identifier(alias, "channel")
        )
        query.add_where(self._get_reachable_sql(channel, partner))
        query.order = None
        return SQL(
            "SELECT DISTINCT %s AS partner_id, %s AS channel FROM (%s) AS src",
            SQL.identifier("src", "partner_id"),
            SQL.identifier("src", "channel"),
            query.select(
                SQL("%s AS partner_id", SQL.identifier(alias, "partner_id")),
                SQL("%s AS channel", channel),
            ),
        )

    @api.model
    def _get_reachable_sql(self, channel, partner_alias):
        """The contact ``partner_alias`` may be reached on ``channel`` (an SQL
        expression): not excluded by consent (the segments' rules) and with
        what the channel needs (an address, a number)."""
        Segment = self.env["marketing.segment"]
        return SQL(
            "(CASE %s %s ELSE FALSE END)",
            channel,
            SQL(" ").join(
                SQL(
                    "WHEN %s THEN (NOT %s AND %s)",
                    key,
                    Segment._get_exclusion_sql(key, partner_alias),
                    CHANNEL_REQUIREMENTS[key](partner_alias),
                )
                for key, _label in CHANNELS
            ),
        )

    # ---- ACTIONS

    def action_create(self):
        """Create the follow-on campaign, copy the members and open it.

        :return: the new campaign's form (act_window)
        """
        self.ensure_one()
        parent = self.campaign_id
        parent.check_access("read")
        if not (self.title or "").strip():
            raise UserError(_("Give the follow-on campaign a name."))
        self.env.flush_all()
        source = self._get_source_sql()
        self.env.cr.execute(SQL("SELECT count(*) FROM (%s) AS mrm_follow_on", source))
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                _(
                    "No member of %(campaign)s is in the chosen subset (or may "
                    "be reached on its channel): nothing to follow on.",
                    campaign=parent.title,
                )
            )
        title = _("Creating the follow-on of %(campaign)s", campaign=parent.title)
        with Progress(self.env, title, 2) as bar:
            bar.step(_("Copying the members"))
            follow_on = self.env["utm.campaign"].create(self._prepare_campaign_vals())
            counts = follow_on.sudo()._copy_follow_on_members(source)
            follow_on.sudo().write({f"use_{channel}": True for channel in counts})
            bar.step(_("Preparing the e-mails, calls, letters and texts"))
            follow_on.sudo()._generate_outputs(FOLLOW_ON_BATCH, counts)
            self._log_follow_on(follow_on, counts)
        return {
            "type": "ir.actions.act_window",
            "name": follow_on.display_name,
            "res_model": "utm.campaign",
            "res_id": follow_on.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def _prepare_campaign_vals(self):
        """The follow-on's values: its template's (applied by create()), the
        parent's company, currency and team, the wizard's offer."""
        self.ensure_one()
        parent = self.campaign_id
        vals = {
            "title": self.title.strip(),
            "parent_id": parent.id,
            "user_id": self.env.user.id,
            "company_id": parent.company_id.id,
            "currency_id": parent.currency_id.id,
            "offer_product_ids": [(6, 0, self.offer_product_ids.ids)],
            "offer_pricelist_id": self.offer_pricelist_id.id,
            "team_ids": [
                (
                    0,
                    0,
                    {
                        "user_id": line.user_id.id,
                        "role": line.role,
                        "makes_calls": line.makes_calls,
                        "capacity": line.capacity,
                    },
                )
                for line in parent.sudo().team_ids
            ],
        }
        if self.template_id:
            vals["template_id"] = self.template_id.id
        else:
            vals["campaign_type"] = parent.campaign_type
        return vals

    def _log_follow_on(self, follow_on, counts):
        labels = dict(self._fields["subset"]._description_selection(self.env))
        total = sum(counts.values())
        log_note(
            self.campaign_id,
            Markup("<p>%s</p>")
            % _(
                "Follow-on campaign %(campaign)s created for %(count)s members "
                "(%(subset)s).",
                campaign=follow_on.display_name,
                count=total,
                subset=labels[self.subset],
            ),
        )
        log_note(
            follow_on,
            Markup("<p>%s</p>")
            % _(
                "Follow-on of %(campaign)s: %(count)s members copied (%(subset)s).",
                campaign=self.campaign_id.display_name,
                count=total,
                subset=labels[self.subset],
            ),
        )
