# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..matching import normalize_text


class CrmMatchAliasList(models.Model):
    """A value and its spellings ("South Yorkshire", "S. Yorks", ...).

    A criterion with the ``alias`` operator matches any spelling of the list
    (compared normalised, and by similarity when the criterion has a
    threshold below 1).
    """

    _name = "crm.match.alias.list"
    _description = "Matching Alias List"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True, help="The canonical spelling.")
    description = fields.Text()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    line_ids = fields.One2many(
        "crm.match.alias.list.line", "list_id", string="Spellings", copy=True
    )
    alias_count = fields.Integer(
        compute="_compute_alias_count", string="Spellings Count"
    )

    @api.depends("line_ids")
    def _compute_alias_count(self):
        for record in self:
            record.alias_count = len(record.line_ids)

    def _get_aliases(self):
        """All spellings of the lists, the canonical names included.

        :return: list of texts
        """
        aliases = []
        for record in self:
            aliases.append(record.name)
            aliases.extend(record.line_ids.mapped("name"))
        return aliases


class CrmMatchAliasListLine(models.Model):
    _name = "crm.match.alias.list.line"
    _description = "Matching Alias"
    _order = "list_id, sequence, id"

    list_id = fields.Many2one(
        "crm.match.alias.list", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Spelling", required=True)
    # the list's company, for the multi-company record rule
    company_id = fields.Many2one(related="list_id.company_id")
    normalized = fields.Char(
        compute="_compute_normalized",
        help="The spelling as the matchers compare it.",
    )

    @api.depends("name")
    def _compute_normalized(self):
        abbreviations = self.env["crm.match.abbreviation"]._get_abbreviation_map()
        for line in self:
            line.normalized = normalize_text(line.name, abbreviations)
