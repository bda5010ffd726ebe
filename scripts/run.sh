#!/usr/bin/env bash
# Run the addon's main job on this machine: the Shopify sandbox seeded with
# demo data, and an Odoo server (the newest version found: 19, else 18) with
# synco_shopify installed in a fresh database and connected to the sandbox.
#
#   scripts/run.sh                       # Odoo on :8069, sandbox on :8765
#   ODOO_HTTP_PORT=8070 SANDBOX_PORT=8766 scripts/run.sh
#
# Odoo is found as in scripts/test.sh (ODOO_PATH, ODOO18_PATH, ODOO19_PATH,
# ~/.config/synco_shopify/odoo.conf, or `import odoo`); SYNCO_ODOO=18 picks a
# version. With none found, it fetches Odoo 19 (SYNCO_ODOO=18: 18) into
# .cache/ and, with no PostgreSQL answering, starts a private one there
# (scripts/lib.sh: fetch_odoo, start_private_postgres), stopped on Ctrl-C.
# It says which Odoo it serves. Log in as
# admin/admin; the sandbox's status page is printed on start.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

http_port="${ODOO_HTTP_PORT:-8069}"
sandbox_port="${SANDBOX_PORT:-8765}"
db="${SYNCO_DB:-synco_demo}"

ensure_venv
require_free_port "$http_port" ODOO_HTTP_PORT
require_free_port "$sandbox_port" SANDBOX_PORT
require_odoo "Cannot run"

"$VENV/bin/python" -m shopify_sandbox --port "$sandbox_port" --seed demo &
sandbox_pid=$!
at_exit 'kill $sandbox_pid 2>/dev/null || true'
sandbox_url="http://127.0.0.1:$sandbox_port"
for _ in $(seq 50); do
    curl -fsS "$sandbox_url/_sandbox/state" >/dev/null 2>&1 && break
    sleep 0.2
done

echo "== fresh database $db with synco_shopify"
dropdb --if-exists "$db"
options=(-d "$db" --addons-path="$(odoo_addons_path)")
# shellcheck disable=SC2046 # the options are words
"${ODOO_CMD[@]}" "${options[@]}" $(odoo_common_options) -i synco_shopify --stop-after-init \
    --log-level=warn

echo "== connecting the shop to the sandbox"
SYNCO_SANDBOX_URL="$sandbox_url" SYNCO_ODOO_URL="http://127.0.0.1:$http_port" \
    "${ODOO_CMD[@]}" shell "${options[@]}" --log-level=warn < scripts/demo_setup.py

echo
echo "Odoo $ODOO_MAJOR: http://127.0.0.1:$http_port  (admin / admin; $ODOO_ROOT, ${ODOO_CMD[0]})"
echo "Sandbox: $sandbox_url  (status page)"
"${ODOO_CMD[@]}" "${options[@]}" --http-port="$http_port" --http-interface=127.0.0.1
