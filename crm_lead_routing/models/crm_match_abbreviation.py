# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..matching import ensure_sql_functions, prepare_abbreviations, split_words


class CrmMatchAbbreviation(models.Model):
    """An abbreviation expanded before fuzzy comparisons ("st" -> "saint").

    The table is small and read on every fuzzy criterion: the map is cached
    and the cache cleared on any change.
    """

    _name = "crm.match.abbreviation"
    _description = "Matching Abbreviation"
    _order = "name"

    name = fields.Char(
        string="Abbreviation",
        required=True,
        help="One word, compared without case, accents or punctuation: 'St.' = 'st'.",
    )
    expansion = fields.Char(
        help="Words that replace the abbreviation before comparing; "
        "empty to ignore the word altogether (e.g. 'the').",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "This abbreviation already exists."),
    ]

    # ---- ORM

    def init(self):
        # the fuzzy matchers need unaccent, pg_trgm and the mrm_* functions
        ensure_sql_functions(self.env.cr)

    @api.constrains("name")
    def _check_name(self):
        for record in self:
            if len(split_words(record.name)) != 1:
                raise ValidationError(
                    self.env._(
                        "The abbreviation '%(name)s' must be a single word.",
                        name=record.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    # ---- MATCHING

    @api.model
    def _get_abbreviation_map(self):
        """Active abbreviations, prepared for :func:`matching.normalize_text`.

        :return: dict ``{word: tuple(expansion words)}``
        """
        return dict(self._get_abbreviation_items())

    @tools.ormcache()
    def _get_abbreviation_items(self):
        self.env.cr.execute(
            "SELECT name, coalesce(expansion, '') "
            "FROM crm_match_abbreviation WHERE active"
        )
        return tuple(prepare_abbreviations(dict(self.env.cr.fetchall())).items())
