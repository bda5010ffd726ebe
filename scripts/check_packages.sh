# Sourced by scripts/test.sh. check_packages: build each addon as a Python
# package with the OCA's backend (whool, from requirements-dev.txt), install
# the wheels into a fresh virtual environment, and check each distribution's
# name (odoo-addon-<addon>), its version (the manifest's) and that the addon
# lands where Odoo finds installed addons (odoo/addons/<addon>).
check_packages() {
    local work addon
    work=$(mktemp -d -t synco-packages.XXXXXX)
    # shellcheck disable=SC2064 # expand now: the directory of this run
    trap "rm -rf '$work'" RETURN
    "$VENV/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps \
        --no-build-isolation -w "$work/wheels" ./synco_shopify ./synco_shopify_mrp
    python3 -m venv "$work/venv"
    # Odoo itself is not a PyPI package: the wheels alone, without dependencies.
    "$work/venv/bin/python" -m pip install -q --disable-pip-version-check --no-index \
        --no-deps "$work"/wheels/*.whl
    for addon in synco_shopify synco_shopify_mrp; do
        "$work/venv/bin/python" - "$addon" "$root/$addon/__manifest__.py" <<'PY'
import ast, sys, sysconfig
from importlib import metadata
from pathlib import Path

addon, manifest = sys.argv[1], sys.argv[2]
want = ast.literal_eval(Path(manifest).read_text())["version"]
name = f"odoo-addon-{addon}"
got = metadata.version(name)
assert got == want, f"{name} is version {got}, the manifest says {want}"
placed = Path(sysconfig.get_paths()["purelib"], "odoo", "addons", addon, "__manifest__.py")
assert placed.is_file(), f"{name} did not install {placed}"
print(f"{name} {got}: installs odoo/addons/{addon}")
PY
    done
}
