#!/usr/bin/env bash
# Regression against Odoo itself: runs Odoo's own test suites of crm, sale_crm,
# mass_mailing, project and utm with our three addons installed, to prove that
# our addons extend Odoo without breaking it. Slow (tens of minutes on 2 cores),
# so it is not part of setup/test.sh / CI.
#   setup/odoo-regression.sh [odoo modules whose tests to run]
# The modules are updated (-u) after our addons are installed, so their
# at_install and post_install tests run with the full registry, ours included.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/setup/install.sh"
db="${MRM_REGRESSION_DB:-mrm_regression}"
modules="${1:-crm,sale_crm,mass_mailing,project,utm}"
tags="$(echo "$modules" | sed 's/[^,]*/\/&/g')"
conf=$(write_conf "$db" "${MRM_HTTP_PORT:-8069}")
log="$STATE_DIR/regression.log"

say "creating '$db' with our addons (demo data, as Odoo's tests expect)"
dropdb --if-exists "$db"
odoo_bin -c "$conf" -d "$db" -i "$ADDONS" --stop-after-init --log-level=warn >"$log" 2>&1 \
    || { tail -30 "$log" >&2; die "installing the addons failed (log: $log)"; }
say "running Odoo's own tests of $modules (log: $log)"
odoo_bin -c "$conf" -d "$db" -u "$modules" --test-enable --test-tags "$tags" \
    --stop-after-init --log-level=test --http-port "${MRM_HTTP_PORT:-8069}" >>"$log" 2>&1 || true
failures=$(grep -cE "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " "$log" || true)
summary=$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$log" | tail -1)
echo "${summary:-no test summary found}"
if [ "$failures" -ne 0 ]; then
    grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " "$log" | head -20 >&2
    die "$failures error lines in Odoo's own tests with our addons installed (log: $log)"
fi
say "Odoo's own tests of $modules pass with our addons installed"
