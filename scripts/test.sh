#!/usr/bin/env bash
# Run every test: lint, the Odoo-free pytest suite, then the Odoo suite
# wherever an Odoo 18 can be found.
#
#   scripts/test.sh            # everything that can run here
#   scripts/test.sh --fast     # lint and the Odoo-free suite only
#
# After the Odoo suite, the live suite (tests_live/: a real Odoo server,
# a private PostgreSQL and the sandbox, with killed workers, a restarted
# database, outages and storms) runs with pytest; it skips itself, saying
# why, where Odoo or PostgreSQL is missing.
#
# Odoo is found through ODOO_PATH (a directory holding odoo-bin; run with
# ODOO_PYTHON, default python3, which must have Odoo's requirements), else an
# `odoo` package importable by python3. PostgreSQL is reached through the
# usual PG* variables; on a Debian machine with a local cluster the script
# starts it when it is down. Without Odoo or PostgreSQL it says plainly that
# the Odoo suite was skipped, and why, and still passes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ensure_venv

echo "== lint (ruff)"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

echo "== Odoo-free suite (pytest)"
"$VENV/bin/pytest" tests

if [[ "${1:-}" == "--fast" ]]; then
    echo "Odoo suite skipped: --fast was given."
    exit 0
fi

echo "== Odoo suite"
if ! find_odoo; then
    echo "Odoo and live suites SKIPPED: $ODOO_MISSING"
    exit 0
fi
if ! ensure_postgres; then
    echo "Odoo and live suites SKIPPED: $PG_MISSING"
    exit 0
fi

db="synco_test_$$"
log=$(mktemp -t synco-odoo-tests.XXXXXX.log)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
echo "Odoo: ${ODOO_CMD[*]} (database $db, log $log)"
set +e
SYNCO_SANDBOX_PYTHON="$VENV/bin/python" "${ODOO_CMD[@]}" \
    -d "$db" --addons-path="$(odoo_addons_path)" \
    -i synco_shopify --without-demo=all --test-enable --test-tags /synco_shopify \
    --stop-after-init --http-port="$(free_port)" --log-level=test \
    > "$log" 2>&1
rc=$?
set -e
if ! odoo_report "$log" "$rc"; then
    echo "== verdict: FAILED (the Odoo suite)"
    exit 1
fi
if ! odoo_uninstall_check "$db"; then
    echo "== verdict: FAILED (uninstalling the addon)"
    exit 1
fi

# The kits glue in a database of its own: installing it pulls mrp in, while
# the suite above proves synco_shopify itself needs no mrp.
echo "== Odoo suite, kits (synco_shopify_mrp, with mrp)"
if ! odoo_has_module mrp; then
    echo "Kits suite SKIPPED: this Odoo has no mrp addon."
else
    db_mrp="synco_test_mrp_$$"
    log_mrp=$(mktemp -t synco-odoo-mrp-tests.XXXXXX.log)
    trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; dropdb --if-exists "$db_mrp" >/dev/null 2>&1 || true' EXIT
    echo "Odoo: database $db_mrp, log $log_mrp"
    set +e
    SYNCO_SANDBOX_PYTHON="$VENV/bin/python" "${ODOO_CMD[@]}" \
        -d "$db_mrp" --addons-path="$(odoo_addons_path)" \
        -i synco_shopify_mrp --without-demo=all --test-enable --test-tags /synco_shopify_mrp \
        --stop-after-init --http-port="$(free_port)" --log-level=test \
        > "$log_mrp" 2>&1
    rc=$?
    set -e
    if ! odoo_report "$log_mrp" "$rc"; then
        echo "== verdict: FAILED (the kits suite)"
        exit 1
    fi
    if ! odoo_uninstall_check "$db_mrp"; then
        echo "== verdict: FAILED (uninstalling the addon and its kits glue)"
        exit 1
    fi
fi

echo "== live suite (tests_live: real processes and faults)"
if ! SYNCO_SANDBOX_PYTHON="$VENV/bin/python" "$VENV/bin/pytest" tests_live -q -rs; then
    echo "== verdict: FAILED (the live suite)"
    exit 1
fi
echo "== verdict: every suite passed"
