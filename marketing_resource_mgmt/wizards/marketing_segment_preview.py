# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..models.marketing_segment import CHANNELS

# Rows shown in a preview: a screenful, enough to judge a definition.
PREVIEW_LIMIT = 80


class MarketingSegmentPreview(models.TransientModel):
    """The first contacts a segment matches, with the reason each matched."""

    _name = "marketing.segment.preview"
    _description = "Segment Preview"

    segment_id = fields.Many2one("marketing.segment", required=True, ondelete="cascade")
    channel = fields.Selection(CHANNELS)
    total_count = fields.Integer(readonly=True)
    line_ids = fields.One2many(
        "marketing.segment.preview.line", "wizard_id", readonly=True
    )

    def _action_fill(self):
        """Fill the lines in one query: the segment's first contacts and, per
        criterion line, whether it holds for the contact."""
        self.ensure_one()
        segment = self.segment_id
        segment._flush_sources()
        query = segment._get_base_query()
        alias = query.table
        if self.channel:
            query.add_where(
                SQL("NOT %s", segment._get_exclusion_sql(self.channel, alias))
            )
        lines = segment.criterion_ids.sorted(lambda c: (c.group, c.sequence))
        selects = [SQL.identifier(alias, "id")] + [
            SQL("COALESCE((%s), FALSE)", line._get_condition_sql(alias))
            for line in lines
        ]
        query.order = SQL(
            "%s, %s", SQL.identifier(alias, "name"), SQL.identifier(alias, "id")
        )
        query.limit = PREVIEW_LIMIT
        self.env.cr.execute(query.select(*selects))
        rows = self.env.cr.fetchall()
        self.total_count = segment._get_count(self.channel)
        has_domain = segment._get_domain() != [(1, "=", 1)]
        vals_list = []
        for row in rows:
            reasons = [
                self.env._(
                    "Group %(group)s: %(line)s",
                    group=line.group,
                    line=line.display_name,
                )
                + (
                    f" [{line._get_matcher_label()}]"
                    if line._get_matcher_label()
                    else ""
                )
                for line, matched in zip(lines, row[1:], strict=True)
                if matched
            ]
            if has_domain:
                reasons.insert(0, self.env._("Domain"))
            if segment.list_partner_ids:
                reasons.append(self.env._("Listed contact"))
            if segment.cluster_model:
                reasons.append(
                    self.env._(
                        "Nearest to cluster %(index)s", index=segment.cluster_index + 1
                    )
                )
            vals_list.append(
                {
                    "wizard_id": self.id,
                    "partner_id": row[0],
                    "reason": "; ".join(reasons)
                    or self.env._("Every contact (no condition)"),
                }
            )
        self.line_ids.unlink()
        self.env["marketing.segment.preview.line"].create(vals_list)
        return True


class MarketingSegmentPreviewLine(models.TransientModel):
    _name = "marketing.segment.preview.line"
    _description = "Segment Preview Line"

    wizard_id = fields.Many2one(
        "marketing.segment.preview", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", readonly=True)
    email = fields.Char(related="partner_id.email")
    phone = fields.Char(related="partner_id.phone")
    city = fields.Char(related="partner_id.city")
    reason = fields.Char(readonly=True)
