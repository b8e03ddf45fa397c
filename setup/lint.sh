#!/usr/bin/env bash
# Lint the tracked files with pre-commit (local hooks, see .pre-commit-config.yaml).
#   setup/lint.sh          check
#   setup/lint.sh --fix    apply ruff and prettier fixes first
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
[ -x "$VENV/bin/pre-commit" ] || "$ROOT/setup/install.sh"
if [ "${1:-}" = "--fix" ]; then
    "$VENV/bin/ruff" check --fix . || true
    "$VENV/bin/ruff" format .
    node_modules/.bin/prettier --write "**/*.{xml,js,scss}" --log-level warn || true
fi
git rev-parse --git-dir >/dev/null 2>&1 || die "lint needs a git checkout (pre-commit reads the tracked files)"
PRE_COMMIT_HOME="$STATE_DIR/pre-commit" "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure --color never
