"""``python -m shopify_sandbox``: run a sandbox until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import SandboxServer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shopify_sandbox")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", choices=["demo", "empty"], default="demo")
    parser.add_argument("--shop-domain")
    parser.add_argument("--client-id")
    parser.add_argument("--client-secret")
    parser.add_argument("--access-token")
    parser.add_argument(
        "--max-query-cost", type=int, help="single-query cost limit (Shopify: 1000); 0 = none"
    )
    args = parser.parse_args(argv)
    config = {
        key: value
        for key, value in {
            "shop_domain": args.shop_domain,
            "client_id": args.client_id,
            "client_secret": args.client_secret,
            "access_token": args.access_token,
        }.items()
        if value is not None
    }
    if args.max_query_cost is not None:
        config["max_query_cost"] = args.max_query_cost or None  # 0: no limit
    server = SandboxServer(host=args.host, port=args.port, seed=args.seed, **config).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"synco sandbox listening on {server.url}", flush=True)
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
