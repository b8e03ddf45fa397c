# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import index_exists

from ..kpi_rules import CONVERTED_STATES, POSITIVE_RESPONSE_STATES
from ..tools import scoring
from . import marketing_partner_behaviour_sql as behaviour_sql
from .marketing_partner_behaviour_sql import DIRTY_TABLE, EVERYONE, INCREMENTAL_LIMIT

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
    response_score = fields.Float(
        readonly=True,
        digits=(3, 2),
        help="Likelihood (0 to 1) that the customer answers a campaign, from "
        "the last training of the response score in this company.",
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
        # the marking triggers of the incremental refresh, once every table
        # exists (the members' table is created after this model's on the
        # first install)
        self.pool.post_init(behaviour_sql.install_triggers, self.env.cr)
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
    def _get_campaign_event_sql(self, contacts=None):
        """Rows (partner_id, company_id, campaign_id, responded, converted,
        event_date) of past campaign outcomes. Uses the campaign members when
        that model is installed, and always leads and confirmed orders
        carrying a campaign.

        :param contacts: ids of the contacts to restrict the rows to
        """

        def scope(column):
            if contacts is None:
                return SQL()
            return SQL("AND %s = ANY(%s)", SQL(column), list(contacts))

        parts = [
            SQL(
                "SELECT mrm_p.commercial_partner_id AS partner_id, l.company_id, "
                "l.campaign_id, 1 AS responded, "
                "CASE WHEN l.probability >= 100 THEN 1 ELSE 0 END AS converted, "
                "l.create_date::date AS event_date "
                "FROM crm_lead l JOIN res_partner mrm_p ON mrm_p.id = l.partner_id "
                "WHERE l.campaign_id IS NOT NULL AND l.company_id IS NOT NULL %s",
                scope("l.partner_id"),
            ),
            SQL(
                "SELECT mrm_p.commercial_partner_id, so.company_id, so.campaign_id, "
                "1, 1, so.date_order::date FROM sale_order so "
                "JOIN res_partner mrm_p ON mrm_p.id = so.partner_id "
                "WHERE so.campaign_id IS NOT NULL AND so.state = 'sale' %s",
                scope("so.partner_id"),
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
                    "WHERE m.company_id IS NOT NULL %s",
                    POSITIVE_RESPONSE_STATES,
                    CONVERTED_STATES,
                    scope("m.partner_id"),
                )
            )
        return SQL(" UNION ALL ").join(parts)

    @api.model
    def _analyze_read_tables(self, force=False):
        """ANALYZE the tables the refresh reads: all of them when ``force``
        (after a bulk load in the same transaction, whose changes the
        statistics views do not show yet), else those never analysed or with
        more than a fifth of their rows changed since (a large import that
        autovacuum has not caught up with).

        :return: names of the analysed tables
        """
        tables = list(behaviour_sql.READ_TABLES)
        if not force:
            self.env.cr.execute(
                SQL(
                    "SELECT relname FROM pg_stat_user_tables "
                    "WHERE schemaname = current_schema() AND relname IN %s "
                    "AND ((last_analyze IS NULL AND last_autoanalyze IS NULL) "
                    "OR n_mod_since_analyze > 0.2 * GREATEST(n_live_tup, 1000))",
                    tuple(tables),
                )
            )
            tables = [row[0] for row in self.env.cr.fetchall()]
        for table in tables:
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        return tables

    def _flush_sources(self):
        for model in (
            "sale.order",
            "sale.order.line",
            "account.move",
            "account.move.line",
            "crm.lead",
            "res.partner",
        ):
            self.env[model].flush_model()
        self.flush_model()

    @api.model
    def _write_measures(self, partner_ids=None):
        """Recompute the measures of every customer, or of the commercial
        partners ``partner_ids``, set-wise (marketing_partner_behaviour_sql)."""
        contacts = moves = lines = None
        if partner_ids is not None:
            # the scope as constant arrays, read first
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s)",
                    list(partner_ids),
                )
            )
            contacts = [row[0] for row in self.env.cr.fetchall()]
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM account_move WHERE partner_id = ANY(%s) "
                    "AND move_type IN ('out_invoice', 'out_refund')",
                    contacts,
                )
            )
            moves = [row[0] for row in self.env.cr.fetchall()]
            self.env.cr.execute(
                SQL("SELECT id FROM account_move_line WHERE move_id = ANY(%s)", moves)
            )
            lines = [row[0] for row in self.env.cr.fetchall()]
        measures = behaviour_sql.measures_sql(
            self._get_window_days(),
            self._get_campaign_event_sql(contacts),
            contacts,
            moves,
            lines,
        )
        for statement in behaviour_sql.apply_measures_sql(
            measures, self.env.uid, partner_ids
        ):
            self.env.cr.execute(statement)
        self.invalidate_model()

    @api.model
    def _refresh(self, analyze=False):
        """Recompute every customer's measures (the nightly job) and delete
        the rows of customers with no activity left. An invoice issued from
        an order counts once, through its order. Clears the marks of the
        incremental refresh.

        :param analyze: True to ANALYZE the tables read first (after a bulk
            load in this transaction); None for those whose statistics are
            stale; False not to
        :return: number of behaviour rows after the refresh
        """
        self._flush_sources()
        if analyze is not False:
            self._analyze_read_tables(force=bool(analyze))
        self.env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(DIRTY_TABLE)))
        self._write_measures()
        self.env.cr.execute(SQL("SELECT count(*) FROM marketing_partner_behaviour"))
        return self.env.cr.fetchone()[0]

    @api.model
    def _refresh_marked(self):
        """Recompute the measures of the customers whose orders, invoices,
        leads or campaign answers changed since the last refresh (marked by
        the tables' triggers), with the full refresh's SQL; everyone (with
        the stale statistics analysed first) above INCREMENTAL_LIMIT.

        :return: number of customers refreshed
        """
        self._flush_sources()
        self.env["marketing.campaign.member"].flush_model()
        # the triggers mark contacts; their customers are read here, with
        # the contacts as a constant array
        self.env.cr.execute(
            SQL(
                "WITH done AS (DELETE FROM %s RETURNING partner_id) "
                "SELECT array_agg(DISTINCT partner_id) FROM done",
                SQL.identifier(DIRTY_TABLE),
            )
        )
        marked = self.env.cr.fetchone()[0] or []
        if EVERYONE in marked:
            # one statement changed more contacts than the limit
            return self._refresh(analyze=None)
        partner_ids = []
        if marked:
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT commercial_partner_id FROM res_partner "
                    "WHERE id = ANY(%s) AND commercial_partner_id IS NOT NULL",
                    marked,
                )
            )
            partner_ids = [row[0] for row in self.env.cr.fetchall()]
        if len(partner_ids) > INCREMENTAL_LIMIT:
            # a bulk import: everyone at once, with fresh statistics
            self._refresh(analyze=None)
        elif partner_ids:
            self._write_measures(partner_ids)
        return len(partner_ids)

    @api.model
    def _trigger_refresh(self):
        """Ask the incremental refresh to run soon (after orders or invoices
        change): it runs once for a burst of changes, off the user's
        transaction."""
        cron = self.env.ref(
            "marketing_resource_mgmt.ir_cron_refresh_partner_behaviour_marked",
            raise_if_not_found=False,
        )
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _cron_refresh(self):
        self._refresh(analyze=None)
        return True

    @api.model
    def _cron_refresh_marked(self):
        self._refresh_marked()
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
        # one score per customer of the company (its contacts read it,
        # res.partner.mrm_response_score) and the company's baseline for
        # contacts without behaviour: not a write per contact
        self.flush_model(["response_score"])
        self.env.cr.execute(
            SQL(
                "UPDATE marketing_partner_behaviour b SET response_score = s.score "
                "FROM unnest(%(ids)s::int[], %(scores)s::float[]) AS s(pid, score) "
                "WHERE b.partner_id = s.pid AND b.company_id = %(company)s "
                "AND b.response_score IS DISTINCT FROM s.score::numeric",
                ids=[r[0] for r in all_rows],
                scores=[round(score, 4) for score in scores],
                company=company.id,
            )
        )
        self.invalidate_model(["response_score"])
        company.sudo().mrm_response_baseline = round(baseline, 4)
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM res_partner p "
                "WHERE p.company_id IS NULL OR p.company_id = %s",
                company.id,
            )
        )
        scored = self.env.cr.fetchone()[0]
        self.env["res.partner"].invalidate_model(["mrm_response_score"])
        return {"trained": len(labels), "positive": sum(labels), "scored": scored}
