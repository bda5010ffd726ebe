"""Signed webhook delivery from a background thread.

The store only *queues* (so a GraphQL answer never waits on a receiver);
one worker thread posts each delivery, retrying non-2xx answers and
timeouts on ``config.webhook_retry_schedule``. Retries and requested
duplicates reuse the delivery's ``X-Shopify-Webhook-Id``, which is what a
receiver must dedupe on. The HMAC code here is deliberately independent
of the addon's client code, so that a bug cannot hide on both sides.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

LOOPBACK_HOSTS = ("localhost", "::1")

_logger = logging.getLogger(__name__)


def sign(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, raw body)): Shopify's X-Shopify-Hmac-Sha256."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Delivery:
    webhook_id: str
    event_id: str
    topic: str
    uri: str
    body: bytes
    headers: dict
    generation: int
    attempt: int = 0
    copy: int = 0
    log: list = field(default_factory=list)


class Dispatcher:
    def __init__(self, store):
        self.store = store
        self.log: list[dict] = []
        self._heap: list = []
        self._seq = itertools.count()
        self._busy = 0
        self._generation = 0
        self._stopping = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._work, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    # --------------------------------------------------------------- queue
    def enqueue(self, topic: str, payload: dict, uri: str | None = None, duplicates: int = 0):
        """Queue one delivery per subscription of ``topic`` (or to ``uri``); returns them."""
        cfg = self.store.config
        uris = [uri] if uri else [s.uri for s in self.store.subscriptions_for(topic)]
        if not uris:
            return []
        body = json.dumps(payload, separators=(",", ":")).encode()
        secret = cfg.previous_client_secret if cfg.sign_with_previous else cfg.client_secret
        event_id = str(uuid.uuid4())
        triggered = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        created = []
        with self._cond:
            for target in uris:
                webhook_id = str(uuid.uuid4())
                headers = {
                    "Content-Type": "application/json",
                    "User-Agent": "Shopify-Captain-Hook",
                    "X-Shopify-Topic": topic,
                    "X-Shopify-Hmac-Sha256": sign(secret or "", body),
                    "X-Shopify-Shop-Domain": cfg.shop_domain,
                    "X-Shopify-API-Version": cfg.webhook_api_version or cfg.newest_version,
                    "X-Shopify-Webhook-Id": webhook_id,
                    "X-Shopify-Event-Id": event_id,
                    "X-Shopify-Triggered-At": triggered,
                }
                for copy in range(1 + max(int(duplicates), 0)):
                    delivery = Delivery(
                        webhook_id,
                        event_id,
                        topic,
                        target,
                        body,
                        headers,
                        self._generation,
                        copy=copy,
                    )
                    heapq.heappush(self._heap, (time.monotonic(), next(self._seq), delivery))
                    created.append(delivery)
            self._cond.notify_all()
        return created

    def clear(self) -> None:
        """Forget queued deliveries and the log (admin reset)."""
        with self._cond:
            self._heap.clear()
            self.log = []
            self._generation += 1
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued or in flight; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._heap and not self._busy, timeout)

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._busy

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    # -------------------------------------------------------------- worker
    def _next_due(self):
        while not self._stopping:
            now = time.monotonic()
            if self._heap and self._heap[0][0] <= now:
                self._busy += 1
                return heapq.heappop(self._heap)[2]
            wait = self._heap[0][0] - now if self._heap else None
            self._cond.wait(wait)
        return None

    def _work(self) -> None:
        while True:
            with self._cond:
                delivery = self._next_due()
            if delivery is None:
                return
            try:
                status, error = self._post(delivery)
            except Exception as exc:  # a bug must not kill the worker
                status, error = None, f"{type(exc).__name__}: {exc}"
            given_up = False
            with self._cond:
                self._busy -= 1
                if delivery.generation == self._generation:
                    given_up = self._record(delivery, status, error)
                self._cond.notify_all()
            if given_up and self.store.config.drop_failing_subscriptions:
                # Outside the queue's lock: the store's lock comes first elsewhere.
                with self.store.lock:
                    self.store.drop_subscriptions(delivery.topic, delivery.uri)

    def _record(self, delivery: Delivery, status, error) -> bool:
        """Log an attempt, schedule the next; True when it was the last."""
        delivery.attempt += 1
        ok = status is not None and 200 <= status < 300
        entry = {
            "webhook_id": delivery.webhook_id,
            "event_id": delivery.event_id,
            "topic": delivery.topic,
            "uri": delivery.uri,
            "attempt": delivery.attempt,
            "copy": delivery.copy,
            "status": status,
            "error": error,
            "ok": ok,
            "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        }
        self.log.append(entry)
        _logger.info("webhook %(webhook_id)s %(topic)s -> %(uri)s: %(status)s %(error)s", entry)
        schedule = list(self.store.config.webhook_retry_schedule)
        if not ok and delivery.attempt <= len(schedule):
            due = time.monotonic() + float(schedule[delivery.attempt - 1])
            heapq.heappush(self._heap, (due, next(self._seq), delivery))
        return not ok and delivery.attempt > len(schedule)

    def _post(self, delivery: Delivery):
        if not delivery.uri.startswith(("http://", "https://")):
            return None, "unsupported uri scheme"
        # A sandbox talks to this machine only: a subscription to any other
        # host (tests register https://example.com/...) is logged, not sent.
        host = urllib.parse.urlsplit(delivery.uri).hostname or ""
        if host not in LOOPBACK_HOSTS and not host.startswith("127."):
            return None, f"not delivered: {host} is not on this machine"
        request = urllib.request.Request(
            delivery.uri, data=delivery.body, headers=delivery.headers, method="POST"
        )
        timeout = float(self.store.config.webhook_timeout)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, None
        except urllib.error.HTTPError as exc:
            return exc.code, None
        except (OSError, urllib.error.URLError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
