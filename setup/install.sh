#!/usr/bin/env bash
# Idempotent setup of everything the product and its tests need on Debian/Ubuntu:
#   system packages, the PostgreSQL cluster and role, a virtual environment with
#   Odoo 18.0 (editable, from $ODOO_SRC) and the project's pinned requirements,
#   and the lint tools. A second run with everything present takes seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check_odoo_src

# ---- system packages -------------------------------------------------------
# wkhtmltopdf: Odoo prints its QWeb reports (the campaign review, the vendor
# programme) to PDF with it; Debian's build runs headless as it is
APT_PKGS=(libldap2-dev libsasl2-dev libpq-dev build-essential postgresql postgresql-contrib
          chromium fonts-liberation nodejs npm wkhtmltopdf)
missing=()
for p in "${APT_PKGS[@]}"; do
    # nodejs/npm may come from elsewhere (nvm, NodeSource): accept the commands
    case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "missing system packages (${missing[*]}) and no apt-get: install them by hand"
    say "installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get could not install: ${missing[*]}"
fi

# ---- PostgreSQL ------------------------------------------------------------
if ! pg_ready; then
    say "starting PostgreSQL"
    if command -v pg_lsclusters >/dev/null; then
        read -r ver name < <(pg_lsclusters -h | awk '{print $1, $2; exit}') || true
        [ -n "${ver:-}" ] || die "PostgreSQL is installed but has no cluster; create one with: pg_createcluster 15 main"
        as_root pg_ctlcluster "$ver" "$name" start 2>/dev/null || true
    else
        die "PostgreSQL is not running on ${PGHOST:-localhost}:${PGPORT:-5432} and this is not a Debian cluster setup; start it"
    fi
    for _ in $(seq 1 30); do pg_ready && break; sleep 0.5; done
    pg_ready || die "PostgreSQL does not answer on ${PGHOST:-the local socket}, port ${PGPORT:-5432}. Start it (pg_ctlcluster 15 main start) or set PGHOST/PGPORT; logs: /var/log/postgresql/"
fi
if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
    say "creating PostgreSQL superuser role '$PG_USER'"
    as_root su postgres -c "createuser --superuser '$PG_USER'" 2>/dev/null \
        || as_root runuser -u postgres -- createuser --superuser "$PG_USER" \
        || die "could not create the PostgreSQL role '$PG_USER'"
fi

# ---- virtual environment ---------------------------------------------------
pick_python() {
    for c in python3.11 python3.12 python3.10 python3; do
        if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(not ((3,10) <= sys.version_info[:2] <= (3,12)))' 2>/dev/null; then
            echo "$c"; return; fi
    done
    die "Python 3.10 to 3.12 is needed (python3.11 recommended)"
}
# pip, quiet; drops the notes this machine's pip config prints for absent local mirrors
pip_q() { "$PY" -m pip install -q "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
# one stamp per set of requirements (and Odoo tree) already installed
stamp="$VENV/.mrm-stamp-$(cat "$ROOT/requirements.txt" "$ODOO_SRC/requirements.txt" <(echo "$ODOO_SRC") | sha1sum | cut -c1-16)"
if [ ! -x "$PY" ] || [ ! -f "$stamp" ]; then
    [ -x "$PY" ] || { say "creating virtual environment $VENV"; "$(pick_python)" -m venv "$VENV"; }
    # cbor2==5.4.2 (Odoo's pin) only builds with setuptools<70 in its build environment
    cons="$STATE_DIR/build-constraints.txt"; mkdir -p "$STATE_DIR"; echo 'setuptools<70' >"$cons"
    export PIP_CONSTRAINT="$cons" PIP_BUILD_CONSTRAINT="$cons"
    say "installing Odoo's requirements (first time: a few minutes)"
    pip_q -r "$ODOO_SRC/requirements.txt" || die "pip could not install Odoo's requirements"
    pip_q "setuptools<70" wheel || die "pip could not install setuptools/wheel"
    say "installing Odoo 18.0 from $ODOO_SRC (editable)"
    pip_q --no-deps --no-build-isolation -e "$ODOO_SRC" || die "pip could not install Odoo from $ODOO_SRC"
    say "installing the project's requirements"
    pip_q -r "$ROOT/requirements.txt" || die "pip could not install requirements.txt"
    touch "$stamp"
fi

# ---- lint tools (prettier for XML/JS) --------------------------------------
if [ -f "$ROOT/package.json" ] && [ ! -x "$ROOT/node_modules/.bin/prettier" ]; then
    say "installing prettier (npm)"
    (cd "$ROOT" && npm ci --silent --no-audit --no-fund) || die "npm could not install the lint tools"
fi
say "setup complete (venv: $VENV, Odoo: $ODOO_SRC)"
