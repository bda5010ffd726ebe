"""The client over real HTTP on 127.0.0.1: what goes on the wire, a real read
timeout and a connection dropped mid-body."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from synco_shopify.shopify import queries
from synco_shopify.shopify.client import ShopifyClient
from synco_shopify.shopify.errors import RetryableError

SECRET = "loopback-client-secret-5e1f"
TOKEN = "loopback-static-token-8d2c"
SLOW_RELEASED = threading.Event()


class Handler(BaseHTTPRequestHandler):
    """Behaviour chosen by the first path segment: /ok, /slow, /drop."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = self.path.split("/")[1]
        if self.path.endswith("/admin/oauth/access_token"):
            form = parse_qs(body.decode())
            ok = form == {
                "client_id": ["cid"],
                "client_secret": [SECRET],
                "grant_type": ["client_credentials"],
            }
            self._json(
                200 if ok else 401,
                {"access_token": "wire-token", "expires_in": 86399, "scope": "read_orders"}
                if ok
                else {"error": "invalid_client"},
            )
        elif mode == "slow":
            # Answers once the test let it (or, as a last resort, after 10 s):
            # a client that waited for it would get this 200, not a timeout.
            SLOW_RELEASED.wait(timeout=10)
            self._json(200, {"data": {}})
        elif mode == "drop":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"data": {"sh')
            self.wfile.flush()
            self.connection.close()
        else:
            self._json(
                200,
                {
                    "data": {
                        "token": self.headers.get("X-Shopify-Access-Token"),
                        "contentType": self.headers.get("Content-Type"),
                        "body": json.loads(body),
                        "path": self.path,
                    }
                },
                {"X-Shopify-API-Version": "2026-07"},
            )

    def _json(self, status, payload, headers=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_real_round_trip_sends_json_with_the_token_header(server_url):
    client = ShopifyClient(server_url + "/ok", "2026-10", client_id="cid", client_secret=SECRET)

    data = client.execute(queries.ORDER, {"id": "gid://shopify/Order/1"})

    assert data["token"] == "wire-token"
    assert data["contentType"] == "application/json"
    assert data["path"] == "/ok/admin/api/2026-10/graphql.json"
    assert data["body"]["operationName"] == "SyncoOrder"
    assert data["body"]["variables"] == {"id": "gid://shopify/Order/1"}
    assert client.served_api_version == "2026-07"
    client.close()


def test_a_real_read_timeout_is_retryable(server_url):
    client = ShopifyClient(server_url + "/slow", "2026-10", access_token=TOKEN, timeout=(1, 0.1))

    try:
        with pytest.raises(RetryableError) as info:
            client.execute(queries.FULFILLMENT_CREATE, {"fulfillment": {}})
    finally:
        SLOW_RELEASED.set()

    assert info.value.code == "timeout"
    assert "may or may not have been applied" in info.value.message


def test_a_connection_dropped_mid_body_is_retryable(server_url):
    client = ShopifyClient(server_url + "/drop", "2026-10", access_token=TOKEN, timeout=(1, 2))

    with pytest.raises(RetryableError) as info:
        client.execute(queries.FULFILLMENT_CREATE, {"fulfillment": {}})

    assert info.value.code == "connection"


def test_nothing_listening_is_a_retryable_connection_error():
    client = ShopifyClient("http://127.0.0.1:9", "2026-10", access_token=TOKEN, timeout=(0.5, 0.5))

    with pytest.raises(RetryableError) as info:
        client.execute(queries.SHOP)

    assert info.value.code in ("connection", "timeout")
