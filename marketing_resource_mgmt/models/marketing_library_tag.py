# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from random import randint

from odoo import fields, models


class MarketingLibraryTag(models.Model):
    """A tag of the Campaign Library: classifies segments (and templates)."""

    _name = "marketing.library.tag"
    _description = "Campaign Library Tag"
    _order = "name"

    def _default_color(self):
        return randint(1, 11)

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=_default_color)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A library tag with this name already exists."),
    ]
