#!/usr/bin/env bash
# One command to generate a benchmark database (see data/README.md):
#   data/generate.sh --size S|M [--db NAME] [--drop] [--update] [--seed N]
source "$(dirname "${BASH_SOURCE[0]}")/../setup/lib.sh"
pg_ready || die "PostgreSQL is not answering"
exec "$PY" "$ROOT/data/generate.py" "$@"
