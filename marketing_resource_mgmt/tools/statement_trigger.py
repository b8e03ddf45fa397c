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

An UPDATE of one row that changes none of the watched columns (a lead
claimed, a stage moved) returns before the EXECUTE: planning the marking
statement was most of the trigger's cost (0.3-0.7 ms an UPDATE), and the
statement would mark nothing. The check is static SQL (planned once a
session), asked only of one-row statements, where any plan is cheap.
"""


def marking_function_sql(
    function, insert, update, delete, otherwise="", update_changed=None
):
    """:return: CREATE OR REPLACE FUNCTION ``function`` running ``insert``,
    ``update`` or ``delete`` (SQL statements reading the transition tables)
    by TG_OP, and ``otherwise`` (PL/pgSQL, e.g. for TRUNCATE) else.

    :param update_changed: the condition on a row before (``o``) and after
        (``n``) an update under which ``update`` marks it (the one its
        statement filters on): a one-row UPDATE where it is false returns
        at once

    The names and statements are the callers' constants (no user input)."""
    insert, update, delete = (
        f"IF EXISTS (SELECT 1 FROM {rows}) THEN {check}EXECUTE $sql$"
        + statement.strip().rstrip(";")
        + "$sql$; END IF;"
        for statement, rows, check in (
            (insert, "new_rows", ""),
            (update, "new_rows", _one_row_unchanged_sql(update_changed)),
            (delete, "old_rows", ""),
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


def _one_row_unchanged_sql(changed):
    """PL/pgSQL returning from an UPDATE trigger when the statement updated
    one row and ``changed`` is false for it ('' without a condition)."""
    if not changed:
        return ""
    return f"""
        IF NOT EXISTS (SELECT 1 FROM new_rows OFFSET 1) THEN
            IF NOT EXISTS (SELECT 1 FROM old_rows o, new_rows n
                            WHERE {changed}) THEN
                RETURN NULL;
            END IF;
        END IF;
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
