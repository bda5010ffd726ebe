"""Time Odoo's fulfillment service notification endpoint, as Shopify sees it.

    scripts/run.sh &      # Odoo on :8069 with the demo shop (its secret below)
    .venv/bin/python scripts/bench_fsvc_notification.py \\
        [--url http://127.0.0.1:8069] [--secret sandbox-client-secret] \\
        [--domain acme.myshopify.com] [--requests 200]

Posts ``{"kind": "FULFILLMENT_REQUEST"}`` signed with the shop's client
secret to ``/synco_shopify/fulfillment_service/fulfillment_order_notification``
from one keep-alive sender: new notifications (each stored and queued), one
notification replayed with the same ``X-Shopify-Webhook-Id`` (a duplicate),
and a bad signature (refused). Prints the statuses and p50/p95/max answer
times per kind, and the load average. Not a test: Shopify wants an answer
within 5 seconds; the endpoint is expected to answer in milliseconds. Each new
notification queues one read of Shopify (deduplicated while it waits).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import statistics
import time

import requests

ROUTE = "/synco_shopify/fulfillment_service/fulfillment_order_notification"
BODY = b'{"kind":"FULFILLMENT_REQUEST"}'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--secret", default="sandbox-client-secret")
    parser.add_argument("--domain", default="acme.myshopify.com")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    digest = hmac.new(args.secret.encode(), BODY, hashlib.sha256).digest()
    signature = base64.b64encode(digest).decode()
    session = requests.Session()

    def post(**extra):
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": args.domain,
            **extra,
        }
        start = time.perf_counter()
        response = session.post(args.url + ROUTE, data=BODY, headers=headers, timeout=30)
        return response.status_code, (time.perf_counter() - start) * 1000

    post()  # warm: the first request builds Odoo's routing map
    kinds = {
        "new notification": {},
        "replayed (same delivery id)": {"X-Shopify-Webhook-Id": "bench-replayed"},
        "bad signature": {"X-Shopify-Hmac-Sha256": "bad"},
    }
    for label, extra in kinds.items():
        statuses, times = set(), []
        for _ in range(args.requests):
            status, ms = post(**extra)
            statuses.add(status)
            times.append(ms)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{label}: statuses {sorted(statuses)}, n={len(times)}, "
            f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
        )
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
