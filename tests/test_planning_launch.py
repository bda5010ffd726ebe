"""launch_checks: plain facts in, one verdict per check with what to fix."""

from synco_shopify.planning.launch import checks_table, failures_table, launch_checks
from synco_shopify.shopify.const import WEBHOOK_ROUTE

REQUIRED = ["read_orders", "read_locations", "write_merchant_managed_fulfillment_orders"]
ADDRESS = f"https://odoo.example.com{WEBHOOK_ROUTE}"
TOPICS = ["FULFILLMENTS_CREATE", "ORDERS_CREATE"]


def good_facts(**overrides):
    facts = {
        "shop_domain": "acme.myshopify.com",
        "seen_domain": "acme.myshopify.com",
        "required_scopes": REQUIRED,
        "granted_scopes": [*REQUIRED, "read_products"],
        "company": "Acme Inc",
        "per_location": False,
        "locations": [{"id": "11", "name": "Main"}, {"id": "12", "name": "East Warehouse"}],
        "mappings": {
            "11": {"warehouse": "WH", "company": "Acme Inc", "direction": "odoo_to_shopify"},
            "12": {"warehouse": "EST", "company": "Acme Inc", "direction": "odoo_to_shopify"},
        },
        "unmapped_carriers": [],
        "webhook_address": ADDRESS,
        "webhook_topics": TOPICS,
        "subscriptions": [{"topic": t, "uri": ADDRESS} for t in TOPICS],
        "cron_active": True,
        "key_source": "environment",
        "failed_jobs": [],
    }
    facts.update(overrides)
    return facts


def by_key(facts):
    return {check.key: check for check in launch_checks(facts)}


def test_all_pass_on_a_well_configured_shop():
    checks = launch_checks(good_facts())
    assert [c.key for c in checks] == [
        "credentials",
        "scopes",
        "locations",
        "carriers",
        "webhooks",
        "cron",
        "key",
        "failed_jobs",
    ]
    assert all(c.ok for c in checks), [c.message for c in checks if not c.ok]
    assert "SYNCO_SHOPIFY_KEY" in by_key(good_facts())["key"].message


def test_credential_error_makes_the_shopify_checks_wait():
    checks = by_key(
        good_facts(
            shop_error="401: invalid client secret",
            granted_scopes=None,
            locations=None,
            subscriptions=None,
        )
    )
    assert not checks["credentials"].ok
    assert "invalid client secret" in checks["credentials"].message
    for key in ("scopes", "locations", "webhooks"):
        assert not checks[key].ok
        assert "until the credentials work" in checks[key].message


def test_credentials_of_another_store():
    check = by_key(good_facts(seen_domain="other.myshopify.com"))["credentials"]
    assert not check.ok
    assert "other.myshopify.com" in check.message


def test_missing_scopes_are_named():
    check = by_key(good_facts(granted_scopes=["read_orders"]))["scopes"]
    assert not check.ok
    assert "read_locations, write_merchant_managed_fulfillment_orders" in check.message


def test_location_without_warehouse_says_where_to_pick_one():
    mappings = good_facts()["mappings"]
    mappings["12"] = {"warehouse": False, "company": False, "direction": "odoo_to_shopify"}
    check = by_key(good_facts(mappings=mappings))["locations"]
    assert not check.ok
    assert check.message == (
        "Location 'East Warehouse' has no warehouse: pick one on "
        "Inventory > Configuration > Shopify > Locations."
    )


def test_unsynced_location_other_company_and_missing_direction():
    mappings = {
        "11": {"warehouse": "WH", "company": "Other Co", "direction": "odoo_to_shopify"},
        "12": {"warehouse": "EST", "company": "Acme Inc", "direction": False},
    }
    locations = [*good_facts()["locations"], {"id": "13", "name": "Pop-up"}]
    message = by_key(good_facts(mappings=mappings, locations=locations, per_location=True))[
        "locations"
    ].message
    assert "'Main' is mapped to warehouse 'WH' of Other Co" in message
    assert "'East Warehouse' has no fulfillment direction" in message
    assert "'Pop-up' is not in Odoo: press Sync Locations" in message


def test_carriers_without_a_shopify_name():
    check = by_key(good_facts(unmapped_carriers=["Pigeon Post", "Bike Courier"]))["carriers"]
    assert not check.ok
    assert "'Bike Courier', 'Pigeon Post'" in check.message


def test_webhooks_missing_or_pointing_elsewhere():
    subs = [{"topic": "FULFILLMENTS_CREATE", "uri": f"https://old.example.com{WEBHOOK_ROUTE}"}]
    check = by_key(good_facts(subscriptions=subs))["webhooks"]
    assert not check.ok
    assert "FULFILLMENTS_CREATE, ORDERS_CREATE" in check.message
    assert "(FULFILLMENTS_CREATE point at another address)" in check.message
    assert "Register Webhooks" in check.message


def test_unreachable_webhook_address_is_the_message():
    check = by_key(good_facts(webhook_address=None, webhook_address_error="Shopify cannot reach"))[
        "webhooks"
    ]
    assert (check.ok, check.message) == (False, "Shopify cannot reach")


def test_cron_key_and_old_failures():
    jobs = [{"id": n, "name": f"Push fulfillment #{n}", "error": "boom"} for n in range(7)]
    checks = by_key(
        good_facts(cron_active=False, key_source=None, key_error="No key", failed_jobs=jobs)
    )
    assert not checks["cron"].ok and "Scheduled Actions" in checks["cron"].message
    assert (checks["key"].ok, checks["key"].message) == (False, "No key")
    assert "7 job(s)" in checks["failed_jobs"].message
    assert "Push fulfillment #4: boom" in checks["failed_jobs"].message
    assert "#5" not in checks["failed_jobs"].message
    assert "and 2 more" in checks["failed_jobs"].message


def test_tables_escape_and_sort():
    html = checks_table(launch_checks(good_facts(unmapped_carriers=["<b>Evil</b>"])))
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html and "<b>Evil" not in html
    assert html.count("table-danger") == 1
    table = failures_table([("rare", 1), ("often", 3), (None, 1)])
    assert table.index("often") < table.index("rare")
    assert "(none)" in table
    assert "<td>3</td>" in table
