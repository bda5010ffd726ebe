"""The store the launch suite runs against: a Shopify development store
named by the environment (``scripts/launch_suite.sh``), else a fresh
sandbox store."""

import os

from ..shopify.const import DEFAULT_API_VERSION
from .common import sandbox_admin

SANDBOX_DOMAIN = "acme-launch.myshopify.com"
SANDBOX_SECRET = "synco-launch-secret-0123456789"


def store_settings():
    """The store to run against: a development store when SYNCO_LAUNCH_SHOP
    is set, else a fresh sandbox store with two locations and one product."""
    env = os.environ
    if env.get("SYNCO_LAUNCH_SHOP"):
        secret = env.get("SYNCO_LAUNCH_CLIENT_SECRET")
        if not (secret and env.get("SYNCO_LAUNCH_SKU")):
            raise RuntimeError(
                "SYNCO_LAUNCH_SHOP needs SYNCO_LAUNCH_CLIENT_SECRET (the app's secret, which "
                "signs webhooks), SYNCO_LAUNCH_SKU, and SYNCO_LAUNCH_CLIENT_ID or "
                "SYNCO_LAUNCH_ACCESS_TOKEN"
            )
        names = [n.strip() for n in env.get("SYNCO_LAUNCH_LOCATIONS", "").split(",") if n.strip()]
        return {
            "domain": env["SYNCO_LAUNCH_SHOP"].strip().lower(),
            # A proxy in front of the store, or a sandbox playing one.
            "base_url": env.get("SYNCO_LAUNCH_BASE_URL"),
            "client_id": env.get("SYNCO_LAUNCH_CLIENT_ID"),
            "client_secret": secret,
            "access_token": env.get("SYNCO_LAUNCH_ACCESS_TOKEN"),
            "api_version": env.get("SYNCO_LAUNCH_API_VERSION") or DEFAULT_API_VERSION,
            "sku": env["SYNCO_LAUNCH_SKU"].strip(),
            "locations": names or None,
            # Development stores take five orderCreate a minute.
            "order_interval": 13.0,
        }
    sandbox = sandbox_admin()
    sandbox.reset(seed="empty")
    sandbox.config(
        name="Acme Launch",
        domain=SANDBOX_DOMAIN,
        client_id="synco-launch",
        client_secret=SANDBOX_SECRET,
    )
    sandbox.add_location("Main Warehouse")
    sandbox.add_location("East Warehouse")
    sandbox.add_location("3PL Co", fulfillment_service=True)
    sandbox.add_product("Anvil", sku="ANVIL")
    return {
        "domain": SANDBOX_DOMAIN,
        "base_url": sandbox.url,
        "client_id": "synco-launch",
        "client_secret": SANDBOX_SECRET,
        "access_token": None,
        "api_version": DEFAULT_API_VERSION,
        "sku": "ANVIL",
        "locations": ["Main Warehouse", "East Warehouse"],
        "order_interval": 0.0,
    }
