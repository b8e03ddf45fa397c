"""Shared helpers of the benchmarks: an Odoo environment on a generated
database, timers, peak memory, query plans and the result table.

Benchmarks are scripts, not tests: each runs from one command
(``tests/bench/run.sh bench_<name>.py --db mrm_bench_m``) and prints its
figure, the baseline's figure, their ratio and the main node of the query
plan of each hot query, so a regression to a sequential scan shows.
"""

import argparse
import contextlib
import datetime
import io
import json
import os
import pathlib
import random
import resource
import subprocess
import sys
import time
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "tests" / "bench" / "out"
sys.path.insert(0, str(ROOT / "data"))

import messy  # noqa: E402  (the generator's vocabulary of messy UK values)

BENCH_SOURCE = "MRM benchmark leads"


# ---------------------------------------------------------------- environment
def conf_for(db):
    """Write (setup/lib.sh's write_conf) and return the Odoo config of ``db``."""
    port = os.environ.get("MRM_HTTP_PORT", "8069")
    script = f'source "{ROOT}/setup/lib.sh"; write_conf "{db}" "{port}"'
    return subprocess.run(
        ["bash", "-c", script], check=True, capture_output=True, text=True
    ).stdout.strip()


def open_env(db, context=None):
    """Return a superuser environment on ``db`` with its own (committing) cursor.

    The cursor is a real one, outside any test: Odoo code that commits in
    bundles (its own lead assignment) behaves as in production.
    """
    import odoo
    from odoo import api

    odoo.tools.config.parse_config(["-c", conf_for(db), "-d", db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    ctx = {"tracking_disable": True, "mail_notrack": True, "mail_create_nolog": True}
    ctx.update(context or {})
    return api.Environment(cr, odoo.SUPERUSER_ID, ctx)


def generated_size(env):
    """The size (S, M...) the generator wrote into ``env``'s database, or '?'."""
    raw = env["ir.config_parameter"].sudo().get_param("mrm_bench.generated")
    return json.loads(raw)["size"] if raw else "?"


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--db", default=os.environ.get("MRM_BENCH_DB", "mrm_bench_s"))
    return p


# ---------------------------------------------------------------- measuring
class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.seconds``."""

    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        return False


@contextlib.contextmanager
def peak_memory():
    """Measure the Python heap peak (tracemalloc) and the process RSS growth.

    Yields a dict filled on exit with ``python_peak_mb`` (allocations made
    inside the block, the figure that shows whether a loop keeps every row)
    and ``rss_peak_mb`` (the process's resident peak, ru_maxrss).
    """
    result = {}
    tracemalloc.start()
    try:
        yield result
    finally:
        _cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["python_peak_mb"] = peak / 2**20
        result["rss_peak_mb"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )


def count_queries(cr):
    """The number of queries ``cr`` has run so far (Odoo's own counter)."""
    return cr.sql_log_count


# ---------------------------------------------------------------- query plans
SCAN_NODES = (
    "Seq Scan",
    "Index Scan",
    "Index Only Scan",
    "Bitmap Heap Scan",
    "Bitmap Index Scan",
)


def plan_nodes(plan, depth=0):
    yield depth, plan
    for child in plan.get("Plans", ()):
        yield from plan_nodes(child, depth + 1)


def explain(cr, query, params=None, analyze=False):
    """Return the plan (FORMAT JSON) of ``query`` (``odoo.tools.SQL`` or str)."""
    from odoo.tools import SQL

    if isinstance(query, SQL):
        query, params = query.code, query.params
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    cr.execute(f"EXPLAIN ({options}) {query}", params)
    return cr.fetchone()[0][0]["Plan"]


JOIN_NODES = ("Hash Join", "Merge Join", "Nested Loop")
# a sequential scan is the right plan when the statement keeps at least this
# share of the table's rows (a batch over a quarter of the leads); below it,
# an index would read less and the scan is flagged
SEQ_SCAN_MIN_SHARE = 0.05


def table_sizes(cr, plan):
    """``{table: estimated rows}`` (pg_class.reltuples) of the plan's scans."""
    names = {n.get("Relation Name") for _d, n in plan_nodes(plan)} - {None}
    if not names:
        return {}
    cr.execute(
        "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s) "
        "AND relkind IN ('r', 'p', 'm')",
        [sorted(names)],
    )
    return {name: rows for name, rows in cr.fetchall()}


def main_node(plan, limit=6, sizes=None):
    """Summarise a plan: its root node and its biggest scans (table, index).

    Scans are listed by estimated rows, largest first, without duplicates;
    scans of small tables (under 1,000 rows estimated) are left out.

    A sequential scan of a table of more than 10,000 rows (``sizes``, see
    :func:`table_sizes`) is flagged ``SEQ-SCAN!`` when the statement keeps
    less than 5 % of the table's rows: what the scan returns, or what the
    plan's largest join returns when that is fewer (a batch UPDATE joining
    25,000 ids to a scan of 400,000 leads keeps 25,000). That is where a lost
    or missing index shows. A scan the statement needs most of is labelled
    with its share instead (``whole-table pass, 25 % kept``).
    """
    sizes = sizes or {}
    nodes = [node for _depth, node in plan_nodes(plan)]
    join_rows = [n.get("Plan Rows", 0) for n in nodes if n["Node Type"] in JOIN_NODES]
    scans = {}
    for node in nodes:
        kind = node["Node Type"]
        if kind not in SCAN_NODES:
            continue
        rows = node.get("Plan Rows", 0) * max(node.get("Plan Loops", 1), 1)
        target = node.get("Relation Name") or ""
        if node.get("Index Name"):
            target += f" using {node['Index Name']}"
        flag = ""
        table_rows = sizes.get(node.get("Relation Name"), 0)
        if kind == "Seq Scan" and table_rows > 10_000:
            kept = min([rows, *join_rows])
            share = kept / table_rows
            if share < SEQ_SCAN_MIN_SHARE:
                flag = " SEQ-SCAN!"
            else:
                flag = f" (whole-table pass, {min(share, 1):.0%} kept)"
        label = f"{kind} on {target}{flag}".replace("on  using", "using")
        scans[label] = max(scans.get(label, 0), rows)
    big = sorted((r, label) for label, r in scans.items() if r >= 1_000 or "!" in label)
    shown = [f"{label} (~{r:,.0f} rows)" for r, label in reversed(big)][:limit]
    return f"{plan['Node Type']} (cost {plan.get('Total Cost', 0):,.0f}) <- " + (
        "; ".join(shown) or "small scans only"
    )


def print_plan(cr, label, query, params=None):
    """Print the plan's main node of one hot query."""
    plan = explain(cr, query, params)
    summary = main_node(plan, sizes=table_sizes(cr, plan))
    print(f"  plan [{label}]: {summary}", flush=True)
    return summary


@contextlib.contextmanager
def capture_queries(cr):
    """Record every query ``cr`` runs inside the block with its duration.

    Yields a list filled with ``(seconds, query, params)``; used to find the
    hot queries of a feature without knowing its code, then to EXPLAIN them.
    """
    captured = []
    original = cr.execute

    def execute(query, params=None, log_exceptions=True):
        t0 = time.perf_counter()
        try:
            return original(query, params, log_exceptions)
        finally:
            captured.append((time.perf_counter() - t0, query, params))

    cr.execute = execute
    try:
        yield captured
    finally:
        del cr.execute


def print_hot_plans(cr, captured, top=3, label=""):
    """EXPLAIN the ``top`` slowest captured queries and print their main node.

    :return: list of (seconds, summary)
    """
    from odoo.tools import SQL

    hot = sorted(captured, key=lambda c: c[0], reverse=True)[:top]
    out = []
    for seconds, query, params in hot:
        if isinstance(query, SQL):
            query, params = query.code, query.params
        text = " ".join(str(query).split())
        if not text.upper().startswith(
            ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")
        ):
            continue
        try:
            with cr.savepoint(flush=False):
                plan = explain(cr, text, params)
                summary = main_node(plan, sizes=table_sizes(cr, plan))
        except Exception as error:  # noqa: BLE001  (a plan we cannot print is reported, not fatal)
            summary = f"(no plan: {error.__class__.__name__})"
        print(
            f"  hot query {label}{seconds * 1000:8.1f} ms: {text[:110]}...", flush=True
        )
        print(f"      plan: {summary}", flush=True)
        out.append((seconds, summary))
    return out


# ---------------------------------------------------------------- results
class Result:
    """One line of the closing table."""

    def __init__(
        self,
        benchmark,
        size,
        ours,
        baseline,
        unit,
        target,
        met,
        higher_is_better=True,
        note="",
    ):
        self.benchmark = benchmark
        self.size = size
        self.ours = ours
        self.baseline = baseline
        self.unit = unit
        self.target = target
        self.met = met
        self.higher_is_better = higher_is_better
        self.note = note

    @property
    def ratio(self):
        if not self.baseline or self.ours is None:
            return None
        return (
            self.ours / self.baseline
            if self.higher_is_better
            else self.baseline / self.ours
        )

    def as_dict(self):
        d = dict(vars(self))
        d["ratio"] = self.ratio
        return d


def _fmt(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:.3g} {unit}".strip()


def _fmt_ratio(ratio):
    """The ratio with its direction: ours is N times faster or slower."""
    if not ratio:
        return "-"
    if ratio >= 1:
        return f"{ratio:,.1f}x faster"
    return f"{1 / ratio:,.1f}x slower"


def print_table(results):
    head = ("benchmark", "size", "ours", "baseline", "ratio", "target", "met")
    rows = [
        (
            r.benchmark,
            r.size,
            _fmt(r.ours, r.unit),
            _fmt(r.baseline, r.unit),
            _fmt_ratio(r.ratio),
            r.target,
            "yes" if r.met else "NO",
        )
        for r in results
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    line = " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print("\n" + line)
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
    for r in results:
        if r.note:
            print(f"  note [{r.benchmark}]: {r.note}")


def save(name, results, extra=None):
    """Write the results as JSON under tests/bench/out/ (ignored by git)."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    payload = {
        "when": datetime.datetime.utcnow().isoformat(timespec="seconds"),
        "results": [r.as_dict() for r in results],
    }
    payload.update(extra or {})
    path.write_text(json.dumps(payload, indent=2, default=str))
    print(f"  saved {path.relative_to(ROOT)}")


# ---------------------------------------------------------------- bench leads
def bench_source(env, suffix=""):
    name = f"{BENCH_SOURCE}{suffix}"
    source = env["utm.source"].search([("name", "=", name)], limit=1)
    return source or env["utm.source"].create({"name": name})


def make_bench_leads(env, count, source, seed=7, created=None):
    """Create ``count`` new unassigned leads (no team, no salesperson) with
    messy UK data through COPY, tagged with ``source``; return their ids.

    E-mails are unique and on generic providers, so Odoo's duplicate
    detection (used by its own assignment) merges none of them.
    """
    from odoo.addons.iap.tools.iap_tools import mail_prepare_for_domain_search

    cr = env.cr
    rng = random.Random(seed)
    env.flush_all()
    cr.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM crm_lead")
    first = cr.fetchone()[0]
    cr.execute("SELECT id FROM crm_stage ORDER BY sequence, id LIMIT 1")
    stage = cr.fetchone()[0]
    gb = env.ref("base.uk").id
    company = env.company.id
    created = created or (datetime.datetime.utcnow() - datetime.timedelta(hours=1))
    counties, weights = messy.weighted_counties()
    cols = (
        "id name type active company_id stage_id contact_name partner_name email_from "
        "email_normalized email_domain_criterion phone phone_sanitized street street2 "
        "city zip country_id priority probability automated_probability "
        "expected_revenue create_date write_date create_uid write_uid source_id"
    ).split()
    buf = io.StringIO()
    for i in range(count):
        lid = first + i
        fn, ln = rng.choice(messy.FIRST_NAMES), rng.choice(messy.LAST_NAMES)
        county = rng.choices(counties, weights)[0]
        email = f"{fn}.{ln}.b{lid}@{rng.choice(messy.MAIL_DOMAINS)}".replace(
            "'", ""
        ).lower()
        ph = messy.phone(rng, rng.choice(county[2]))
        row = (
            lid,
            f"{fn} {ln} enquiry",
            "lead",
            "t",
            company,
            stage,
            f"{fn} {ln}",
            messy.company_name(rng),
            email,
            email,
            mail_prepare_for_domain_search(email),
            ph,
            messy.e164(ph),
            messy.street(rng),
            messy.messy_county(rng, county[0]),
            rng.choice(county[3]),
            messy.postcode(rng, rng.choice(county[1])),
            gb,
            str(rng.choice([0, 1, 2, 3])),
            10,
            10,
            round(rng.uniform(500, 50_000), 2),
            created,
            created,
            1,
            1,
            source.id,
        )
        buf.write("\t".join(str(v) for v in row) + "\n")
    buf.seek(0)
    cr._obj.copy_expert(f"COPY crm_lead ({', '.join(cols)}) FROM STDIN", buf)
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'crm_lead' AND "
        "column_name = 'routing_state'"
    )
    if cr.fetchone():
        # crm_lead_routing: new leads wait for routing
        cr.execute(
            "UPDATE crm_lead SET routing_state = 'waiting' WHERE id >= %s", [first]
        )
    cr.execute("SELECT setval('crm_lead_id_seq', (SELECT MAX(id) FROM crm_lead))")
    cr.execute("ANALYZE crm_lead")
    return list(range(first, first + count))


def delete_bench_leads(env, source_ids):
    """Remove the benchmark's leads and what Odoo attached to them (messages,
    followers, activities), by SQL: the database is left as generated."""
    cr = env.cr
    env.flush_all()
    cr.execute(
        "SELECT array_agg(id) FROM crm_lead WHERE source_id = ANY(%s)",
        [list(source_ids)],
    )
    ids = cr.fetchone()[0] or []
    if ids:
        cr.execute(
            "DELETE FROM mail_message WHERE model = 'crm.lead' AND res_id = ANY(%s)",
            [ids],
        )
        cr.execute(
            "DELETE FROM mail_followers "
            "WHERE res_model = 'crm.lead' AND res_id = ANY(%s)",
            [ids],
        )
        cr.execute(
            "DELETE FROM mail_activity "
            "WHERE res_model = 'crm.lead' AND res_id = ANY(%s)",
            [ids],
        )
        # Deleting leads checks every foreign key to crm_lead; Odoo has no
        # index on sale_order.opportunity_id, so each deleted lead would scan
        # the orders (minutes on size M): a temporary index for the delete.
        cr.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = 'sale_order' "
            "AND indexdef LIKE '%%(opportunity_id)%%'"
        )
        temporary = not cr.fetchone()
        if temporary:
            cr.execute(
                "CREATE INDEX mrm_bench_tmp_so_opp ON sale_order (opportunity_id)"
            )
        cr.execute("DELETE FROM crm_lead WHERE id = ANY(%s)", [ids])
        if temporary:
            cr.execute("DROP INDEX mrm_bench_tmp_so_opp")
    env.invalidate_all()
    return len(ids)
