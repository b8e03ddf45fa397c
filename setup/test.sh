#!/usr/bin/env bash
# The test command: sets up what is missing, creates a fresh test database with
# the three addons (and demo data), runs the lint, then every test through
# pytest (the addons' Odoo tests via pytest-odoo, and the top-level tests/:
# platform checks, RPC end-to-end, benchmark smoke runs). Ends with pytest's
# summary line; exits non-zero on any failure, and when no test ran.
#   setup/test.sh [extra pytest arguments, e.g. -k routing or a path]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/setup/install.sh"
pg_ready || die "PostgreSQL is not answering"
conf=$(write_conf "$TEST_DB" "$HTTP_PORT")
log="$STATE_DIR/test-install.log"

if [ "${MRM_SKIP_LINT:-0}" != 1 ]; then
    say "lint (pre-commit: ruff, pylint-odoo, prettier)"
    "$ROOT/setup/lint.sh" || die "lint failed (run setup/lint.sh to see and fix)"
fi

if [ "${MRM_REUSE_DB:-0}" = 1 ] && psql -d "$TEST_DB" -tAc "select 1" >/dev/null 2>&1; then
    # developer shortcut: keep the database, update the addons in it
    say "updating $ADDONS in the existing test database '$TEST_DB' (MRM_REUSE_DB=1)"
    step=(-u "$ADDONS")
else
    say "creating a fresh test database '$TEST_DB' with $ADDONS"
    dropdb --if-exists --force "$TEST_DB" 2>/dev/null || dropdb --if-exists "$TEST_DB"
    rm -rf "$STATE_DIR/data/filestore/$TEST_DB"
    step=(-i "$ADDONS")
fi
if ! odoo_bin -c "$conf" -d "$TEST_DB" "${step[@]}" --stop-after-init --log-level=warn >"$log" 2>&1 \
    || grep -qE "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL)" "$log"; then
    tail -40 "$log" >&2
    die "installing the addons into '$TEST_DB' failed (full log: $log)"
fi

say "compiling the web assets once for the browser tests"
odoo_bin shell -c "$conf" -d "$TEST_DB" --no-http --log-level=warn <"$ROOT/setup/pregenerate_assets.py" >>"$log" 2>&1 \
    || { tail -20 "$log" >&2; die "compiling the web assets failed (log: $log)"; }

# a copy for the uninstall check (tests/test_platform.py): the copy is made
# before the tests open connections to the test database
dropdb --if-exists "${TEST_DB}_uninstall"
createdb -T "$TEST_DB" "${TEST_DB}_uninstall" || die "could not copy '$TEST_DB' for the uninstall check"

say "running the tests"
cd "$ROOT"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(marketing_resource_mgmt crm_lead_routing campaign_reporting campaign_reporting_dashboard tests)
set +e
MRM_TEST_DB="$TEST_DB" MRM_ODOO_CONF="$conf" MRM_UNINSTALL_DB="${TEST_DB}_uninstall" "$VENV/bin/pytest" \
    --odoo-database="$TEST_DB" --odoo-config="$conf" --odoo-http --odoo-log-level=warn \
    -p no:cacheprovider "${args[@]}"
rc=$?
set -e
# pytest's "no tests ran" (5) is a failure here, not a success
[ $rc -eq 5 ] && die "no test ran" 5
exit $rc
