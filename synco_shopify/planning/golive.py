"""Going live: which Shopify orders the open-orders import asks for, and
what its jobs' ends add up to. Plain data in, plain data out."""

from dataclasses import dataclass

from . import notes
from .notes import _lt, note

# The guided go-live, in order: (key, label). The shop's step is the first
# one whose facts are not there yet; "live" when none is missing. Plain
# labels: Odoo translates a selection's labels itself.
STEPS = [
    ("connect", "Connect"),
    ("locations", "Locations"),
    ("carriers", "Carriers"),
    ("webhooks", "Webhooks"),
    ("orders", "Open Orders"),
    ("launch", "Launch Checks"),
    ("live", "Live"),
]

TEXTS = notes.register(
    {
        "golive.connect": _lt(
            "Enter the store's domain and the app's credentials, then press Test Connection."
        ),
        "golive.connect_error": _lt("The connection failed: %(message)s"),
        "golive.no_locations": _lt("Press Sync Locations to read the store's locations."),
        "golive.unmapped": _lt(
            "Choose a warehouse (and who leads) for each Shopify location in the Locations "
            "tab: %(names)s."
        ),
        "golive.carriers": _lt(
            "Give these carriers their Shopify name (Carriers), so Shopify shows the tracking "
            "link: %(names)s."
        ),
        "golive.webhooks": _lt("Press Register Webhooks so Shopify tells Odoo what changes."),
        "golive.webhooks_moved": _lt(
            "Odoo's address changed since the webhooks were registered: press Register "
            "Webhooks again."
        ),
        "golive.orders": _lt(
            "Press Import Open Orders to bring in the orders still to ship from Shopify."
        ),
        "golive.orders_running": _lt("The open orders are being imported: %(summary)s"),
        "golive.launch": _lt("Run the Launch Checks; every one must pass."),
    }
)


def golive_step(facts):
    """``(step key, Note of what is missing)`` from the shop's ``facts``:
    ``connected``, ``connection_error``, ``locations`` (names of active
    Shopify locations), ``unmapped`` (those without a warehouse),
    ``carriers`` (names without a Shopify name), ``webhooks`` (registered
    to this Odoo's address), ``webhooks_moved``, ``orders`` ("done",
    "running" or None) with ``orders_summary``, ``launch_ok``."""
    if not facts.get("connected"):
        if facts.get("connection_error"):
            return "connect", note("golive.connect_error", message=facts["connection_error"])
        return "connect", note("golive.connect")
    if not facts.get("locations"):
        return "locations", note("golive.no_locations")
    if facts.get("unmapped"):
        return "locations", note("golive.unmapped", names=", ".join(facts["unmapped"]))
    if facts.get("carriers"):
        return "carriers", note("golive.carriers", names=", ".join(facts["carriers"]))
    if not facts.get("webhooks"):
        code = "golive.webhooks_moved" if facts.get("webhooks_moved") else "golive.webhooks"
        return "webhooks", note(code)
    if facts.get("orders") != "done":
        if facts.get("orders") == "running":
            return "orders", note("golive.orders_running", summary=facts.get("orders_summary"))
        return "orders", note("golive.orders")
    if not facts.get("launch_ok"):
        return "launch", note("golive.launch")
    return "live", None


def open_orders_query(since):
    """Shopify's search for orders placed since ``since`` (a datetime in
    UTC) that are open and not (or not wholly) fulfilled: what the warehouse
    still has to ship. Fulfilled orders stay out (they shipped before the
    shop went live), and so do cancelled and archived ones."""
    return (
        f"created_at:>='{since.strftime('%Y-%m-%dT%H:%M:%SZ')}' status:open "
        "(fulfillment_status:unshipped OR fulfillment_status:partial)"
    )


@dataclass
class Progress:
    queued: int = 0  # import jobs asked for
    waiting: int = 0  # not run yet, or running
    imported: int = 0
    skipped: int = 0  # by design: a test order, cancelled, fulfilled meanwhile, already here
    attention: int = 0  # failed or waiting for a person

    @property
    def finished(self):
        return not self.waiting


def progress(jobs):
    """The counts of an import run from its jobs, each a dict with the
    job's ``state``, ``needs_attention`` and ``result``."""
    counts = Progress(queued=len(jobs))
    for job in jobs:
        result = job.get("result") or ""
        if job["state"] == "failed" or job.get("needs_attention"):
            counts.attention += 1
        elif job["state"] in ("pending", "running"):
            counts.waiting += 1
        elif job["state"] == "done" and result.startswith(("imported", "already")):
            counts.imported += 1
        else:
            counts.skipped += 1
    return counts
