#!/usr/bin/env bash
# The run command: sets up what is missing, creates (or updates) the demo
# database with the three addons and their demo data, and starts Odoo on
# http://localhost:$MRM_HTTP_PORT (default 8069). Extra arguments go to odoo-bin.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/setup/install.sh"
port_free "$HTTP_PORT" || die "port $HTTP_PORT is already in use: stop what runs there, or choose another port with MRM_HTTP_PORT=8070 $0"
conf=$(write_conf "$DB_NAME" "$HTTP_PORT")
log="$STATE_DIR/run-install.log"

if psql -d "$DB_NAME" -tAc "select 1 from ir_module_module where name='marketing_resource_mgmt' and state='installed'" 2>/dev/null | grep -q 1; then
    say "updating the addons in database '$DB_NAME'"
    step=(-u "$ADDONS")
else
    say "creating database '$DB_NAME' with $ADDONS and demo data (first time: 1-2 minutes)"
    dropdb --if-exists "$DB_NAME"
    step=(-i "$ADDONS")
fi
if ! odoo_bin -c "$conf" -d "$DB_NAME" "${step[@]}" --stop-after-init --log-level=warn >"$log" 2>&1 \
    || grep -qE "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL)" "$log"; then
    tail -40 "$log" >&2
    die "installing the addons into '$DB_NAME' failed (full log: $log)"
fi
say "Odoo is starting on http://localhost:$HTTP_PORT  (login: admin / password: admin; Ctrl-C stops it)"
exec "$PY" "$ODOO_SRC/odoo-bin" -c "$conf" "$@"
