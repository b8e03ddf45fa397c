#!/usr/bin/env python3
"""Contact import: a 10,000-row spreadsheet into a new segment.

    tests/bench/run.sh bench_contact_import.py --db mrm_bench_m [--rows 10000]

The file is built like the UK sample list (`/work/shared/data/uk-500.csv`
when it is there, else the generator's vocabulary): one row per person,
its 500 companies repeated, addresses, county, postcode, two phones in
mixed formats, e-mail, website; 1 % of the rows carry a broken e-mail and
are rejected. Both ways import the same CSV bytes, each in a savepoint
rolled back before the other runs (so neither matches what the other
created), the whole transaction rolled back at the end:

- **ours**: the segment import wizard (``marketing.segment.import``,
  ``action_import``): matching by e-mail, phone, name + company, the
  companies found or created, the contacts created, the segment's list,
  the report lines, the consent log, the progress sent to the browser;
- **baseline**: Odoo's own import (``base_import.import.execute_import``)
  of the same file into ``res.partner``, columns mapped to the same fields
  (no matching, no companies, no segment), in one call;
- **previous** (``--previous``): the wizard as it was before its contacts
  were written set-based (tools/partner_bulk.py): the contacts through
  ``res.partner._load_records_create`` per batch of 500, the segment's
  list through ``write``.

Target: < 30 s for 10,000 rows.
"""

import base64
import csv
import io
import os
import random

import common

TARGET_S = 30.0
UK_SAMPLE = "/work/shared/data/uk-500.csv"
HEADER = [
    "name",
    "company",
    "address",
    "city",
    "county",
    "postal",
    "phone1",
    "phone2",
    "email",
    "web",
]
# base_import's mapping of the same columns onto res.partner
BASE_IMPORT_FIELDS = [
    "name",
    "company_name",
    "street",
    "city",
    "mrm_county",
    "zip",
    "phone",
    "mobile",
    "email",
    "website",
]


def _sample_rows():
    """The UK sample's rows as dicts of HEADER, or rows from the generator's
    vocabulary when the sample is not on this machine."""
    if os.path.exists(UK_SAMPLE):
        with open(UK_SAMPLE, encoding="utf-8") as handle:
            return [
                {
                    "name": f"{r['first_name']} {r['last_name']}",
                    "company": r["company_name"],
                    "address": r["address"],
                    "city": r["city"],
                    "county": r["county"],
                    "postal": r["postal"],
                    "phone1": r["phone1"],
                    "phone2": r["phone2"],
                    "email": r["email"],
                    "web": r["web"],
                }
                for r in csv.DictReader(handle)
            ]
    rng = random.Random(5)
    return [
        {
            "name": f"{rng.choice(common.messy.FIRST_NAMES)} "
            f"{rng.choice(common.messy.LAST_NAMES)}",
            "company": f"{rng.choice(common.messy.LAST_NAMES)} Ltd",
            "address": f"{i} High Street",
            "city": "Leeds",
            "county": "West Yorkshire",
            "postal": "LS1 4AP",
            "phone1": "0113 496 0000",
            "phone2": "07700 900000",
            "email": f"person{i}@example.co.uk",
            "web": "",
        }
        for i in range(500)
    ]


def make_file(rows, seed=11):
    """CSV bytes of ``rows`` people: the sample repeated with each person's
    e-mail and phones made unique (a repeated row would be a duplicate)."""
    rng = random.Random(seed)
    sample = _sample_rows()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(rows):
        row = dict(sample[i % len(sample)])
        local, _at, domain = row["email"].partition("@")
        row["email"] = f"{local}.{i}@{domain}"
        if rng.random() < 0.01:
            row["email"] = f"{local}.{i}.at.{domain}"  # broken: rejected
        row["phone1"] = f"01{(i * 7_919) % 1_000:03d} {i:06d}"
        row["phone2"] = f"+44 7{(i * 104_729) % 1_000:03d} {i:06d}"
        writer.writerow([row[key] for key in HEADER])
    return out.getvalue().encode("utf-8")


def run_ours(env, data, rows):
    """:return: (seconds, wizard) of the segment import wizard"""
    wizard = env["marketing.segment.import"].create(
        {
            "file": base64.b64encode(data),
            "filename": "bench-contacts.csv",
            "segment_name": f"Bench import {rows}",
        }
    )
    env.flush_all()
    with common.Stopwatch() as sw:
        wizard.action_import()
        env.flush_all()
    return sw.seconds, wizard


def run_previous(env, data, rows):
    """:return: (seconds, wizard) of the wizard with its previous way of
    creating the contacts (the ORM per batch) and of filling the list"""
    from odoo.tools import split_every

    Wizard = type(env["marketing.segment.import"])

    def create_partners(self, vals_list, progress=None):
        partners = self._partner_model()
        created = partners.browse()
        for batch in split_every(500, vals_list, list):
            created |= partners._load_records_create(batch)
            if progress:
                progress(len(batch))
        return created

    def add_list_partners(records, fname, partner_ids):
        records.write({fname: [(4, pid) for pid in partner_ids]})
        return len(partner_ids)

    from odoo.addons.marketing_resource_mgmt.tools import partner_bulk

    saved = Wizard._create_partners, partner_bulk.add_list_partners
    Wizard._create_partners = create_partners
    partner_bulk.add_list_partners = add_list_partners
    try:
        return run_ours(env, data, rows)
    finally:
        Wizard._create_partners, partner_bulk.add_list_partners = saved


def run_base_import(env, data):
    """:return: (seconds, created ids, messages) of Odoo's base_import"""
    importer = env["base_import.import"].create(
        {
            "res_model": "res.partner",
            "file": data,
            "file_name": "bench-contacts.csv",
            "file_type": "text/csv",
        }
    )
    options = {
        "quoting": '"',
        "separator": ",",
        "has_headers": True,
        "encoding": "utf-8",
        "date_format": "",
        "datetime_format": "",
        "float_thousand_separator": ",",
        "float_decimal_separator": ".",
        "fallback_values": {},
        "name_create_enabled_fields": {},
        "import_set_empty_fields": [],
        "import_skip_records": [],
    }
    env.flush_all()
    with common.Stopwatch() as sw:
        result = importer.execute_import(BASE_IMPORT_FIELDS, HEADER, options)
        env.flush_all()
    return sw.seconds, result.get("ids") or [], result.get("messages") or []


def in_savepoint(env, func):
    """Run ``func`` and undo what it wrote (a savepoint rolled back)."""
    env.flush_all()
    env.cr.execute("SAVEPOINT mrm_bench_import")
    try:
        return func()
    finally:
        env.cr.execute("ROLLBACK TO SAVEPOINT mrm_bench_import")
        env.invalidate_all()


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument(
        "--previous",
        action="store_true",
        help="also time the wizard's previous way (ORM per batch; slow)",
    )
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    try:
        data = make_file(args.rows)
        print(
            f"[import] file: {args.rows:,} rows, {len(data) / 1024:.0f} KiB",
            flush=True,
        )

        def ours():
            seconds, wizard = run_ours(env, data, args.rows)
            counts = (
                wizard.created_count,
                wizard.matched_count,
                wizard.rejected_count,
                len(wizard.result_segment_id.list_partner_ids),
            )
            return seconds, counts

        ours_s, (created, matched, rejected, listed) = in_savepoint(env, ours)
        print(
            f"[import] ours: {ours_s:.2f} s ({created:,} created, {matched:,} "
            f"matched, {rejected:,} rejected, {listed:,} in the segment)",
            flush=True,
        )
        previous_s = None
        if args.previous:

            def previous():
                seconds, wizard = run_previous(env, data, args.rows)
                return seconds, wizard.created_count

            previous_s, previous_created = in_savepoint(env, previous)
            print(
                f"[import] previous way (ORM per batch): {previous_s:.2f} s "
                f"({previous_created:,} created)",
                flush=True,
            )
        base_s, base_ids, messages = in_savepoint(
            env, lambda: run_base_import(env, data)
        )
        print(
            f"[import] Odoo base_import into res.partner: {base_s:.2f} s "
            f"({len(base_ids):,} created, {len(messages)} messages)",
            flush=True,
        )
        results = [
            common.Result(
                f"Contact import, {args.rows:,} rows into a segment",
                size,
                ours_s,
                base_s,
                "s",
                f"< {TARGET_S:.0f} s",
                ours_s < TARGET_S,
                higher_is_better=False,
                note=(
                    f"{created:,} created, {matched:,} matched, {rejected:,} "
                    f"rejected; baseline: Odoo's base_import of the same file "
                    f"into res.partner ({len(base_ids):,} created, no matching)"
                    + (
                        f"; previous way: {previous_s:.1f} s"
                        if previous_s is not None
                        else ""
                    )
                ),
            )
        ]
        common.print_table(results)
        common.save("contact_import", results)
    finally:
        env.cr.rollback()
        env.cr.close()


if __name__ == "__main__":
    main()
