#!/usr/bin/env bash
# Regenerate each addon's translation template, <addon>/i18n/<addon>.pot,
# with Odoo's own exporter, from a scratch database that has the addons
# installed (dropped at the end). One command, after any change to a text
# the code marks for translation (`env._(...)`, `notes._(...)`), a field,
# a view or a data record:
#
#   scripts/make_pot.sh
#
# Odoo is found as in scripts/test.sh (ODOO_PATH, ODOO18_PATH, ODOO19_PATH,
# ~/.config/synco_shopify/odoo.conf, or `import odoo`); the newest found
# exports, SYNCO_ODOO=18 picks a version. synco_shopify_mrp is exported
# where the Odoo has mrp. scripts/test.sh checks that the committed template
# holds every text of the code.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

require_odoo "Cannot export"

modules=(synco_shopify)
odoo_has_module mrp && modules+=(synco_shopify_mrp)
db="synco_pot_$$"
conf=$(mktemp -t synco-pot.XXXXXX.conf)
at_exit 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -f "$conf"'
printf '[options]\naddons_path = %s\n' "$(odoo_addons_path)" > "$conf"

echo "== Odoo $ODOO_MAJOR ($ODOO_ROOT): installing ${modules[*]} in a scratch database $db"
# shellcheck disable=SC2046 # the options are words
"${ODOO_CMD[@]}" -c "$conf" -d "$db" $(odoo_common_options) -i "$(IFS=,; echo "${modules[*]}")" \
    --stop-after-init --no-http --log-level=warn

for module in "${modules[@]}"; do
    pot="$module/i18n/$module.pot"
    mkdir -p "$module/i18n"
    if [[ "$ODOO_MAJOR" -ge 19 ]]; then
        "${ODOO_CMD[@]}" i18n export -c "$conf" -d "$db" -l pot -o "$pot" "$module"
    else
        "${ODOO_CMD[@]}" -c "$conf" -d "$db" --i18n-export="$pot" --modules="$module" \
            --log-level=warn
    fi
    echo "$pot: $(grep -c '^msgid ' "$pot") messages"
done
