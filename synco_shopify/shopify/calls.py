"""The record of one HTTP call to Shopify: what the client logs and hands
to its ``on_call`` (the addon's call log), secrets already redacted."""

import logging
import urllib.parse

_logger = logging.getLogger(__name__)


def new_record(operation, url):
    """A call to ``url`` before it is sent; the client fills it in."""
    return {
        "operation": operation,
        "path": urllib.parse.urlsplit(url).path,
        "status": None,
        "duration_ms": None,
        "requested_cost": None,
        "actual_cost": None,
        "available": None,
        "outcome": "ok",
        "error": None,
    }


def report(record, on_call):
    """Log the finished call and give it to ``on_call`` (None: nobody)."""
    _logger.debug(
        "shopify %s: http %s in %s ms, cost %s/%s, available %s, %s",
        record["operation"],
        record["status"],
        record["duration_ms"],
        record["actual_cost"],
        record["requested_cost"],
        record["available"],
        record["outcome"],
    )
    if on_call is None:
        return
    try:
        on_call(record)
    except Exception:
        # A broken log sink must not turn a completed call into a failure.
        _logger.exception("shopify on_call callback failed for %s", record["operation"])
