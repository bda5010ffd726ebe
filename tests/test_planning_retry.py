"""Which failures pause a whole shop, and how often its probe asks again."""

import pytest
import requests

from synco_shopify.planning import retry
from synco_shopify.shopify import classify
from synco_shopify.shopify.errors import AccessDeniedError, RetryableError

COMMON = {"operation": "SyncoShop", "secrets": ()}


def _status(status):
    return classify.http_status_error(status, {}, "", path="/", now=0, mutation=False, **COMMON)


def _grant(status):
    return classify.grant_error(status, {}, "invalid_client", client_id="x", now=0, secrets=())


def _transport(exc):
    return classify.transport_error(
        exc, timeout=5, operation="SyncoShop", mutation=True, base_url="http://x", secrets=()
    )


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (_status(503), "unreachable"),
        (_status(500), "unreachable"),
        (_transport(requests.ConnectionError("refused")), "unreachable"),
        (_transport(requests.ConnectTimeout("slow")), "unreachable"),
        (_transport(requests.ReadTimeout("slow")), "unreachable"),
        (_status(401), "credentials"),
        (_grant(401), "credentials"),
        (_grant(400), "credentials"),
        (_grant(403), "credentials"),
        (_grant(503), "unreachable"),
        # Shopify answered: about this call, not the shop.
        (_status(429), None),
        (_status(403), None),
        (_status(404), None),
        (RetryableError("Shopify reported an internal error", code="internal"), None),
        (AccessDeniedError("no scope", missing_scopes=["write_orders"]), None),
        (ValueError("a bug"), None),
    ],
)
def test_pause_reason(error, reason):
    assert retry.pause_reason(error) == reason


def test_probe_asks_again_within_seconds_then_every_five_however_long():
    delays = [retry.probe_delay(n) for n in range(50)]
    assert delays[:4] == [1.0, 2.0, 3.0, 5.0]
    assert set(delays[4:]) == {5.0}
    assert delays == sorted(delays)
