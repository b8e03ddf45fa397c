#!/usr/bin/env bash
# Refresh each addon's i18n/<addon>.pot from a database where they are installed
# (default: the test database of setup/test.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
db="${1:-$TEST_DB}"
conf=$(write_conf "$db" "$HTTP_PORT")
for addon in ${ADDONS//,/ }; do
    mkdir -p "$ROOT/$addon/i18n"
    odoo_bin -c "$conf" -d "$db" --i18n-export="$ROOT/$addon/i18n/$addon.pot" \
        --modules="$addon" --stop-after-init --log-level=warn \
        || die "could not export the terms of $addon"
    say "$addon/i18n/$addon.pot"
done
