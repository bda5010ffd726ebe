"""The launch checks: plain facts about a shop in, one verdict per check out.

The Odoo wizard gathers the facts with reads only (Shopify queries and the
database); each function here turns them into a ``Check`` whose message says
exactly what to fix. Nothing here imports Odoo.
"""

from dataclasses import dataclass
from html import escape

from . import notes
from .notes import Note, _lt, note, render

LOCATIONS_MENU = "Inventory > Configuration > Shopify > Locations"
CARRIERS_MENU = "Inventory > Configuration > Delivery > Shipping Methods"
JOBS_MENU = "Inventory > Configuration > Shopify > Jobs"
LISTED_JOBS = 5
KEY_SOURCES = {
    "config": "launch.key.config",
    "environment": "launch.key.environment",
    "key file": "launch.key.file",
}

TEXTS = notes.register(
    {
        "launch.label.credentials": _lt("Credentials"),
        "launch.label.scopes": _lt("Access scopes"),
        "launch.label.locations": _lt("Locations"),
        "launch.label.carriers": _lt("Carriers"),
        "launch.label.webhooks": _lt("Webhooks"),
        "launch.label.cron": _lt("Job queue"),
        "launch.label.key": _lt("Encryption key"),
        "launch.label.failed_jobs": _lt("Failed jobs"),
        "launch.label.server": _lt("Server"),
        "launch.unknown": _lt("Unknown until the credentials work."),
        "launch.problems": _lt("%(parts)s."),
        "launch.credentials_ok": _lt("Shopify answers as %(shop_domain)s."),
        "launch.scopes_ok": _lt("All %(count)s required scopes are granted."),
        "launch.location_unsynced": _lt(
            "Location '%(name)s' is not in Odoo: press Sync Locations on the shop, then pick "
            "its warehouse on %(menu)s"
        ),
        "launch.location_no_warehouse": _lt(
            "Location '%(name)s' has no warehouse: pick one on %(menu)s"
        ),
        "launch.location_other_company": _lt(
            "Location '%(name)s' is mapped to warehouse '%(warehouse)s' of %(other)s, not of "
            "the shop's company %(company)s: pick a warehouse of %(company)s on %(menu)s"
        ),
        "launch.location_no_direction": _lt(
            "Location '%(name)s' has no fulfillment direction: choose who leads it on %(menu)s"
        ),
        "launch.locations_ok": _lt("All %(count)s active locations are mapped to a warehouse."),
        "launch.carriers_unmapped": _lt(
            "No Shopify tracking company on %(names)s: set one on %(menu)s, or Shopify shows "
            "the carrier's Odoo name without a tracking link."
        ),
        "launch.carriers_ok": _lt("Every carrier of the last 30 days' orders has a Shopify name."),
        "launch.webhooks_missing": _lt(
            "Not subscribed at %(address)s: %(missing)s. Press Register Webhooks on the shop."
        ),
        "launch.webhooks_elsewhere": _lt(
            "Not subscribed at %(address)s: %(missing)s (%(elsewhere)s point at another "
            "address). Press Register Webhooks on the shop."
        ),
        "launch.webhooks_ok": _lt("All %(count)s topics are sent to %(address)s."),
        "launch.cron_archived": _lt(
            "The scheduled action 'Shopify: run sync jobs' is archived: nothing is sent to "
            "Shopify. Activate it in Settings > Technical > Scheduled Actions."
        ),
        "launch.cron_ok": _lt("The queue's scheduled action is active."),
        "launch.key.config": _lt(
            "Configured, from the Odoo configuration option synco_shopify_key."
        ),
        "launch.key.environment": _lt(
            "Configured, from the environment variable SYNCO_SHOPIFY_KEY."
        ),
        "launch.key.file": _lt(
            "Configured, from a key file in Odoo's data directory (back it up with the filestore)."
        ),
        "launch.key.other": _lt("Configured, from %(origin)s."),
        "launch.failed_jobs": _lt(
            "%(count)s job(s) failed more than a day ago (%(listed)s): fix the cause, then "
            "Retry or Cancel them on %(menu)s."
        ),
        "launch.failed_jobs_more": _lt(
            "%(count)s job(s) failed more than a day ago (%(listed)s and %(more)s more): fix "
            "the cause, then Retry or Cancel them on %(menu)s."
        ),
        "launch.failed_jobs_ok": _lt("No job has been failing for more than a day."),
        "launch.label.fulfillment_service": _lt("Fulfillment service"),
        "launch.fsvc_no_location": _lt(
            "Shopify no longer lists the service's location (id %(location)s): register the "
            "fulfillment service again"
        ),
        "launch.fsvc_no_warehouse": _lt(
            "The service's location '%(location)s' has no warehouse: pick one on %(menu)s"
        ),
        "launch.fsvc_not_odoo_led": _lt(
            "The service's location '%(location)s' is not Odoo-led: choose Odoo-led on %(menu)s"
        ),
        "launch.fsvc_scopes": _lt(
            "Shopify did not grant %(scopes)s: Odoo cannot read or answer its fulfillment requests"
        ),
        "launch.fsvc_stale": _lt(
            "Fulfillment requests were last read %(when)s: activate the scheduled action "
            "'Shopify: read fulfillment service requests'"
        ),
        "launch.fsvc_ok": _lt(
            "Registered: location '%(location)s' ships from warehouse '%(warehouse)s', Odoo-led; "
            "%(waiting)s request(s) waiting for an answer."
        ),
        "launch.table.ok": _lt("OK"),
        "launch.table.fix": _lt("FIX"),
        "launch.table.check": _lt("Check"),
        "launch.table.todo": _lt("What to do"),
        "launch.table.reason": _lt("Reason"),
        "launch.table.jobs": _lt("Jobs"),
        "launch.table.no_reason": _lt("(none)"),
    }
)


@dataclass(frozen=True)
class Check:
    """``label`` and ``message``: Notes (``rendered`` makes them text); a
    message that came worded from elsewhere is plain text."""

    key: str
    label: Note | str
    ok: bool
    message: Note | str

    def rendered(self, translate=None):
        """This check with its label and message as text."""
        return Check(
            self.key, render(self.label, translate), self.ok, render(self.message, translate)
        )


def check(key, ok, message):
    """A Check of ``key``; ``message``: a Note, or text worded elsewhere."""
    return Check(key, note(f"launch.label.{key}"), ok, message)


def problems(key, parts):
    """A failed Check listing ``parts`` (Notes), or None when there are none."""
    return check(key, False, Note("launch.problems", parts=tuple(parts))) if parts else None


def check_credentials(connection, shop_domain):
    """``connection``: the verdict of ``connection.verify`` or ``failed``."""
    problem = connection.credentials or connection.version
    if problem:
        return check("credentials", False, problem)
    return check("credentials", True, note("launch.credentials_ok", shop_domain=shop_domain))


def check_scopes(connection, required):
    if connection.granted is None:
        return check("scopes", False, note("launch.unknown"))
    if connection.scopes:
        return check("scopes", False, connection.scopes)
    if connection.waiting:
        return check("scopes", True, connection.waiting)
    return check("scopes", True, note("launch.scopes_ok", count=len(required)))


def check_locations(remote, mappings, company, per_location):
    """``remote``: the active Shopify locations ({id, name}), None when
    unknown; ``mappings``: Shopify location id -> {warehouse, company,
    direction} of the active mappings; ``company``: the shop's company name."""
    if remote is None:
        return check("locations", False, note("launch.unknown"))
    found = []
    for location in remote:
        mapping = mappings.get(str(location["id"]))
        values = {"name": location["name"], "menu": LOCATIONS_MENU}
        if mapping is None:
            found.append(note("launch.location_unsynced", **values))
        elif not mapping.get("warehouse"):
            found.append(note("launch.location_no_warehouse", **values))
        elif mapping.get("company") != company:
            found.append(
                note(
                    "launch.location_other_company",
                    warehouse=mapping["warehouse"],
                    other=mapping.get("company"),
                    company=company,
                    **values,
                )
            )
        elif per_location and not mapping.get("direction"):
            found.append(note("launch.location_no_direction", **values))
    return problems("locations", found) or check(
        "locations", True, note("launch.locations_ok", count=len(remote))
    )


def check_carriers(unmapped):
    """``unmapped``: names of the carriers on recent orders that have no
    Shopify tracking company."""
    if unmapped:
        names = ", ".join(f"'{name}'" for name in sorted(unmapped))
        return check(
            "carriers", False, note("launch.carriers_unmapped", names=names, menu=CARRIERS_MENU)
        )
    return check("carriers", True, note("launch.carriers_ok"))


def check_webhooks(address, address_error, wanted, subscriptions):
    """``address``: where Shopify must post (None with ``address_error``);
    ``wanted``: GraphQL topics; ``subscriptions``: the app's ({topic, uri}),
    None when unknown."""
    if address_error:
        return check("webhooks", False, address_error)
    if subscriptions is None:
        return check("webhooks", False, note("launch.unknown"))
    here = {sub["topic"] for sub in subscriptions if sub["uri"] == address}
    elsewhere = {sub["topic"] for sub in subscriptions if sub["uri"] != address} - here
    missing = [topic for topic in wanted if topic not in here]
    if not missing:
        return check(
            "webhooks", True, note("launch.webhooks_ok", count=len(wanted), address=address)
        )
    where = ", ".join(t for t in missing if t in elsewhere)
    return check(
        "webhooks",
        False,
        note(
            "launch.webhooks_elsewhere" if where else "launch.webhooks_missing",
            address=address,
            missing=", ".join(missing),
            elsewhere=where,
        ),
    )


def check_cron(active):
    return check("cron", bool(active), note("launch.cron_ok" if active else "launch.cron_archived"))


def check_key(source, error):
    if error:
        return check("key", False, error)
    code = KEY_SOURCES.get(source, "launch.key.other")
    return check("key", True, note(code, origin=source))


def check_failed_jobs(jobs):
    """``jobs``: the jobs failed for more than a day, as {id, name, error}."""
    if not jobs:
        return check("failed_jobs", True, note("launch.failed_jobs_ok"))
    listed = "; ".join(f"{job['name']}: {job['error']}" for job in jobs[:LISTED_JOBS])
    more = len(jobs) - LISTED_JOBS
    return check(
        "failed_jobs",
        False,
        note(
            "launch.failed_jobs_more" if more > 0 else "launch.failed_jobs",
            count=len(jobs),
            listed=listed,
            menu=JOBS_MENU,
            more=more,
        ),
    )


def check_fulfillment_service(service, remote, granted):
    """``service``: the shop's fulfillment service ({location_id,
    location_name, warehouse, odoo_led, scopes, read_recently, last_read,
    waiting}); ``remote``: the active Shopify locations (None when unknown);
    ``granted``: the granted scopes (None when unknown)."""
    values = {"location": service["location_name"], "menu": LOCATIONS_MENU}
    found = []
    if remote is not None and str(service["location_id"]) not in {
        str(location["id"]) for location in remote
    }:
        found.append(note("launch.fsvc_no_location", location=service["location_id"]))
    if not service.get("warehouse"):
        found.append(note("launch.fsvc_no_warehouse", **values))
    elif not service.get("odoo_led"):
        found.append(note("launch.fsvc_not_odoo_led", **values))
    if granted is not None:
        have = set(granted)
        missing = [
            scope
            for scope in service.get("scopes") or ()
            if scope not in have and scope.replace("read_", "write_", 1) not in have
        ]
        if missing:
            found.append(note("launch.fsvc_scopes", scopes=", ".join(missing)))
    if not service.get("read_recently"):
        found.append(note("launch.fsvc_stale", when=service.get("last_read") or "never"))
    return problems("fulfillment_service", found) or check(
        "fulfillment_service",
        True,
        note(
            "launch.fsvc_ok",
            location=service["location_name"],
            warehouse=service["warehouse"],
            waiting=service.get("waiting", 0),
        ),
    )


def launch_checks(facts):
    """Every check, in the order a merchant fixes them; ``connection`` is
    the verdict on the credentials (see ``connection``)."""
    connection = facts["connection"]
    return [
        check_credentials(connection, facts["shop_domain"]),
        check_scopes(connection, facts["required_scopes"]),
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
    ] + (
        [
            check_fulfillment_service(
                facts["fulfillment_service"], facts.get("locations"), connection.granted
            )
        ]
        if facts.get("fulfillment_service")
        else []
    )


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


def checks_table(checks, translate=None):
    """The checks as a table, in the reader's language (``translate``:
    Odoo's ``env._``; None gives English)."""
    text = [c.rendered(translate) for c in checks]
    ok, fix = (render(note(code), translate) for code in ("launch.table.ok", "launch.table.fix"))
    return html_table(
        [
            "",
            *(
                render(note(code), translate)
                for code in ("launch.table.check", "launch.table.todo")
            ),
        ],
        [(ok if c.ok else fix, c.label, c.message) for c in text],
        ["table-success" if c.ok else "table-danger" for c in text],
    )


def failures_table(groups, translate=None):
    """``groups``: (reason, count) of the failed jobs, most frequent first."""
    rows = sorted(groups, key=lambda g: (-g[1], g[0] or ""))
    none = render(note("launch.table.no_reason"), translate)
    return html_table(
        [render(note(code), translate) for code in ("launch.table.reason", "launch.table.jobs")],
        [(reason or none, count) for reason, count in rows],
    )
