"""The HTTP front: routing, auth, API versions, faults, and the server object.

One ``ThreadingHTTPServer`` on loopback. Concurrency is safe because every
GraphQL execution and admin call runs under the store's single lock;
faults that wait (``hang``) sleep outside it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import admin_api, engine, views
from .config import SandboxConfig
from .store import Store
from .webhooks import Dispatcher

_logger = logging.getLogger(__name__)

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
FAULT_KINDS = {
    "http_500",
    "http_503",
    "http_429",
    "http_401",
    "http_403",
    "hang",
    "drop_after_apply",
    "throttled",
}
GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>[^/]+)/graphql\.json$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "synco-sandbox"
    # Headers and body go out in two writes; without this, Nagle plus the
    # client's delayed ACK add ~40 ms to every keep-alive answer.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # keep test output quiet
        _logger.debug("%s " + fmt, self.address_string(), *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # ------------------------------------------------------------ plumbing
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload, headers: dict | None = None, ctype="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self):
        """Close the socket without a byte of answer: the client sees a connection error."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def setup(self):
        super().setup()
        self.server.sandbox.connections.add(self.connection)

    def finish(self):
        self.server.sandbox.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _dispatch(self, method: str):
        sandbox = self.server.sandbox
        path = urlsplit(self.path).path
        raw = self._body()
        if not path.startswith("/_sandbox/") and sandbox.down():
            # Shopify down: every Admin API and OAuth call answers 503.
            sandbox.calls.append(_call_entry(None, status=503, fault="outage"))
            return self._send(503, {"errors": "Service Unavailable"}, {"Retry-After": 1})
        if path.startswith("/_sandbox/"):
            try:
                body = json.loads(raw) if raw.strip() else {}
            except ValueError:
                return self._send(400, {"error": "body is not JSON"})
            status, payload = admin_api.dispatch(sandbox, method, path, body)
            return self._send(status, payload)
        match = GRAPHQL_PATH.match(path)
        if method == "POST" and match:
            return self._graphql(sandbox, match["version"], raw)
        if method == "POST" and path == "/admin/oauth/access_token":
            return self._token(sandbox, raw)
        if method == "GET" and path == "/":
            with sandbox.store.lock:
                page = views.status_page(sandbox.store).encode()
            return self._send(200, page, ctype="text/html; charset=utf-8")
        return self._send(404, {"errors": "Not Found"})

    # --------------------------------------------------------------- oauth
    def _token(self, sandbox, raw: bytes):
        params = dict(parse_qsl(urlsplit(self.path).query))
        if "json" in (self.headers.get("Content-Type") or ""):
            try:
                params.update(json.loads(raw or b"{}"))
            except ValueError:
                return self._send(400, {"error": "invalid_request"})
        else:
            params.update(parse_qsl(raw.decode("utf-8", "replace")))
        if params.get("grant_type") != "client_credentials":
            return self._send(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Only client_credentials is supported.",
                },
            )
        store = sandbox.store
        with store.lock:
            token = store.issue_token(params.get("client_id"), params.get("client_secret"))
            if token is None:
                return self._send(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "Client authentication failed.",
                    },
                )
            ttl = int(store.config.token_ttl)
            scope = ",".join(store.config.scopes)
        return self._send(200, {"access_token": token, "scope": scope, "expires_in": ttl})

    # ------------------------------------------------------------- graphql
    def _graphql(self, sandbox, version: str, raw: bytes):
        store = sandbox.store
        with store.lock:
            served = store.config.served_version(version)
            authorised = store.token_valid(self.headers.get("X-Shopify-Access-Token"))
        headers = {"X-Shopify-API-Version": served}
        call = _call_entry(served)
        sandbox.calls.append(call)
        if not authorised:
            call["status"] = 401
            return self._send(401, {"errors": INVALID_TOKEN}, headers)
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            call["status"] = 400
            return self._send(
                400, {"errors": {"query": "Required parameter missing or invalid"}}, headers
            )
        with store.lock:
            req = engine.prepare(body, store.config)
        call["operation_name"] = req.name
        call["root_fields"] = req.root_fields
        call["requested_cost"] = req.requested_cost
        fault = sandbox.take_fault(req)
        kind = fault["kind"] if fault else None
        call["fault"] = kind
        if kind == "hang":
            time.sleep(float(fault.get("seconds") or 10))
        if kind in ("http_500", "http_503", "http_429", "http_401", "http_403"):
            return self._fault_response(call, fault, headers)
        with store.lock:
            if kind == "throttled":
                result, was_throttled = engine.throttled(store, req), True
            else:
                result, was_throttled = engine.run(store, req)
        call["status"] = 200
        call["throttled"] = was_throttled
        cost = (result.get("extensions") or {}).get("cost") or {}
        call["actual_cost"] = cost.get("actualQueryCost")
        if kind == "drop_after_apply":
            call["status"] = None
            return self._drop()
        return self._send(200, result, headers)

    def _fault_response(self, call, fault, headers):
        kind = fault["kind"]
        status = int(kind[5:])
        call["status"] = status
        body = {
            500: {"errors": "Internal Server Error"},
            503: {"errors": "Service Unavailable"},
            429: {
                "errors": "Exceeded 2 calls per second for api client. "
                "Reduce request rates to resume uninterrupted service."
            },
            401: {"errors": INVALID_TOKEN},
            403: {
                "errors": "[API] This action requires merchant approval for the requested scope."
            },
        }[status]
        if status == 429:
            headers = {**headers, "Retry-After": fault.get("retry_after", 2)}
        return self._send(status, body, headers)


def _call_entry(api_version, status=None, fault=None):
    """A new line of the GraphQL call log."""
    return {
        "at": datetime.now(timezone.utc).isoformat(),
        "api_version": api_version,
        "operation_name": None,
        "root_fields": [],
        "status": status,
        "requested_cost": None,
        "actual_cost": None,
        "throttled": False,
        "fault": fault,
    }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that went away (timeout, hang fault) is normal here, not a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        _logger.exception("sandbox request from %s failed", client_address)


class SandboxServer:
    """A running fake shop: ``SandboxServer(port=0, **config).start()``."""

    def __init__(self, host="127.0.0.1", port=0, seed="empty", clock=None, **config):
        cfg = SandboxConfig()
        cfg.update(config)
        self.host, self.port, self.seed = host, port, seed
        self.store = Store(cfg, clock)
        self.dispatcher = Dispatcher(self.store)
        self.store.emit = self._emit
        self.store.post = lambda topic, payload, uri: self.dispatcher.enqueue(topic, payload, uri)
        self.faults: list[dict] = []
        self.calls: list[dict] = []
        self.connections: set = set()
        self.down_until = 0.0  # time.monotonic() until which every API call answers 503
        self.refusing_until = 0.0  # ... until which the port refuses connections
        self._httpd = None
        self._thread = None
        self.reset(seed)

    def _emit(self, topic, payload):
        self.dispatcher.enqueue(topic, payload)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        self._httpd = _HTTPServer((self.host, self.port), Handler)
        self._httpd.sandbox = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.1,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self.dispatcher.stop()

    def __enter__(self):
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc):
        self.stop()

    def reset(self, seed: str | None = None) -> None:
        with self.store.lock:
            self.dispatcher.clear()
            self.store.reset(seed or self.seed)
            self.faults.clear()
            self.calls.clear()
            self.down_until = 0.0

    # ------------------------------------------------------------- outages
    def down(self) -> bool:
        return time.monotonic() < self.down_until

    def go_down(self, seconds: float) -> None:
        """Answer 503 to every Admin API and OAuth call for ``seconds`` (0: back now)."""
        self.down_until = time.monotonic() + float(seconds)

    def refuse_connections(self, seconds: float) -> None:
        """Close the listening port and every open connection for ``seconds``,
        as a host that is gone: clients see "connection refused" (the admin
        API too), then the same port listens again."""
        self.refusing_until = time.monotonic() + float(seconds)
        threading.Thread(target=self._refuse, args=(float(seconds),), daemon=True).start()

    def _refuse(self, seconds: float) -> None:
        time.sleep(0.05)  # let the admin call that asked for it be answered
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        for conn in list(self.connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        time.sleep(max(self.refusing_until - time.monotonic(), 0))
        for _attempt in range(50):
            try:
                self.start()
                return
            except OSError:  # the port is still held for a moment
                time.sleep(0.1)
        _logger.error("sandbox: could not listen again on port %s", self.port)

    def add_fault(self, spec: dict) -> dict:
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        fault = {
            "kind": kind,
            "count": int(spec.get("count", 1)),
            "match": spec.get("match"),
            "retry_after": spec.get("retry_after", 2),
            "seconds": spec.get("seconds", 10),
        }
        with self.store.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, req) -> dict | None:
        """The first fault matching this call (by operation name or root field), consumed."""
        with self.store.lock:
            for fault in self.faults:
                match = fault["match"]
                if match and match != req.name and match not in req.root_fields:
                    continue
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                return dict(fault)
        return None
