"""A scripted stand-in for ``requests.Session`` and helpers to build Shopify
answers, shared by the client tests. Responses are real ``requests.Response``
objects so the client parses them exactly as it parses the network's."""

import json

import requests

ADMIN_TOKEN = "static-admin-token-9b8c7d6e5f4a3b2c1d0e8f7a"  # no shpat_ prefix on purpose
CLIENT_ID = "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6"
CLIENT_SECRET = "e6a1f9c27b4d8e3f5a0c9b7d2e4f6a8c"  # no shp prefix: only the client knows it
GRANTED_TOKEN = "granted-7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c1e"
BASE_URL = "https://acme.myshopify.com"
GRAPHQL_URL = BASE_URL + "/admin/api/2026-10/graphql.json"
TOKEN_URL = BASE_URL + "/admin/oauth/access_token"


class FakeSession:
    """Answers ``post()`` from a script of responses or exceptions, in order,
    and records every call's URL and keyword arguments."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []

    def post(self, url, **kwargs):
        self.calls.append({"url": url, **kwargs})
        if not self.script:
            raise AssertionError(f"unexpected request to {url}")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        item.url = url
        return item

    def close(self):
        pass

    @property
    def graphql_calls(self):
        return [call for call in self.calls if call["url"].endswith("/graphql.json")]

    @property
    def token_calls(self):
        return [call for call in self.calls if call["url"].endswith("/oauth/access_token")]


def response(status=200, body=None, headers=None):
    """A ``requests.Response`` with a JSON body (dict/list), raw text or bytes."""
    result = requests.Response()
    result.status_code = status
    if isinstance(body, (dict, list)):
        content = json.dumps(body).encode()
        result.headers["Content-Type"] = "application/json"
    elif isinstance(body, str):
        content = body.encode()
    else:
        content = body or b""
    result._content = content
    result.encoding = "utf-8"
    result.headers.update(headers or {})
    return result


def cost(requested=10, actual=10, available=1990, maximum=2000, rate=100):
    return {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": maximum,
            "currentlyAvailable": available,
            "restoreRate": rate,
        },
    }


def graphql(data=None, errors=None, extensions_cost=None, version="2026-10", status=200):
    """A GraphQL answer as Shopify sends it."""
    body = {}
    if data is not None:
        body["data"] = data
    if errors is not None:
        body["errors"] = errors
    if extensions_cost is not None:
        body["extensions"] = {"cost": extensions_cost}
    return response(status, body, {"X-Shopify-API-Version": version})


def throttled(requested=250, available=50, rate=100):
    return graphql(
        errors=[{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        extensions_cost=cost(requested, None, available, rate=rate),
    )


def token_answer(token=GRANTED_TOKEN, expires_in=86399, scope="read_orders,read_locations"):
    return response(200, {"access_token": token, "scope": scope, "expires_in": expires_in})


class Clock:
    """A controllable ``time.time`` and ``time.sleep`` pair."""

    def __init__(self, now=1_800_000_000.0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds):
        self.now += seconds
