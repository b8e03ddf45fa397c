# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, create_index, index_exists

from odoo.addons.crm_lead_routing.matching import (
    ensure_sql_functions,
    normalize_text,
    sql_normalized,
)

# Text fields the fuzzy segment criteria compare often, and their stored
# normalised companion columns: mrm_normalize_text(field, <active
# abbreviations>), with a GIN trigram index, so that "similar to" and
# "is (normalised)" criteria read an indexed column instead of normalising
# every contact (see marketing.segment.criterion).
NORMALIZED_COMPANIONS = {
    "street2": "mrm_norm_street2",
    "city": "mrm_norm_city",
    "mrm_county": "mrm_norm_county",
}
# abbreviations the companion columns were filled with (a digest)
NORMALIZED_PARAM = "marketing_resource_mgmt.normalized_abbreviations"


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
        compute="_compute_mrm_response_score",
        search="_search_mrm_response_score",
        help="Likelihood (0 to 1) that this contact answers a campaign, learned "
        "from past campaign outcomes by the Segmentation Analyser: the score of "
        "its company's (or its own) customer record in the contact's company "
        "(the current company for shared contacts), else that company's "
        "baseline.",
    )
    mrm_county = fields.Char(
        string="County",
        help="County or region as written in the source (e.g. an imported list); "
        "fuzzy segment criteria normalise it.",
    )

    # ---- Normalised companions (Segmentation Analyser) ---------------------
    mrm_norm_street2 = fields.Char(
        compute="_compute_mrm_normalized", store=True, readonly=True, copy=False
    )
    mrm_norm_city = fields.Char(
        compute="_compute_mrm_normalized", store=True, readonly=True, copy=False
    )
    mrm_norm_county = fields.Char(
        compute="_compute_mrm_normalized", store=True, readonly=True, copy=False
    )

    @api.depends(*NORMALIZED_COMPANIONS)
    def _compute_mrm_normalized(self):
        abbreviations = self.env["crm.match.abbreviation"]._get_abbreviation_map()
        for partner in self:
            for source, companion in NORMALIZED_COMPANIONS.items():
                value = partner[source]
                partner[companion] = (
                    normalize_text(value, abbreviations) if value else value
                )

    def _auto_init(self):
        # create the companion columns before the ORM sees them, so that it
        # does not compute them record by record on install: init() fills
        # them in one UPDATE
        for column in NORMALIZED_COMPANIONS.values():
            if not column_exists(self.env.cr, self._table, column):
                create_column(self.env.cr, self._table, column, "varchar")
        return super()._auto_init()

    def init(self):
        res = super().init()
        ensure_sql_functions(self.env.cr)
        # the do-not-contact exclusion of segments reads the flagged ids
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS res_partner_mrm_do_not_contact_idx "
            "ON res_partner (id) WHERE mrm_do_not_contact IS TRUE"
        )
        self._mrm_refresh_normalized()
        for column in NORMALIZED_COMPANIONS.values():
            index = f"{self._table}_{column}_trgm_idx"
            if not index_exists(self.env.cr, index):
                create_index(
                    self.env.cr,
                    index,
                    self._table,
                    [f"{column} gin_trgm_ops"],
                    method="gin",
                )
            # equality and the walk over the distinct values
            index = f"{self._table}_{column}_idx"
            if not index_exists(self.env.cr, index):
                create_index(self.env.cr, index, self._table, [column])
        return res

    @api.model
    def _mrm_abbreviation_digest(self):
        items = self.env["crm.match.abbreviation"]._get_abbreviation_items()
        return hashlib.sha256(repr(sorted(items)).encode()).hexdigest()

    @api.model
    def _mrm_normalized_columns_ready(self):
        """True when the companion columns hold the normalisation with the
        current abbreviations (else the criteria normalise on the fly).

        :return: bool
        """
        stored = self.env["ir.config_parameter"].sudo().get_param(NORMALIZED_PARAM)
        return stored == self._mrm_abbreviation_digest()

    @api.model
    def _mrm_refresh_normalized(self, force=False):
        """Fill the companion columns set-wise, in one UPDATE of the rows
        whose stored value differs: on install, after a bulk load in SQL and
        when the abbreviations change.

        :param force: refresh even when the abbreviations did not change and
            no row lacks its companion value
        :return: number of rows updated
        """
        cr = self.env.cr
        self.env["crm.match.abbreviation"].flush_model()
        self.flush_model(list(NORMALIZED_COMPANIONS))
        digest = self._mrm_abbreviation_digest()
        params = self.env["ir.config_parameter"].sudo()
        if not force and params.get_param(NORMALIZED_PARAM) == digest:
            cr.execute(
                SQL(
                    "SELECT 1 FROM res_partner WHERE %s LIMIT 1",
                    SQL(" OR ").join(
                        SQL(
                            "(%s IS NOT NULL AND %s IS NULL)",
                            SQL.identifier(source),
                            SQL.identifier(companion),
                        )
                        for source, companion in NORMALIZED_COMPANIONS.items()
                    ),
                )
            )
            if not cr.fetchone():
                return 0
        abbreviations = self.env["crm.match.abbreviation"]._get_abbreviation_map()
        cr.execute(
            SQL(
                "UPDATE res_partner p SET %s FROM (SELECT id, %s FROM res_partner)"
                " AS n WHERE n.id = p.id AND (%s)",
                SQL(", ").join(
                    SQL("%s = n.%s", SQL.identifier(c), SQL.identifier(c))
                    for c in NORMALIZED_COMPANIONS.values()
                ),
                SQL(", ").join(
                    SQL(
                        "%s AS %s",
                        sql_normalized(SQL.identifier(source), abbreviations),
                        SQL.identifier(companion),
                    )
                    for source, companion in NORMALIZED_COMPANIONS.items()
                ),
                SQL(" OR ").join(
                    SQL(
                        "p.%s IS DISTINCT FROM n.%s",
                        SQL.identifier(c),
                        SQL.identifier(c),
                    )
                    for c in NORMALIZED_COMPANIONS.values()
                ),
            )
        )
        count = cr.rowcount
        self.invalidate_model(list(NORMALIZED_COMPANIONS.values()))
        params.set_param(NORMALIZED_PARAM, digest)
        return count

    # ---- Response score -------------------------------------------------
    def _mrm_response_score_sql(self, where):
        """SELECT (id, score) of the contacts matching ``where`` (on the
        alias mrm_sp): the one rule of the response score, the customer's
        score in the contact's company (the current one for shared
        contacts), else that company's baseline."""
        return SQL(
            "SELECT mrm_sp.id, "
            "COALESCE(mrm_rb.response_score, mrm_rc.mrm_response_baseline, 0) "
            "AS score FROM res_partner mrm_sp "
            "JOIN res_company mrm_rc "
            "ON mrm_rc.id = COALESCE(mrm_sp.company_id, %(current)s) "
            "LEFT JOIN marketing_partner_behaviour mrm_rb "
            "ON mrm_rb.partner_id = mrm_sp.commercial_partner_id "
            "AND mrm_rb.company_id = mrm_rc.id WHERE %(where)s",
            current=self.env.company.id,
            where=where,
        )

    @api.depends_context("company")
    @api.depends("commercial_partner_id", "company_id")
    def _compute_mrm_response_score(self):
        ids = [pid for pid in self.ids if pid]
        scores = {}
        if ids:
            self.env["marketing.partner.behaviour"].flush_model(["response_score"])
            self.env["res.company"].flush_model(["mrm_response_baseline"])
            self.env.cr.execute(
                self._mrm_response_score_sql(SQL("mrm_sp.id = ANY(%s)", ids))
            )
            scores = dict(self.env.cr.fetchall())
        for partner in self:
            partner.mrm_response_score = float(scores.get(partner.id) or 0.0)

    def _search_mrm_response_score(self, operator, value):
        operators = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
        if operator not in operators or isinstance(value, list | tuple):
            raise UserError(
                self.env._(
                    "The response score cannot be searched with %(operator)s.",
                    operator=operator,
                )
            )
        self.env["marketing.partner.behaviour"].flush_model(["response_score"])
        self.env["res.company"].flush_model(["mrm_response_baseline"])
        scores = self._mrm_response_score_sql(SQL("TRUE"))
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT mrm_s.id FROM (%s) mrm_s WHERE mrm_s.score %s %s)",
                    scores,
                    SQL(operators[operator]),
                    float(value or 0.0),
                ),
            )
        ]
