#!/usr/bin/env bash
# Regression against Odoo itself: runs Odoo's own test suites of crm, sale_crm,
# mass_mailing, project and utm with our three addons installed, to prove that
# our addons extend Odoo without breaking it. Slow, so not part of CI.
#   setup/odoo-regression.sh [odoo modules whose tests to run, comma-separated]
#
# The tests run through pytest-odoo against a database with the full registry
# loaded (Odoo's modules and ours), as our own tests do. (odoo-bin -u crm
# --test-enable would run crm's at_install tests with only the modules below
# crm in the dependency graph loaded, which fails on NOT NULL columns of
# modules loaded later, e.g. account's, for reasons that have nothing to do
# with this project.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/setup/install.sh"
db="${MRM_REGRESSION_DB:-mrm_regression}"
modules="${1:-crm,sale_crm,mass_mailing,project,utm}"
conf=$(write_conf "$db" "$HTTP_PORT")
log="$STATE_DIR/regression-install.log"

say "creating '$db' with our addons and $modules (demo data, as Odoo's tests expect)"
dropdb --if-exists "$db"
odoo_bin -c "$conf" -d "$db" -i "$ADDONS,$modules" --stop-after-init --log-level=warn >"$log" 2>&1 \
    || { tail -30 "$log" >&2; die "installing the addons failed (log: $log)"; }
odoo_bin shell -c "$conf" -d "$db" --no-http --log-level=warn <"$ROOT/setup/pregenerate_assets.py" >>"$log" 2>&1 \
    || die "compiling the web assets failed (log: $log)"

paths=()
for m in ${modules//,/ }; do
    [ -d "$ODOO_SRC/addons/$m/tests" ] || die "Odoo has no tests for '$m' at $ODOO_SRC/addons/$m/tests"
    paths+=("$ODOO_SRC/addons/$m/tests")
done
# Odoo's own tests that fail on a database with the same Odoo modules and none
# of ours (checked on such a database, same harness), so not ours to fix; they
# are left out so that any other failure stands out:
# - project's quick create expects "30H" to stay in the task name, but
#   hr_timesheet (which marketing_resource_mgmt needs) parses it as hours;
# - project's private task test expects an AccessError that hr_timesheet's
#   access rules no longer raise for an internal user;
# - project's sharing wizard expects the portal link on the test server's port,
#   but the database's web.base.url (port 8069) is used.
known_odoo_failures=(
    "project/tests/test_project_task_quick_create.py::TestProjectTaskQuickCreate::test_create_task_with_valid_expressions"
    "project/tests/test_access_rights.py::TestAccessRightsPrivateTask::test_internal_cannot_crud_private_task"
    "project/tests/test_project_sharing_portal_access.py::TestProjectSharingPortalAccess::test_wizard_confirm"
)
deselect=()
# pytest's node ids are relative to its root directory, the Odoo tree (its setup.py)
for t in "${known_odoo_failures[@]}"; do deselect+=(--deselect "addons/$t"); done

say "running Odoo's own tests of $modules"
cd "$ROOT"
set +e
"$VENV/bin/pytest" --odoo-database="$db" --odoo-config="$conf" --odoo-http --odoo-log-level=error \
    -p no:cacheprovider -q "${deselect[@]}" "${paths[@]}"
rc=$?
set -e
[ $rc -eq 5 ] && die "no test ran" 5
exit $rc
