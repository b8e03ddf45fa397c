# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Creating many contacts at once below the ORM: the contact import's hot path.

``res.partner.create()`` costs a few hundred queries per hundred contacts:
the defaults read per record, and for each contact of a company a write of
the company's commercial fields (whose pricelist inverse searches the
pricelists contact by contact) and of its address. :func:`insert_partners`
writes the same rows with one ``INSERT ... SELECT FROM unnest(...)``:

- the values given, cleaned as ``create()`` cleans them (website, company
  name of a contact with a company);
- the defaults, read once per set of fields given (``default_get`` reads
  the context and the company, not the row's values);
- for a contact of a company, what ``create()`` syncs from it: the
  commercial fields from its commercial entity (stored columns copied,
  company-dependent ones for every company, the pricelist as its inverse
  would write it) and the company's address when the company has one;
- the stored computed fields whose rule is simple (``commercial_partner_id``,
  ``complete_name``, ``commercial_company_name``, ``email_normalized``,
  ``partner_share``, ``user_id``, the normalised companions of
  ``marketing_resource_mgmt``), computed here;
- every other stored computed field (``phone_sanitized``, which parses
  the numbers with the ``phonenumbers`` library, the Peppol fields, and
  whatever another module adds) is left to the ORM: marked on the new
  records (``modified(create=True)``, as ``_create`` does) and computed in
  batch at the flush, where Odoo writes them with one
  ``UPDATE ... FROM (VALUES ...)`` per hundred rows.

Then the same checks as ``create()``: access rights (model, then record
rules on the new rows), the Python constraints and the company consistency.
The rare case of a company without any address getting its first contact
(Odoo then copies the contact's address to the company) goes through the
ORM. tests/test_partner_bulk.py creates the same rows through
``res.partner.create()`` and compares every stored column of ``res_partner``:
a field another module adds breaks that test rather than silently differs.

:func:`add_list_partners` puts contacts in a many2many (the segment's list)
with one ``INSERT ... ON CONFLICT DO NOTHING``.
"""

import json

from odoo import tools
from odoo.tools import SQL, split_every

from odoo.addons.crm_lead_routing.matching import normalize_text

from ..models.res_partner import NORMALIZED_COMPANIONS

# fields insert_partners takes from the caller: simple stored columns
ACCEPTED_TYPES = ("char", "text", "boolean", "integer", "many2one", "selection")
# the pricelist is a commercial field without a column: its inverse writes
# the company-dependent specific_property_product_pricelist
PRICELIST = "property_product_pricelist"
SPECIFIC_PRICELIST = "specific_property_product_pricelist"


def _check_vals(Partner, vals_list):
    for vals in vals_list:
        for fname in vals:
            field = Partner._fields.get(fname)
            if (
                not field
                or not field.store
                or not field.column_type
                or field.compute
                or field.company_dependent
                or field.type not in ACCEPTED_TYPES
            ):
                raise ValueError(
                    f"insert_partners does not take the field {fname!r}: "
                    "create such contacts with res.partner.create()"
                )


def _defaults(Partner, fnames):
    """The defaults ``create()`` adds to rows setting ``fnames``: the same
    for every such row (``default_get`` reads the context and the company,
    not the row's values)."""
    template = dict.fromkeys(fnames, False)
    defaults = Partner._add_missing_default_values(dict(template))
    result = {}
    for fname, value in defaults.items():
        if fname in template:
            continue
        field = Partner._fields[fname]
        if field.type in ("one2many", "many2many"):
            if value and any(command[0] != 6 or command[2] for command in value):
                raise ValueError(f"insert_partners: a default for {fname!r}")
            continue
        if field.store and field.column_type:
            result[fname] = value
    return result


def _parent_values(Partner, parent_ids):
    """What a new contact takes from each parent: ``{parent id: dict}`` with
    its commercial entity, names, address and the commercial fields of the
    commercial entity (write format, plus the raw company-dependent
    columns)."""
    if not parent_ids:
        return {}
    parents = Partner.sudo().browse(sorted(parent_ids))
    commercial_fields = Partner._commercial_fields()
    address_fields = Partner._address_fields()
    commercials = parents.commercial_partner_id
    raw_columns = [
        fname
        for fname in {*commercial_fields, SPECIFIC_PRICELIST}
        if fname in Partner._fields and Partner._fields[fname].company_dependent
    ]
    raw = {}
    if raw_columns:
        Partner.env.cr.execute(
            SQL(
                "SELECT id, %s FROM res_partner WHERE id = ANY(%s)",
                SQL(", ").join(SQL.identifier(fname) for fname in raw_columns),
                commercials.ids,
            )
        )
        for row in Partner.env.cr.fetchall():
            raw[row[0]] = dict(zip(raw_columns, row[1:], strict=True))
    result = {}
    for parent in parents:
        commercial = parent.commercial_partner_id
        # the address is read as the user, as create() reads it (its
        # onchange_parent_id); the commercial sync runs as superuser
        user_parent = parent.with_env(Partner.env)
        result[parent.id] = {
            "commercial_partner_id": commercial.id,
            "commercial_is_company": commercial.is_company,
            "commercial_name": commercial.name,
            "name": parent.name,
            "user_id": parent.user_id.id,
            "address": user_parent._update_fields_values(address_fields),
            "has_address": any(user_parent[fname] for fname in address_fields),
            "commercial": commercial._update_fields_values(commercial_fields),
            "raw": raw.get(commercial.id, {}),
        }
    return result


def _pricelist_column(Partner, parent, country_id):
    """The specific pricelist (raw column) a contact of ``parent`` gets from
    the commercial sync: the commercial entity's specific pricelists of the
    other companies, and in the current company what the pricelist's
    inverse writes (nothing when the entity's pricelist is the country's
    default one)."""
    value = dict(parent["raw"].get(SPECIFIC_PRICELIST) or {})
    company = str(Partner.env.company.id)
    value.pop(company, None)
    pricelist_id = parent["commercial"].get(PRICELIST)
    if pricelist_id:
        country = Partner.env["res.country"].browse(country_id)
        default = Partner.env["product.pricelist"].search(
            [("country_group_ids.country_ids.code", "=", country.code or False)],
            limit=1,
        )
        if pricelist_id != default.id:
            value[company] = pricelist_id
    return value or None


def _differs(Partner, field, value, row):
    """Whether writing ``value`` changes the field of a new row (its value in
    ``row``, or empty)."""
    current = row.get(field.name)
    return field.convert_to_cache(value, Partner) != field.convert_to_cache(
        current, Partner
    )


def _complete_name(Partner, row, parent, type_labels):
    """res.partner._get_complete_name for a new row."""
    name = row.get("name") or ""
    if row.get("company_name") or parent:
        if not name and row["type"] in Partner._complete_name_displayed_types:
            name = type_labels[row["type"]]
        if not row.get("is_company"):
            name = f"{row['commercial_company_name'] or parent['name']}, {name}"
    return name.strip()


def _prepare_rows(Partner, vals_list, defaults, parents, ids):
    """The full row of each new contact, in ``create()``'s write format."""
    commercial_fields = Partner._commercial_fields()
    stored_commercial = [
        fname
        for fname in commercial_fields
        if Partner._fields[fname].store and Partner._fields[fname].column_type
    ]
    abbreviations = None
    if "mrm_norm_city" in Partner._fields:
        abbreviations = Partner.env["crm.match.abbreviation"]._get_abbreviation_map()
    type_labels = dict(
        Partner._fields["type"]._description_selection(Partner.env(context={}))
    )
    pricelist_cache = {}
    rows = []
    for new_id, vals in zip(ids, vals_list, strict=True):
        row = dict(defaults[frozenset(vals)], **vals)
        if row.get("website"):
            row["website"] = Partner._clean_website(row["website"])
        parent = parents.get(row.get("parent_id") or 0)
        if parent:
            row["company_name"] = False
        row["type"] = row.get("type") or "contact"
        if parent and not row.get("is_company"):
            # 1a. commercial fields from the commercial entity
            for fname in stored_commercial:
                field = Partner._fields[fname]
                if field.company_dependent:
                    row[fname] = _Raw(parent["raw"].get(fname))
                elif _differs(Partner, field, parent["commercial"][fname], row):
                    # (write() leaves a field alone when its value is unchanged)
                    row[fname] = parent["commercial"][fname]
            if PRICELIST in commercial_fields:
                key = (parent["commercial_partner_id"], row.get("country_id"))
                if key not in pricelist_cache:
                    pricelist_cache[key] = _pricelist_column(
                        Partner, parent, row.get("country_id")
                    )
                row[SPECIFIC_PRICELIST] = _Raw(pricelist_cache[key])
            row["commercial_partner_id"] = parent["commercial_partner_id"]
        else:
            row["commercial_partner_id"] = new_id
        # 1b. the company's address, when it has one
        if parent and row["type"] == "contact" and parent["has_address"]:
            row.update(parent["address"])
        if row["commercial_partner_id"] == new_id:
            is_company, name = row.get("is_company"), row.get("name")
        else:
            is_company = parent["commercial_is_company"]
            name = parent["commercial_name"]
        row["commercial_company_name"] = (
            is_company and name or row.get("company_name") or False
        )
        row["complete_name"] = _complete_name(Partner, row, parent, type_labels)
        row["email_normalized"] = tools.email_normalize(row.get("email"), strict=False)
        row["partner_share"] = True
        if not row.get("user_id") and parent and not row.get("is_company"):
            # _compute_user_id: a person takes its company's salesperson
            row["user_id"] = parent["user_id"]
        if abbreviations is not None:
            for source, companion in NORMALIZED_COMPANIONS.items():
                value = row.get(source)
                row[companion] = (
                    normalize_text(value, abbreviations) if value else value
                )
        rows.append(row)
    return rows


def insert_partners(env, vals_list, batch_size=None, progress=None):
    """Create contacts as one ``res.partner.create(vals_list)`` would, with
    one INSERT per batch.

    Contacts of a company need the company to exist already (create the
    companies by a first call). The context is the caller's: like the
    import's, no chatter message and no tracking for the new contacts.

    :param env: the environment of the importing user (access rights and
        record rules apply)
    :param vals_list: dicts of simple stored fields of res.partner (char,
        boolean, selection, many2one ids)
    :param batch_size: rows per INSERT (all at once when not given)
    :param progress: called with the number of rows of each batch written
    :return: the new ids, in the order of ``vals_list``
    :raise ValueError: a field this path does not write
    :raise AccessError: the user may not create such contacts
    """
    if not vals_list:
        return []
    Partner = env["res.partner"]
    Partner.check_access("create")
    _check_vals(Partner, vals_list)
    env.flush_all()
    # the defaults of each set of fields given (the same for all its rows)
    defaults = {}
    for vals in vals_list:
        fnames = frozenset(vals)
        if fnames not in defaults:
            defaults[fnames] = _defaults(Partner, fnames)
    parents = _parent_values(
        Partner, {vals["parent_id"] for vals in vals_list if vals.get("parent_id")}
    )
    ids = []
    for batch in split_every(batch_size or len(vals_list), vals_list, list):
        ids += _insert_batch(Partner, batch, defaults, parents)
        if progress:
            progress(len(batch))
    # after all the rows, as create() does it after all its records
    _first_contact_address(Partner, Partner.browse(ids), parents)
    env.flush_all()
    Partner.invalidate_model()
    return ids


def _insert_batch(Partner, vals_list, defaults, parents):
    env, cr = Partner.env, Partner.env.cr
    cr.execute(
        SQL(
            "SELECT nextval(pg_get_serial_sequence('res_partner', 'id')) "
            "FROM generate_series(1, %s)",
            len(vals_list),
        )
    )
    ids = [row[0] for row in cr.fetchall()]
    rows = _prepare_rows(Partner, vals_list, defaults, parents, ids)

    columns = sorted({fname for row in rows for fname in row} - {"id"})
    now = cr.now()
    records = Partner.browse(ids)
    arrays = [SQL("%s::int4[]", ids)]
    for fname in columns:
        field = Partner._fields[fname]
        converted = {}  # the conversion of a value, when it reads no other field
        values = []
        for row in rows:
            if fname not in row:
                values.append(None)  # as _create: the column's DEFAULT, NULL
                continue
            value = row[fname]
            if field.type == "monetary" or isinstance(value, _Raw):
                values.append(_column_value(Partner, field, value, row))
                continue
            if value not in converted:
                converted[value] = _column_value(Partner, field, value, row)
            values.append(converted[value])
        arrays.append(SQL("%s::%s[]", values, SQL(field.column_type[1])))
    log_columns = ["create_uid", "create_date", "write_uid", "write_date"]
    cr.execute(
        SQL(
            "INSERT INTO res_partner (id, %s, %s) "
            "SELECT u.*, %s, %s, %s, %s FROM unnest(%s) AS u",
            SQL(", ").join(SQL.identifier(fname) for fname in columns),
            SQL(", ").join(SQL.identifier(fname) for fname in log_columns),
            env.uid,
            now,
            env.uid,
            now,
            SQL(", ").join(arrays),
        )
    )
    Partner.invalidate_model()
    # the other stored computed fields, and the fields of other records that
    # depend on the new contacts, through the ORM (as _create marks them)
    # (the fields without a column, x2many and image attachments, are empty
    # on a new contact, as _create leaves them)
    written = [Partner._fields[fname] for fname in columns] + [
        field
        for field in Partner._fields.values()
        if field.store and not field.column_type
    ]
    with env.protecting(written, records):
        records.modified(list(Partner._fields), create=True)
    records._validate_fields(columns)
    records.check_access("create")
    if Partner._check_company_auto:
        records._check_company()
    env.flush_all()
    Partner.invalidate_model()
    return ids


class _Raw:
    """A company-dependent column's value as stored (``{company id: value}``),
    copied from another row."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _column_value(Partner, field, value, row):
    """``value`` (write format, or _Raw) as an element of the column's array
    (``_create``'s conversion, on the model as ``_create`` does)."""
    if isinstance(value, _Raw):
        value = value.value
    else:
        value = field.convert_to_column_insert(value, Partner, row)
    if field.company_dependent and value is not None:
        adapted = getattr(value, "adapted", value)
        return json.dumps(adapted) if not isinstance(adapted, str) else adapted
    return value


def _first_contact_address(Partner, records, parents):
    """A company without any address takes the address of its first (and
    only) contact, as res.partner.create() does
    (``_handle_first_contact_creation``): rare, through the ORM."""
    bare = [pid for pid, parent in parents.items() if not parent["has_address"]]
    if not bare:
        return
    for partner in records.filtered(lambda p: p.parent_id.id in bare):
        partner._handle_first_contact_creation()


def add_list_partners(records, fname, partner_ids):
    """Add ``partner_ids`` to the many2many ``fname`` of ``records`` (one
    INSERT into its relation table, existing links kept), and tell the ORM
    (cache and dependent fields).

    :return: number of links added
    """
    field = records._fields[fname]
    assert field.type == "many2many" and field.store
    records.check_access("write")
    records.env.flush_all()
    cr = records.env.cr
    cr.execute(
        SQL(
            "INSERT INTO %(rel)s (%(col1)s, %(col2)s) "
            "SELECT r, p FROM unnest(%(records)s::int4[]) AS r "
            "CROSS JOIN unnest(%(partners)s::int4[]) AS p "
            "ON CONFLICT DO NOTHING",
            rel=SQL.identifier(field.relation),
            col1=SQL.identifier(field.column1),
            col2=SQL.identifier(field.column2),
            records=records.ids,
            partners=sorted(set(partner_ids)),
        )
    )
    count = cr.rowcount
    records.invalidate_recordset([fname])
    records.modified([fname])
    # the other side of the relation, when a field maps it
    comodel = records.env[field.comodel_name]
    for inverse in records.pool.field_inverses[field]:
        comodel.invalidate_model([inverse.name])
        comodel.browse(partner_ids).modified([inverse.name])
    records.env.flush_all()
    return count
