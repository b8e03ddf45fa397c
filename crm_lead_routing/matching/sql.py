# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SQL side of the fuzzy matchers: immutable functions and condition builders.

The builders take a column expression (an ``odoo.tools.SQL``, e.g.
``SQL.identifier("crm_lead", "city")``) and return an ``SQL`` condition with
bound parameters. The comparisons run through immutable functions (created by
:func:`ensure_sql_functions`) so that functional indexes, trigram ones
included, can serve them:

- ``mrm_normalize_text(text)`` and ``mrm_normalize_text(text, text[], text[])``
  (with abbreviation keys and expansions), twins of
  :func:`.text.normalize_text`;
- ``mrm_normalize_postcode(text)``, ``mrm_normalize_phone(text, text)``.
"""

import logging

from odoo.tools import SQL

from .text import (
    expand_prefix_ranges,
    normalize_phone,
    normalize_text,
    prepare_abbreviations,
)

_logger = logging.getLogger(__name__)

# bumped whenever a function body below changes: the functions are replaced
# only when the version stored in the database is older
SQL_FUNCTIONS_VERSION = 2
SQL_FUNCTIONS = (
    "mrm_text_words",
    "mrm_normalize_text",
    "mrm_normalize_postcode",
    "mrm_normalize_phone",
)
DEFAULT_COUNTRY_CODE = "44"

_DDL = """
CREATE OR REPLACE FUNCTION {schema}.mrm_matching_version() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT {version} $fn$;

CREATE OR REPLACE FUNCTION {schema}.mrm_text_words(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT btrim(regexp_replace(
    regexp_replace(
        lower({unaccent_schema}.unaccent(
            '{unaccent_schema}.unaccent'::regdictionary, value)),
        '[''\u2019`]', '', 'g'),
    '[^a-z0-9]+', ' ', 'g'))
$fn$;

CREATE OR REPLACE FUNCTION {schema}.mrm_normalize_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT coalesce(string_agg(w, ' ' ORDER BY w), '') FROM (
    SELECT DISTINCT word COLLATE "C" AS w
    FROM regexp_split_to_table({schema}.mrm_text_words(value), ' ') AS word
    WHERE word <> ''
) AS words
$fn$;

CREATE OR REPLACE FUNCTION {schema}.mrm_normalize_text(
    value text, abbreviations text[], expansions text[]
) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT coalesce(string_agg(w, ' ' ORDER BY w), '') FROM (
    SELECT DISTINCT part COLLATE "C" AS w
    FROM regexp_split_to_table({schema}.mrm_text_words(value), ' ') AS word,
         regexp_split_to_table(
            CASE WHEN array_position(abbreviations, word) IS NULL THEN word
                 ELSE coalesce(expansions[array_position(abbreviations, word)], '')
            END, ' ') AS part
    WHERE word <> '' AND part <> ''
) AS words
$fn$;

CREATE OR REPLACE FUNCTION {schema}.mrm_normalize_postcode(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT CASE WHEN c ~ '^[A-Z]{{1,2}}[0-9][A-Z0-9]?[0-9][A-Z]{{2}}$'
            THEN left(c, -3) || ' ' || right(c, 3) ELSE c END
FROM (SELECT regexp_replace(
        upper({unaccent_schema}.unaccent(
            '{unaccent_schema}.unaccent'::regdictionary, value)),
        '[^A-Z0-9]+', '', 'g') AS c) AS s
$fn$;

CREATE OR REPLACE FUNCTION {schema}.mrm_normalize_phone(value text, country_code text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT CASE
    WHEN NOT intl THEN digits
    WHEN cc <> '' AND left(digits, length(cc)) = cc THEN
        CASE WHEN substr(digits, length(cc) + 1, 1) = '0'
             THEN substr(digits, length(cc) + 1)
             ELSE '0' || substr(digits, length(cc) + 1) END
    ELSE '+' || digits END
FROM (
    SELECT (plus OR all_digits LIKE '00%') AS intl,
           CASE WHEN NOT plus AND all_digits LIKE '00%' THEN substr(all_digits, 3)
                ELSE all_digits END AS digits,
           cc
    FROM (SELECT value ~ '^\\s*\\+' AS plus,
                 regexp_replace(regexp_replace(value, '\\(0\\)', '', 'g'),
                                '[^0-9]', '', 'g') AS all_digits,
                 regexp_replace(country_code, '[^0-9]', '', 'g') AS cc) AS raw
) AS s
$fn$;
"""


def _extension_schema(cr, name):
    cr.execute(
        SQL(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
            name,
        )
    )
    row = cr.fetchone()
    return row and row[0]


def ensure_sql_functions(cr):
    """Create the ``unaccent`` and ``pg_trgm`` extensions and the matching
    functions when they are missing or older than this code.

    :param cr: a database cursor (the extensions need a role allowed to
        create them: the database owner on PostgreSQL >= 13 for these two
        trusted extensions)
    """
    for extension in ("unaccent", "pg_trgm"):
        if not _extension_schema(cr, extension):
            _logger.info("creating the PostgreSQL extension %s", extension)
            cr.execute(
                SQL("CREATE EXTENSION IF NOT EXISTS %s", SQL.identifier(extension))
            )
    cr.execute(
        SQL(
            "SELECT p.proname FROM pg_proc p WHERE p.proname = ANY(%s)"
            " AND p.pronamespace = current_schema()::regnamespace",
            ["mrm_matching_version", *SQL_FUNCTIONS],
        )
    )
    present = {row[0] for row in cr.fetchall()}
    if present >= {"mrm_matching_version", *SQL_FUNCTIONS}:
        cr.execute(SQL("SELECT mrm_matching_version()"))
        if cr.fetchone()[0] >= SQL_FUNCTIONS_VERSION:
            return
    cr.execute(SQL("SELECT current_schema()"))
    schema = cr.fetchone()[0]
    ddl = _DDL.format(
        schema=_quote_identifier(schema),
        unaccent_schema=_quote_identifier(_extension_schema(cr, "unaccent")),
        version=int(SQL_FUNCTIONS_VERSION),
    )
    _logger.info(
        "creating the fuzzy matching SQL functions (version %s)", SQL_FUNCTIONS_VERSION
    )
    # the DDL is a constant of this module; the only interpolated values are
    # schema names quoted as identifiers and an integer; run without
    # parameters so that its LIKE patterns keep their literal '%'
    cr.execute(ddl)  # pylint: disable=sql-injection


def _quote_identifier(name):
    return '"{}"'.format(name.replace('"', '""'))


def _abbreviation_arrays(abbreviations):
    prepared = prepare_abbreviations(abbreviations) if abbreviations else {}
    if prepared and not all(isinstance(v, tuple) for v in prepared.values()):
        prepared = prepare_abbreviations(prepared)
    keys = sorted(prepared)
    return prepared, keys, [" ".join(prepared[k]) for k in keys]


def sql_normalized(column, abbreviations=None):
    """The normalised form of a column, as :func:`.text.normalize_text`.

    :param column: ``SQL`` expression of the column
    :param abbreviations: mapping abbreviation -> expansion (optional)
    :return: ``SQL`` expression
    """
    prepared, keys, expansions = _abbreviation_arrays(abbreviations)
    if not prepared:
        return SQL("mrm_normalize_text(%s)", column)
    return SQL(
        "mrm_normalize_text(%s, %s::text[], %s::text[])", column, keys, expansions
    )


def _check_threshold(threshold):
    """:raise ValueError: unless 0 < threshold <= 1"""
    if not 0 < threshold <= 1:
        raise ValueError(f"similarity threshold {threshold!r} not in ]0, 1]")


def _similarity_value(value, threshold, abbreviations):
    """The text a similarity condition compares with: ``value`` normalised
    with ``abbreviations`` ("" when nothing is left), once ``threshold`` is
    checked."""
    _check_threshold(threshold)
    return normalize_text(value, _abbreviation_arrays(abbreviations)[0])


def sql_normalized_in(column, values, abbreviations=None):
    """Condition: the normalised column equals one of the normalised values.

    :param column: ``SQL`` expression of the column
    :param values: iterable of texts
    :param abbreviations: mapping abbreviation -> expansion (optional)
    :return: ``SQL`` condition (``FALSE`` when no value is left)
    """
    prepared = _abbreviation_arrays(abbreviations)[0]
    normalized = sorted({normalize_text(v, prepared) for v in values} - {""})
    if not normalized:
        return SQL("FALSE")
    return SQL(
        "%s = ANY(%s::text[])", sql_normalized(column, abbreviations), normalized
    )


def sql_similar(column, value, threshold, abbreviations=None, mode="whole"):
    """Condition: the normalised column is similar to ``value`` (pg_trgm).

    In ``"whole"`` mode the texts must also have the same number of words: a
    misspelling ("North Eart Lincolnshire") keeps the word count, another
    place ("North Lincolnshire") does not, though its trigram similarity to
    "North East Lincolnshire" is as high (0.79 against 0.78).

    :param column: ``SQL`` expression of the column
    :param value: text to compare with
    :param threshold: 0 < threshold <= 1; 1 means equal trigram sets
    :param abbreviations: mapping abbreviation -> expansion (optional)
    :param mode: ``"whole"`` compares the whole texts (``similarity``),
        ``"word"`` looks for the value inside the column (``word_similarity``)
    :return: ``SQL`` condition
    """
    normalized = _similarity_value(value, threshold, abbreviations)
    if not normalized:
        return SQL("FALSE")
    expr = sql_normalized(column, abbreviations)
    if mode == "word":
        return SQL("word_similarity(%s, %s) >= %s", normalized, expr, threshold)
    return SQL(
        "(similarity(%s, %s) >= %s AND array_length(string_to_array(%s, ' '), 1) = %s)",
        expr,
        normalized,
        threshold,
        expr,
        len(normalized.split()),
    )


def sql_alias_in(column, aliases, abbreviations=None, threshold=None):
    """Condition: the column is one of the spellings of an alias list.

    :param column: ``SQL`` expression of the column
    :param aliases: iterable of spellings
    :param abbreviations: mapping abbreviation -> expansion (optional)
    :param threshold: when set, a spelling similar to one of the aliases
        (pg_trgm ``similarity`` >= threshold) matches too
    :return: ``SQL`` condition
    """
    condition = sql_normalized_in(column, aliases, abbreviations)
    if not threshold:
        return condition
    prepared = _abbreviation_arrays(abbreviations)[0]
    normalized = sorted({normalize_text(v, prepared) for v in aliases} - {""})
    if not normalized:
        return condition
    return SQL(
        "(%s OR EXISTS (SELECT 1 FROM unnest(%s::text[]) AS alias(v)"
        " WHERE similarity(%s, alias.v) >= %s))",
        condition,
        normalized,
        sql_normalized(column, abbreviations),
        threshold,
    )


def sql_prefix_normalized(column, kind, country_code=DEFAULT_COUNTRY_CODE):
    """The form of a column that :func:`sql_prefix_in` compares: the
    normalised postcode, or the national digits of a phone number.

    :param column: ``SQL`` expression of the column
    :param kind: ``"postcode"`` or ``"phone"``
    :return: ``SQL`` expression
    """
    if kind == "phone":
        return SQL("mrm_normalize_phone(%s, %s)", column, str(country_code or ""))
    if kind == "postcode":
        return SQL("mrm_normalize_postcode(%s)", column)
    raise ValueError(f"unknown prefix kind {kind!r}")


def sql_prefix_in(
    column, prefixes, kind, country_code=DEFAULT_COUNTRY_CODE, normalized=False
):
    """Condition: the column starts with one of the prefixes (or ranges).

    :param column: ``SQL`` expression of the column
    :param prefixes: a value string (``"LS1-LS3; BD"``) or a list of items
    :param kind: ``"postcode"`` (matches at letter/digit boundaries only:
        ``"LS1"`` covers ``"LS1 4AP"`` not ``"LS14 1AA"``) or ``"phone"``
        (national digits: ``"+44 113"`` = ``"0113"``)
    :param country_code: home calling code for phone numbers
    :param normalized: ``column`` is already the column's
        :func:`sql_prefix_normalized` form (computed once for several
        conditions)
    :return: ``SQL`` condition
    :raise ValueError: on an unknown kind or a malformed range
    """
    if kind not in ("postcode", "phone"):
        raise ValueError(f"unknown prefix kind {kind!r}")
    normalized_prefixes = expand_prefix_ranges(prefixes, kind, country_code)
    if not normalized_prefixes:
        return SQL("FALSE")
    value = column if normalized else sql_prefix_normalized(column, kind, country_code)
    if kind == "phone":
        patterns = [p + "%" for p in normalized_prefixes]
        return SQL("%s LIKE ANY(%s::text[])", value, patterns)
    return SQL(
        "EXISTS (SELECT 1 FROM (SELECT %s AS c) AS pc,"
        " unnest(%s::text[]) AS prefix(v)"
        " WHERE starts_with(pc.c, prefix.v) AND (length(pc.c) = length(prefix.v)"
        " OR substr(pc.c, length(prefix.v) + 1, 1) = ' ' OR right(prefix.v, 1) = ' '"
        " OR (substr(pc.c, length(prefix.v) + 1, 1) ~ '[0-9]')"
        " <> (right(prefix.v, 1) ~ '[0-9]')))",
        value,
        normalized_prefixes,
    )


__all__ = [
    "SQL_FUNCTIONS",
    "ensure_sql_functions",
    "normalize_phone",
    "sql_alias_in",
    "sql_normalized",
    "sql_normalized_in",
    "sql_prefix_in",
    "sql_prefix_normalized",
    "sql_similar",
]


# ---- stored normalised columns ---------------------------------------------
# A model may keep, next to a text column, a companion column holding
# ``mrm_normalize_text(column, <abbreviations>)`` (filled set-wise and kept up
# to date by the model) with a GIN ``gin_trgm_ops`` index on it. The builders
# below compare such a companion column directly, with operators that index
# can serve, and give the same rows as their twins on the raw column.


def set_similarity_threshold(cr, threshold):
    """Lower ``pg_trgm.similarity_threshold`` to ``threshold`` for the rest
    of the transaction (never raise it), so that the ``%`` operator of
    :func:`sql_similar_normalized` keeps every row whose similarity is at
    least ``threshold``.

    :param cr: a database cursor
    :param threshold: 0 < threshold <= 1
    """
    _check_threshold(threshold)
    # a hair below: the exact comparison stays in the condition
    cr.execute(
        SQL(
            "SELECT set_config('pg_trgm.similarity_threshold', least("
            "current_setting('pg_trgm.similarity_threshold', true)::float8,"
            " %s::float8)::text, true)",
            max(threshold - 1e-6, 0.0),
        )
    )


def sql_similar_values(table, column, value, threshold, abbreviations=None):
    """As :func:`sql_similar_normalized`, for a normalised column with few
    distinct values and a btree index: the similarity is computed once per
    distinct value (walked through the index, one descent each), and the
    rows are then found by equality.

    :param table: ``SQL`` identifier of the table holding the column
    :param column: ``SQL`` identifier of the normalised column (unqualified)
    :param value: text to compare with
    :param threshold: 0 < threshold <= 1
    :param abbreviations: mapping abbreviation -> expansion (optional)
    :return: ``SQL`` array of the matching distinct values, or None when
        the value normalises to nothing
    """
    normalized = _similarity_value(value, threshold, abbreviations)
    if not normalized:
        return None
    return SQL(
        "ARRAY(WITH RECURSIVE mrm_v(x) AS ("
        "SELECT min(%(col)s) FROM %(table)s UNION ALL"
        " SELECT (SELECT min(%(col)s) FROM %(table)s WHERE %(col)s > mrm_v.x)"
        " FROM mrm_v WHERE mrm_v.x IS NOT NULL)"
        " SELECT x FROM mrm_v WHERE x IS NOT NULL AND similarity(x, %(value)s) >= %(t)s"
        " AND array_length(string_to_array(x, ' '), 1) = %(words)s)",
        col=column,
        table=table,
        value=normalized,
        t=threshold,
        words=len(normalized.split()),
    )


def sql_in_similar_values(
    outer_column, table, column, value, threshold, abbreviations=None
):
    """Condition: ``outer_column`` is one of the distinct values of
    ``table.column`` similar to ``value`` (see :func:`sql_similar_values`).

    :return: ``SQL`` condition
    """
    values = sql_similar_values(table, column, value, threshold, abbreviations)
    if values is None:
        return SQL("FALSE")
    return SQL("%s = ANY(%s)", outer_column, values)


def sql_similar_normalized(normalized_column, value, threshold, abbreviations=None):
    """As :func:`sql_similar` in ``"whole"`` mode, on a column that already
    holds the normalised text (normalised with the same ``abbreviations``).

    The condition starts with the pg_trgm ``%`` operator, which a GIN
    ``gin_trgm_ops`` index on the column serves; the caller must have called
    :func:`set_similarity_threshold` with at most ``threshold`` in the same
    transaction. The exact comparison of :func:`sql_similar` follows.

    :param normalized_column: ``SQL`` expression of the normalised column
    :param value: text to compare with
    :param threshold: 0 < threshold <= 1
    :param abbreviations: mapping abbreviation -> expansion (optional)
    :return: ``SQL`` condition
    """
    normalized = _similarity_value(value, threshold, abbreviations)
    if not normalized:
        return SQL("FALSE")
    # odoo.tools.SQL has no escape for a literal '%' in a code with
    # arguments: the pg_trgm operator comes in as an argument-less SQL
    return SQL(
        "(%s %s %s AND similarity(%s, %s) >= %s"
        " AND array_length(string_to_array(%s, ' '), 1) = %s)",
        normalized_column,
        SQL("%%"),
        normalized,
        normalized_column,
        normalized,
        threshold,
        normalized_column,
        len(normalized.split()),
    )


def sql_normalized_in_normalized(normalized_column, values, abbreviations=None):
    """As :func:`sql_normalized_in`, on a column that already holds the
    normalised text (normalised with the same ``abbreviations``).

    :return: ``SQL`` condition (``FALSE`` when no value is left)
    """
    prepared = _abbreviation_arrays(abbreviations)[0]
    normalized = sorted({normalize_text(v, prepared) for v in values} - {""})
    if not normalized:
        return SQL("FALSE")
    return SQL("%s = ANY(%s::text[])", normalized_column, normalized)


def sql_true_positions(conditions):
    """Which of ``conditions`` hold for a row, in one expression: the
    positions (counting from 1) of the true ones, as an integer array
    (empty when none holds; NULL counts as not true).

    :param conditions: list of ``SQL`` conditions
    """
    return SQL(
        "array_positions(ARRAY[%s]::boolean[], TRUE)",
        SQL(", ").join(conditions) if conditions else SQL(""),
    )


__all__ += [
    "set_similarity_threshold",
    "sql_in_similar_values",
    "sql_normalized_in_normalized",
    "sql_similar_normalized",
    "sql_true_positions",
]
