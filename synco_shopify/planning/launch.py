"""The launch checks: plain facts about a shop in, one verdict per check out.

The Odoo wizard gathers the facts with reads only (Shopify queries and the
database); each function here turns them into a ``Check`` whose message says
exactly what to fix. Nothing here imports Odoo.
"""

from dataclasses import dataclass
from html import escape

LOCATIONS_MENU = "Inventory > Configuration > Shopify > Locations"
CARRIERS_MENU = "Inventory > Configuration > Delivery > Shipping Methods"
JOBS_MENU = "Inventory > Configuration > Shopify > Jobs"


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    message: str


def check_credentials(error, seen_domain, shop_domain):
    """``error``: why the SHOP query failed, or None; ``seen_domain``: the
    store the credentials belong to."""
    label = "Credentials"
    if error:
        return Check("credentials", label, False, f"{error} Fix the credentials on the shop.")
    if seen_domain != shop_domain:
        return Check(
            "credentials",
            label,
            False,
            f"These credentials belong to {seen_domain}, not {shop_domain}: enter the "
            "credentials of this store or correct the shop domain.",
        )
    return Check("credentials", label, True, f"Shopify answers as {shop_domain}.")


def check_scopes(granted, required):
    """``granted``: the scope handles Shopify reports, None when unknown."""
    label = "Access scopes"
    if granted is None:
        return Check("scopes", label, False, "Unknown until the credentials work.")
    missing = [scope for scope in required if scope not in set(granted)]
    if missing:
        return Check(
            "scopes",
            label,
            False,
            f"The app lacks {', '.join(missing)}: add them to the app's configuration in "
            "Shopify and install the new version.",
        )
    return Check("scopes", label, True, f"All {len(required)} required scopes are granted.")


def check_locations(remote, mappings, company, per_location):
    """``remote``: the active Shopify locations ({id, name}), None when
    unknown; ``mappings``: Shopify location id -> {warehouse, company,
    direction} of the active mappings; ``company``: the shop's company name."""
    label = "Locations"
    if remote is None:
        return Check("locations", label, False, "Unknown until the credentials work.")
    problems = []
    for location in remote:
        mapping = mappings.get(str(location["id"]))
        name = location["name"]
        if mapping is None:
            problems.append(
                f"Location '{name}' is not in Odoo: press Sync Locations on the shop, then "
                f"pick its warehouse on {LOCATIONS_MENU}."
            )
        elif not mapping.get("warehouse"):
            problems.append(f"Location '{name}' has no warehouse: pick one on {LOCATIONS_MENU}.")
        elif mapping.get("company") != company:
            problems.append(
                f"Location '{name}' is mapped to warehouse '{mapping['warehouse']}' of "
                f"{mapping.get('company')}, not of the shop's company {company}: pick a "
                f"warehouse of {company} on {LOCATIONS_MENU}."
            )
        elif per_location and not mapping.get("direction"):
            problems.append(
                f"Location '{name}' has no fulfillment direction: choose who leads it on "
                f"{LOCATIONS_MENU}."
            )
    if problems:
        return Check("locations", label, False, " ".join(problems))
    return Check(
        "locations", label, True, f"All {len(remote)} active locations are mapped to a warehouse."
    )


def check_carriers(unmapped):
    """``unmapped``: names of the carriers on recent orders that have no
    Shopify tracking company."""
    label = "Carriers"
    if unmapped:
        names = ", ".join(f"'{name}'" for name in sorted(unmapped))
        return Check(
            "carriers",
            label,
            False,
            f"No Shopify tracking company on {names}: set one on {CARRIERS_MENU}, or Shopify "
            "shows the carrier's Odoo name without a tracking link.",
        )
    return Check(
        "carriers", label, True, "Every carrier of the last 30 days' orders has a Shopify name."
    )


def check_webhooks(address, address_error, wanted, subscriptions):
    """``address``: where Shopify must post (None with ``address_error``);
    ``wanted``: GraphQL topics; ``subscriptions``: the app's ({topic, uri}),
    None when unknown."""
    label = "Webhooks"
    if address_error:
        return Check("webhooks", label, False, address_error)
    if subscriptions is None:
        return Check("webhooks", label, False, "Unknown until the credentials work.")
    here = {sub["topic"] for sub in subscriptions if sub["uri"] == address}
    elsewhere = {sub["topic"] for sub in subscriptions if sub["uri"] != address} - here
    missing = [topic for topic in wanted if topic not in here]
    if missing:
        where = [t for t in missing if t in elsewhere]
        detail = f" ({', '.join(where)} point at another address)" if where else ""
        return Check(
            "webhooks",
            label,
            False,
            f"Not subscribed at {address}: {', '.join(missing)}{detail}. Press Register "
            "Webhooks on the shop.",
        )
    return Check("webhooks", label, True, f"All {len(wanted)} topics are sent to {address}.")


def check_cron(active):
    label = "Job queue"
    if not active:
        return Check(
            "cron",
            label,
            False,
            "The scheduled action 'Shopify: run sync jobs' is archived: nothing is sent to "
            "Shopify. Activate it in Settings > Technical > Scheduled Actions.",
        )
    return Check("cron", label, True, "The queue's scheduled action is active.")


SOURCES = {
    "config": "the Odoo configuration option synco_shopify_key",
    "environment": "the environment variable SYNCO_SHOPIFY_KEY",
    "key file": "a key file in Odoo's data directory (back it up with the filestore)",
}


def check_key(source, error):
    label = "Encryption key"
    if error:
        return Check("key", label, False, error)
    return Check("key", label, True, f"Configured, from {SOURCES.get(source, source)}.")


def check_failed_jobs(jobs):
    """``jobs``: the jobs failed for more than a day, as {id, name, error}."""
    label = "Failed jobs"
    if jobs:
        listed = "; ".join(f"{job['name']}: {job['error']}" for job in jobs[:5])
        more = f" and {len(jobs) - 5} more" if len(jobs) > 5 else ""
        return Check(
            "failed_jobs",
            label,
            False,
            f"{len(jobs)} job(s) failed more than a day ago ({listed}{more}): fix the cause, "
            f"then Retry or Cancel them on {JOBS_MENU}.",
        )
    return Check("failed_jobs", label, True, "No job has been failing for more than a day.")


def launch_checks(facts):
    """Every check, in the order a merchant fixes them."""
    return [
        check_credentials(facts.get("shop_error"), facts.get("seen_domain"), facts["shop_domain"]),
        check_scopes(facts.get("granted_scopes"), facts["required_scopes"]),
        check_locations(
            facts.get("locations"),
            facts.get("mappings") or {},
            facts.get("company"),
            facts.get("per_location", False),
        ),
        check_carriers(facts.get("unmapped_carriers") or []),
        check_webhooks(
            facts.get("webhook_address"),
            facts.get("webhook_address_error"),
            facts.get("webhook_topics") or [],
            facts.get("subscriptions"),
        ),
        check_cron(facts.get("cron_active", False)),
        check_key(facts.get("key_source"), facts.get("key_error")),
        check_failed_jobs(facts.get("failed_jobs") or []),
    ]


def html_table(headers, rows, row_classes=None):
    """A small Bootstrap table; every cell is escaped."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr{}>{}</tr>".format(
            f' class="{row_classes[i]}"' if row_classes and row_classes[i] else "",
            "".join(f"<td>{escape(str(cell))}</td>" for cell in row),
        )
        for i, row in enumerate(rows)
    )
    return (
        '<table class="table table-sm o_synco_table"><thead><tr>'
        f"{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def checks_table(checks):
    return html_table(
        ["", "Check", "What to do"],
        [("OK" if c.ok else "FIX", c.label, c.message) for c in checks],
        ["table-success" if c.ok else "table-danger" for c in checks],
    )


def failures_table(groups):
    """``groups``: (reason, count) of the failed jobs, most frequent first."""
    rows = sorted(groups, key=lambda g: (-g[1], g[0] or ""))
    return html_table(["Reason", "Jobs"], [(reason or "(none)", count) for reason, count in rows])
