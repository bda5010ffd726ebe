"""Sandbox configuration and the controllable clock.

Kept apart from the store so that ``reset`` can restore exactly the
configuration the server was started with.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import asdict, dataclass, field, fields

ALL_SCOPES = [
    "read_orders",
    "write_orders",
    "read_locations",
    "read_products",
    "read_customers",
    "read_fulfillments",
    "write_fulfillments",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_third_party_fulfillment_orders",
    "write_third_party_fulfillment_orders",
    "read_assigned_fulfillment_orders",
    "write_assigned_fulfillment_orders",
    "read_returns",
    "write_returns",
]

SUPPORTED_VERSIONS = ["2026-01", "2026-04", "2026-07", "2026-10"]


@dataclass
class SandboxConfig:
    shop_name: str = "Acme Demo"
    shop_domain: str = "acme.myshopify.com"
    shop_email: str = "owner@acme.example"
    currency: str = "USD"
    taxes_included: bool = False
    timezone: str = "America/New_York"
    scopes: list[str] = field(default_factory=lambda: list(ALL_SCOPES))
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    # The secret before a rotation: still accepted by the token grant, and
    # used to sign webhooks while ``sign_with_previous`` is true.
    previous_client_secret: str | None = None
    sign_with_previous: bool = False
    access_token: str | None = "shpat_sandbox_token"
    token_ttl: float = 86399
    api_versions: list[str] = field(default_factory=lambda: list(SUPPORTED_VERSIONS))
    bucket_maximum: float = 2000
    bucket_restore_rate: float = 100
    # Shopify refuses any single query whose requested cost exceeds 1000.
    max_query_cost: int | None = 1000
    webhook_retry_schedule: list[float] = field(default_factory=lambda: [1.0, 2.0, 4.0])
    webhook_timeout: float = 5.0
    webhook_api_version: str | None = None
    # Shopify deletes a subscription whose deliveries keep failing: when
    # true, a delivery that exhausts webhook_retry_schedule drops its
    # subscription (off by default, so that a test's failed delivery keeps it).
    drop_failing_subscriptions: bool = False
    # Shopify announces a fulfillment the app itself created through the
    # Admin API like any other (fulfillments/create, orders/fulfilled or
    # partially_fulfilled, orders/updated): the app's own "echo". False: it
    # announces none of them, a baseline for measuring what the echo costs.
    echo_app_fulfillments: bool = True

    def update(self, values: dict) -> None:
        """Apply admin-API style keys; unknown keys raise ValueError."""
        values = dict(values)
        aliases = {
            "name": "shop_name",
            "domain": "shop_domain",
            "email": "shop_email",
            "currency_code": "currency",
            "previous": "previous_client_secret",
        }
        bucket = values.pop("bucket", None) or {}
        if "maximum" in bucket:
            values["bucket_maximum"] = bucket["maximum"]
        if "restore_rate" in bucket:
            values["bucket_restore_rate"] = bucket["restore_rate"]
        known = {f.name: f for f in fields(self)}
        for key, value in values.items():
            key = aliases.get(key, key)
            if key not in known:
                raise ValueError(f"unknown config key: {key}")
            if value is None and key in ("scopes", "api_versions", "webhook_retry_schedule"):
                value = known[key].default_factory()  # None: back to the default list
            setattr(self, key, value)

    def copy(self) -> SandboxConfig:
        return copy.deepcopy(self)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def newest_version(self) -> str:
        return sorted(self.api_versions)[-1]

    def served_version(self, requested: str) -> str:
        """Shopify serves an unsupported version as its oldest supported one."""
        if requested in self.api_versions:
            return requested
        return sorted(self.api_versions)[0]


class Clock:
    """Monotonic seconds plus an offset tests can advance."""

    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds
