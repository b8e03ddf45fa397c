# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Campaign hierarchy (parent / follow-on campaigns) and the campaign's
offer: products and a pricelist, with each product's price and, where the
inventory app is installed, its quantity on hand (issue 14)."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_amount

# generation batch of a follow-on's copied members (the new campaign's first)
FOLLOW_ON_BATCH = 1


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"  # pylint: disable=consider-merging-classes-inherited

    parent_id = fields.Many2one(
        "utm.campaign",
        string="Parent Campaign",
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
        tracking=True,
        help="The campaign this one follows on; its KPIs roll up into the "
        "parent's in the Campaign Monitor.",
    )
    child_ids = fields.One2many(
        "utm.campaign", "parent_id", string="Follow-on Campaigns"
    )
    child_count = fields.Integer(string="Follow-ons", compute="_compute_child_count")
    # the offer (issue 13 adds priced offers; until then products and a
    # pricelist on the campaign)
    offer_product_ids = fields.Many2many(
        "product.product",
        "utm_campaign_offer_product_rel",
        "campaign_id",
        "product_id",
        string="Offer: products",
        help="The products the campaign offers.",
    )
    offer_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Offer: pricelist",
        help="The prices the campaign offers its products at.",
    )
    offer_summary = fields.Html(
        string="Offer",
        compute="_compute_offer_summary",
        sanitize=False,
        help="Each product's list price, its price in the offer's pricelist "
        "and, with the inventory app, its quantity on hand.",
    )

    # ---- COMPUTES

    def _compute_child_count(self):
        data = dict(
            self._read_group(
                [("parent_id", "in", self.ids)], ["parent_id"], ["__count"]
            )
        )
        for campaign in self:
            campaign.child_count = data.get(campaign, 0)

    @api.depends("offer_product_ids", "offer_pricelist_id", "currency_id")
    def _compute_offer_summary(self):
        for campaign in self:
            campaign.offer_summary = self._render_offer_table(
                self._get_offer_rows(
                    campaign.offer_product_ids,
                    campaign.offer_pricelist_id,
                    campaign.currency_id,
                )
            )

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                _("A campaign cannot follow on itself, nor on one of its follow-ons.")
            )

    # ---- OFFER

    @api.model
    def _get_offer_rows(self, products, pricelist, currency=None):
        """The offer's figures per product.

        :param products: product.product records
        :param pricelist: product.pricelist (may be empty: list prices)
        :param currency: res.currency of the list prices shown (the
            pricelist's own for its prices)
        :return: list of dicts: product_id, name, list_price, price,
            currency_id, qty_available (None without the inventory app,
            whose ``qty_available`` field this addon does not depend on)
        """
        products = products._origin
        if not products:
            return []
        prices = (
            pricelist._origin._get_products_price(products, 1.0) if pricelist else {}
        )
        with_stock = "qty_available" in products._fields
        quantities = {}
        if with_stock:
            # the on-hand figure is shown to marketers, who need no stock rights
            quantities = {
                product.id: product.qty_available for product in products.sudo()
            }
        price_currency = pricelist.currency_id if pricelist else None
        rows = []
        for product in products:
            list_price = product.lst_price
            if currency and currency != product.currency_id:
                list_price = product.currency_id._convert(
                    list_price,
                    currency,
                    self.env.company,
                    fields.Date.context_today(self),
                )
            rows.append(
                {
                    "product_id": product.id,
                    "name": product.display_name,
                    "list_price": list_price,
                    "list_currency_id": (currency or product.currency_id).id,
                    "price": prices.get(product.id, product.lst_price),
                    "currency_id": (price_currency or product.currency_id).id,
                    "qty_available": quantities.get(product.id) if with_stock else None,
                }
            )
        return rows

    @api.model
    def _render_offer_table(self, rows):
        """:return: the offer rows as an HTML table (False without rows)"""
        if not rows:
            return False
        with_stock = any(row["qty_available"] is not None for row in rows)
        Currency = self.env["res.currency"]
        head = [_("Product"), _("List price"), _("Offer price")]
        if with_stock:
            head.append(_("On hand"))
        cells = Markup("").join(Markup("<th>%s</th>") % label for label in head)
        body = Markup("")
        for row in rows:
            values = [
                row["name"],
                format_amount(
                    self.env,
                    row["list_price"],
                    Currency.browse(row["list_currency_id"]),
                ),
                format_amount(
                    self.env, row["price"], Currency.browse(row["currency_id"])
                ),
            ]
            if with_stock:
                values.append(f"{row['qty_available']:g}")
            body += Markup("<tr>%s</tr>") % Markup("").join(
                Markup("<td>%s</td>") % value for value in values
            )
        return Markup(
            "<table class='table table-sm o_mrm_offer'><thead><tr>%s</tr></thead>"
            "<tbody>%s</tbody></table>"
        ) % (cells, body)

    # ---- HIERARCHY

    def _get_family_ids(self):
        """Ids of the campaigns and of all their follow-ons (any depth), in one
        recursive query over the parent index.

        :return: {campaign id: [its own id, then its descendants' ids]}
        """
        if not self:
            return {}
        self.flush_model(["parent_id"])
        self.env.cr.execute(
            SQL(
                """
            WITH RECURSIVE family(root_id, id) AS (
                SELECT id, id FROM utm_campaign WHERE id = ANY(%s)
                 UNION
                SELECT f.root_id, c.id
                  FROM utm_campaign c JOIN family f ON c.parent_id = f.id
            )
            SELECT root_id, array_agg(id ORDER BY id = root_id DESC, id)
              FROM family GROUP BY root_id
                """,
                self.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    # ---- FOLLOW-ON MEMBERS
    def _copy_follow_on_members(self, source):
        """Insert the members selected by ``source`` (``SELECT partner_id,
        channel``) into this new campaign, in one statement per campaign.

        :return: {channel: number of members copied}
        """
        self.ensure_one()
        Member = self.env["marketing.campaign.member"]
        self.env.cr.execute(
            SQL(
                """
            WITH src AS (%(source)s),
            inserted AS (
                INSERT INTO marketing_campaign_member (
                    id, campaign_id, partner_id, channel, state, access_token,
                    date_targeted, company_id, active, generation_batch,
                    create_date, write_date)
                SELECT n.id, %(campaign)s, n.partner_id, n.channel, 'targeted',
                       %(token)s, now() AT TIME ZONE 'UTC', %(company)s, TRUE,
                       %(batch)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM (SELECT nextval(%(sequence)s) AS id, s.partner_id, s.channel
                          FROM src s ORDER BY s.partner_id, s.channel) n
                ON CONFLICT (campaign_id, partner_id, channel) DO NOTHING
                RETURNING channel
            )
            SELECT channel, count(*) FROM inserted GROUP BY channel
                """,
                source=source,
                campaign=self.id,
                token=self._member_token_sql(SQL("n.id")),
                company=self.company_id.id,
                batch=FOLLOW_ON_BATCH,
                sequence=f"{Member._table}_id_seq",
            )
        )
        counts = dict(self.env.cr.fetchall())
        Member.invalidate_model()
        self.invalidate_recordset(["member_ids"])
        return counts

    # ---- ACTIONS

    def action_create_follow_on(self):
        """The "Create follow-on" wizard for this campaign's members."""
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": _("Follow-on of %(name)s", name=self.title),
            "res_model": "utm.campaign.follow.on",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_campaign_id": self.id},
        }

    def action_view_follow_ons(self):
        """The campaign's follow-on campaigns."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Follow-ons of %(name)s", name=self.title),
            "res_model": "utm.campaign",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("parent_id", "=", self.id)],
            "context": {"default_parent_id": self.id, "create": False},
        }
