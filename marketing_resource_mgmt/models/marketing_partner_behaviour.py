# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import index_exists

from ..kpi_rules import CONVERTED_STATES, POSITIVE_RESPONSE_STATES
from ..tools import scoring

# Window of the frequency and monetary measures when the parameter
# marketing_resource_mgmt.behaviour_window_days is not set: one year, the usual
# horizon of an RFM analysis.
DEFAULT_WINDOW_DAYS = 365


class MarketingPartnerBehaviour(models.Model):
    """Behavioural measures of a customer (commercial partner) in a company,
    materialised set-wise from confirmed sale orders, posted customer invoices
    and past campaign outcomes, so that segments count fast."""

    _name = "marketing.partner.behaviour"
    _description = "Customer Behaviour Measures"
    _order = "partner_id, company_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    last_date = fields.Date(string="Last Purchase", readonly=True)
    recency_days = fields.Integer(
        string="Recency (days)",
        readonly=True,
        help="Days since the last confirmed order or posted invoice, at refresh.",
    )
    frequency = fields.Integer(
        readonly=True,
        help="Confirmed orders plus invoices not issued from an order, in the window.",
    )
    monetary = fields.Monetary(
        readonly=True,
        currency_field="currency_id",
        help="Untaxed amount of those orders and invoices in the window, in "
        "company currency.",
    )
    responded = fields.Integer(
        readonly=True, help="Campaigns the customer answered (in the window)."
    )
    converted = fields.Integer(
        readonly=True,
        help="Campaigns that led the customer to an order (in the window).",
    )

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique (partner_id, company_id)",
            "One behaviour row per customer and company.",
        ),
    ]

    # ---- ORM --------------------------------------------------------------
    def init(self):
        res = super().init()
        # behavioural segment criteria probe the measures of each candidate
        # contact: one index-only lookup per contact
        if not index_exists(self.env.cr, "marketing_partner_behaviour_measures_idx"):
            self.env.cr.execute(
                "CREATE INDEX marketing_partner_behaviour_measures_idx"
                " ON marketing_partner_behaviour (partner_id, company_id)"
                " INCLUDE (last_date, frequency, monetary, responded, converted)"
            )
        # phone key used by the consent rules: the last nine digits, so that
        # "+44 113 496 0000", "0044 113..." and "0113 496 0000" agree
        self.env.cr.execute(
            """
            CREATE OR REPLACE FUNCTION mrm_phone_key(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                SELECT CASE
                WHEN length(regexp_replace(coalesce($1, ''), '\\D', '', 'g')) >= 6
                THEN right(regexp_replace($1, '\\D', '', 'g'), 9) END
            $$
            """
        )
        return res

    # ---- REFRESH ----------------------------------------------------------
    @api.model
    def _get_window_days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("marketing_resource_mgmt.behaviour_window_days")
        )
        try:
            return max(int(value), 1) if value else DEFAULT_WINDOW_DAYS
        except ValueError:
            return DEFAULT_WINDOW_DAYS

    @api.model
    def _get_campaign_event_sql(self):
        """Rows (partner_id, company_id, campaign_id, responded, converted) of
        past campaign outcomes. Uses the campaign members when that model is
        installed, and always leads and confirmed orders carrying a campaign."""
        parts = [
            SQL(
                "SELECT mrm_p.commercial_partner_id AS partner_id, l.company_id, "
                "l.campaign_id, 1 AS responded, "
                "CASE WHEN l.probability >= 100 THEN 1 ELSE 0 END AS converted, "
                "l.create_date::date AS event_date "
                "FROM crm_lead l JOIN res_partner mrm_p ON mrm_p.id = l.partner_id "
                "WHERE l.campaign_id IS NOT NULL AND l.company_id IS NOT NULL"
            ),
            SQL(
                "SELECT mrm_p.commercial_partner_id, so.company_id, so.campaign_id, "
                "1, 1, so.date_order::date FROM sale_order so "
                "JOIN res_partner mrm_p ON mrm_p.id = so.partner_id "
                "WHERE so.campaign_id IS NOT NULL AND so.state = 'sale'"
            ),
        ]
        Member = self.env.get("marketing.campaign.member")
        if Member is not None and "state" in Member._fields:
            Member.flush_model()
            parts.append(
                SQL(
                    "SELECT mrm_p.commercial_partner_id, m.company_id, m.campaign_id, "
                    "CASE WHEN m.state IN %s THEN 1 ELSE 0 END, "
                    "CASE WHEN m.state IN %s THEN 1 ELSE 0 END, "
                    "COALESCE(m.date_responded, m.date_contacted, "
                    "m.date_targeted)::date "
                    "FROM marketing_campaign_member m "
                    "JOIN res_partner mrm_p ON mrm_p.id = m.partner_id "
                    "WHERE m.company_id IS NOT NULL",
                    POSITIVE_RESPONSE_STATES,
                    CONVERTED_STATES,
                )
            )
        return SQL(" UNION ALL ").join(parts)

    @api.model
    def _refresh(self):
        """Recompute every customer's measures in one INSERT ... SELECT ... ON
        CONFLICT statement that also deletes the rows of customers with no
        activity left. An invoice issued from an order counts once, through
        its order.

        :return: number of behaviour rows after the refresh
        """
        for model in ("sale.order", "account.move", "crm.lead", "res.partner"):
            self.env[model].flush_model()
        self.flush_model()
        window = self._get_window_days()
        query = SQL(
            """
            WITH events AS (
                SELECT p.commercial_partner_id AS partner_id, so.company_id,
                       so.date_order::date AS event_date,
                       so.amount_untaxed
                           / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount
                  FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale'
                UNION ALL
                SELECT p.commercial_partner_id, am.company_id, am.invoice_date,
                       am.amount_untaxed_signed
                  FROM account_move am JOIN res_partner p ON p.id = am.partner_id
                 WHERE am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.invoice_date IS NOT NULL
                   AND NOT EXISTS (
                       SELECT 1 FROM account_move_line aml
                         JOIN sale_order_line_invoice_rel rel
                           ON rel.invoice_line_id = aml.id
                        WHERE aml.move_id = am.id)
            ), purchases AS (
                SELECT partner_id, company_id, max(event_date) AS last_date,
                       count(*) FILTER (WHERE event_date >= CURRENT_DATE - %(window)s)
                           AS frequency,
                       COALESCE(sum(amount) FILTER (
                           WHERE event_date >= CURRENT_DATE - %(window)s), 0)
                           AS monetary
                  FROM events GROUP BY partner_id, company_id
            ), campaigns AS (
                SELECT partner_id, company_id,
                       count(DISTINCT campaign_id) FILTER (WHERE responded = 1)
                           AS responded,
                       count(DISTINCT campaign_id) FILTER (WHERE converted = 1)
                           AS converted
                  FROM (%(campaign_events)s) ce
                 WHERE event_date >= CURRENT_DATE - %(window)s
                 GROUP BY partner_id, company_id
            ), measures AS (
                SELECT COALESCE(pu.partner_id, ca.partner_id) AS partner_id,
                       COALESCE(pu.company_id, ca.company_id) AS company_id,
                       pu.last_date,
                       CURRENT_DATE - pu.last_date AS recency_days,
                       COALESCE(pu.frequency, 0) AS frequency,
                       COALESCE(pu.monetary, 0) AS monetary,
                       COALESCE(ca.responded, 0) AS responded,
                       COALESCE(ca.converted, 0) AS converted
                  FROM purchases pu
                  FULL JOIN campaigns ca
                    ON ca.partner_id = pu.partner_id AND ca.company_id = pu.company_id
            ), removed AS (
                DELETE FROM marketing_partner_behaviour b
                 WHERE NOT EXISTS (
                     SELECT 1 FROM measures m
                      WHERE m.partner_id = b.partner_id AND m.company_id = b.company_id)
            )
            INSERT INTO marketing_partner_behaviour AS b
                   (partner_id, company_id, last_date, recency_days, frequency,
                    monetary, responded, converted,
                    create_uid, create_date, write_uid, write_date)
            SELECT partner_id, company_id, last_date, recency_days, frequency,
                   monetary, responded, converted,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM measures
            ON CONFLICT (partner_id, company_id) DO UPDATE SET
                   last_date = EXCLUDED.last_date,
                   recency_days = EXCLUDED.recency_days,
                   frequency = EXCLUDED.frequency,
                   monetary = EXCLUDED.monetary,
                   responded = EXCLUDED.responded,
                   converted = EXCLUDED.converted,
                   write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
            """,
            window=window,
            campaign_events=self._get_campaign_event_sql(),
            uid=self.env.uid,
        )
        self.env.cr.execute(query)
        self.invalidate_model()
        self.env.cr.execute(SQL("SELECT count(*) FROM marketing_partner_behaviour"))
        return self.env.cr.fetchone()[0]

    @api.model
    def _trigger_refresh(self):
        """Ask the refresh job to run soon (after orders or invoices change):
        the set-wise refresh runs once for a burst of changes, off the user's
        transaction."""
        cron = self.env.ref(
            "marketing_resource_mgmt.ir_cron_refresh_partner_behaviour",
            raise_if_not_found=False,
        )
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _cron_refresh(self):
        self._refresh()
        return True

    # ---- RESPONSE SCORE ---------------------------------------------------
    @api.model
    def _fetch_features(self, partner_ids=None, company=None):
        """Feature rows (commercial partner id, recency, frequency, monetary,
        responded) of the customers with behaviour in ``company``.

        :param partner_ids: restrict to the commercial partners of these contacts
        """
        company = company or self.env.company
        self.flush_model()
        where = SQL("b.company_id = %s", company.id)
        if partner_ids is not None:
            where = SQL(
                "%s AND b.partner_id IN (SELECT commercial_partner_id FROM res_partner "
                "WHERE id = ANY(%s))",
                where,
                list(partner_ids),
            )
        self.env.cr.execute(
            SQL(
                "SELECT b.partner_id, CURRENT_DATE - b.last_date, b.frequency, "
                "b.monetary, b.responded FROM marketing_partner_behaviour b "
                "WHERE %s ORDER BY b.partner_id",
                where,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _compute_response_scores(self, partner_ids=None, company=None):
        """Train a logistic regression on the customers who answered a
        campaign versus those who did not, then store the probability of
        answering on every contact (a company's score covers its contacts).

        :param partner_ids: training population (contacts); None = every
            customer with behaviour in the company
        :return: dict with trained, positive and scored counts
        """
        company = company or self.env.company
        rows = self._fetch_features(partner_ids, company)
        labels = [1 if row[4] > 0 else 0 for row in rows]
        features = [scoring.feature_vector(row[1], row[2], row[3]) for row in rows]
        if sum(labels) < scoring.MIN_CLASS_SIZE or (
            len(labels) - sum(labels) < scoring.MIN_CLASS_SIZE
        ):
            raise UserError(
                self.env._(
                    "The response score needs at least %(min)s contacts who "
                    "answered a campaign and %(min)s who did not; found "
                    "%(positive)s and %(negative)s.",
                    min=scoring.MIN_CLASS_SIZE,
                    positive=sum(labels),
                    negative=len(labels) - sum(labels),
                )
            )
        model = scoring.train(features, labels)
        all_rows = self._fetch_features(None, company)
        scores = scoring.predict(
            model, [scoring.feature_vector(r[1], r[2], r[3]) for r in all_rows]
        )
        baseline = scoring.predict(model, [scoring.feature_vector(None, 0, 0)])[0]
        Partner = self.env["res.partner"]
        Partner.flush_model(["mrm_response_score", "commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner p SET mrm_response_score = "
                "COALESCE(s.score, %(baseline)s) FROM res_partner p2 "
                "LEFT JOIN unnest(%(ids)s::int[], %(scores)s::float[]) "
                "AS s(pid, score) "
                "ON s.pid = p2.commercial_partner_id "
                "WHERE p2.id = p.id "
                "AND (p.company_id IS NULL OR p.company_id = %(company)s)",
                baseline=round(baseline, 4),
                ids=[r[0] for r in all_rows],
                scores=[round(score, 4) for score in scores],
                company=company.id,
            )
        )
        scored = self.env.cr.rowcount
        Partner.invalidate_model(["mrm_response_score"])
        return {"trained": len(labels), "positive": sum(labels), "scored": scored}
