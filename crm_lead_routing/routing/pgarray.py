# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""PostgreSQL array literals for large bound parameters.

psycopg2 sends a Python list as ``ARRAY[v1, v2, ...]``: an expression
PostgreSQL parses element by element (about 0.2 s for 100,000 integers).
The text form ``'{v1,v2,...}'`` is one constant, read by the type's own
input function in a few milliseconds. Cast it in the query
(``%s::int[]``); it is still a bound parameter.
"""


def _element(value):
    if value is None:
        return "NULL"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


_INTS = frozenset({int, type(None)})
_TEXTS = frozenset({str, type(None)})
_STR = frozenset({str})


class _Escaped(dict):
    """``{text or None: its array element}``, filled on first use."""

    def __missing__(self, value):
        self[value] = text = _element(value)
        return text


def pg_array(values):
    """The PostgreSQL array literal of ``values`` (None is NULL; bools,
    numbers, strings and anything whose ``str()`` is the type's input, such
    as dates, datetimes and decimals)."""
    values = list(values)
    kinds = set(map(type, values))
    if kinds <= _INTS:
        # ids and NULLs (the routing statements' columns): str() of an int
        # never holds "None"
        return "{" + ",".join(map(str, values)).replace("None", "NULL") + "}"
    if kinds == _STR:
        # texts (explanations, states, kinds): escaped in one pass over
        # them all, joined by NUL (never in a PostgreSQL text) then quoted
        joined = "\0".join(values)
        if joined.count("\0") == len(values) - 1:
            joined = joined.replace("\\", "\\\\").replace('"', '\\"')
            return '{"' + joined.replace("\0", '","') + '"}'
    if kinds <= _TEXTS:
        # texts and NULLs: each distinct one escaped once, looked up in C
        return "{" + ",".join(map(_Escaped().__getitem__, values)) + "}"
    # mixed kinds: each distinct text escaped once
    escaped = _Escaped()
    return (
        "{"
        + ",".join(
            escaped[value] if type(value) is str else _element(value)
            for value in values
        )
        + "}"
    )
