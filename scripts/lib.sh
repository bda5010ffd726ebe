# Shared by scripts/test.sh and scripts/run.sh: the project's virtual
# environment, finding every Odoo (18, 19) and a PostgreSQL. Sourced, not run.

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

# -- finding Odoo ---------------------------------------------------------------
# The Odoo versions the addon supports, and where each one can be named:
#   ODOO_PATH (+ ODOO_PYTHON)                  one Odoo, any supported version
#   ODOO18_PATH / ODOO19_PATH (+ *_PYTHON)     one per version
#   $SYNCO_ODOO_CONF, default ~/.config/synco_shopify/odoo.conf: one
#     "<odoo source directory> [<python>]" a line (# comments), for a machine
#     whose Odoos are found without any variable (CI runs with none)
#   python3 itself, when `import odoo` works for it
# The python of an entry defaults to python3 and must hold that Odoo's
# requirements. The first entry of each version is used.
SUPPORTED_ODOO=(18 19)
ODOO_CONF="${SYNCO_ODOO_CONF:-${XDG_CONFIG_HOME:-$HOME/.config}/synco_shopify/odoo.conf}"
ODOO_PROBE='import os, odoo.release as r, psycopg2, lxml, werkzeug
print(r.version_info[0], os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))'

# Prints "<major> <root>" for an Odoo source directory and a python, or fails
# with the reason on stderr.
probe_odoo() {
    local path=$1 py=$2 out
    if [[ "$path" != "-" && ! -f "$path/odoo-bin" ]]; then
        echo "$path holds no odoo-bin" >&2
        return 1
    fi
    if ! out=$(cd "${path/#-//}" && "$py" -c "$ODOO_PROBE" 2>&1); then
        echo "$py cannot import Odoo and its requirements there: $(tail -n 1 <<<"$out")" >&2
        return 1
    fi
    out=$(tail -n 1 <<<"$out")
    if [[ "$path" != "-" && "$(realpath "$path")" != "$(realpath "${out#* }")" ]]; then
        echo "$py imports the Odoo at ${out#* }, not this one" >&2
        return 1
    fi
    echo "$out"
}

# Fills ODOOS ("<major>|<python>|<root>|<how it was named>" per Odoo found, one
# per supported version), ODOO_SKIPS (a sentence per version or entry left
# out) and ODOO_ERRORS (entries named explicitly that do not work).
find_odoos() {
    ODOOS=() ODOO_SKIPS=() ODOO_ERRORS=()
    local entries=() entry origin path py out major where v var pyvar seen=" "
    [[ -n "${ODOO_PATH:-}" ]] && entries+=("ODOO_PATH|$ODOO_PATH|${ODOO_PYTHON:-python3}")
    for v in "${SUPPORTED_ODOO[@]}"; do
        var="ODOO${v}_PATH" pyvar="ODOO${v}_PYTHON"
        [[ -n "${!var:-}" ]] && entries+=("$var|${!var}|${!pyvar:-python3}")
    done
    if [[ -f "$ODOO_CONF" ]]; then
        while read -r path py _; do
            [[ -z "$path" || "$path" == \#* ]] && continue
            entries+=("$ODOO_CONF|$path|${py:-python3}")
        done < "$ODOO_CONF"
    fi
    entries+=("python3|-|python3")
    for entry in "${entries[@]}"; do
        IFS='|' read -r origin path py <<<"$entry"
        if ! out=$(probe_odoo "$path" "$py" 2>&1); then
            [[ "$origin" == python3 ]] || ODOO_ERRORS+=("$origin names $path: $out")
            continue
        fi
        read -r major where <<<"$out"
        if [[ " ${SUPPORTED_ODOO[*]} " != *" $major "* ]]; then
            ODOO_SKIPS+=("Odoo $major at $where ($origin): not supported (${SUPPORTED_ODOO[*]} are)")
        elif [[ "$seen" == *" $major "* ]]; then
            [[ "$seen" == *" $where "* ]] ||
                ODOO_SKIPS+=("Odoo $major at $where ($origin): another Odoo $major comes first")
        else
            ODOOS+=("$major|$py|$where|$origin")
        fi
        seen+="$major $where "
    done
    for v in "${SUPPORTED_ODOO[@]}"; do
        [[ "$seen" == *" $v "* ]] || ODOO_SKIPS+=("Odoo $v: not found here (set ODOO${v}_PATH and ODOO${v}_PYTHON, or list it in $ODOO_CONF)")
    done
}

# Sets ODOO_CMD (an array), ODOO_ROOT, ODOO_MAJOR and ODOO_PY from one ODOOS entry.
use_odoo() {
    local origin
    IFS='|' read -r ODOO_MAJOR ODOO_PY ODOO_ROOT origin <<<"$1"
    if [[ -f "$ODOO_ROOT/odoo-bin" ]]; then
        ODOO_CMD=("$ODOO_PY" "$ODOO_ROOT/odoo-bin")
    else
        ODOO_CMD=("$ODOO_PY" -m odoo)
    fi
}

# Options whose spelling differs between versions: 19's --without-demo is a
# flag, and 19 warns unless the HTTP interface is given.
odoo_common_options() {
    if [[ "$ODOO_MAJOR" -ge 19 ]]; then
        echo "--without-demo --http-interface=127.0.0.1"
    else
        echo "--without-demo=all --http-interface=127.0.0.1"
    fi
}

# One Odoo for the scripts that need only one (run.sh, launch_suite.sh): the
# newest found, or version $SYNCO_ODOO. Sets what use_odoo sets, or
# ODOO_MISSING with the reason.
find_odoo() {
    find_odoos
    if [[ ${#ODOO_ERRORS[@]} -gt 0 ]]; then
        printf '%s\n' "${ODOO_ERRORS[@]}" >&2
        exit 1
    fi
    if [[ ${#ODOOS[@]} -eq 0 ]]; then
        ODOO_MISSING="no Odoo ${SUPPORTED_ODOO[*]} here: set ODOO_PATH to an Odoo source directory (and ODOO_PYTHON to the interpreter with its requirements), list it in $ODOO_CONF, or make 'import odoo' work for python3."
        return 1
    fi
    local pick
    pick=$(printf '%s\n' "${ODOOS[@]}" | sort -t'|' -k1,1n | grep -E "^${SYNCO_ODOO:-[0-9]+}\|" | tail -n 1)
    if [[ -z "$pick" ]]; then
        ODOO_MISSING="no Odoo $SYNCO_ODOO here (SYNCO_ODOO=$SYNCO_ODOO); found: ${ODOOS[*]%%|*}"
        return 1
    fi
    use_odoo "$pick"
}

# require_odoo WHAT: find_odoo and ensure_postgres, or exit saying "WHAT: <why>".
require_odoo() {
    if ! find_odoo; then
        echo "$1: $ODOO_MISSING" >&2
        exit 1
    fi
    if ! ensure_postgres; then
        echo "$1: $PG_MISSING" >&2
        exit 1
    fi
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

# "N passed, N failed" of the Odoo suite's log (after odoo_report passed).
odoo_counts() {
    grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$1" | tail -n 1 |
        sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\3 tests, \1 failed, \2 errors/'
}

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

# Uninstalls the addon from the test database and checks that nothing of it
# is left: its tables, the columns it added to Odoo's, its records.
odoo_uninstall_check() {
    local db=$1 out left
    # Uninstalling synco_shopify takes its dependents (the kits and dropship
    # glue) along.
    out=$(echo 'env["ir.module.module"].search([("name", "=", "synco_shopify")]).button_immediate_uninstall(); env.cr.commit(); print("STATE", ",".join(sorted(set(env["ir.module.module"].search([("name", "in", ("synco_shopify", "synco_shopify_mrp", "synco_shopify_dropship"))]).mapped("state")))))' \
        | "${ODOO_CMD[@]}" shell -d "$db" --addons-path="$(odoo_addons_path)" --log-level=warn 2>&1)
    left=$(psql -d "$db" -tAc "select table_name || '.' || column_name from information_schema.columns
        where table_schema = 'public' and (table_name like 'synco%' or column_name like 'synco%'
        or column_name like 'shopify%')
        union all select 'ir_model_data: ' || model || ' ' || name from ir_model_data
        where module in ('synco_shopify', 'synco_shopify_mrp', 'synco_shopify_dropship')")
    if ! grep -q "STATE uninstalled" <<<"$out" || [[ -n "$left" ]]; then
        echo "Uninstall left something behind:"
        echo "$out" | tail -n 20
        echo "$left" | head -n 20
        return 1
    fi
    echo "Uninstall: clean (no synco table, column or record left)"
}
