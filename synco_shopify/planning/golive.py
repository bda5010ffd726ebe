"""Going live: which Shopify orders the open-orders import asks for, and
what its jobs' ends add up to. Plain data in, plain data out."""

from dataclasses import dataclass


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
