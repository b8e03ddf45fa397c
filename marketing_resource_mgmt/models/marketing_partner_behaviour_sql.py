# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SQL of the customer behaviour measures (``marketing.partner.behaviour``):
the measures themselves, and the marking of the customers whose measures a
statement may have changed.

Plans that cannot degenerate. The measures were one statement whose "this
invoice came from an order" test was a correlated ``NOT EXISTS`` over
``sale_order_line_invoice_rel``; after a bulk load (tables filled by COPY,
not analysed yet) the planner estimated a few hundred invoices and ran that
sub-query once per invoice: more than 25 minutes on 600,000 links. Here:

- the invoice-to-order link is read once, as the set of invoiced moves, and
  "not from an order" is a GROUP BY over the invoices and that set (an
  aggregate is hashed or sorted, never a nested loop);
- every other join follows a primary key or an indexed foreign key, so that
  even a nested loop is an index lookup per row;
- the new measures go to a temporary table with a unique index before the
  behaviour table is compared with them (delete / upsert by index).

Incremental refresh. Statement-level triggers on orders, invoices, the
invoice-to-order link, leads and campaign members note the commercial
partners of the rows a statement inserted, deleted or changed (in a column
the measures read) in DIRTY_TABLE, set-wise from the transition tables (the
way campaign_reporting marks campaigns in campaign_kpi_dirty). The triggers
see every writer: the ORM, our own bulk SQL, the generator's COPY, Odoo's
own SQL. ``_refresh_marked()`` recomputes only those partners with the same
SQL as the full refresh.
"""

from odoo.tools import SQL

from ..tools.statement_trigger import marking_function_sql, statement_triggers_sql

DIRTY_TABLE = "marketing_partner_behaviour_dirty"
# Above this many marked customers (a bulk import), the incremental refresh
# runs the full one instead: one pass over the tables beats that many probes.
INCREMENTAL_LIMIT = 50_000
# The mark of everyone (no contact has id 0): a statement that changes more
# contacts than INCREMENTAL_LIMIT (a bulk import, an audience of 500,000
# members) leaves this one mark instead of a row per contact, and the
# incremental refresh then runs the full one, as it would for that many.
EVERYONE = 0
MEASURES_TABLE = "mrm_behaviour_measures"

# tables a refresh reads, analysed first when it follows a bulk load
READ_TABLES = (
    "res_partner",
    "sale_order",
    "account_move",
    "account_move_line",
    "sale_order_line_invoice_rel",
    "crm_lead",
    "marketing_campaign_member",
    "marketing_partner_behaviour",
)

# (table, trigger function, the contact column, columns the measures read: an
# update changing none of them marks nothing). The link of invoice lines to
# order lines is not watched: it is written with its invoice's lines, and the
# invoice is marked then; a link changed alone waits for the nightly refresh.
LEGACY_TRIGGERS = (("sale_order_line_invoice_rel", "mrm_behaviour_mark_invoice_link"),)
WATCHED = (
    (
        "sale_order",
        "mrm_behaviour_mark_order",
        "{t}.partner_id",
        (
            "partner_id",
            "company_id",
            "state",
            "date_order",
            "amount_untaxed",
            "currency_rate",
            "campaign_id",
        ),
    ),
    (
        "account_move",
        "mrm_behaviour_mark_move",
        "{t}.partner_id",
        (
            "partner_id",
            "company_id",
            "state",
            "move_type",
            "invoice_date",
            "amount_untaxed_signed",
        ),
    ),
    (
        "crm_lead",
        "mrm_behaviour_mark_lead",
        "{t}.partner_id",
        ("partner_id", "company_id", "campaign_id", "probability", "create_date"),
    ),
    (
        "marketing_campaign_member",
        "mrm_behaviour_mark_member",
        "{t}.partner_id",
        (
            "partner_id",
            "company_id",
            "campaign_id",
            "state",
            "date_responded",
            "date_contacted",
            "date_targeted",
        ),
    ),
)


def _mark_sql(contacts):
    """INSERT into DIRTY_TABLE of the distinct contacts of ``contacts`` (a
    SELECT of contact ids over the transition tables only), or of the one
    mark EVERYONE when there are more than INCREMENTAL_LIMIT of them (writing
    500,000 marks took seconds of a 500,000-member generation). No join to
    any table: a trigger runs inside bulk loads, where the statistics of the
    tables being filled say anything (an autovacuum during a load recorded
    six contacts for a million, and a join to the contacts became a nested
    loop per row). The refresh maps contacts to their commercial partner."""
    return f"""
        WITH marked AS MATERIALIZED (
            SELECT DISTINCT x.contact FROM ({contacts}) x (contact)
             WHERE x.contact IS NOT NULL
        ), many AS (
            SELECT count(*) > {int(INCREMENTAL_LIMIT)} AS yes
              FROM (SELECT 1 FROM marked LIMIT {int(INCREMENTAL_LIMIT) + 1}) k
        )
        INSERT INTO {DIRTY_TABLE} (partner_id)
        SELECT marked.contact FROM marked, many WHERE NOT many.yes
        UNION ALL
        SELECT {EVERYONE} FROM many WHERE many.yes"""


def _trigger_function_sql(function, contact, columns):
    """CREATE FUNCTION of a statement trigger marking the contacts of the
    rows of its transition tables."""

    def row(side):
        return ", ".join(f"{side}.{col}" for col in columns)

    new_contact, old_contact = contact.format(t="n"), contact.format(t="o")
    insert = _mark_sql(f"SELECT {new_contact} FROM new_rows n")
    delete = _mark_sql(f"SELECT {old_contact} FROM old_rows o")
    changed = f"({row('o')}) IS DISTINCT FROM ({row('n')})"
    # a changed row marks its contact before and after the update (both
    # transition tables have their true row counts: a hash join)
    update = _mark_sql(
        f"""
        SELECT v.contact FROM old_rows o JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (VALUES ({new_contact}), ({old_contact})) v (contact)
         WHERE {changed}"""
    )
    return marking_function_sql(
        function, insert, update, delete, update_changed=changed
    )


def _table_exists(cr, table):
    cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", table))
    return cr.fetchone()[0]


def install_triggers(cr):
    """Create (or re-create) DIRTY_TABLE and the marking triggers of the
    watched tables that exist."""
    cr.execute(
        SQL(
            f"""
            CREATE TABLE IF NOT EXISTS {DIRTY_TABLE} (partner_id integer);
            CREATE INDEX IF NOT EXISTS {DIRTY_TABLE}_partner_id_idx
                ON {DIRTY_TABLE} (partner_id);
            COMMENT ON TABLE {DIRTY_TABLE} IS
                'Contacts whose customer''s behaviour measures a change may have '
                'moved, recomputed by the incremental refresh';
            """
        )
    )
    for table, function in LEGACY_TRIGGERS:
        if _table_exists(cr, table):
            for op in ("insert", "update", "delete"):
                cr.execute(SQL(f"DROP TRIGGER IF EXISTS {function}_{op} ON {table}"))
        cr.execute(SQL(f"DROP FUNCTION IF EXISTS {function}()"))
    for table, function, contact, columns in WATCHED:
        if not _table_exists(cr, table):
            continue
        cr.execute(SQL(_trigger_function_sql(function, contact, columns)))
        cr.execute(SQL(statement_triggers_sql(table, function)))


def uninstall_triggers(cr):
    """Drop what install_triggers created."""
    for table, function, _contact, _columns in WATCHED:
        if _table_exists(cr, table):
            for op in ("insert", "update", "delete"):
                cr.execute(SQL(f"DROP TRIGGER IF EXISTS {function}_{op} ON {table}"))
        cr.execute(SQL(f"DROP FUNCTION IF EXISTS {function}()"))
    for table, function in LEGACY_TRIGGERS:
        if _table_exists(cr, table):
            for op in ("insert", "update", "delete"):
                cr.execute(SQL(f"DROP TRIGGER IF EXISTS {function}_{op} ON {table}"))
        cr.execute(SQL(f"DROP FUNCTION IF EXISTS {function}()"))
    cr.execute(SQL(f"DROP TABLE IF EXISTS {DIRTY_TABLE}"))


def measures_sql(
    window, campaign_events, contact_ids=None, move_ids=None, line_ids=None
):
    """SELECT of the measures (partner_id, company_id, last_date,
    recency_days, frequency, monetary, responded, converted) of every
    customer, or of the customers of the contacts ``contact_ids``.

    :param campaign_events: SELECT of campaign outcomes (partner_id,
        company_id, campaign_id, responded, converted, event_date),
        restricted to the same contacts
    :param contact_ids: every contact of the customers to recompute (read
        beforehand: the filters are constant arrays, so that no plan joins
        a sub-query per row whatever the statistics say)
    :param move_ids: the customer invoices and refunds of those contacts
    :param line_ids: the lines of those invoices and refunds
    """
    if contact_ids is None:
        order_scope = move_scope = line_scope = link_scope = SQL()
    else:
        order_scope = SQL("AND so.partner_id = ANY(%s)", list(contact_ids))
        move_scope = SQL("AND am.id = ANY(%s)", list(move_ids or []))
        line_scope = SQL("WHERE aml.move_id = ANY(%s)", list(move_ids or []))
        link_scope = SQL("WHERE rel.invoice_line_id = ANY(%s)", list(line_ids or []))
    return SQL(
        """
        WITH invoices AS (
            -- customer invoices and refunds not issued from an order: the
            -- invoices, and the set of moves linked to an order line, grouped
            -- by move (hashed or sorted: no per-invoice probe of the link)
            SELECT max(x.partner_id) AS partner_id, max(x.company_id) AS company_id,
                   max(x.event_date) AS event_date, max(x.amount) AS amount
              FROM (
                SELECT am.id AS move_id, p.commercial_partner_id AS partner_id,
                       am.company_id, am.invoice_date AS event_date,
                       am.amount_untaxed_signed AS amount, false AS from_order
                  FROM account_move am JOIN res_partner p ON p.id = am.partner_id
                 WHERE am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.invoice_date IS NOT NULL %(move_scope)s
                UNION ALL
                -- the moves with a line linked to an order line: the lines
                -- and the links grouped by line, no join (a join of the link
                -- to the lines became a nested loop over the link when the
                -- lines' statistics said a few rows)
                SELECT lk.move_id, NULL::integer, NULL::integer,
                       NULL::date, NULL::numeric, true
                  FROM (
                    SELECT max(y.move_id) AS move_id
                      FROM (
                        SELECT aml.id AS line_id, aml.move_id, false AS link
                          FROM account_move_line aml %(line_scope)s
                        UNION ALL
                        SELECT rel.invoice_line_id, NULL::integer, true
                          FROM sale_order_line_invoice_rel rel %(link_scope)s
                      ) y
                     GROUP BY y.line_id
                    HAVING bool_or(y.link) AND bool_or(NOT y.link)
                  ) lk
              ) x
             GROUP BY x.move_id
            HAVING NOT bool_or(x.from_order) AND bool_or(NOT x.from_order)
        ), events AS (
            SELECT p.commercial_partner_id AS partner_id, so.company_id,
                   so.date_order::date AS event_date,
                   so.amount_untaxed
                       / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount
              FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale' %(order_scope)s
            UNION ALL
            SELECT partner_id, company_id, event_date, amount FROM invoices
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
        )
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
        """,
        window=window,
        campaign_events=campaign_events,
        order_scope=order_scope,
        move_scope=move_scope,
        line_scope=line_scope,
        link_scope=link_scope,
    )


def apply_measures_sql(measures, uid, partner_ids=None):
    """Statements writing ``measures`` into marketing_partner_behaviour
    through MEASURES_TABLE: rows of the scope (every customer, or the
    commercial partners ``partner_ids``) that have no measures left are
    deleted, the others inserted or updated when they changed.

    :return: list of SQL statements, run in order
    """
    scope = (
        SQL("TRUE")
        if partner_ids is None
        else SQL("b.partner_id = ANY(%s)", list(partner_ids))
    )
    columns = (
        "last_date",
        "recency_days",
        "frequency",
        "monetary",
        "responded",
        "converted",
    )
    names = SQL(", ").join(SQL.identifier(c) for c in columns)
    return [
        SQL("DROP TABLE IF EXISTS %s", SQL.identifier(MEASURES_TABLE)),
        SQL(
            "CREATE TEMPORARY TABLE %s ON COMMIT DROP AS %s",
            SQL.identifier(MEASURES_TABLE),
            measures,
        ),
        SQL(
            "CREATE UNIQUE INDEX ON %s (partner_id, company_id); ANALYZE %s",
            SQL.identifier(MEASURES_TABLE),
            SQL.identifier(MEASURES_TABLE),
        ),
        SQL(
            "DELETE FROM marketing_partner_behaviour b WHERE %s AND NOT EXISTS ("
            "SELECT 1 FROM %s m "
            "WHERE m.partner_id = b.partner_id AND m.company_id = b.company_id)",
            scope,
            SQL.identifier(MEASURES_TABLE),
        ),
        SQL(
            """
            INSERT INTO marketing_partner_behaviour AS b
                   (partner_id, company_id, %(names)s,
                    create_uid, create_date, write_uid, write_date)
            SELECT partner_id, company_id, %(names)s,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM %(table)s
            ON CONFLICT (partner_id, company_id) DO UPDATE SET %(updates)s,
                   write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
             WHERE (%(old)s) IS DISTINCT FROM (%(new)s)
            """,
            names=names,
            uid=uid,
            table=SQL.identifier(MEASURES_TABLE),
            updates=SQL(", ").join(
                SQL("%s = EXCLUDED.%s", SQL.identifier(c), SQL.identifier(c))
                for c in columns
            ),
            old=SQL(", ").join(SQL.identifier("b", c) for c in columns),
            new=SQL(", ").join(SQL.identifier("excluded", c) for c in columns),
        ),
    ]
