# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stored funnel of the Campaign Monitor, refreshed for the campaigns that
changed, so that it is never stale when the monitor reads it.

Aggregating 500,000 members, 150,000 leads and 92,000 orders on every call
cost 240-550 ms of the monitor's data call on size M, bounded below by the
index-only scans themselves. The funnel (one row per campaign and channel,
the same figures as the live views) is kept in FUNNEL_TABLE instead:

- PostgreSQL statement-level triggers on members, leads, sale orders and CRM
  stages note the campaigns whose funnel a statement may change in
  DIRTY_TABLE, set-wise from the statement's transition tables. Triggers see
  every writer: the ORM's create/write/unlink, our own bulk SQL (audience
  generation, routing, the generator), Odoo's own SQL, foreign-key cascades.
  An update only marks campaigns when a column the funnel reads changed (a
  routing pass that only assigns users marks nothing).
- Before reading, the monitor (``campaign.kpi._refresh_stored_funnel``)
  recomputes the marked campaigns with the live views' own SQL
  (``_funnel_sql`` restricted to them), in the reader's transaction: the
  figures it shows are those of the live views at that moment.
- Every module update refills the whole table.

The live views (campaign_kpi, campaign_kpi_channel) stay the reference:
tests compare the stored views with them after each kind of change.
"""

from odoo.tools import SQL

from odoo.addons.marketing_resource_mgmt.tools.statement_trigger import (
    marking_function_sql,
    statement_triggers_sql,
)

from .campaign_kpi_sql import (
    FUNNEL_COUNTS,
    FUNNEL_TABLE,
    _funnel_sql,
    campaign_view_sql,
    channel_view_sql,
)

DIRTY_TABLE = "campaign_kpi_dirty"
# views of campaign.kpi / campaign.kpi.channel over the stored funnel
STORED_KPI_VIEW = "campaign_kpi_stored"
STORED_CHANNEL_VIEW = "campaign_kpi_channel_stored"

# (table, trigger function, what the funnel reads of a row: columns, or
# expressions over the row "{t}"; an update that changes none marks nothing)
WATCHED = (
    (
        "marketing_campaign_member",
        "campaign_kpi_mark_member",
        # the funnel's member counts read the state and the first open and
        # click (kpi_rules.MEMBER_KPIS)
        ("campaign_id", "channel", "state", "lead_id", "date_opened", "date_clicked"),
    ),
    (
        "crm_lead",
        "campaign_kpi_mark_lead",
        # the probability only counts for "lost" (archived at 0 %): the
        # automated probabilities Odoo recomputes on assignment change nothing
        (
            "campaign_id",
            "type",
            "active",
            "stage_id",
            "(NOT {t}.active AND {t}.probability = 0)",
        ),
    ),
    (
        "sale_order",
        "campaign_kpi_mark_order",
        ("campaign_id", "state", "campaign_member_id", "opportunity_id"),
    ),
)


def refresh_funnel_sql(campaign_ids=None):
    """(Re)write FUNNEL_TABLE's rows of ``campaign_ids`` (all when None).

    The caller deletes the campaigns' rows first (a channel may have gone).
    """
    counts = SQL(", ").join(SQL.identifier(name) for name in FUNNEL_COUNTS)
    return SQL(
        """
        WITH %(funnel)s
        INSERT INTO %(table)s (campaign_id, channel, %(counts)s, computed_at)
        SELECT f.campaign_id, f.channel, %(f_counts)s,
               now() AT TIME ZONE 'UTC'
          FROM funnel f
          JOIN utm_campaign c ON c.id = f.campaign_id
        ON CONFLICT (campaign_id, channel) DO UPDATE SET %(updates)s,
               computed_at = EXCLUDED.computed_at
        """,
        funnel=_funnel_sql(campaign_ids),
        table=SQL.identifier(FUNNEL_TABLE),
        counts=counts,
        f_counts=SQL(", ").join(SQL.identifier("f", name) for name in FUNNEL_COUNTS),
        updates=SQL(", ").join(
            SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
            for name in FUNNEL_COUNTS
        ),
    )


def _mark_sql(rows, expand_members=False, with_orders_of_members=False):
    """INSERT of the campaigns of ``rows`` (a SELECT of id, campaign_id and,
    for members, lead_id) into DIRTY_TABLE, skipping those already marked."""
    extra = ""
    if expand_members:
        # a member's lead takes its channel (first member of the lead): the
        # lead's campaign and the campaigns of the orders of that lead move
        extra += """
            UNION ALL
            SELECT l.campaign_id FROM crm_lead l
             WHERE l.id IN (SELECT r.lead_id FROM touched r
                             WHERE r.lead_id IS NOT NULL)
            UNION ALL
            SELECT so.campaign_id FROM sale_order so
             WHERE so.opportunity_id IN (SELECT r.lead_id FROM touched r
                                          WHERE r.lead_id IS NOT NULL)"""
    if with_orders_of_members:
        # an order answering a member takes the member's channel
        extra += """
            UNION ALL
            SELECT so.campaign_id FROM sale_order so
             WHERE so.campaign_member_id IN (SELECT r.id FROM touched r)"""
    # the distinct campaigns first, then those not marked yet: the planner
    # made the anti-join of every touched row with the marked campaigns a
    # nested loop (1,000,000 rows when a trace sync moved 500,000 members,
    # tests/bench/README.md)
    return f"""
        WITH touched AS ({rows})
        INSERT INTO {DIRTY_TABLE} (campaign_id)
        SELECT x.campaign_id
          FROM (SELECT DISTINCT y.campaign_id
                  FROM (SELECT r.campaign_id FROM touched r{extra}) y
                 WHERE y.campaign_id IS NOT NULL) x
         WHERE NOT EXISTS (
               SELECT 1 FROM {DIRTY_TABLE} d WHERE d.campaign_id = x.campaign_id
           );"""


def _trigger_function_sql(table, function, columns):
    """CREATE FUNCTION of the statement trigger of ``table``."""
    is_member = table == "marketing_campaign_member"
    keys = ["id", "campaign_id"] + (["lead_id"] if is_member else [])

    def row(side):
        return ", ".join(
            col.format(t=side) if "{t}" in col else f"{side}.{col}" for col in columns
        )

    old, new = row("o"), row("n")
    old_keys, new_keys = (
        ", ".join(f"{side}.{key}" for key in keys) for side in ("o", "n")
    )
    is_changed = f"({old}) IS DISTINCT FROM ({new})"
    # a changed row's keys after the update, and before it only when they
    # differ (a row moved to another campaign or lead marks both)
    changed = f"""
        SELECT v.* FROM old_rows o JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (
             SELECT {new_keys}
             UNION ALL
             SELECT {old_keys} WHERE ({old_keys}) IS DISTINCT FROM ({new_keys})
         ) v ({', '.join(keys)})
         WHERE {is_changed}"""
    insert = _mark_sql(
        f"SELECT {', '.join(keys)} FROM new_rows", expand_members=is_member
    )
    update = _mark_sql(
        changed, expand_members=is_member, with_orders_of_members=is_member
    )
    delete = _mark_sql(
        f"SELECT {', '.join(keys)} FROM old_rows",
        expand_members=is_member,
        with_orders_of_members=is_member,
    )
    # names are constants of this module (no user input); TRUNCATE marks
    # every campaign
    return marking_function_sql(
        function,
        insert,
        update,
        delete,
        otherwise=(
            f"INSERT INTO {DIRTY_TABLE} (campaign_id) SELECT id FROM utm_campaign;"
        ),
        update_changed=is_changed,
    )


def install_store(cr, currency_stored):
    """Create (or re-create) the stored funnel, its triggers and its views,
    and fill it. Run by campaign.kpi's init() on every module update.

    :param currency_stored: whether utm_campaign has a currency_id column
    """
    # the channel view reads the KPI view: dropped first
    cr.execute(SQL("DROP VIEW IF EXISTS %s", SQL.identifier(STORED_CHANNEL_VIEW)))
    cr.execute(SQL("DROP VIEW IF EXISTS %s", SQL.identifier(STORED_KPI_VIEW)))
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(FUNNEL_TABLE)))
    counts = ", ".join(f"{name} integer NOT NULL DEFAULT 0" for name in FUNNEL_COUNTS)
    cr.execute(
        SQL(
            f"""
            CREATE TABLE {FUNNEL_TABLE} (
                campaign_id integer NOT NULL
                    REFERENCES utm_campaign (id) ON DELETE CASCADE,
                channel varchar NOT NULL,
                {counts},
                computed_at timestamp NOT NULL,
                PRIMARY KEY (campaign_id, channel)
            );
            CREATE TABLE IF NOT EXISTS {DIRTY_TABLE} (campaign_id integer);
            CREATE INDEX IF NOT EXISTS {DIRTY_TABLE}_campaign_id_idx
                ON {DIRTY_TABLE} (campaign_id);
            COMMENT ON TABLE {FUNNEL_TABLE} IS
                'Campaign funnel per channel, refreshed for the campaigns in '
                '{DIRTY_TABLE} before the Campaign Monitor reads it';
            """
        )
    )
    for table, function, columns in WATCHED:
        cr.execute(SQL(_trigger_function_sql(table, function, columns)))
        cr.execute(SQL(statement_triggers_sql(table, function, truncate=True)))
    # a stage that becomes won (or no longer) changes its leads' campaigns
    cr.execute(
        SQL(
            f"""
            CREATE OR REPLACE FUNCTION campaign_kpi_mark_stage() RETURNS trigger
            LANGUAGE plpgsql AS $fn$
            BEGIN
                INSERT INTO {DIRTY_TABLE} (campaign_id)
                SELECT DISTINCT l.campaign_id
                  FROM crm_lead l
                 WHERE l.campaign_id IS NOT NULL
                   AND l.stage_id IN (
                       SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
                        WHERE o.is_won IS DISTINCT FROM n.is_won
                   );
                RETURN NULL;
            END
            $fn$;
            DROP TRIGGER IF EXISTS campaign_kpi_mark_stage_update ON crm_stage;
            CREATE TRIGGER campaign_kpi_mark_stage_update AFTER UPDATE ON crm_stage
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION campaign_kpi_mark_stage();
            """
        )
    )
    for view, query in (
        (STORED_KPI_VIEW, campaign_view_sql(currency_stored, stored=True)),
        (STORED_CHANNEL_VIEW, channel_view_sql(stored=True)),
    ):
        cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(view), query))
    cr.execute(SQL("DELETE FROM %s", SQL.identifier(DIRTY_TABLE)))
    cr.execute(refresh_funnel_sql())


def uninstall_store(cr):
    """Drop what install_store created (the module's uninstall hook)."""
    for table, function, _columns in WATCHED:
        for op in ("insert", "update", "delete", "truncate"):
            cr.execute(SQL(f"DROP TRIGGER IF EXISTS {function}_{op} ON {table}"))
        cr.execute(SQL(f"DROP FUNCTION IF EXISTS {function}()"))
    cr.execute(
        SQL(
            "DROP TRIGGER IF EXISTS campaign_kpi_mark_stage_update ON crm_stage;"
            "DROP FUNCTION IF EXISTS campaign_kpi_mark_stage();"
        )
    )
    for view in (STORED_CHANNEL_VIEW, STORED_KPI_VIEW):
        cr.execute(SQL("DROP VIEW IF EXISTS %s", SQL.identifier(view)))
    for table in (FUNNEL_TABLE, DIRTY_TABLE):
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
