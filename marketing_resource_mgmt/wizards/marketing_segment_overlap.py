# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.marketing_segment import CHANNELS

# Contacts listed per part of the overlap; the counts are always complete.
OVERLAP_LIST_LIMIT = 200


class MarketingSegmentOverlap(models.TransientModel):
    """Overlap of two segments: A only, both, B only, with counts and lists."""

    _name = "marketing.segment.overlap"
    _description = "Segment Overlap"

    segment_a_id = fields.Many2one(
        "marketing.segment", string="Segment A", required=True
    )
    segment_b_id = fields.Many2one(
        "marketing.segment", string="Segment B", required=True
    )
    channel = fields.Selection(CHANNELS)
    a_only_count = fields.Integer(string="A only", compute="_compute_overlap")
    both_count = fields.Integer(string="Both", compute="_compute_overlap")
    b_only_count = fields.Integer(string="B only", compute="_compute_overlap")
    a_only_partner_ids = fields.Many2many(
        "res.partner", string="In A only", compute="_compute_overlap"
    )
    both_partner_ids = fields.Many2many(
        "res.partner", string="In both", compute="_compute_overlap"
    )
    b_only_partner_ids = fields.Many2many(
        "res.partner", string="In B only", compute="_compute_overlap"
    )

    @api.depends("segment_a_id", "segment_b_id", "channel")
    def _compute_overlap(self):
        for wizard in self:
            ready = wizard.segment_a_id and wizard.segment_b_id
            same = wizard.segment_a_id._origin == wizard.segment_b_id._origin
            result = wizard._get_overlap() if ready and not same else {}
            wizard.a_only_count = result.get("a_only", 0)
            wizard.both_count = result.get("both", 0)
            wizard.b_only_count = result.get("b_only", 0)
            wizard.a_only_partner_ids = [(6, 0, result.get("a_only_ids") or [])]
            wizard.both_partner_ids = [(6, 0, result.get("both_ids") or [])]
            wizard.b_only_partner_ids = [(6, 0, result.get("b_only_ids") or [])]

    def _get_overlap(self):
        """Counts and first ids of each part, in one query.

        :return: dict a_only, both, b_only (counts) and *_ids (lists)
        """
        self.ensure_one()
        segment_a, segment_b = self.segment_a_id._origin, self.segment_b_id._origin
        if segment_a == segment_b:
            raise UserError(self.env._("Pick two different segments."))
        segment_a._flush_sources()
        query = SQL(
            """
            WITH a AS (%(a)s), b AS (%(b)s),
            u AS (SELECT COALESCE(a.id, b.id) AS id, a.id IS NOT NULL AS in_a,
                         b.id IS NOT NULL AS in_b
                    FROM a FULL JOIN b ON a.id = b.id)
            SELECT count(*) FILTER (WHERE in_a AND NOT in_b),
                   count(*) FILTER (WHERE in_a AND in_b),
                   count(*) FILTER (WHERE in_b AND NOT in_a),
                   (array_agg(id ORDER BY id)
                       FILTER (WHERE in_a AND NOT in_b))[1:%(limit)s],
                   (array_agg(id ORDER BY id)
                       FILTER (WHERE in_a AND in_b))[1:%(limit)s],
                   (array_agg(id ORDER BY id)
                       FILTER (WHERE in_b AND NOT in_a))[1:%(limit)s]
              FROM u
            """,
            a=segment_a._get_partner_query(self.channel),
            b=segment_b._get_partner_query(self.channel),
            limit=OVERLAP_LIST_LIMIT,
        )
        self.env.cr.execute(query)
        row = self.env.cr.fetchone()
        return {
            "a_only": row[0],
            "both": row[1],
            "b_only": row[2],
            "a_only_ids": row[3] or [],
            "both_ids": row[4] or [],
            "b_only_ids": row[5] or [],
        }
