# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    mrm_response_baseline = fields.Float(
        string="Baseline Response Score",
        digits=(3, 2),
        readonly=True,
        help="Response score of a contact without purchases or campaign answers "
        "in this company, from the last training of the response score.",
    )
