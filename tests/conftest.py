import sys
from pathlib import Path

# The Odoo-free packages live inside the addon, the sandbox beside it; make
# the repository root importable so ``import synco_shopify.shopify`` and
# ``import shopify_sandbox`` work without Odoo.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from shopify_sandbox import SandboxServer
from shopify_sandbox.admin import SandboxAdmin

SANDBOX_TOKEN = "shpat_sandbox_token"


class SandboxClient:
    """What a test needs of a running sandbox: url, admin API, raw GraphQL."""

    def __init__(self, server: SandboxServer):
        self.server = server
        self.url = server.url
        self.admin = SandboxAdmin(server.url)
        self.http = requests.Session()

    def post_graphql(
        self,
        query,
        variables=None,
        token=SANDBOX_TOKEN,
        version="2026-10",
        operation_name=None,
        timeout=10,
    ):
        """The raw HTTP response of one GraphQL call."""
        headers = {"X-Shopify-Access-Token": token} if token else {}
        body = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        return self.http.post(
            f"{self.url}/admin/api/{version}/graphql.json",
            json=body,
            headers=headers,
            timeout=timeout,
        )

    def gql(self, query, variables=None, **kwargs) -> dict:
        """The decoded body of a GraphQL call that must answer HTTP 200."""
        response = self.post_graphql(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def sandbox_server():
    server = SandboxServer(port=0, webhook_retry_schedule=[0.2, 0.4, 0.8]).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.reset("empty")
    client = SandboxClient(sandbox_server)
    yield client
    client.http.close()
    client.admin.session.close()


class WebhookReceiver:
    """A little HTTP endpoint that records webhook posts and answers preset statuses."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []  # answered in order, then 200
        self.gate: threading.Event | None = None  # when set, answers wait for it
        self.condition = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.condition:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append(
                        {
                            "headers": dict(self.headers),
                            "path": self.path,
                            "raw": raw,
                            "status": status,
                            "json": json.loads(raw),
                        }
                    )
                    receiver.condition.notify_all()
                if receiver.gate is not None:
                    receiver.gate.wait(timeout=10)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.received[-1]["answered"] = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def wait_for(self, count: int, timeout: float = 5) -> list[dict]:
        with self.condition:
            self.condition.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def shop(sandbox):
    """Two merchant locations, one 3PL location, and products with known stock."""
    admin = sandbox.admin
    main = admin.add_location("Main")
    east = admin.add_location("East")
    tpl = admin.add_location("3PL", fulfillment_service="speedy-3pl")
    admin.add_product("Anvil", sku="ANVIL", barcode="111", price="50.00")
    admin.add_product("Skates", sku="SKATES", barcode="222", price="20.00", locations=[main["id"]])
    return {"main": main, "east": east, "tpl": tpl}
