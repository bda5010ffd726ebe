import sys
from pathlib import Path

# The Odoo-free packages live inside the addon; make the repository root
# importable so ``import synco_shopify.shopify`` works without Odoo.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
