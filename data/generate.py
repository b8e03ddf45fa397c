#!/usr/bin/env python3
"""Generate a realistic MRM database of a chosen size through bulk SQL.

    data/generate.sh --size S --db mrm_bench_s

Steps (each timed and reported):

1. database: create an Odoo database with the three addons installed and no
   demo data (``odoo-bin -i ... --without-demo=all``), or reuse an empty one;
2. setup: a few dozen configuration records through the ORM (salespeople,
   sales teams, products, employees, a timesheet project, UTM sources);
3. bulk: companies and contacts, leads, confirmed sale orders and lines,
   posted customer invoices, timesheets, campaigns (and their members once
   the campaign model is installed) through PostgreSQL ``COPY`` with ids
   allocated up front, consistent with Odoo's constraints;
4. finish: sequences moved past the loaded rows, materialised measures
   refreshed where the addons provide them, ``ANALYZE``.

A fixed seed makes a size always produce the same data. See data/README.md.
"""

import argparse
import datetime
import io
import json
import os
import pathlib
import random
import subprocess
import sys
import time
from contextlib import contextmanager

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import messy  # noqa: E402  (plain module next to this script)

ADDONS = "marketing_resource_mgmt,crm_lead_routing,campaign_reporting"
MARKER = "mrm_bench.generated"

# Sizes. S runs in CI; M is the scale the targets are measured at.
# companies = contacts / 10; orders carry 4 lines on average.
SIZES = {
    "XS": dict(
        contacts=2_000,
        leads=600,
        order_lines=2_000,
        campaigns=20,
        members=2_000,
        timesheets=500,
        salespeople=20,
    ),
    "S": dict(
        contacts=10_000,
        leads=3_000,
        order_lines=10_000,
        campaigns=50,
        members=10_000,
        timesheets=2_000,
        salespeople=200,
    ),
    "M": dict(
        contacts=1_000_000,
        leads=300_000,
        order_lines=1_000_000,
        campaigns=1_000,
        members=500_000,
        timesheets=100_000,
        salespeople=200,
    ),
}
N_TEAMS = 10
N_PRODUCTS = 60
UNASSIGNED_LEAD_SHARE = 0.25  # leads waiting for routing
INVOICED_ORDER_SHARE = 0.6  # orders with a posted customer invoice
CHUNK = 50_000  # rows per COPY round trip


# ---------------------------------------------------------------- reporting
class Timer:
    def __init__(self):
        self.steps = []
        self.start = time.perf_counter()

    @contextmanager
    def step(self, name):
        t0 = time.perf_counter()
        print(f"[generate] {name} ...", flush=True)
        yield
        dt = time.perf_counter() - t0
        self.steps.append((name, dt))
        print(f"[generate] {name}: {dt:.1f} s", flush=True)

    def report(self):
        total = time.perf_counter() - self.start
        print("\n[generate] time per step")
        for name, dt in self.steps:
            print(f"  {name:<34} {dt:8.1f} s")
        print(f"  {'total':<34} {total:8.1f} s")


# ---------------------------------------------------------------- database
def shell_lib(command):
    """Run ``command`` in bash with setup/lib.sh sourced (write_conf, odoo_bin)."""
    script = f'source "{ROOT}/setup/lib.sh"; {command}'
    return subprocess.run(
        ["bash", "-c", script], check=True, capture_output=True, text=True
    ).stdout


def db_exists(db):
    out = subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = {quote(db)}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip() == "1"


def quote(value):
    return "'" + value.replace("'", "''") + "'"


def ensure_database(db, drop, update):
    """Create ``db`` with the addons and no demo data unless it exists."""
    conf = shell_lib(f'write_conf "{db}" "${{MRM_HTTP_PORT:-8069}}"').strip()
    if drop and db_exists(db):
        subprocess.run(["dropdb", "--force", db], check=True)
    if not db_exists(db):
        log = pathlib.Path(conf).with_suffix(".install.log")
        print(
            (
                f"[generate] installing {ADDONS} into a new "
                f"database {db} (no demo data; log: {log})"
            ),
            flush=True,
        )
        with open(log, "w") as fh:
            subprocess.run(
                [
                    "bash",
                    "-c",
                    f'source "{ROOT}/setup/lib.sh"; '
                    f'odoo_bin -c "{conf}" -d "{db}" -i {ADDONS} '
                    "--without-demo=all --stop-after-init --log-level=warn",
                ],
                check=True,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
    elif update:
        print(f"[generate] updating {ADDONS} in {db}", flush=True)
        subprocess.run(
            [
                "bash",
                "-c",
                f'source "{ROOT}/setup/lib.sh"; '
                f'odoo_bin -c "{conf}" -d "{db}" -u {ADDONS} '
                "--stop-after-init --log-level=warn",
            ],
            check=True,
        )
    return conf


def odoo_env(conf, db):
    """An Odoo environment (superuser) on ``db`` with its own cursor."""
    import odoo
    from odoo import api

    odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    ctx = {
        "tracking_disable": True,
        "mail_create_nolog": True,
        "mail_notrack": True,
        "no_reset_password": True,
    }
    return api.Environment(cr, odoo.SUPERUSER_ID, ctx)


# ---------------------------------------------------------------- bulk helpers
def _fmt(value):
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


MODEL_OF_TABLE = {}


def required_defaults(cr, table, columns):
    """Columns of ``table`` that are NOT NULL without a database default and
    absent from ``columns`` (added by an addon), with the ORM's default.

    :return: (names, values) to append to every row
    """
    from odoo import api

    env = api.Environment(cr, 1, {})
    model = MODEL_OF_TABLE.get(table)
    if model is None:
        model = next(
            (m for m in env.registry.values() if m._table == table and not m._abstract),
            None,
        )
        MODEL_OF_TABLE[table] = model
    if model is None:
        return [], []
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    missing = [c for (c,) in cr.fetchall() if c not in columns and c in model._fields]
    if not missing:
        return [], []
    defaults = env[model._name].default_get(missing)
    names, values = [], []
    for name in missing:
        if defaults.get(name) is None:
            raise RuntimeError(
                f"{table}.{name} is required, without default: add it to the generator"
            )
        names.append(name)
        values.append(defaults[name])
    print(f"[generate] {table}: defaults for {', '.join(names)}")
    return names, values


def copy_rows(cr, table, columns, rows):
    """COPY ``rows`` (iterable of tuples) into ``table`` in chunks; return the count."""
    extra_names, extra_values = required_defaults(cr, table, columns)
    if extra_names:
        rows = (tuple(row) + tuple(extra_values) for row in rows)
        columns = list(columns) + extra_names
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    raw = cr._obj  # the psycopg2 cursor: COPY is not part of Odoo's cursor API
    buf, n, total = io.StringIO(), 0, 0
    for row in rows:
        buf.write("\t".join(_fmt(v) for v in row))
        buf.write("\n")
        n += 1
        if n == CHUNK:
            buf.seek(0)
            raw.copy_expert(sql, buf)
            total += n
            buf, n = io.StringIO(), 0
    if n:
        buf.seek(0)
        raw.copy_expert(sql, buf)
        total += n
    return total


def next_id(cr, table):
    cr.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cr.fetchone()[0]


def table_exists(cr, table):
    cr.execute("SELECT to_regclass(%s)", [table])
    return cr.fetchone()[0] is not None


def table_columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
        [table],
    )
    return {r[0] for r in cr.fetchall()}


# ---------------------------------------------------------------- generator
class Generator:
    def __init__(self, env, size, seed):
        self.seed = seed
        self.campaign_meta = {}
        self.env = env
        self.cr = env.cr
        self.size = SIZES[size]
        self.size_name = size
        self.rng = random.Random(seed)
        self.now = datetime.datetime(2026, 11, 1, 9, 0, 0)
        self.company = env.ref("base.main_company")
        self.currency_id = self.company.currency_id.id
        self.gb = env.ref("base.uk")
        self.counties, self.county_weights = messy.weighted_counties()
        self.counts = {}

    def days_ago(self, max_days):
        return self.now - datetime.timedelta(days=self.rng.uniform(0, max_days))

    # ---- setup through the ORM (small)
    def setup(self):
        env = self.env
        salesman = env.ref("sales_team.group_sale_salesman")
        users_vals = [
            {
                "name": f"{self.rng.choice(messy.FIRST_NAMES)} "
                f"{self.rng.choice(messy.LAST_NAMES)} ({i:03d})",
                "login": f"bench.sales.{i:03d}",
                "email": f"bench.sales.{i:03d}@example.com",
                "groups_id": [(6, 0, [salesman.id, env.ref("base.group_user").id])],
            }
            for i in range(1, self.size["salespeople"] + 1)
        ]
        self.users = (
            env["res.users"].with_context(no_reset_password=True).create(users_vals)
        )
        self.user_ids = self.users.ids
        teams = env["crm.team"].create(
            [
                {
                    "name": f"Bench Team {i:02d}",
                    "use_leads": True,
                    "use_opportunities": True,
                }
                for i in range(N_TEAMS)
            ]
        )
        self.team_ids = teams.ids
        per_team = len(self.user_ids) // N_TEAMS
        self.user_team = {}
        members = []
        for t, team in enumerate(teams):
            for user_id in self.user_ids[t * per_team : (t + 1) * per_team]:
                members.append(
                    {"crm_team_id": team.id, "user_id": user_id, "assignment_max": 30}
                )
                self.user_team[user_id] = team.id
        env["crm.team.member"].create(members)
        products = env["product.product"].create(
            [
                {
                    "name": f"Bench {kind} {i:02d}",
                    "type": "service" if kind == "Service" else "consu",
                    "list_price": round(self.rng.uniform(5, 900), 2),
                    "invoice_policy": "order",
                    "default_code": f"BENCH-{i:03d}",
                    "taxes_id": [(6, 0, [])],
                }
                for i in range(N_PRODUCTS)
                for kind in [("Service", "Product")[i % 2]]
            ]
        )
        self.products = [(p.id, p.display_name, p.list_price) for p in products]
        self.uom_unit = env.ref("uom.product_uom_unit").id
        self.uom_hour = env.ref("uom.product_uom_hour").id
        self.stages = env["crm.stage"].search([])
        self.stage_new = self.stages.sorted("sequence")[0].id
        self.stage_won = self.stages.filtered("is_won")[:1].id
        self.stage_open = self.stages.filtered(lambda s: not s.is_won).ids
        self.sources = (
            env["utm.source"]
            .create(
                [
                    {"name": f"Bench {n}"}
                    for n in ("Web form", "Trade show", "Referral", "Purchased list")
                ]
            )
            .ids
        )
        self.mediums = env["utm.medium"].search([], limit=5).ids
        employees = env["hr.employee"].create(
            [
                {
                    "name": u.name,
                    "user_id": u.id,
                    "hourly_cost": round(self.rng.uniform(25, 90), 2),
                }
                for u in self.users[:10]
            ]
        )
        self.employees = [(e.id, e.user_id.id, e.hourly_cost) for e in employees]
        self.project = env["project.project"].create(
            {"name": "Bench campaign work", "allow_timesheets": True}
        )
        self.task = env["project.task"].create(
            {"name": "Bench calls and mailings", "project_id": self.project.id}
        )
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company.id)], limit=1
        )
        self.journal_id = journal.id
        self.income_account_id = journal.default_account_id.id
        self.receivable_account_id = (
            self.company.partner_id.property_account_receivable_id.id
        )
        env.flush_all()

    # ---- partners
    def partners(self):
        rng, cr = self.rng, self.cr
        n_total = self.size["contacts"]
        n_companies = n_total // 10
        first = next_id(cr, "res_partner")
        self.company_partner_ids = list(range(first, first + n_companies))
        self.person_ids = list(range(first + n_companies, first + n_total))
        companies = {}  # id -> (name, county tuple)
        self.parent_of = {}  # contact id -> company id (contacts of a company)
        cols = (
            "id name complete_name is_company type active parent_id "
            "commercial_partner_id commercial_company_name street street2 city zip "
            "country_id email email_normalized phone phone_sanitized mobile lang "
            "customer_rank supplier_rank autopost_bills partner_share sale_warn "
            "invoice_warn purchase_warn create_date write_date create_uid write_uid "
            "color"
        ).split()
        gb = self.gb.id
        dup_names = set()

        def rows():
            for pid in self.company_partner_ids:
                county = rng.choices(self.counties, self.county_weights)[0]
                name = messy.company_name(rng)
                if name in dup_names:
                    name = f"{name} ({pid})"
                dup_names.add(name)
                companies[pid] = (name, county)
                email = f"info@{name.split()[0].lower()}{pid}.co.uk"
                ph = messy.phone(rng, rng.choice(county[2]))
                created = self.days_ago(1500)
                yield (
                    pid,
                    name,
                    name,
                    True,
                    "contact",
                    True,
                    None,
                    pid,
                    name,
                    messy.street(rng),
                    messy.messy_county(rng, county[0]),
                    rng.choice(county[3]),
                    messy.postcode(rng, rng.choice(county[1])),
                    gb,
                    email,
                    email,
                    ph,
                    messy.e164(ph),
                    None,
                    "en_US",
                    1,
                    0,
                    "ask",
                    True,
                    "no-message",
                    "no-message",
                    "no-message",
                    created,
                    created,
                    1,
                    1,
                    0,
                )
            for pid in self.person_ids:
                fn, ln = rng.choice(messy.FIRST_NAMES), rng.choice(messy.LAST_NAMES)
                parent = (
                    rng.choice(self.company_partner_ids) if rng.random() < 0.7 else None
                )
                if parent:
                    self.parent_of[pid] = parent
                    cname, county = companies[parent]
                    complete = f"{cname}, {fn} {ln}"
                else:
                    cname, county = (
                        None,
                        rng.choices(self.counties, self.county_weights)[0],
                    )
                    complete = f"{fn} {ln}"
                roll = rng.random()
                if roll < 0.08:
                    email = None
                else:
                    email = f"{fn}.{ln}{pid}@{rng.choice(messy.MAIL_DOMAINS)}".replace(
                        "'", ""
                    ).lower()
                    if roll > 0.95:
                        email = email.capitalize()
                ph = (
                    messy.phone(rng, rng.choice(county[2]))
                    if rng.random() < 0.85
                    else None
                )
                mob = messy.mobile(rng) if rng.random() < 0.3 else None
                created = self.days_ago(1500)
                yield (
                    pid,
                    f"{fn} {ln}",
                    complete,
                    False,
                    "contact",
                    True,
                    parent,
                    parent or pid,
                    cname,
                    messy.street(rng),
                    messy.messy_county(rng, county[0]),
                    rng.choice(county[3]),
                    messy.postcode(rng, rng.choice(county[1])),
                    gb,
                    email,
                    email and email.lower(),
                    ph,
                    messy.e164(ph) if ph else (messy.e164(mob) if mob else None),
                    mob,
                    "en_US",
                    0,
                    0,
                    "ask",
                    True,
                    "no-message",
                    "no-message",
                    "no-message",
                    created,
                    created,
                    1,
                    1,
                    0,
                )

        self.counts["res_partner"] = copy_rows(cr, "res_partner", cols, rows())
        self.companies = companies

    # ---- leads
    def leads(self):
        rng, cr = self.rng, self.cr
        n = self.size["leads"]
        first = next_id(cr, "crm_lead")
        self.lead_ids = list(range(first, first + n))
        self.opportunities = []  # (lead id, partner id, user id, team id)
        cols = (
            "id name type active company_id user_id team_id stage_id partner_id "
            "contact_name partner_name email_from email_normalized "
            "email_domain_criterion phone phone_sanitized street street2 city zip "
            "country_id priority probability automated_probability expected_revenue "
            "prorated_revenue date_open date_closed date_last_stage_update create_date "
            "write_date create_uid write_uid campaign_id source_id medium_id color"
        ).split()
        gb = self.gb.id
        campaigns = self.campaign_ids
        from odoo.addons.iap.tools.iap_tools import (
            mail_prepare_for_domain_search as domain_criterion,
        )

        def rows():
            for lid in self.lead_ids:
                fn, ln = rng.choice(messy.FIRST_NAMES), rng.choice(messy.LAST_NAMES)
                county = rng.choices(self.counties, self.county_weights)[0]
                company = messy.company_name(rng) if rng.random() < 0.7 else None
                domain = rng.choice(messy.MAIL_DOMAINS)
                email = (
                    f"{fn}.{ln}.{lid}@{domain}".replace("'", "").lower()
                    if rng.random() < 0.9
                    else None
                )
                ph = (
                    messy.phone(rng, rng.choice(county[2]))
                    if rng.random() < 0.85
                    else None
                )
                created = self.days_ago(700)
                unassigned = rng.random() < UNASSIGNED_LEAD_SHARE
                campaign = (
                    rng.choice(campaigns) if campaigns and rng.random() < 0.5 else None
                )
                revenue = round(rng.uniform(500, 50_000), 2)
                if unassigned:
                    user = team = partner = date_open = None
                    ltype, stage, prob, active, closed = (
                        "lead",
                        self.stage_new,
                        10.0,
                        True,
                        None,
                    )
                else:
                    user = rng.choice(self.user_ids)
                    team = self.user_team[user]
                    partner = (
                        rng.choice(self.person_ids) if rng.random() < 0.5 else None
                    )
                    date_open = created + datetime.timedelta(hours=rng.uniform(1, 48))
                    ltype = "opportunity" if rng.random() < 0.8 else "lead"
                    roll = rng.random()
                    closed = None
                    if ltype == "opportunity" and roll < 0.2:
                        stage, prob, active = self.stage_won, 100.0, True
                        closed = date_open + datetime.timedelta(days=rng.uniform(1, 60))
                    elif ltype == "opportunity" and roll < 0.35:
                        stage, prob, active = (
                            rng.choice(self.stage_open),
                            0.0,
                            False,
                        )  # lost
                        closed = date_open + datetime.timedelta(days=rng.uniform(1, 60))
                    else:
                        stage, prob, active = (
                            rng.choice(self.stage_open),
                            round(rng.uniform(5, 90), 2),
                            True,
                        )
                    if ltype == "opportunity":
                        self.opportunities.append((lid, partner, user, team, campaign))
                yield (
                    lid,
                    (
                        f"{company or fn + ' ' + ln}: "
                        f"{rng.choice(messy.COMPANY_TRADES).lower()} enquiry"
                    ),
                    ltype,
                    active,
                    self.company.id,
                    user,
                    team,
                    stage,
                    partner,
                    f"{fn} {ln}",
                    company,
                    email,
                    email,
                    domain_criterion(email) if email else None,
                    ph,
                    messy.e164(ph) if ph else None,
                    messy.street(rng),
                    messy.messy_county(rng, county[0]),
                    rng.choice(county[3]),
                    messy.postcode(rng, rng.choice(county[1])),
                    gb,
                    str(rng.choice([0, 0, 1, 1, 2, 3])),
                    prob,
                    prob,
                    revenue,
                    round(revenue * prob / 100, 2),
                    date_open,
                    closed,
                    closed or created,
                    created,
                    created,
                    1,
                    1,
                    campaign,
                    rng.choice(self.sources),
                    rng.choice(self.mediums) if self.mediums else None,
                    0,
                )

        self.counts["crm_lead"] = copy_rows(cr, "crm_lead", cols, rows())
        if "routing_state" in table_columns(cr, "crm_lead"):
            # crm_lead_routing: unassigned leads wait for routing, others are assigned
            cr.execute(
                "UPDATE crm_lead SET routing_state = CASE WHEN user_id IS NULL THEN "
                "'waiting' ELSE 'assigned' END "
                "WHERE id >= %s",
                [self.lead_ids[0]],
            )

    # ---- campaigns (utm.campaign, extended by marketing_resource_mgmt)
    def campaigns(self):
        cr = self.cr
        n = self.size["campaigns"]
        first = next_id(cr, "utm_campaign")
        self.campaign_ids = list(range(first, first + n))
        cols = table_columns(cr, "utm_campaign")
        cr.execute("SELECT id FROM utm_stage ORDER BY sequence, id LIMIT 1")
        stage = cr.fetchone()[0]
        base = (
            "id name title user_id stage_id company_id active is_auto_campaign color "
            "create_date write_date create_uid write_uid"
        ).split()
        # fields the campaign addon adds (docs/ARCHITECTURE.md): those present
        extra = [
            c
            for c in (
                "code",
                "state",
                "date_start",
                "date_end",
                "budget",
                "currency_id",
                "campaign_type",
            )
            if c in cols
        ]
        self.campaign_meta = {}

        def rows():
            for i, cid in enumerate(self.campaign_ids):
                name, created, values = self._campaign_values(i, cid)
                row = [
                    cid,
                    name,
                    {"en_US": name},
                    values["user_id"],
                    stage,
                    self.company.id,
                    True,
                    False,
                    0,
                    created,
                    created,
                    1,
                    1,
                ]
                yield tuple(row + [values[c] for c in extra])

        self.counts["utm_campaign"] = copy_rows(
            cr, "utm_campaign", base + extra, rows()
        )

    def _campaign_values(self, i, cid):
        """Name, creation date and the campaign addon's fields of campaign ``cid``
        (its own seeded random: the same with or without the addon installed)."""
        rng = random.Random(f"{self.seed}-campaign-{cid}")
        name = (
            f"Bench {rng.choice(messy.COMPANY_WORDS)} "
            f"{rng.choice(['Spring', 'Summer', 'Autumn', 'Winter'])} "
            f"{2024 + i % 3} #{i + 1:04d}"
        )
        start = (self.now - datetime.timedelta(days=rng.uniform(0, 600))).date()
        end = start + datetime.timedelta(days=rng.randint(30, 120))
        self.campaign_meta[cid] = (start, end)
        created = datetime.datetime.combine(
            start, datetime.time(8)
        ) - datetime.timedelta(days=10)
        values = {
            "user_id": self.user_ids[rng.randrange(len(self.user_ids))],
            "code": f"BCH-{i + 1:05d}",
            "state": "closed" if end < self.now.date() else "running",
            "date_start": start,
            "date_end": end,
            "budget": round(rng.uniform(2_000, 200_000), 2),
            "currency_id": self.currency_id,
            "campaign_type": rng.choice(
                ["telemarketing", "direct_mail", "email", "mixed"]
            ),
        }
        return name, created, values

    # ---- extend a database generated before the addons had their models
    def extend(self, marker):
        """Fill what an earlier run could not: the campaign addon's fields on
        the generated campaigns, campaign members, materialised measures."""
        cr = self.cr
        ranges = marker["ranges"]
        self.company_partner_ids = range(*ranges["companies"])
        self.person_ids = range(*ranges["persons"])
        self.campaign_ids = list(range(*ranges["campaigns"]))
        self.counts = marker["counts"]
        cr.execute(
            "SELECT id FROM res_users WHERE login LIKE 'bench.sales.%%' ORDER BY id"
        )
        self.user_ids = [r[0] for r in cr.fetchall()]
        cols = table_columns(cr, "utm_campaign")
        extra = [
            c
            for c in (
                "code",
                "state",
                "date_start",
                "date_end",
                "budget",
                "currency_id",
                "campaign_type",
            )
            if c in cols
        ]
        if "code" in cols:
            cr.execute(
                "SELECT count(*) FROM utm_campaign "
                "WHERE id = ANY(%s) AND code IS NOT NULL",
                [self.campaign_ids],
            )
            done = cr.fetchone()[0]
        else:
            done = len(self.campaign_ids)
        rows = []
        for i, cid in enumerate(self.campaign_ids):
            _name, _created, values = self._campaign_values(i, cid)
            rows.append(tuple([cid] + [values[c] for c in extra]))
        if extra and not done:
            cr.execute(
                "CREATE TEMP TABLE tmp_campaign AS SELECT "
                + ", ".join(["id"] + extra)
                + " FROM utm_campaign LIMIT 0"
            )
            copy_rows(cr, "tmp_campaign", ["id"] + extra, rows)
            cr.execute(
                "UPDATE utm_campaign c SET "
                + ", ".join(f"{c} = t.{c}" for c in extra)
                + " FROM tmp_campaign t WHERE t.id = c.id"
            )
            print(
                "[generate] campaign fields set on "
                f"{cr.rowcount} campaigns: {', '.join(extra)}"
            )
        if "routing_state" in table_columns(cr, "crm_lead"):
            cr.execute(
                "UPDATE crm_lead SET routing_state = CASE WHEN user_id IS NULL "
                "THEN 'waiting' ELSE 'assigned' END WHERE routing_state IS NULL"
            )
            print(f"[generate] routing state set on {cr.rowcount:,} leads")
        if table_exists(cr, "marketing_campaign_member"):
            cr.execute(
                "SELECT count(*) FROM marketing_campaign_member "
                "WHERE campaign_id = ANY(%s)",
                [self.campaign_ids],
            )
            if not cr.fetchone()[0]:
                self.members()
        self.finish()

    # ---- sale orders, lines, invoices
    def sales(self):
        rng, cr = self.rng, self.cr
        n_lines = self.size["order_lines"]
        so_first = next_id(cr, "sale_order")
        sol_id = next_id(cr, "sale_order_line")
        mv_id = mv_first = next_id(cr, "account_move")
        aml_id = next_id(cr, "account_move_line")
        so_sequence = self.env["ir.sequence"].search(
            [("code", "=", "sale.order")], limit=1
        )
        so_number = so_sequence.number_next_actual or 1
        so_cols = (
            "id name partner_id partner_invoice_id partner_shipping_id company_id "
            "state date_order currency_id user_id team_id amount_untaxed amount_tax "
            "amount_total invoice_status campaign_id opportunity_id locked "
            "require_signature require_payment currency_rate prepayment_percent "
            "create_date write_date create_uid write_uid"
        ).split()
        sol_cols = (
            "id order_id sequence company_id currency_id order_partner_id salesman_id "
            "product_id product_uom state qty_delivered_method invoice_status name "
            "product_uom_qty price_unit discount price_subtotal price_total price_tax "
            "price_reduce_taxexcl price_reduce_taxinc qty_delivered qty_invoiced "
            "qty_to_invoice untaxed_amount_invoiced untaxed_amount_to_invoice "
            "is_downpayment is_expense technical_price_unit customer_lead create_date "
            "write_date create_uid write_uid"
        ).split()
        mv_cols = (
            "id name journal_id company_id state move_type auto_post date invoice_date "
            "invoice_date_due partner_id commercial_partner_id currency_id "
            "invoice_user_id team_id campaign_id invoice_origin sequence_prefix "
            "sequence_number payment_state amount_untaxed amount_tax amount_total "
            "amount_residual amount_untaxed_signed amount_untaxed_in_currency_signed "
            "amount_tax_signed amount_total_signed amount_total_in_currency_signed "
            "amount_residual_signed invoice_currency_rate posted_before "
            "made_sequence_gap is_storno always_tax_exigible checked is_move_sent "
            "is_manually_modified invoice_partner_display_name create_date write_date "
            "create_uid write_uid"
        ).split()
        aml_cols = (
            "id move_id journal_id company_id company_currency_id currency_id sequence "
            "account_id partner_id product_id product_uom_id move_name parent_state "
            "name display_type date invoice_date date_maturity debit credit balance "
            "amount_currency amount_residual amount_residual_currency quantity "
            "price_unit price_subtotal price_total discount reconciled create_date "
            "write_date create_uid write_uid"
        ).split()
        orders, lines, moves, move_lines, rel = [], [], [], [], []
        for table in (
            "sale_order",
            "sale_order_line",
            "account_move",
            "account_move_line",
        ):
            self.counts[table] = 0

        def flush():
            self.counts["sale_order"] += copy_rows(cr, "sale_order", so_cols, orders)
            self.counts["sale_order_line"] += copy_rows(
                cr, "sale_order_line", sol_cols, lines
            )
            self.counts["account_move"] += copy_rows(cr, "account_move", mv_cols, moves)
            self.counts["account_move_line"] += copy_rows(
                cr, "account_move_line", aml_cols, move_lines
            )
            copy_rows(
                cr,
                "sale_order_line_invoice_rel",
                ["invoice_line_id", "order_line_id"],
                rel,
            )
            for buf in (orders, lines, moves, move_lines, rel):
                buf.clear()

        n_lines_done = 0
        customers = (
            self.company_partner_ids + self.person_ids[: len(self.person_ids) // 3]
        )
        opps = self.opportunities
        # invoice numbers continue the journal's own per-year sequences
        cr.execute(
            "SELECT sequence_prefix, MAX(sequence_number) FROM account_move "
            "WHERE journal_id = %s GROUP BY sequence_prefix",
            [self.journal_id],
        )
        last_number = dict(cr.fetchall())
        inv_counter = {}
        company = self.company.id
        cur = self.currency_id
        k = -1
        while n_lines_done < n_lines:  # orders of 1 to 7 lines (4 on average)
            k += 1
            oid = so_first + k
            nl = min(rng.choice([1, 2, 3, 4, 4, 5, 6, 7]), n_lines - n_lines_done)
            n_lines_done += nl
            opp = rng.choice(opps) if opps and rng.random() < 0.2 else None
            partner = opp[1] if opp and opp[1] else rng.choice(customers)
            user = opp[2] if opp else rng.choice(self.user_ids)
            team = self.user_team[user]
            campaign = (opp[4] if opp else None) or (
                rng.choice(self.campaign_ids) if rng.random() < 0.3 else None
            )
            date = self.days_ago(900)
            invoiced = rng.random() < INVOICED_ORDER_SHARE
            total = 0.0
            order_lines = []
            for seq in range(nl):
                pid, pname, price = rng.choice(self.products)
                qty = rng.choice([1, 1, 2, 3, 5, 10])
                sub = round(price * qty, 2)
                total += sub
                order_lines.append((sol_id, pid, pname, qty, price, sub, seq))
                lines.append(
                    (
                        sol_id,
                        oid,
                        10 + seq,
                        company,
                        cur,
                        partner,
                        user,
                        pid,
                        self.uom_unit,
                        "sale",
                        "manual",
                        "invoiced" if invoiced else "to invoice",
                        pname,
                        qty,
                        price,
                        0,
                        sub,
                        sub,
                        0,
                        price,
                        price,
                        qty,
                        qty if invoiced else 0,
                        0 if invoiced else qty,
                        sub if invoiced else 0,
                        0 if invoiced else sub,
                        False,
                        False,
                        price,
                        0,
                        date,
                        date,
                        1,
                        1,
                    )
                )
                sol_id += 1
            total = round(total, 2)
            name = f"S{so_number + k:05d}"
            orders.append(
                (
                    oid,
                    name,
                    partner,
                    partner,
                    partner,
                    company,
                    "sale",
                    date,
                    cur,
                    user,
                    team,
                    total,
                    0,
                    total,
                    "invoiced" if invoiced else "to invoice",
                    campaign,
                    opp[0] if opp else None,
                    False,
                    False,
                    False,
                    1.0,
                    1.0,
                    date,
                    date,
                    1,
                    1,
                )
            )
            if invoiced:
                inv_date = (date + datetime.timedelta(days=rng.randint(0, 20))).date()
                year = inv_date.year
                prefix = f"INV/{year}/"
                inv_counter[year] = (
                    inv_counter.get(year, last_number.get(prefix) or 0) + 1
                )
                seqn = inv_counter[year]
                mname = f"{prefix}{seqn:05d}"
                due = inv_date + datetime.timedelta(days=30)
                commercial = self._commercial(partner)
                moves.append(
                    (
                        mv_id,
                        mname,
                        self.journal_id,
                        company,
                        "posted",
                        "out_invoice",
                        "no",
                        inv_date,
                        inv_date,
                        due,
                        partner,
                        commercial,
                        cur,
                        user,
                        team,
                        campaign,
                        name,
                        prefix,
                        seqn,
                        "not_paid",
                        total,
                        0,
                        total,
                        total,
                        total,
                        total,
                        0,
                        total,
                        total,
                        total,
                        1.0,
                        True,
                        False,
                        False,
                        False,
                        True,
                        False,
                        False,
                        None,
                        date,
                        date,
                        1,
                        1,
                    )
                )
                for ln_id, pid, pname, qty, price, sub, seq in order_lines:
                    move_lines.append(
                        (
                            aml_id,
                            mv_id,
                            self.journal_id,
                            company,
                            cur,
                            cur,
                            10 + seq,
                            self.income_account_id,
                            commercial,
                            pid,
                            self.uom_unit,
                            mname,
                            "posted",
                            pname,
                            "product",
                            inv_date,
                            inv_date,
                            None,
                            0,
                            sub,
                            -sub,
                            -sub,
                            0,
                            0,
                            qty,
                            price,
                            sub,
                            sub,
                            0,
                            False,
                            date,
                            date,
                            1,
                            1,
                        )
                    )
                    rel.append((aml_id, ln_id))
                    aml_id += 1
                move_lines.append(
                    (
                        aml_id,
                        mv_id,
                        self.journal_id,
                        company,
                        cur,
                        cur,
                        10000,
                        self.receivable_account_id,
                        commercial,
                        None,
                        None,
                        mname,
                        "posted",
                        mname,
                        "payment_term",
                        inv_date,
                        inv_date,
                        due,
                        total,
                        0,
                        total,
                        total,
                        total,
                        total,
                        0,
                        0,
                        0,
                        0,
                        0,
                        False,
                        date,
                        date,
                        1,
                        1,
                    )
                )
                aml_id += 1
                mv_id += 1
            if len(orders) >= 10_000:
                flush()
        flush()
        # Odoo's own API moves the PostgreSQL sequence behind a "standard" ir.sequence
        so_sequence.write({"number_next": so_number + k + 1})
        # display names and commercial partners as Odoo computes them
        cr.execute(
            """
            UPDATE account_move m SET invoice_partner_display_name = p.complete_name
              FROM res_partner p WHERE p.id = m.partner_id AND m.id >= %s
            """,
            [mv_first],
        )

    def _commercial(self, partner):
        return self.parent_of.get(partner, partner)

    # ---- timesheets
    def timesheets(self):
        rng, cr = self.rng, self.cr
        n = self.size["timesheets"]
        account_id = self.project.account_id.id
        cols = (
            "name date amount unit_amount account_id project_id task_id employee_id "
            "user_id company_id product_uom_id currency_id category create_date "
            "write_date create_uid write_uid"
        ).split()

        def rows():
            for _i in range(n):
                emp, user, cost = rng.choice(self.employees)
                hours = rng.choice([0.25, 0.5, 1, 1.5, 2, 4, 8])
                day = self.days_ago(600)
                yield (
                    f"Calls {rng.choice(messy.COMPANY_WORDS)}",
                    day.date(),
                    round(-hours * cost, 2),
                    hours,
                    account_id,
                    self.project.id,
                    self.task.id,
                    emp,
                    user,
                    self.company.id,
                    self.uom_hour,
                    self.currency_id,
                    "other",
                    day,
                    day,
                    1,
                    1,
                )

        self.counts["account_analytic_line"] = copy_rows(
            cr, "account_analytic_line", cols, rows()
        )

    # ---- campaign members (issue 4's model), when installed
    def members(self):
        rng, cr = self.rng, self.cr
        if not table_exists(cr, "marketing_campaign_member"):
            print(
                "[generate] marketing.campaign.member not installed: no members "
                "generated"
            )
            return
        cols_present = table_columns(cr, "marketing_campaign_member")
        n = self.size["members"]
        per = max(1, n // len(self.campaign_ids))
        states = (
            ["targeted"] * 5
            + ["contacted"] * 3
            + ["responded", "converted", "declined", "unsubscribed", "bounced"]
        )
        channels = ["email", "call", "mail", "sms"]
        base = [
            "campaign_id",
            "partner_id",
            "channel",
            "state",
            "user_id",
            "company_id",
            "date_targeted",
            "create_date",
            "write_date",
        ]
        opt = [
            c
            for c in (
                "access_token",
                "date_contacted",
                "date_responded",
                "active",
                "generation_batch",
            )
            if c in cols_present
        ]
        token_rng = random.Random(self.rng.random())

        def rows():
            for cid in self.campaign_ids:
                start, _end = self.campaign_meta[cid]
                targeted = datetime.datetime.combine(start, datetime.time(9))
                channel = rng.choice(channels)
                for pid in rng.sample(self.person_ids, min(per, len(self.person_ids))):
                    state = rng.choice(states)
                    values = {
                        "access_token": f"{token_rng.getrandbits(192):048x}",
                        "generation_batch": 1,
                        "date_contacted": targeted + datetime.timedelta(days=2)
                        if state != "targeted"
                        else None,
                        "date_responded": targeted + datetime.timedelta(days=9)
                        if state in ("responded", "converted", "declined")
                        else None,
                        "active": True,
                    }
                    yield tuple(
                        [
                            cid,
                            pid,
                            channel,
                            state,
                            rng.choice(self.user_ids),
                            self.company.id,
                            targeted,
                            targeted,
                            targeted,
                        ]
                        + [values[c] for c in opt]
                    )

        self.counts["marketing_campaign_member"] = copy_rows(
            cr, "marketing_campaign_member", base + opt, rows()
        )

    # ---- finish
    def finish(self):
        cr = self.cr
        cr.execute(
            """
            SELECT s.relname, t.relname FROM pg_class s
              JOIN pg_depend d ON d.objid = s.oid AND d.deptype = 'a'
              JOIN pg_class t ON t.oid = d.refobjid
             WHERE s.relkind = 'S'
            """
        )
        for seq, table in cr.fetchall():
            if table in self.touched_tables():
                cr.execute(
                    f"SELECT setval('{seq}', GREATEST((SELECT "
                    f"COALESCE(MAX(id), 0) FROM {table}), 1))"
                )
        ranges = {
            "companies": [
                self.company_partner_ids[0],
                self.company_partner_ids[-1] + 1,
            ],
            "persons": [self.person_ids[0], self.person_ids[-1] + 1],
            "campaigns": [self.campaign_ids[0], self.campaign_ids[-1] + 1],
        }
        self.env["ir.config_parameter"].set_param(
            MARKER,
            json.dumps(
                {
                    "size": self.size_name,
                    "seed": self.seed,
                    "counts": self.counts,
                    "ranges": ranges,
                }
            ),
        )

    def touched_tables(self):
        return set(self.counts) | {"sale_order_line_invoice_rel"}

    def refresh_materialised(self, timer=None):
        """Let the addons rebuild what they materialise (normalised columns,
        behaviour measures), each step timed."""
        timer = timer or Timer()
        partner = self.env["res.partner"]
        if hasattr(partner, "_mrm_refresh_normalized"):
            # the normalised companion columns of the contacts loaded in SQL
            with timer.step("contacts' normalised columns"):
                partner._mrm_refresh_normalized()
        behaviour = self.env.get("marketing.partner.behaviour")
        if behaviour is not None and hasattr(behaviour, "_refresh"):
            # the tables were just filled by COPY in this transaction: the
            # planner needs their statistics before the refresh reads them
            with timer.step("ANALYZE, behaviour measures"):
                behaviour._refresh(analyze=True)


def generate(env, size, seed, timer=None, refresh=True):
    """Load a database of ``size`` into ``env``'s transaction (no commit).

    :param refresh: rebuild the materialised measures at the end (False:
        the caller does, e.g. after committing the load)

    :return: the Generator (its ``counts`` hold the rows written per table)
    """
    timer = timer or Timer()
    gen = Generator(env, size, seed)
    with timer.step("setup (ORM: users, teams, products)"):
        gen.setup()
    with timer.step(f"contacts ({gen.size['contacts']:,})"):
        gen.partners()
    with timer.step(f"campaigns ({gen.size['campaigns']:,})"):
        gen.campaigns()
    with timer.step(f"leads ({gen.size['leads']:,})"):
        gen.leads()
    with timer.step(f"orders, lines, invoices ({gen.size['order_lines']:,} lines)"):
        gen.sales()
    with timer.step(f"timesheets ({gen.size['timesheets']:,})"):
        gen.timesheets()
    with timer.step("campaign members"):
        gen.members()
    with timer.step("sequences"):
        gen.finish()
    if refresh:
        gen.refresh_materialised(timer)
    return gen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--db", help="database name (default mrm_bench_<size>)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--drop", action="store_true", help="drop the database first if it exists"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="update the addons in an existing database first",
    )
    parser.add_argument(
        "--extend",
        action="store_true",
        help="on a generated database: add what needs models installed since "
        "(campaign fields, members, measures)",
    )
    args = parser.parse_args(argv)
    db = args.db or f"mrm_bench_{args.size.lower()}"
    timer = Timer()
    with timer.step("database (install addons, no demo)"):
        conf = ensure_database(db, args.drop, args.update)
    env = odoo_env(conf, db)
    cr = env.cr
    try:
        marker = env["ir.config_parameter"].get_param(MARKER)
        if marker and args.extend:
            marker = json.loads(marker)
            gen = Generator(env, marker["size"], marker["seed"])
            with timer.step("extend (campaign fields, members)"):
                gen.extend(marker)
            gen.refresh_materialised(timer)
            cr.commit()
            with timer.step("ANALYZE"):
                cr.execute("ANALYZE")
                cr.commit()
            timer.report()
            return 0
        if marker:
            sys.exit(
                f"[generate] {db} already holds generated data; "
                "use --drop to start over, --extend to add to it"
            )
        gen = generate(env, args.size, args.seed, timer, refresh=False)
        # the load is kept even if a later step fails (--extend redoes them)
        cr.commit()
        gen.refresh_materialised(timer)
        cr.commit()
        with timer.step("ANALYZE"):
            cr.execute("ANALYZE")
            cr.commit()
    finally:
        cr.close()
    print("\n[generate] rows:", ", ".join(f"{k}={v:,}" for k, v in gen.counts.items()))
    timer.report()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PGAPPNAME", "mrm-generate")
    sys.exit(main())
