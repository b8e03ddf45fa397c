# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Direct mail: one piece per postal address (plain Python, no ORM).

A company and its own contact person at the same address get one letter,
addressed to the person; two members whose addresses differ only in case,
spaces or punctuation share one letter too.
"""

import re

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def address_key(street, street2, zip_code, city, country_id):
    """The comparable form of a postal address, or None when it has no street
    or neither a postcode nor a city (no letter can be addressed)."""

    def norm(value):
        return _NON_ALNUM.sub("", (value or "").lower())

    street, zip_code, city = norm(street), norm(zip_code), norm(city)
    if not street or not (zip_code or city):
        return None
    return (street, norm(street2), zip_code, city, country_id or 0)


def pick_pieces(rows):
    """Choose who receives the one piece of each address.

    :param rows: iterable of (member_id, is_company, key) where key is an
        :func:`address_key` (None: the member gets a piece of its own)
    :return: {member_id: member_id of the piece that reaches it}; a member
        that receives its own piece maps to itself. Per address, a person is
        preferred to a company, then the lowest member id.
    """
    best = {}
    rows = list(rows)
    for member_id, is_company, key in rows:
        if key is None:
            continue
        rank = (bool(is_company), member_id)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, member_id)
    return {
        member_id: best[key][1] if key is not None else member_id
        for member_id, _is_company, key in rows
    }
