#!/usr/bin/env bash
# Run every test: lint (ruff, pylint-odoo), the Odoo-free pytest suite (with
# the check that the translation template holds every text of the code),
# then the Odoo suite, the uninstall check, the kits suite and the live
# suite on every Odoo (18, 19) found here.
#
#   scripts/test.sh            # everything that can run here
#   scripts/test.sh --fast     # lint and the Odoo-free suite only
#
# The lint is the one of .pre-commit-config.yaml (settings in pyproject.toml);
# scripts/make_pot.sh regenerates the translation template.
#
# After the Odoo suite, the live suite (tests_live/: a real Odoo server,
# a private PostgreSQL and the sandbox, with killed workers, a restarted
# database, outages and storms) runs with pytest; it skips itself, saying
# why, where Odoo or PostgreSQL is missing.
#
# Odoo is found as scripts/lib.sh says (find_odoos): ODOO_PATH, ODOO18_PATH,
# ODOO19_PATH (each with its *_PYTHON), ~/.config/synco_shopify/odoo.conf,
# and an `odoo` importable by python3; a version not found is fetched into
# .cache/ (scripts/lib.sh: fetch_odoo; SYNCO_ODOO=19 fetches only 19;
# SYNCO_NO_FETCH=1, or CI=true without SYNCO_ODOO_GIT, fetches nothing). The
# end says which versions ran and which were skipped, and why. PostgreSQL is
# reached through the usual PG* variables; on a Debian machine with a local
# cluster the script starts it when it is down, and else a private one in
# .cache/ (start_private_postgres). Without Odoo or PostgreSQL it says
# plainly that the Odoo suite was skipped, and why, and still passes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ensure_venv

echo "== lint (ruff, pylint-odoo, the OCA's Odoo hooks; the same as .pre-commit-config.yaml)"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/pylint" synco_shopify synco_shopify_mrp synco_shopify_dropship
"$VENV/bin/oca-checks-odoo-module" synco_shopify/__manifest__.py synco_shopify_mrp/__manifest__.py \
    synco_shopify_dropship/__manifest__.py
"$VENV/bin/oca-checks-po" synco_shopify/i18n/*.pot

echo "== the addons as Python packages (whool), installed into a fresh virtual environment"
# shellcheck source=scripts/check_packages.sh
source scripts/check_packages.sh
check_packages

echo "== Odoo-free suite (pytest)"
"$VENV/bin/pytest" tests

if [[ "${1:-}" == "--fast" ]]; then
    echo "Odoo suite skipped: --fast was given."
    exit 0
fi

find_odoos
fetch_missing_odoos
if [[ ${#ODOO_ERRORS[@]} -gt 0 ]]; then
    printf 'Odoo named but not usable: %s\n' "${ODOO_ERRORS[@]}"
    echo "== verdict: FAILED (fix or unset what names that Odoo)"
    exit 1
fi
if [[ ${#ODOOS[@]} -eq 0 ]]; then
    printf 'Odoo and live suites SKIPPED: %s\n' "${ODOO_SKIPS[@]}"
    exit 0
fi
if ! ensure_postgres; then
    echo "Odoo and live suites SKIPPED: $PG_MISSING"
    exit 0
fi

summary=()
dbs=()
at_exit 'for d in "${dbs[@]}"; do dropdb --if-exists "$d" >/dev/null 2>&1 || true; done'

# run_suite MODULE DB WHAT: installs MODULE in a fresh database DB with its
# tests, reports them, uninstalls the addon and checks nothing is left; on
# success SUITE_COUNTS holds the counts, else the run fails naming WHAT.
run_suite() {
    local module=$1 db=$2 what=$3 log rc
    dbs+=("$db")
    log=$(mktemp -t "synco-odoo${ODOO_MAJOR}-${module}-tests.XXXXXX.log")
    echo "== $what on $name (database $db, log $log)"
    set +e
    # shellcheck disable=SC2046 # the options are words
    SYNCO_SANDBOX_PYTHON="$VENV/bin/python" SYNCO_SCREENSHOTS="$root/build/screenshots/odoo$ODOO_MAJOR" \
        "${ODOO_CMD[@]}" -d "$db" --addons-path="$(odoo_addons_path)" $(odoo_common_options) \
        -i "$module" --test-enable --test-tags "/$module" \
        --stop-after-init --http-port="$(free_port)" --log-level=test \
        > "$log" 2>&1
    rc=$?
    set -e
    if ! odoo_report "$log" "$rc"; then
        echo "== verdict: FAILED (the $what on $name)"
        exit 1
    fi
    if ! odoo_uninstall_check "$db"; then
        echo "== verdict: FAILED (uninstalling $module on $name)"
        exit 1
    fi
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    SUITE_COUNTS=$(odoo_counts "$log")
}

for odoo in "${ODOOS[@]}"; do
    use_odoo "$odoo"
    name="Odoo $ODOO_MAJOR ($ODOO_ROOT, ${ODOO_CMD[0]})"
    run_suite synco_shopify "synco_test_${ODOO_MAJOR}_$$" "Odoo suite"
    counts=$SUITE_COUNTS

    # The kits glue in a database of its own: installing it pulls mrp in,
    # while the suite above proves synco_shopify itself needs no mrp.
    kits="kits suite skipped (this Odoo has no mrp addon)"
    if odoo_has_module mrp; then
        run_suite synco_shopify_mrp "synco_test_mrp_${ODOO_MAJOR}_$$" \
            "kits suite (synco_shopify_mrp with mrp)"
        kits="kits suite $SUITE_COUNTS"
    fi
    # The dropship glue likewise: installing it pulls stock_dropshipping in.
    dropship="dropship suite skipped (this Odoo has no stock_dropshipping addon)"
    if odoo_has_module stock_dropshipping; then
        run_suite synco_shopify_dropship "synco_test_drop_${ODOO_MAJOR}_$$" \
            "dropship suite (synco_shopify_dropship with stock_dropshipping)"
        dropship="dropship suite $SUITE_COUNTS"
    fi

    echo "== live suite on $name (tests_live: real processes and faults)"
    if ! ODOO_PATH="$ODOO_ROOT" ODOO_PYTHON="$ODOO_PY" SYNCO_SANDBOX_PYTHON="$VENV/bin/python" \
        "$VENV/bin/pytest" tests_live -q -rs; then
        echo "== verdict: FAILED (the live suite on $name)"
        exit 1
    fi
    summary+=("ran      $name: Odoo suite $counts, uninstall clean, $kits, $dropship, live suite passed")
done

echo "== Odoo versions"
printf '%s\n' "${summary[@]}"
for skip in "${ODOO_SKIPS[@]}"; do
    echo "SKIPPED  $skip"
done
echo "== verdict: every suite passed"
