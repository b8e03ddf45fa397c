#!/usr/bin/env bash
# Shared settings and helpers for the setup/ scripts. Sourced, never run.
# Every setting can be overridden from the environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo/18.0}"
VENV="${MRM_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
STATE_DIR="${MRM_STATE_DIR:-$ROOT/.state}"          # filestore, logs, generated config
DB_NAME="${MRM_DB:-mrm_demo}"
TEST_DB="${MRM_TEST_DB:-mrm_test}"
HTTP_PORT="${MRM_HTTP_PORT:-8069}"
PG_USER="${PGUSER:-$(id -un)}"
ADDONS="marketing_resource_mgmt,crm_lead_routing,campaign_reporting,campaign_reporting_dashboard"

say() { printf '\033[1m[mrm]\033[0m %s\n' "$*"; }
die() { local code="${2:-1}"; printf '\033[1;31m[mrm] error:\033[0m %s\n' "$1" >&2; exit "$code"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "'$*' needs root; run it as root or install sudo"; fi
}

# The Odoo 18.0 Community source tree: $ODOO_SRC, else /opt/odoo/18.0.
check_odoo_src() {
    if [ ! -f "$ODOO_SRC/odoo-bin" ] || [ ! -f "$ODOO_SRC/odoo/release.py" ] || [ ! -d "$ODOO_SRC/addons/crm" ]; then
        cat >&2 <<MSG
[mrm] error: the Odoo 18.0 Community source tree was not found at: $ODOO_SRC

  Provide the upstream branch 18.0 of Odoo Community (https://github.com/odoo/odoo, branch 18.0):
  a directory holding odoo-bin, setup.py, requirements.txt, odoo/ and addons/.
  Either put it at /opt/odoo/18.0, or point ODOO_SRC at it, e.g.:

      git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo /opt/odoo/18.0
      # or:  export ODOO_SRC=/path/to/odoo-18.0

  then run this command again.
MSG
        exit 2
    fi
    local ver
    ver=$(sed -n "s/^version_info = (\([0-9]*\), *\([0-9]*\).*/\1.\2/p" "$ODOO_SRC/odoo/release.py")
    [ "$ver" = "18.0" ] || die "$ODOO_SRC holds Odoo $ver; this project needs Odoo 18.0" 2
}

# PostgreSQL must answer; start the local cluster if it is down.
pg_ready() { pg_isready -q -h "${PGHOST:-localhost}" -p "${PGPORT:-5432}" 2>/dev/null; }

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

addons_path() {
    printf '%s' "$ROOT,$ODOO_SRC/addons,$ODOO_SRC/odoo/addons"
    local site
    site=$("$PY" -c 'import odoo.addons, os; print(os.pathsep.join(p for p in odoo.addons.__path__ if "site-packages" in p))' 2>/dev/null || true)
    # OCA addons from PyPI install under site-packages/odoo/addons
    [ -n "$site" ] && printf ',%s' "${site//:/,}"
    return 0
}

# Write the Odoo config for a database into $STATE_DIR and print its path.
write_conf() {
    local db="$1" port="$2" conf="$STATE_DIR/odoo-$1.conf"
    mkdir -p "$STATE_DIR"
    sed -e "s#@ADDONS_PATH@#$(addons_path)#" -e "s#@DATA_DIR@#$STATE_DIR/data#" \
        -e "s#@DB@#$db#" -e "s#@PORT@#$port#" -e "s#@DB_USER@#$PG_USER#" \
        "$ROOT/setup/odoo.conf.template" >"$conf"
    printf '%s' "$conf"
}

odoo_bin() { "$PY" "$ODOO_SRC/odoo-bin" "$@"; }
