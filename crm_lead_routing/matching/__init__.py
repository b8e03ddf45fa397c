# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fuzzy matchers shared by routing rules and marketing segments.

Plain Python (no ORM): :mod:`.text` normalises values, :mod:`.sql` builds
``odoo.tools.SQL`` conditions that compare columns with the same rules inside
PostgreSQL (through the immutable functions of :data:`.sql.SQL_FUNCTIONS`).
"""

from .text import (
    expand_prefix_ranges,
    normalize_phone,
    normalize_postcode,
    normalize_text,
    postcode_matches_prefix,
    prepare_abbreviations,
    split_values,
    split_words,
)
from .sql import (
    SQL_FUNCTIONS,
    ensure_sql_functions,
    set_similarity_threshold,
    sql_in_similar_values,
    sql_alias_in,
    sql_normalized,
    sql_normalized_in,
    sql_normalized_in_normalized,
    sql_prefix_in,
    sql_prefix_normalized,
    sql_similar,
    sql_similar_normalized,
    sql_true_positions,
)
