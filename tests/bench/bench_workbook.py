#!/usr/bin/env python3
"""Campaign P&L workbook of a campaign with 100,000 cost lines: time and memory.

    tests/bench/run.sh bench_workbook.py --db mrm_bench_m [--lines 100000]

Creates (and removes afterwards) a campaign whose analytic account carries
``--lines`` analytic lines (80 % timesheets on a project, 20 % other costs),
then exports its workbook through the report (OCA report_xlsx), twice: once
timed, once under tracemalloc for the Python heap peak. The process's
resident-set growth is reported too. The rows of the workbook are counted
back with openpyxl. Targets: < 10 s and < 300 MB peak.
"""

import datetime
import io
import random
import resource

import common

TARGET_S = 10
TARGET_MB = 300
REPORT = "report.campaign_reporting.campaign_pnl_xlsx"


def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_campaign(env, n_lines, seed=11):
    """A campaign with its analytic account and ``n_lines`` cost lines (COPY)."""
    cr = env.cr
    plan_id = int(
        env["ir.config_parameter"].sudo().get_param("analytic.project_plan", 0)
    )
    account = env["account.analytic.account"].create(
        {"name": "Bench workbook campaign", "plan_id": plan_id}
    )
    campaign = env["utm.campaign"].create(
        {
            "name": f"Bench workbook campaign {account.id}",
            "analytic_account_id": account.id,
        }
    )
    project = env["project.project"].search(
        [("name", "=", "Bench campaign work")], limit=1
    ) or env["project.project"].create(
        {"name": "Bench campaign work", "allow_timesheets": True}
    )
    cr.execute(
        "SELECT id, user_id, hourly_cost FROM hr_employee WHERE hourly_cost > 0 ORDER "
        "BY id LIMIT 10"
    )
    employees = cr.fetchall() or [(None, 1, 40.0)]
    hour = env.ref("uom.product_uom_hour").id
    rng = random.Random(seed)
    start = datetime.date(2026, 1, 1)
    buf = io.StringIO()
    company = env.company.id
    currency = env.company.currency_id.id
    for i in range(n_lines):
        day = start + datetime.timedelta(days=rng.randrange(300))
        if i % 5:
            emp, user, cost = rng.choice(employees)
            hours = rng.choice([0.5, 1, 2, 4])
            row = (
                f"Calls batch {i}",
                day,
                round(-hours * float(cost), 2),
                hours,
                account.id,
                project.id,
                emp if emp else "\\N",
                user,
                company,
                hour,
                currency,
                "other",
            )
        else:
            row = (
                f"Printing and postage {i}",
                day,
                round(-rng.uniform(10, 900), 2),
                1,
                account.id,
                "\\N",
                "\\N",
                1,
                company,
                "\\N",
                currency,
                "other",
            )
        buf.write("\t".join(str(v) for v in row) + "\n")
    buf.seek(0)
    cr._obj.copy_expert(
        "COPY account_analytic_line (name, date, amount, unit_amount, account_id, "
        "project_id, employee_id, "
        "user_id, company_id, product_uom_id, currency_id, category) FROM STDIN",
        buf,
    )
    cr.execute("ANALYZE account_analytic_line")
    return campaign


def count_rows(content):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: ws.max_row for ws in book.worksheets}


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--lines", type=int, default=100_000)
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    admin = env.ref("base.user_admin")
    try:
        campaign = make_campaign(env, args.lines)
        env.flush_all()
        report = env[REPORT].with_user(admin)
        print(
            (
                f"[workbook] campaign {campaign.id} with "
                f"{args.lines:,} analytic lines; exporting ..."
            ),
            flush=True,
        )
        rss_before = rss_mb()
        with common.capture_queries(env.cr) as captured, common.Stopwatch() as sw:
            content, _kind = report.create_xlsx_report([campaign.id], {})
        rss_growth = rss_mb() - rss_before
        with common.peak_memory() as mem:
            report.create_xlsx_report([campaign.id], {})
        rows = count_rows(content)
        print(
            f"[workbook] {sw.seconds:.2f} s, {len(content) / 2**20:.1f} "
            f"MB file, rows per sheet {rows}"
        )
        print(
            "[workbook] Python heap peak "
            f"{mem['python_peak_mb']:.1f} MB (tracemalloc), "
            f"RSS growth {rss_growth:.1f} MB, process "
            f"RSS peak {mem['rss_peak_mb']:.0f} MB"
        )
        print(f"  {len(captured)} queries")
        common.print_hot_plans(env.cr, captured, top=3)
        results = [
            common.Result(
                "P&L workbook, time",
                size,
                sw.seconds,
                None,
                "s",
                f"< {TARGET_S} s",
                sw.seconds < TARGET_S,
                higher_is_better=False,
                note=f"{args.lines:,} lines",
            ),
            common.Result(
                "P&L workbook, peak memory",
                size,
                mem["python_peak_mb"],
                None,
                "MB",
                f"< {TARGET_MB} MB",
                mem["python_peak_mb"] < TARGET_MB and rss_growth < TARGET_MB,
                higher_is_better=False,
                note=f"Python heap peak; RSS growth {rss_growth:.0f} MB",
            ),
        ]
        common.print_table(results)
        common.save("workbook", results, {"rows": rows})
    finally:
        env.cr.rollback()
        env.cr.close()


if __name__ == "__main__":
    main()
