# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ---- Consent (Segmentation Analyser) ----------------------------------
    mrm_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        tracking=True,
        help="Never target this contact in a marketing campaign, on any channel. "
        "Set on a company, it covers all its contacts.",
    )
    mrm_opt_out = fields.Boolean(
        string="Opted Out of Marketing",
        tracking=True,
        help="The contact asked to receive no marketing on any channel.",
    )
    mrm_opt_out_call = fields.Boolean(
        string="No Marketing Calls",
        tracking=True,
        help="The contact asked not to be called for marketing.",
    )
    mrm_opt_out_mail = fields.Boolean(
        string="No Direct Mail",
        tracking=True,
        help="The contact asked not to receive marketing by post.",
    )
    # ---- Response score (Segmentation Analyser) ----------------------------
    mrm_response_score = fields.Float(
        string="Response Score",
        digits=(3, 2),
        readonly=True,
        copy=False,
        help="Likelihood (0 to 1) that this contact answers a campaign, learned "
        "from past campaign outcomes by the Segmentation Analyser.",
    )
    mrm_county = fields.Char(
        string="County",
        help="County or region as written in the source (e.g. an imported list); "
        "fuzzy segment criteria normalise it.",
    )
