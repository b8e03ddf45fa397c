# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The fast write of routing assignments: the one place that goes below
Odoo's public ORM API (``env.protecting``, ``cache.update``,
``cache.get``, ``cache.insert_missing``, ``env._recompute_all``,
``env.fields_to_compute``, ``field.get_depends``, ``field.compute_value``,
``cache.clear_dirty_field``, ``cache._get_field_cache``).
``tests/test_fast_write.py`` compares its result with plain ``write()`` on
every stored field of ``crm.lead`` (those of every installed module
included).

When a module that was not audited with that test overrides
``crm.lead.write``, :func:`write_assignments` takes the plain ``write()``
path, so that the override is honoured.
"""

import logging

from odoo import fields as odoo_fields
from odoo.exceptions import MissingError
from odoo.tools import SQL, float_repr

from ..routing import pg_array

_logger = logging.getLogger(__name__)

# the modules whose ``crm.lead.write`` overrides the equivalence test covers
# (the fast path does what their write does for routing's values)
KNOWN_WRITE_MODULES = frozenset(
    {
        "odoo.models",
        "odoo.addons.base.models.res_partner",
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.mail.models.mail_activity_mixin",
        "odoo.addons.crm.models.crm_lead",
        "odoo.addons.crm_lead_routing.models.crm_lead",
        "odoo.addons.crm_lead_routing.models.crm_lead_rights",
    }
)


def fast_path_allowed(lead_model):
    """Whether every override of ``crm.lead.write`` comes from a module the
    equivalence test covers."""
    for cls in type(lead_model).mro():
        method = cls.__dict__.get("write")
        if method is not None and method.__module__ not in KNOWN_WRITE_MODULES:
            return False
    return True


# stored fields of crm.lead that crm's computes read without declaring them
# (``_compute_probabilities`` reads ``active``): fetched with the declared
# inputs for a batch, where the ORM would read them a thousand leads at a time
BATCH_EXTRA_INPUTS = ("active",)


def write_assignments(leads, rows, texts, now, current=None):
    """Give the leads of ``rows`` their salesperson: the fast path when it is
    allowed, else plain ``write()`` per group of equal values.

    :param leads: ``crm.lead`` recordset (sudo, routing context)
    :param rows: ``{lead_id: (user_id, team_id, rule_id, owner_id,
        user_changed)}``; ``owner_id`` None keeps the lead's owner
    :param texts: ``{lead_id: explanation}``
    :param current: ``{lead_id: (date_open, owner)}`` as the caller read
        them under its lock, or None (read here)
    """
    if fast_path_allowed(leads.env["crm.lead"]):
        _fast_write(leads, rows, texts, now, current)
    else:
        plain_write(leads, rows, texts, now)


def plain_write(leads, rows, texts, now):
    """The same result through the public API: one ``write()`` per group of
    leads with the same values (their explanations written apart)."""
    groups = {}
    for lead_id, (user_id, team_id, rule_id, owner_id, _changed) in rows.items():
        groups.setdefault((user_id, team_id, rule_id, owner_id), []).append(lead_id)
    for (user_id, team_id, rule_id, owner_id), ids in groups.items():
        vals = {
            "user_id": user_id,
            "team_id": team_id or False,
            "routing_state": "assigned",
            "routing_rule_id": rule_id or False,
            "routing_date": now,
        }
        if owner_id:
            vals["lead_owner_id"] = owner_id
        leads.browse(ids).write(vals)
    leads.env.flush_all()
    leads.env.cr.execute(
        SQL(
            "UPDATE crm_lead l SET routing_explanation = d.text "
            "FROM unnest(%s::int[], %s::text[]) AS d(id, text) WHERE l.id = d.id",
            pg_array(rows),
            pg_array(texts[i] for i in rows),
        )
    )
    leads.env["crm.lead"].invalidate_model(["routing_explanation"])


def _fast_write(self, rows, texts, now, current=None):
    """Give these leads their salesperson with what crm's ``write`` does
    on a salesperson change that matters: ``date_open``, the fields
    computed from the salesperson and the team (company, probabilities,
    stage) recomputed by the ORM's own compute methods, the company
    consistency check. No follower is added and nothing is tracked:
    routing writes with ``tracking_disable`` (see ROUTING_CONTEXT).

    The new values are put in the cache, the ORM recomputes what depends
    on them there (only the values that really change become dirty), and
    one UPDATE writes the routing fields and the recomputed ones together:
    each lead row is rewritten once, not once for routing and once more
    for the ORM's flush (every rewrite updates all of crm_lead's indexes,
    trigram ones included).

    :param rows: ``{lead_id: (user_id, team_id, rule_id, owner_id,
        user_changed)}``; ``owner_id`` None keeps the lead's owner
    :param texts: ``{lead_id: explanation}``
    :param current: ``{lead_id: (date_open, owner)}`` or None (read here)
    """
    ids = list(rows)
    self.env.flush_all()
    if len(ids) == 1:
        # a claim: the computes read a few fields of the lead (fetched
        # together below), of the salesperson, team, companies and currency;
        # each of those alone, not every column of its record (building
        # and converting a hundred columns was most of a claim's Python)
        self = self.with_context(prefetch_fields=False)
    Lead = self.env["crm.lead"]
    leads = self.browse(ids)
    values = _routing_values(self.env.cr, ids, rows, texts, now, current)
    cache = self.env.cache
    # team and date_open are given, as in write(vals): not recomputed
    protected = [Lead._fields["team_id"], Lead._fields["date_open"]]
    with self.env.protecting(protected, leads):
        # what depends on the old values (as write() does before writing)
        leads.modified(list(values), before=True)
        for fname, column in values.items():
            cache.update(leads, Lead._fields[fname], column, dirty=True)
        leads.modified(list(values))
    _recompute_routed(self, leads, values)
    _flush_sql(self)
    self.env.flush_all()
    _check_company(self, ids)


def _routing_values(cr, ids, rows, texts, now, current):
    """The values routing writes on the leads ``ids`` (see
    :func:`_fast_write`), as columns in the order of ``ids``."""
    # crm's write and compute use the transaction's time
    opened = cr.now()
    old = current
    if old is None or old.keys() != rows.keys():
        cr.execute(
            SQL(
                "SELECT id, date_open, lead_owner_id FROM crm_lead "
                "WHERE id = ANY(%s::int[])",
                pg_array(ids),
            )
        )
        old = {row[0]: row[1:] for row in cr.fetchall()}
    return {
        "user_id": [rows[i][0] for i in ids],
        "team_id": [rows[i][1] for i in ids],
        "routing_state": ["assigned"] * len(ids),
        "routing_rule_id": [rows[i][2] for i in ids],
        "routing_date": [now] * len(ids),
        "lead_owner_id": [rows[i][3] or old[i][1] for i in ids],
        # as crm's write: reset when the salesperson changes, else kept
        "date_open": [opened if rows[i][4] else (old[i][0] or opened) for i in ids],
        "routing_explanation": [texts[i] for i in ids],
    }


def _recompute_routed(self, leads, values):
    """The ORM's computes, on the cache. A claim's lead: the computes'
    inputs in one query, the other records they touch without prefetching
    their every column. A batch larger than the ORM's own batches: each
    compute once on all its leads (crm's lead scoring once, not per
    thousand). Between the two, the ORM's way (one compute call and one
    prefetch query a field already)."""
    if len(leads) == 1:
        _fetch_for_computes(leads, values)
        _prefetch_related(leads, values)
        self.env._recompute_all()
    elif len(leads) > odoo_fields.PREFETCH_MAX:
        _fetch_for_computes(leads, values, BATCH_EXTRA_INPUTS)
        _recompute(self.with_context(prefetch_fields=False))
    else:
        self.env._recompute_all()


def _fetch_for_computes(leads, written, extra=()):
    """Fetch in one query the stored columns of the leads that the marked
    computes of crm.lead read: their dependencies and their own current
    values (the written fields are in the cache already), and the ``extra``
    fields. The computes then run without prefetching: a value they read
    that is not in the cache is fetched alone, not with the lead's hundred
    other columns."""
    computed = frozenset(
        field
        for field in leads.env.fields_to_compute()
        if field.model_name == "crm.lead"
    )
    Lead = leads.env["crm.lead"]
    names = [
        name
        for name in dict.fromkeys(_compute_inputs(Lead, computed) + tuple(extra))
        if name not in written
    ]
    if len(leads) == 1:
        # a claim's lock reads them with the lead from the next claim on
        type(Lead)._routing_claim_columns = tuple(
            name for name in names if _plain_column(Lead._fields[name])
        )
    leads.fetch(names)


def _plain_column(field):
    """Whether the ORM reads the field's column as it is (the value a
    plain SELECT of the column gives is the one its fetch caches; not a
    binary's, read as its size with ``bin_size``)."""
    return bool(
        field.column_type
        and field.type != "binary"
        and not field.translate
        and not field.company_dependent
    )


def claim_columns(Lead):
    """The columns of crm.lead that a claim's computes read, learnt from
    the registry's last one-lead write (:func:`_fetch_for_computes`): the
    claim reads them with its lock on the lead (:func:`put_in_cache`);
    before the first such write, and for any column missing, the ORM
    fetches them."""
    return getattr(type(Lead), "_routing_claim_columns", ())


def put_in_cache(lead, columns, values):
    """Put a lead's column values, read by the caller, in the cache as the
    ORM's fetch does (``cache.insert_missing``: a value already in the
    cache wins)."""
    cache = lead.env.cache
    for name, value in zip(columns, values, strict=True):
        cache.insert_missing(lead, lead._fields[name], [value])


# what crm's computes read of a claim's salesperson (and the current user),
# team, companies and their currencies (company, currency, probabilities,
# properties): ``(model, alias in _prefetch_related's statement, fields)``
RELATED_INPUTS = (
    ("res.users", "u", ("company_id",)),
    ("crm.team", "t", ("company_id", "lead_properties_definition")),
    ("res.company", "c", ("currency_id", "active")),
    ("res.currency", "cur", ("rounding", "decimal_places")),
)


def _prefetch_related(lead, written):
    """Put in the cache, read in one statement, the fields of
    :data:`RELATED_INPUTS` of the lead's new salesperson and team, the
    current user, their companies and the lead's, and those companies'
    currencies: with ``prefetch_fields=False`` the ORM would fetch each
    field alone, one statement each. The values go in as the ORM's fetch
    puts them (``cache.insert_missing``: raw column values; a value in the
    cache wins). A field crm stops reading only costs its column here; one
    it starts reading is fetched by the ORM on access."""
    env = lead.env
    cache = env.cache
    columns = SQL(", ").join(
        SQL.identifier(alias, name)
        for _model, alias, fnames in RELATED_INPUTS
        for name in ("id", *fnames)
    )
    env.cr.execute(
        SQL(
            """
            SELECT %(columns)s
              FROM res_users u
              LEFT JOIN crm_team t ON t.id = %(team)s
              LEFT JOIN res_company c
                     ON c.id IN (u.company_id, t.company_id, %(company)s)
              LEFT JOIN res_currency cur ON cur.id = c.currency_id
             WHERE u.id = ANY(%(users)s::int[])
            """,
            columns=columns,
            team=written["team_id"][0] or None,
            company=cache.get(lead, lead._fields["company_id"], None) or None,
            users=pg_array({written["user_id"][0] or env.uid, env.uid}),
        )
    )
    found = [{} for _inputs in RELATED_INPUTS]
    for row in env.cr.fetchall():
        start = 0
        for rows, (_model, _alias, fnames) in zip(found, RELATED_INPUTS, strict=True):
            if row[start] is not None:
                rows[row[start]] = row[start + 1 : start + 1 + len(fnames)]
            start += 1 + len(fnames)
    for rows, (model, _alias, fnames) in zip(found, RELATED_INPUTS, strict=True):
        if not rows:
            continue
        records = env[model].browse(list(rows))
        for index, fname in enumerate(fnames):
            cache.insert_missing(
                records,
                records._fields[fname],
                [rows[id_][index] for id_ in records._ids],
            )


# {frozenset of computed fields: their inputs}; the fields are the
# registry's own objects, so a new registry makes new keys
_COMPUTE_INPUTS = {}


def _compute_inputs(Lead, computed):
    """The stored fields of crm.lead that the computes of ``computed`` read
    (the same for every claim and batch: kept)."""
    if computed in _COMPUTE_INPUTS:
        return _COMPUTE_INPUTS[computed]
    if len(_COMPUTE_INPUTS) > 256:
        _COMPUTE_INPUTS.clear()
    names = set()
    for field in computed:
        names.add(field.name)
        names.update(path.split(".")[0] for path in field.get_depends(Lead)[0])
    _COMPUTE_INPUTS[computed] = tuple(
        sorted(
            name
            for name in names
            if name in Lead._fields
            and Lead._fields[name].store
            and Lead._fields[name].column_type
        )
    )
    return _COMPUTE_INPUTS[computed]


def _recompute(self):
    """The ORM's recomputation of what the new values marked, with each
    stored field of crm.lead computed by its compute method on all its
    marked leads at once (the ORM calls it per thousand records: crm's
    lead scoring reads its frequency tables and the leads' values once per
    call); then whatever is left, the ORM's way (``_recompute_all``).

    Runs with ``prefetch_fields=False``: a value a compute reads that is
    not in the cache is fetched alone, not with the lead's hundred other
    columns for each thousand leads.
    """
    env = self.env
    tocompute = env.transaction.tocompute
    try:
        for _round in range(10):
            fields_ = [
                field
                for field, ids in tocompute.items()
                if field.model_name == "crm.lead" and not field.recursive and ids
            ]
            if not fields_:
                break
            for field in fields_:
                # real records only, as the ORM (new ones compute on access)
                ids = tuple(id_ for id_ in tocompute.get(field, ()) if id_)
                if ids:
                    field.compute_value(env["crm.lead"].browse(ids))
    except MissingError:
        # a marked lead was deleted meanwhile: the compute method left its
        # fields marked, the ORM's way below skips the missing leads
        _logger.debug("routing: a marked lead is missing, ORM recomputation")
    env._recompute_all()


def _flushable(self, field):
    """Whether a dirty field of crm.lead is written by
    :func:`_flush_sql` (a plain column) or left to the ORM."""
    return bool(
        field.store
        and field.column_type
        and field.column_type[0] != "jsonb"
        and not field.translate
        and not field.company_dependent
        and field not in self.pool.field_depends_context
        and field.name not in ("id", "write_uid", "write_date")
    )


def _flush_sql(self):
    """Write the dirty plain columns of crm.lead in one UPDATE (what the
    ORM's flush writes, converted by the fields' own conversions; values
    equal for many leads are converted once), with write_uid and
    write_date as the ORM sets them. Other dirty fields stay for the
    ORM's flush."""
    Lead = self.env["crm.lead"]
    cache = self.env.cache
    dirty_fields = [
        field
        for field in list(cache.get_dirty_fields())
        if field.model_name == "crm.lead" and _flushable(self, field)
    ]
    if not dirty_fields:
        return
    dirty = {field: set(cache.clear_dirty_field(field)) for field in dirty_fields}
    all_ids = sorted(set().union(*dirty.values()))
    currencies = {}
    columns = [SQL("%s::int[]", pg_array(all_ids))]
    names = [SQL("id")]
    assignments = []
    for index, (field, field_ids) in enumerate(dirty.items()):
        column = _column_values(Lead, field, field_ids, all_ids, currencies)
        value_name = f"v{index}"
        columns.append(SQL(f"%s::{field.column_type[1]}[]", pg_array(column)))
        names.append(SQL.identifier(value_name))
        expr = SQL("d.%s", SQL.identifier(value_name))
        if len(field_ids) != len(all_ids):
            mask_name = f"m{index}"
            columns.append(SQL("%s::bool[]", pg_array(i in field_ids for i in all_ids)))
            names.append(SQL.identifier(mask_name))
            expr = SQL(
                "CASE WHEN d.%s THEN %s ELSE l.%s END",
                SQL.identifier(mask_name),
                expr,
                SQL.identifier(field.name),
            )
        assignments.append(SQL("%s = %s", SQL.identifier(field.name), expr))
    self.env.cr.execute(
        SQL(
            "UPDATE crm_lead l SET %s, write_uid = %s, write_date = %s "
            "FROM unnest(%s) AS d(%s) WHERE l.id = d.id",
            SQL(", ").join(assignments),
            self.env.uid,
            self.env.cr.now(),
            SQL(", ").join(columns),
            SQL(", ").join(names),
        )
    )
    Lead.browse(all_ids).invalidate_recordset(["write_uid", "write_date"])


def _column_values(Lead, field, field_ids, all_ids, currencies):
    """The column values of ``field`` for ``all_ids`` (None where the lead's
    value is not dirty), from the cache, converted as the ORM's flush does;
    equal values are converted once.

    :param currencies: ``{(currency field, lead_id): currency id}`` memo
    """
    field_cache = Lead.env.cache._get_field_cache(Lead, field)
    if field.type == "monetary":
        convert = _monetary_conversion(Lead, field, field_ids, currencies)
        fname = field.get_currency_field(Lead)

        def key_of(lead_id):
            return (field_cache[lead_id], currencies[fname, lead_id])

    else:

        def convert(lead_id, value):
            return field.convert_to_column_update(value, Lead.browse(lead_id))

        key_of = field_cache.__getitem__
    converted = {}
    column = []
    append = column.append
    for lead_id in all_ids:
        if lead_id not in field_ids:
            append(None)
            continue
        key = key_of(lead_id)
        try:
            append(converted[key])
        except KeyError:
            converted[key] = convert(lead_id, key)
            append(converted[key])
        except TypeError:  # unhashable value: no memo
            append(convert(lead_id, key))
    return column


def _monetary_conversion(Lead, field, field_ids, currencies):
    """The conversion of a monetary field's ``(value, currency id)``: the
    value rounded in the lead's currency and written with the currency's
    decimal places, as ``fields.Monetary.convert_to_column_insert`` does;
    that method looks the lead's currency up through a new environment for
    each value, which here is each lead (prorated revenues are nearly all
    distinct), so the currencies are read for the whole batch and each
    currency is browsed once."""
    fname = field.get_currency_field(Lead)
    if any((fname, lead_id) not in currencies for lead_id in field_ids):
        _read_currencies(Lead, fname, field_ids, currencies)
    Currency = Lead.env["res.currency"]
    by_currency = {}

    def convert(_lead_id, key):
        value, currency_id = float(key[0] or 0.0), key[1]
        if not currency_id:
            return value
        if currency_id not in by_currency:
            by_currency[currency_id] = Currency.browse(currency_id)
        currency = by_currency[currency_id]
        return float_repr(currency.round(value), currency.decimal_places)

    return convert


def _read_currencies(Lead, fname, ids, currencies):
    """Fill ``currencies`` with the currency field ``fname`` of the leads
    ``ids``, read through one recordset so that the ORM computes it for all
    of them at once (crm's ``company_currency`` is computed, not stored;
    a lead browsed alone computes it alone)."""
    for lead in Lead.browse(sorted(ids)):
        currencies[fname, lead.id] = lead[fname].id


def _check_company(self, ids):
    """crm's company consistency check (what ``write`` runs,
    ``_check_company``) on the assigned leads, once per distinct
    combination of company and checked values: the check is a function
    of those values only, so one lead of each combination gives the
    same verdict as all of them."""
    Lead = self.env["crm.lead"]
    checked = [
        field
        for field in Lead._fields.values()
        if field.relational and field.check_company
    ]
    if not Lead._check_company_auto or not checked:
        return
    if len(ids) == 1 or any(
        field.type != "many2one" or not field.store or field.company_dependent
        for field in checked
    ):
        self.browse(ids)._check_company()
        return
    columns = SQL(", ").join(
        SQL.identifier(name) for name in ["company_id"] + [f.name for f in checked]
    )
    self.env.cr.execute(
        SQL(
            "SELECT DISTINCT ON (%(columns)s) id FROM crm_lead "
            "WHERE id = ANY(%(ids)s::int[]) ORDER BY %(columns)s, id",
            columns=columns,
            ids=pg_array(ids),
        )
    )
    self.browse([row[0] for row in self.env.cr.fetchall()])._check_company()
