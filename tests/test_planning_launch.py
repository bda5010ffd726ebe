"""launch_checks: plain facts in, one verdict per check with what to fix."""

from synco_shopify.planning import connection
from synco_shopify.planning.launch import checks_table, failures_table, launch_checks
from synco_shopify.shopify.const import WEBHOOK_ROUTE

REQUIRED = ["read_orders", "read_locations", "write_merchant_managed_fulfillment_orders"]
ADDRESS = f"https://odoo.example.com{WEBHOOK_ROUTE}"
TOPICS = ["FULFILLMENTS_CREATE", "ORDERS_CREATE"]


def good_facts(**overrides):
    facts = {
        "shop_domain": "acme.myshopify.com",
        "connection": verdict(),
        "required_scopes": REQUIRED,
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


def shop_answer(domain="acme.myshopify.com", scopes=(*REQUIRED, "read_products")):
    """Shopify's answer to the SHOP query."""
    return {
        "shop": {"name": "Acme", "myshopifyDomain": domain},
        "currentAppInstallation": {"accessScopes": [{"handle": s} for s in scopes]},
    }


def verdict(served="2026-10", **answer):
    return connection.verify(
        shop_answer(**answer), "acme.myshopify.com", "2026-10", REQUIRED, served
    )


def text(check):
    return str(check.message)


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
    assert all(c.ok for c in checks), [text(c) for c in checks if not c.ok]
    assert [str(c.label) for c in checks][:2] == ["Credentials", "Access scopes"]
    assert by_key(good_facts())["key"].message.code == "launch.key.environment"
    assert "SYNCO_SHOPIFY_KEY" in text(by_key(good_facts())["key"])


def test_credential_error_makes_the_shopify_checks_wait():
    checks = by_key(
        good_facts(
            connection=connection.failed("401: invalid client secret"),
            locations=None,
            subscriptions=None,
        )
    )
    assert not checks["credentials"].ok
    assert checks["credentials"].message.code == "connection.failed"
    assert text(checks["credentials"]) == (
        "401: invalid client secret Fix the credentials on the shop."
    )
    for key in ("scopes", "locations", "webhooks"):
        assert not checks[key].ok
        assert checks[key].message.code == "launch.unknown"
        assert "until the credentials work" in text(checks[key])


def test_credentials_of_another_store():
    check = by_key(good_facts(connection=verdict(domain="other.myshopify.com")))["credentials"]
    assert not check.ok
    assert check.message.code == "connection.other_store"
    assert check.message.values == {
        "seen": "other.myshopify.com",
        "shop_domain": "acme.myshopify.com",
    }


def test_missing_scopes_are_named():
    check = by_key(good_facts(connection=verdict(scopes=["read_orders"])))["scopes"]
    assert not check.ok
    assert check.message.values == {
        "missing": "read_locations, write_merchant_managed_fulfillment_orders"
    }


def test_location_without_warehouse_says_where_to_pick_one():
    mappings = good_facts()["mappings"]
    mappings["12"] = {"warehouse": False, "company": False, "direction": "odoo_to_shopify"}
    check = by_key(good_facts(mappings=mappings))["locations"]
    assert not check.ok
    assert [part.code for part in check.message.parts] == ["launch.location_no_warehouse"]
    assert text(check) == (
        "Location 'East Warehouse' has no warehouse: pick one on "
        "Inventory > Configuration > Shopify > Locations."
    )


def test_unsynced_location_other_company_and_missing_direction():
    mappings = {
        "11": {"warehouse": "WH", "company": "Other Co", "direction": "odoo_to_shopify"},
        "12": {"warehouse": "EST", "company": "Acme Inc", "direction": False},
    }
    locations = [*good_facts()["locations"], {"id": "13", "name": "Pop-up"}]
    message = text(
        by_key(good_facts(mappings=mappings, locations=locations, per_location=True))["locations"]
    )
    assert "'Main' is mapped to warehouse 'WH' of Other Co" in message
    assert "'East Warehouse' has no fulfillment direction" in message
    assert "'Pop-up' is not in Odoo: press Sync Locations" in message


def test_carriers_without_a_shopify_name():
    check = by_key(good_facts(unmapped_carriers=["Pigeon Post", "Bike Courier"]))["carriers"]
    assert not check.ok
    assert check.message.values["names"] == "'Bike Courier', 'Pigeon Post'"


def test_webhooks_missing_or_pointing_elsewhere():
    subs = [{"topic": "FULFILLMENTS_CREATE", "uri": f"https://old.example.com{WEBHOOK_ROUTE}"}]
    check = by_key(good_facts(subscriptions=subs))["webhooks"]
    assert not check.ok
    assert check.message.code == "launch.webhooks_elsewhere"
    assert check.message.values["missing"] == "FULFILLMENTS_CREATE, ORDERS_CREATE"
    assert "(FULFILLMENTS_CREATE point at another address)" in text(check)
    assert "Register Webhooks" in text(check)


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
    assert not checks["cron"].ok and "Scheduled Actions" in text(checks["cron"])
    assert (checks["key"].ok, checks["key"].message) == (False, "No key")
    failed = checks["failed_jobs"].message
    assert (failed.code, failed.values["count"], failed.values["more"]) == (
        "launch.failed_jobs_more",
        7,
        2,
    )
    assert "Push fulfillment #4: boom" in str(failed)
    assert "#5" not in str(failed)
    assert "and 2 more" in str(failed)


def test_tables_escape_and_sort():
    html = checks_table(launch_checks(good_facts(unmapped_carriers=["<b>Evil</b>"])))
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html and "<b>Evil" not in html
    assert html.count("table-danger") == 1
    table = failures_table([("rare", 1), ("often", 3), (None, 1)])
    assert table.index("often") < table.index("rare")
    assert "(none)" in table
    assert "<td>3</td>" in table


def test_tables_are_rendered_in_the_readers_language():
    def shout(source, **values):
        return (source % values if values else source).upper()

    html = checks_table(launch_checks(good_facts()), shout)
    assert "SHOPIFY ANSWERS AS ACME.MYSHOPIFY.COM." in html
    assert "<th>WHAT TO DO</th>" in html
    assert "(NONE)" in failures_table([(None, 1)], shout)


def test_connection_verdict_names_each_problem():
    good = verdict()
    assert (good.problems, good.granted, good.missing) == ([], (*REQUIRED, "read_products"), ())
    retired = verdict(served="2026-04", scopes=["read_orders"])
    assert [p.code for p in retired.problems] == [
        "connection.api_version",
        "connection.missing_scopes",
    ]
    assert retired.missing == ("read_locations", "write_merchant_managed_fulfillment_orders")
    assert "newer version" in str(retired.version)
    assert verdict(served=None).version is None  # the client saw no version header


def test_connection_failure_says_whether_shopify_was_reached():
    down = connection.failed("timed out", "https://acme.myshopify.com")
    assert str(down.credentials) == "Cannot reach https://acme.myshopify.com: timed out"
    assert (down.granted, connection.failed("HTTP 401").credentials.code) == (
        None,
        "connection.failed",
    )
