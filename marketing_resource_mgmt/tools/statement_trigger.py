# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The PL/pgSQL function of a statement-level trigger with transition tables
(``new_rows`` / ``old_rows``) that marks what changed, and its triggers: the behaviour
measures' marks (models/marketing_partner_behaviour_sql.py) and
campaign_reporting's stored funnel use it.

Each statement runs through EXECUTE: PL/pgSQL would otherwise keep the plan
it made for the first, small transition tables of the session (a nested loop
over old_rows x new_rows), and a later UPDATE of 100,000 rows would spend
minutes in it. Nothing runs when the transition table is empty: foreign-key
actions (ON DELETE SET NULL) fire the trigger once per deleted row with empty
tables.
"""


def marking_function_sql(function, insert, update, delete, otherwise=""):
    """:return: CREATE OR REPLACE FUNCTION ``function`` running ``insert``,
    ``update`` or ``delete`` (SQL statements reading the transition tables)
    by TG_OP, and ``otherwise`` (PL/pgSQL, e.g. for TRUNCATE) else.

    The names and statements are the callers' constants (no user input)."""
    insert, update, delete = (
        f"IF EXISTS (SELECT 1 FROM {rows}) THEN EXECUTE $sql$"
        + statement.strip().rstrip(";")
        + "$sql$; END IF;"
        for statement, rows in (
            (insert, "new_rows"),
            (update, "new_rows"),
            (delete, "old_rows"),
        )
    )
    otherwise = f"ELSE {otherwise}" if otherwise else ""
    return f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN {insert}
            ELSIF TG_OP = 'UPDATE' THEN {update}
            ELSIF TG_OP = 'DELETE' THEN {delete}
            {otherwise}
            END IF;
            RETURN NULL;
        END
        $fn$;
    """


def statement_triggers_sql(table, function, truncate=False):
    """:return: the statements (re)creating the AFTER INSERT / UPDATE /
    DELETE (and TRUNCATE when ``truncate``) statement-level triggers
    ``<function>_<op>`` of ``table`` running ``function``, with the
    transition tables each operation has.

    The names are the callers' constants (no user input)."""
    events = [
        ("insert", "REFERENCING NEW TABLE AS new_rows"),
        ("update", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("delete", "REFERENCING OLD TABLE AS old_rows"),
    ]
    if truncate:
        events.append(("truncate", ""))
    return "".join(
        f"""
        DROP TRIGGER IF EXISTS {function}_{op} ON {table};
        CREATE TRIGGER {function}_{op} AFTER {op.upper()} ON {table}
            {referencing} FOR EACH STATEMENT
            EXECUTE FUNCTION {function}();
        """
        for op, referencing in events
    )
