# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generation per contact channel ("one channel per contact") and direct mail
(one piece per postal address, batches)."""

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import channel_choice, direct_mail


# kept apart from the model's main file to keep parallel work mergeable
class UtmCampaign(models.Model):
    _inherit = "utm.campaign"  # pylint: disable=consider-merging-classes-inherited

    # ---- CHANNEL CHOICE

    def _get_audience_query(self, channel):
        """In "one channel per contact" mode, keep the contacts for whom
        ``channel`` is the chosen one (tools/channel_choice.py): no other
        channel of the campaign that reaches them beats it, and they are not
        a member on another channel already."""
        query = super()._get_audience_query(channel)
        if self.channel_mode != "one":
            return query
        preferred = SQL("mrm_pref.mrm_preferred_channel")
        beaten = []
        for other in self._get_channels():
            if other == channel:
                continue
            if channel_choice.cost_rank(other) < channel_choice.cost_rank(channel):
                condition = SQL("%s IS DISTINCT FROM %s", preferred, channel)
            else:
                condition = SQL("%s IS NOT DISTINCT FROM %s", preferred, other)
            beaten.append(
                SQL(
                    "(%s AND mrm_aud.id IN (%s))",
                    condition,
                    super()._get_audience_query(other),
                )
            )
        return SQL(
            """
            SELECT mrm_aud.id FROM (%(audience)s) mrm_aud
              JOIN res_partner mrm_pref ON mrm_pref.id = mrm_aud.id
             WHERE NOT (%(beaten)s)
               AND NOT EXISTS (
                   SELECT 1 FROM marketing_campaign_member mrm_other
                    WHERE mrm_other.campaign_id = %(campaign)s
                      AND mrm_other.partner_id = mrm_aud.id
                      AND mrm_other.channel != %(channel)s)
            """,
            audience=query,
            beaten=SQL(" OR ").join(beaten) if beaten else SQL("FALSE"),
            campaign=self.id,
            channel=channel,
        )

    # ---- DIRECT MAIL

    def _assign_mail_pieces(self, members):
        """Set each mail member's piece (one per postal address) among
        ``members``.

        :return: {member id: piece member id}
        """
        rows = []
        members.partner_id.fetch(
            ["street", "street2", "zip", "city", "country_id", "is_company"]
        )
        for member in members:
            partner = member.partner_id
            rows.append(
                (
                    member.id,
                    partner.is_company,
                    direct_mail.address_key(
                        partner.street,
                        partner.street2,
                        partner.zip,
                        partner.city,
                        partner.country_id.id,
                    ),
                )
            )
        pieces = direct_mail.pick_pieces(rows)
        if pieces:
            # one statement for the whole file
            Member = self.env["marketing.campaign.member"]
            Member.flush_model(["mail_piece_member_id"])
            self.env.cr.execute(
                SQL(
                    "UPDATE marketing_campaign_member m SET mail_piece_member_id = "
                    "v.piece FROM unnest(%s::int[], %s::int[]) AS v(id, piece) "
                    "WHERE m.id = v.id",
                    list(pieces),
                    list(pieces.values()),
                )
            )
            Member.invalidate_model(["mail_piece_member_id"])
        return pieces

    def _get_mail_file_rows(self):
        """One row per postal address: the members reached by another
        member's letter are left out of the file."""
        rows = super()._get_mail_file_rows()
        Member = self.env["marketing.campaign.member"]
        members = Member.browse([row["member"] for row in rows])
        pieces = self._assign_mail_pieces(members)
        return [row for row in rows if pieces[row["member"]] == row["member"]]

    def _get_mail_batch_members(self):
        """The mail members to post: still targeted, in no batch yet, with a
        deliverable address."""
        self.ensure_one()
        return (
            self.env["marketing.campaign.member"]
            .sudo()
            .search(
                [
                    ("campaign_id", "=", self.id),
                    ("channel", "=", "mail"),
                    ("state", "=", "targeted"),
                    ("mail_batch_id", "=", False),
                    ("partner_id.mrm_address_undeliverable", "=", False),
                ],
                order="id",
            )
        )

    def action_create_mail_batch(self):
        """Put the campaign's direct-mail members still to post into a new
        batch (one piece per postal address) and open it."""
        self.ensure_one()
        members = self._get_mail_batch_members()
        if not members:
            raise UserError(
                _(
                    "The campaign %(name)s has no direct-mail member left to post.",
                    name=self.title,
                )
            )
        batch = self.env["marketing.mail.batch"].create(
            {
                "name": _(
                    "%(code)s batch %(number)s",
                    code=self.code,
                    number=len(self.mail_batch_ids) + 1,
                ),
                "campaign_id": self.id,
            }
        )
        members.write({"mail_batch_id": batch.id})
        self._assign_mail_pieces(members)
        return {
            "type": "ir.actions.act_window",
            "res_model": "marketing.mail.batch",
            "res_id": batch.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
