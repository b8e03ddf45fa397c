# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Normalisation of free text, postcodes and phone numbers (no ORM).

Every function here has a twin in SQL (see :mod:`.sql`); both must give the
same result for the same input, which ``tests/test_matching_sql.py`` checks on
the tricky values.
"""

import re
import unicodedata

# characters that Unicode decomposition does not reduce to ASCII but that
# PostgreSQL's unaccent dictionary does: kept identical on both sides
_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
    }
)
# apostrophes join their word ("Stephen's" -> "stephens"), all other
# non-alphanumerics separate words
_APOSTROPHES = re.compile("['\u2019`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_NON_ALNUM_UPPER = re.compile(r"[^A-Z0-9]+")
_NON_DIGIT = re.compile(r"\D+")
_TRUNK_ZERO = re.compile(r"\(0\)")
# a full British postcode once spaces are gone: outward code + 3-char inward
_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
# separators of a list of values in one criterion ("Yorkshire, South" keeps
# its comma, so lists are split on new lines and semicolons only)
_VALUE_SEPARATORS = re.compile(r"[\n;]+")
_RANGE = re.compile(r"^\s*([A-Za-z]*)(\d+)\s*-\s*([A-Za-z]*)(\d+)\s*$")
# a range wider than this is refused: a typo ("1-99999") must not build a
# list of 100k prefixes
MAX_RANGE_SIZE = 1000


def strip_accents(value):
    """Remove accents: ``"Zürich Œuvre"`` -> ``"Zurich OEuvre"``."""
    value = str(value).translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def split_words(value):
    """Lower-case, accent-free words of ``value`` (in their order).

    :param value: any text (``None``/``False`` give no word)
    :return: list of words made of ``[a-z0-9]``
    """
    if not value:
        return []
    text = _APOSTROPHES.sub("", strip_accents(value).lower())
    return _NON_WORD.sub(" ", text).split()


def prepare_abbreviations(abbreviations):
    """Normalise an abbreviation mapping once for many calls.

    :param abbreviations: mapping ``{"st": "saint", "rd.": "road"}``; an empty
        expansion drops the word (stop words such as ``"the"``)
    :return: dict ``{word: tuple(expansion words)}``
    """
    prepared = {}
    for short, expansion in (abbreviations or {}).items():
        keys = split_words(short)
        if len(keys) != 1:
            continue
        prepared[keys[0]] = tuple(split_words(expansion))
    return prepared


def normalize_text(value, abbreviations=None):
    """Normalise free text for comparison.

    Lower case, accents and punctuation removed, abbreviations expanded, words
    sorted and de-duplicated, so that ``"Yorkshire, South"`` equals
    ``"South Yorkshire"`` and ``"St. Stephens"`` equals ``"Saint Stephens"``
    (with ``{"st": "saint"}``).

    :param value: text to normalise
    :param abbreviations: mapping of abbreviation -> expansion (raw or from
        :func:`prepare_abbreviations`)
    :return: normalised text (``""`` for an empty value)
    """
    words = split_words(value)
    if abbreviations:
        if not all(isinstance(v, tuple) for v in abbreviations.values()):
            abbreviations = prepare_abbreviations(abbreviations)
        expanded = []
        for word in words:
            expanded.extend(abbreviations.get(word, (word,)))
        words = expanded
    return " ".join(sorted(set(words)))


def normalize_postcode(value):
    """Normalise a postcode: upper case, no punctuation, one space before the
    inward code of a full British postcode (``"ls14ap"`` -> ``"LS1 4AP"``).

    :return: normalised postcode (``""`` for an empty value)
    """
    if not value:
        return ""
    compact = _NON_ALNUM_UPPER.sub("", strip_accents(value).upper())
    if _UK_POSTCODE.match(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def normalize_phone(value, country_code="44"):
    """Normalise a phone number to its national digits.

    ``"+44 113 496 0000"``, ``"0044 (0)113 4960000"`` and ``"(0113) 496 0000"``
    all give ``"01134960000"``; a foreign number keeps its country code as
    ``"+33..."``.

    :param value: phone number as typed
    :param country_code: the home country's calling code, digits only
    :return: normalised number (``""`` for an empty value)
    """
    if not value:
        return ""
    # "+44 (0)113": the bracketed trunk zero is never dialled from abroad
    text = _TRUNK_ZERO.sub("", str(value)).strip()
    digits = _NON_DIGIT.sub("", text)
    international = text.startswith("+")
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    if not international:
        return digits
    country_code = _NON_DIGIT.sub("", str(country_code or ""))
    if country_code and digits.startswith(country_code):
        national = digits[len(country_code) :]
        return national if national.startswith("0") else "0" + national
    return "+" + digits


def split_values(value):
    """Split a criterion value into its items (new lines or semicolons).

    :return: list of stripped, non-empty items
    """
    if not value:
        return []
    return [v.strip() for v in _VALUE_SEPARATORS.split(str(value)) if v.strip()]


def expand_prefix_ranges(values, kind, country_code="44"):
    """Expand a list of prefixes and ranges into normalised prefixes.

    ``"LS1-LS3; BD"`` (or ``"LS1-LS3, BD"``) -> ``["LS1", "LS2", "LS3", "BD"]``;
    ``"0113-0115"`` -> ``["0113", "0114", "0115"]`` (leading zeros kept).

    :param values: a value string or a list of items
    :param kind: ``"postcode"`` or ``"phone"``
    :param country_code: home calling code, for phone prefixes
    :return: list of normalised prefixes, without duplicates, in order
    :raise ValueError: on a malformed or too wide range
    """
    items = split_values(values) if isinstance(values, str) else list(values)
    # postcodes and phone prefixes hold no comma: accept "LS1, LS2" too
    items = [part.strip() for item in items for part in item.split(",") if part.strip()]
    prefixes = []
    for item in items:
        match = _RANGE.match(item) if "-" in item else None
        if "-" in item and not match:
            raise ValueError(f"malformed range {item!r}")
        if match:
            head1, low, head2, high = match.groups()
            if head1.upper() != head2.upper() or int(low) > int(high):
                raise ValueError(f"malformed range {item!r}")
            if int(high) - int(low) >= MAX_RANGE_SIZE:
                raise ValueError(f"range {item!r} is too wide")
            width = len(low) if low.startswith("0") else 0
            raw = [
                f"{head1}{str(n).zfill(width)}" for n in range(int(low), int(high) + 1)
            ]
        else:
            raw = [item]
        for prefix in raw:
            if kind == "phone":
                norm = normalize_phone(prefix, country_code)
            else:
                norm = " ".join(
                    _NON_ALNUM_UPPER.sub("", part)
                    for part in strip_accents(prefix).upper().split()
                )
            if norm and norm not in prefixes:
                prefixes.append(norm)
    return prefixes


def _is_digit(char):
    return char.isdigit()


def postcode_matches_prefix(postcode, prefix):
    """Whether a normalised postcode falls under a postcode prefix.

    A prefix only matches at a boundary between letters and digits (or at the
    space): ``"LS1"`` covers ``"LS1 4AP"`` but not ``"LS14 1AA"``, ``"L"``
    covers ``"L1 8JQ"`` but not ``"LS1 4AP"``.
    """
    if not postcode or not prefix or not postcode.startswith(prefix):
        return False
    if len(postcode) == len(prefix):
        return True
    nxt = postcode[len(prefix)]
    return nxt == " " or prefix.endswith(" ") or _is_digit(nxt) != _is_digit(prefix[-1])
