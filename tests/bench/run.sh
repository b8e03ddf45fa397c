#!/usr/bin/env bash
# Run one benchmark (or all: run_all.py) with the project's Python:
#   tests/bench/run.sh bench_odoo_assign.py --db mrm_bench_m [--leads 16000]
#   tests/bench/run.sh run_all.py --db mrm_bench_m
source "$(dirname "${BASH_SOURCE[0]}")/../../setup/lib.sh"
pg_ready || die "PostgreSQL is not answering"
[ $# -ge 1 ] || die "usage: tests/bench/run.sh <bench_x.py | run_all.py> [--db NAME] [options]"
script="$1"; shift
exec "$PY" "$ROOT/tests/bench/$script" "$@"
