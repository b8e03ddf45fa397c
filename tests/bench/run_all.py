#!/usr/bin/env python3
"""Run every benchmark on one database, then print the closing table.

    tests/bench/run.sh run_all.py --db mrm_bench_m [--only routing,monitor]

Each benchmark runs in its own process (so its peak memory is its own) and
writes its results to tests/bench/out/<name>.json; this script gathers them.
"""

import json
import subprocess
import sys

import common

# (name, script, extra arguments); the order runs the cheapest first
BENCHMARKS = [
    ("segment_count", "bench_segment_count.py", []),
    ("segment_onchange", "bench_segment_onchange.py", []),
    ("monitor", "bench_monitor.py", []),
    ("workbook", "bench_workbook.py", []),
    ("audience", "bench_audience.py", []),
    ("contact_import", "bench_contact_import.py", []),
    ("routing", "bench_routing.py", []),
    # generates its own 200,000 traces, commits them and deletes them after
    ("trace_sync", "bench_trace_sync.py", ["--commit"]),
    ("call_queue", "bench_call_queue.py", []),
    # no database: its own 1,000,000 candidates; the whole LP for the bound
    # takes minutes (stopped after 600 s, then its own dual bound)
    ("optimiser", "bench_optimiser.py", ["--lp-time-limit", "600"]),
    ("cluster_split", "bench_cluster_split.py", []),
    ("response_score", "bench_response_score.py", []),
    # its old-SQL baseline is cut off at --timeout (300 s by default)
    ("behaviour", "bench_behaviour.py", []),
]


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--only", help="comma-separated benchmark names")
    args, rest = p.parse_known_args()
    wanted = set(args.only.split(",")) if args.only else None
    here = common.ROOT / "tests" / "bench"
    results, failed = [], []
    for name, script, extra in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        print(f"\n==== {name} ({script}) on {args.db}", flush=True)
        (common.OUT_DIR / f"{name}.json").unlink(missing_ok=True)
        proc = subprocess.run(
            [sys.executable, str(here / script), "--db", args.db, *extra, *rest],
            check=False,
        )
        out = common.OUT_DIR / f"{name}.json"
        if proc.returncode or not out.exists():
            failed.append(name)
            continue
        for r in json.loads(out.read_text())["results"]:
            res = common.Result(
                r["benchmark"],
                r["size"],
                r["ours"],
                r["baseline"],
                r["unit"],
                r["target"],
                r["met"],
                r["higher_is_better"],
                r["note"],
            )
            results.append(res)
    print("\n==== closing table")
    common.print_table(results)
    if failed:
        print(f"\nbenchmarks that failed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
