"""Which failures pause a whole shop, and how often its probe asks again."""

import pytest
import requests

from synco_shopify.queue import policy
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
    assert policy.pause_reason(error) == reason


def test_probe_asks_again_within_seconds_then_every_five_however_long():
    delays = [policy.probe_delay(n) for n in range(50)]
    assert delays[:4] == [1.0, 2.0, 3.0, 5.0]
    assert set(delays[4:]) == {5.0}
    assert delays == sorted(delays)


class _PgError(Exception):
    """Stands in for a psycopg2 error: its SQLSTATE as ``pgcode``."""

    def __init__(self, pgcode):
        super().__init__(f"pg {pgcode}")
        self.pgcode = pgcode


@pytest.mark.parametrize("pgcode", ["40001", "40P01", "55P03"])
def test_a_transient_database_conflict_is_retried_with_the_backoff(pgcode):
    outcome = policy.after_exception(_PgError(pgcode), 1, 8, rng=lambda: 0.5)
    assert outcome == policy.Outcome("pending", 10.0)
    assert policy.after_exception(_PgError(pgcode), 8, 8).state == "failed"


@pytest.mark.parametrize(
    "error",
    [KeyError("fulfillment_id"), ValueError("a bug"), _PgError("23505"), RuntimeError()],
)
def test_an_exception_the_policy_does_not_know_fails_at_once(error):
    assert policy.after_exception(error, 1, 8) == policy.Outcome("failed")
    assert not policy.is_expected(error)


def test_known_outcomes_of_a_handler():
    retryable = RetryableError("Shopify reported an internal error", code="internal")
    assert policy.after_exception(retryable, 1, 8, rng=lambda: 0.5).state == "pending"
    assert policy.after_exception(policy.RetryLater("on hold", 600), 1, 8) == policy.Outcome(
        "pending", 600.0, counts=False
    )
    assert policy.after_exception(policy.NeedsAttention("map it"), 1, 8).state == "failed"
    assert all(
        policy.is_expected(e) for e in (retryable, policy.NeedsAttention("x"), _PgError("40001"))
    )
