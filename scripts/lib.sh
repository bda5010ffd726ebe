# Shared by scripts/test.sh and scripts/run.sh: the project's virtual
# environment, finding an Odoo 18 and a PostgreSQL. Sourced, not run.

VENV="${SYNCO_VENV:-$root/.venv}"

ensure_venv() {
    local stamp="$VENV/.requirements.sha"
    local want
    want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
    if [[ ! -x "$VENV/bin/python" ]]; then
        echo "== creating $VENV"
        python3 -m venv "$VENV"
    fi
    if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        echo "== installing requirements-dev.txt into $VENV"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
        echo "$want" > "$stamp"
    fi
}

# Sets ODOO_CMD (an array) and ODOO_ROOT, or ODOO_MISSING with the reason.
find_odoo() {
    local probe='import odoo.release as r, psycopg2, lxml, werkzeug
assert r.version_info[0] == 18, "Odoo %s, not 18" % r.version'
    if [[ -n "${ODOO_PATH:-}" ]]; then
        local py="${ODOO_PYTHON:-python3}"
        if [[ ! -f "$ODOO_PATH/odoo-bin" ]]; then
            echo "ODOO_PATH=$ODOO_PATH holds no odoo-bin" >&2
            exit 1
        fi
        if ! (cd "$ODOO_PATH" && "$py" -c "$probe") >/dev/null 2>&1; then
            echo "ODOO_PATH=$ODOO_PATH is set but $py cannot import Odoo 18 and its" \
                 "requirements (set ODOO_PYTHON to the interpreter Odoo runs with):" >&2
            (cd "$ODOO_PATH" && "$py" -c "$probe") >&2 || true
            exit 1
        fi
        ODOO_CMD=("$py" "$ODOO_PATH/odoo-bin")
        ODOO_ROOT="$ODOO_PATH"
        return 0
    fi
    if python3 -c "$probe" >/dev/null 2>&1; then
        ODOO_CMD=(python3 -m odoo)
        ODOO_ROOT=$(python3 -c 'import os, odoo; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
        return 0
    fi
    ODOO_MISSING="no Odoo 18 here: set ODOO_PATH to an Odoo 18 source directory (and ODOO_PYTHON to the interpreter with its requirements), or make 'import odoo' work for python3."
    return 1
}

odoo_addons_path() {
    local paths="$root"
    [[ -d "$ODOO_ROOT/addons" ]] && paths="$ODOO_ROOT/addons,$paths"
    [[ -d "$ODOO_ROOT/odoo/addons" ]] && paths="$ODOO_ROOT/odoo/addons,$paths"
    echo "$paths"
}

# Reaches PostgreSQL with the usual PG* variables, or starts the local
# Debian cluster (and, as root, gives root a role). Sets PG_MISSING on failure.
ensure_postgres() {
    if psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        return 0
    fi
    if command -v pg_lsclusters >/dev/null 2>&1; then
        local version name
        read -r version name _ < <(pg_lsclusters --no-header | head -n 1)
        if [[ -n "${version:-}" ]]; then
            echo "== starting PostgreSQL cluster $version/$name"
            pg_ctlcluster "$version" "$name" start 2>/dev/null || true
            if [[ $(id -u) == 0 ]]; then
                su postgres -c "createuser -s root" 2>/dev/null || true
            fi
            psql -d postgres -tAc 'select 1' >/dev/null 2>&1 && return 0
        fi
    fi
    if ! command -v psql >/dev/null 2>&1; then
        PG_MISSING="no PostgreSQL client or server found (install PostgreSQL, or set PGHOST/PGUSER/PGPASSWORD)."
    else
        PG_MISSING="PostgreSQL is not reachable as $(id -un) (set PGHOST/PGUSER/PGPASSWORD, or start a server)."
    fi
    return 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints the Odoo suite's verdict from its log and returns its status: the
# runner's exit code, any ERROR/CRITICAL line, or a registry or view warning
# about the addon fails the suite.
odoo_report() {
    local log=$1 rc=$2
    local result errors warnings
    result=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -n 1)
    # Odoo's log line: date time pid LEVEL database logger: message. The
    # database name is blanked so that it cannot match "synco" itself.
    local lines
    lines=$(sed -E 's/^(\S+ \S+ \S+ \S+) \S+ /\1 - /' "$log")
    errors=$(echo "$lines" | grep -E '^\S+ \S+ \S+ (ERROR|CRITICAL) ' || true)
    warnings=$(echo "$lines" | grep -E '^\S+ \S+ \S+ WARNING .*synco' || true)
    grep -E 'odoo.tests.stats: synco_shopify' "$log" || true
    if [[ -n "$errors" ]]; then
        echo "$errors" | head -n 40
    fi
    if [[ -n "$warnings" ]]; then
        echo "Warnings about the addon:"
        echo "$warnings" | head -n 20
    fi
    if [[ -z "$result" ]]; then
        echo "The Odoo suite ran no test (exit code $rc); last lines of $log:"
        tail -n 30 "$log"
        return 1
    fi
    local failed errored total
    read -r failed errored total < <(echo "$result" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')
    echo "Odoo suite: $((total - failed - errored)) passed, $((failed + errored)) failed"
    if [[ $rc -ne 0 || -n "$errors" || -n "$warnings" || $((failed + errored)) -ne 0 || $total -eq 0 ]]; then
        return 1
    fi
}

# Uninstalls the addon from the test database and checks that nothing of it
# is left: its tables and the columns it added to Odoo's.
# odoo_has_module NAME: whether the addons path holds an addon NAME.
odoo_has_module() {
    local dir
    local -a dirs
    IFS=, read -ra dirs <<<"$(odoo_addons_path)"
    for dir in "${dirs[@]}"; do
        [[ -f "$dir/$1/__manifest__.py" ]] && return 0
    done
    return 1
}

odoo_uninstall_check() {
    local db=$1 out left
    # Uninstalling synco_shopify takes its dependents (the kits glue) along.
    out=$(echo 'env["ir.module.module"].search([("name", "=", "synco_shopify")]).button_immediate_uninstall(); env.cr.commit(); print("STATE", ",".join(sorted(set(env["ir.module.module"].search([("name", "in", ("synco_shopify", "synco_shopify_mrp"))]).mapped("state")))))' \
        | "${ODOO_CMD[@]}" shell -d "$db" --addons-path="$(odoo_addons_path)" --log-level=warn 2>&1)
    left=$(psql -d "$db" -tAc "select table_name || '.' || column_name from information_schema.columns
        where table_schema = 'public' and (table_name like 'synco%' or column_name like 'synco%'
        or column_name like 'shopify%')")
    if ! grep -q "STATE uninstalled" <<<"$out" || [[ -n "$left" ]]; then
        echo "Uninstall left something behind:"
        echo "$out" | tail -n 20
        echo "$left" | head -n 20
        return 1
    fi
    echo "Uninstall: clean (no synco table or column left)"
}
