# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class CrmMatchAbbreviation(models.Model):
    _inherit = "crm.match.abbreviation"

    # the contacts' normalised companion columns expand the abbreviations:
    # refill them (one UPDATE of the rows that change) when the list changes

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["res.partner"]._mrm_refresh_normalized()
        return records

    def write(self, vals):
        res = super().write(vals)
        self.env["res.partner"]._mrm_refresh_normalized()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.partner"]._mrm_refresh_normalized()
        return res
