"""The one place that does HTTP to Shopify.

``ShopifyClient`` sends GraphQL documents to one store's Admin API and turns
every outcome into data or a typed ``ShopifyError`` (see ``errors``): the job
queue decides from ``retryable`` and ``retry_after`` alone. It authenticates
with a static Admin API token (legacy custom app) or with the client
credentials grant (Dev Dashboard app), paces itself against the store's cost
bucket, and reports every HTTP attempt to ``on_call`` with secrets redacted.
It never retries by itself, except once after a 401 with renewable
credentials: retries belong to the queue, which knows whether the work is
still relevant.
"""

import logging
import re
import threading
import time
import urllib.parse

import requests

from . import calls, classify
from .const import DEFAULT_TIMEOUT
from .errors import (
    ApiVersionError,
    AuthError,
    GraphQLError,
    ShopifyError,
    ThrottledError,
)
from .pacing import CostPacer
from .tokens import MemoryTokenStore

_logger = logging.getLogger(__name__)

_OPERATION = re.compile(r"\b(query|mutation)\s+([A-Za-z_]\w*)")
_API_VERSION = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")

# Renew a granted token this many seconds before it expires, so a token never
# expires between the check and the call.
TOKEN_RENEWAL_MARGIN = 300
# Assumed lifetime when the grant answer has no ``expires_in``.
DEFAULT_TOKEN_LIFETIME = 3600


class ShopifyClient:
    """GraphQL Admin API client for one store.

    ``base_url`` is ``https://acme.myshopify.com`` (or a sandbox URL). Give
    either ``access_token`` or ``client_id`` and ``client_secret``. ``pacer``
    may be shared by the clients of one store; ``token_store`` holds the
    granted token (see ``tokens``). ``clock`` (Unix time, for token expiry
    and pacing) and ``sleep`` are injectable for tests. The token renewal and
    the pacer are locked, so threads may share a client.
    """

    def __init__(
        self,
        base_url,
        api_version,
        *,
        access_token=None,
        client_id=None,
        client_secret=None,
        token_store=None,
        timeout=DEFAULT_TIMEOUT,
        session=None,
        pacer=None,
        on_call=None,
        max_pacing_sleep=2.0,
        clock=time.time,
        sleep=time.sleep,
    ):
        if not _API_VERSION.match(api_version or ""):
            raise ApiVersionError(
                f"{api_version!r} is not a Shopify API version: use YYYY-MM, e.g. 2026-10."
            )
        if access_token and (client_id or client_secret):
            raise ValueError("give either an access token or client credentials, not both")
        if not access_token and not (client_id and client_secret):
            raise AuthError(
                "No Shopify credentials: set the client ID and client secret of the app, or the "
                "Admin API access token of a legacy custom app.",
                code="credentials",
            )
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.client_id = client_id
        self._access_token = access_token
        self._client_secret = client_secret
        self._granted_tokens = []
        self.token_store = token_store if token_store is not None else MemoryTokenStore()
        self.timeout = timeout
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self.pacer = pacer if pacer is not None else CostPacer(clock=clock)
        self.on_call = on_call
        self.max_pacing_sleep = max_pacing_sleep
        self._clock = clock
        self._sleep = sleep
        self._token_lock = threading.Lock()
        #: API version named by the last response's X-Shopify-API-Version; it
        #: differs from ``api_version`` when Shopify no longer serves that one.
        self.served_api_version = None
        #: Scopes granted with the last client credentials token, or None.
        self.granted_scopes = None

    @property
    def graphql_url(self):
        return f"{self.base_url}/admin/api/{self.api_version}/graphql.json"

    def close(self):
        """Close the HTTP session if the client created it."""
        if self._owns_session:
            self._session.close()

    # -- public API --------------------------------------------------------

    def execute(self, document, variables=None, *, allow_partial=False):
        """Run a GraphQL document and return its ``data`` dict.

        Raises a ``ShopifyError``. Top-level ``errors`` raise too, unless
        ``allow_partial`` is set and Shopify also returned ``data`` (throttling
        and access denial raise regardless).
        """
        operation, mutation = _operation_of(document)
        self._pace(operation, mutation)
        body = {"query": document, "variables": variables or {}}
        if operation != "anonymous":
            body["operationName"] = operation
        token = self._token()
        try:
            return self._attempt(body, token, operation, mutation, allow_partial)
        except AuthError as exc:
            if exc.status != 401 or self._access_token:
                raise
            _logger.debug("shopify refused the granted token on %s, renewing once", operation)
            token = self._token(rejected=token)
            return self._attempt(body, token, operation, mutation, allow_partial)

    def mutate(self, document, variables, field):
        """Run a mutation and return ``data[field]``; raise ``UserErrors`` when
        its ``userErrors`` list is not empty."""
        operation, _mutation = _operation_of(document)
        data = self.execute(document, variables)
        payload = data.get(field)
        if not isinstance(payload, dict):
            raise GraphQLError(
                f"Shopify's answer to {operation} has no {field} result.",
                operation=operation,
                secrets=self._secrets(),
            )
        user_errors = payload.get("userErrors") or []
        if user_errors:
            raise classify.user_errors_error(
                user_errors, field, operation=operation, secrets=self._secrets()
            )
        return payload

    def paginate(self, document, variables, connection_path):
        """Yield every node of a connection, page after page.

        ``connection_path`` locates the connection in ``data``: a dotted
        string (``"order.fulfillmentOrders"``) or a sequence of keys. The
        document must take ``$after`` and select ``nodes`` (or ``edges {
        node }``) and ``pageInfo { hasNextPage endCursor }``. Yields nothing
        when an object on the path is null (e.g. an unknown order).
        """
        keys = connection_path.split(".") if isinstance(connection_path, str) else connection_path
        variables = dict(variables or {})
        cursors = set()
        while True:
            data = self.execute(document, variables)
            connection = _dig(data, keys)
            if connection is None:
                return
            nodes = connection.get("nodes")
            if nodes is None:
                nodes = [edge["node"] for edge in connection.get("edges") or ()]
            yield from nodes
            page = connection.get("pageInfo") or {}
            cursor = page.get("endCursor")
            if not page.get("hasNextPage") or not cursor:
                return
            if cursor in cursors:
                raise GraphQLError(
                    f"Shopify returned the same page twice while paging {connection_path}.",
                    code="pagination",
                )
            cursors.add(cursor)
            variables = {**variables, "after": cursor}

    # -- pacing and auth ---------------------------------------------------

    def _pace(self, operation, mutation):
        cost = self.pacer.expected_cost(operation, mutation)
        delay = self.pacer.delay_for(cost)
        if delay > self.max_pacing_sleep:
            _logger.debug("shopify pacing: %s needs %.1f s of refill, not sent", operation, delay)
            raise ThrottledError(
                f"The store's Shopify API budget is used up; {operation} can run in {delay:.1f} s.",
                retry_after=delay,
                operation=operation,
            )
        if delay > 0:
            _logger.debug("shopify pacing: waiting %.2f s before %s", delay, operation)
            self._sleep(delay)
        self.pacer.spend(cost)

    def _token(self, rejected=None):
        """The token to send: the static one, or a granted one that is valid
        for at least ``TOKEN_RENEWAL_MARGIN`` more seconds and is not
        ``rejected`` (renewed by the grant otherwise)."""
        if self._access_token:
            return self._access_token
        with self._token_lock:
            cached = self.token_store.get()
            if cached:
                token, expires_at = cached
                self._remember(token)
                fresh = expires_at - self._clock() > TOKEN_RENEWAL_MARGIN
                if fresh and token != rejected:
                    return token
            return self._grant()

    def _grant(self):
        """Obtain a token with the client credentials grant and store it."""
        form = {
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
        }
        url = f"{self.base_url}/admin/oauth/access_token"
        headers = {"Accept": "application/json"}
        return self._post("access_token", url, self._read_grant, data=form, headers=headers)

    def _read_grant(self, response, record):
        payload = _json_or_none(response)
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if response.status_code != 200 or not token:
            raise classify.grant_error(
                response.status_code,
                response.headers,
                classify.body_detail(payload, response.text),
                client_id=self.client_id,
                now=self._clock(),
                secrets=self._secrets(),
            )
        self._remember(token)
        try:
            lifetime = float(payload.get("expires_in") or DEFAULT_TOKEN_LIFETIME)
        except (TypeError, ValueError):
            lifetime = DEFAULT_TOKEN_LIFETIME
        self.token_store.set(token, self._clock() + lifetime)
        scope = payload.get("scope") or ""
        self.granted_scopes = tuple(s.strip() for s in scope.split(",") if s.strip())
        return token

    def _remember(self, token):
        # Granted tokens are secrets too: keep them for redaction.
        if token and token not in self._granted_tokens:
            self._granted_tokens.append(token)
            del self._granted_tokens[:-3]

    def _secrets(self):
        return (self._access_token, self._client_secret, *self._granted_tokens)

    # -- HTTP ------------------------------------------------------------

    def _post(self, operation, url, read, mutation=False, **request):
        """Send one POST and return ``read(response, record)``.

        Every attempt, successful or not, is reported once to ``on_call``;
        ``read`` may fill the record's cost fields.
        """
        record = calls.new_record(operation, url)
        started = time.monotonic()
        try:
            try:
                response = self._session.post(
                    url, timeout=self.timeout, allow_redirects=False, **request
                )
            except requests.RequestException as exc:
                raise classify.transport_error(
                    exc,
                    timeout=self.timeout,
                    operation=operation,
                    mutation=mutation,
                    base_url=self.base_url,
                    secrets=self._secrets(),
                ) from None
            record["status"] = response.status_code
            return read(response, record)
        except ShopifyError as exc:
            record["outcome"], record["error"] = exc.code, exc.message
            raise
        finally:
            record["duration_ms"] = round((time.monotonic() - started) * 1000)
            calls.report(record, self.on_call)

    def _attempt(self, body, token, operation, mutation, allow_partial):
        headers = {
            "X-Shopify-Access-Token": token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

        def read(response, record):
            return self._read(response, record, operation, mutation, allow_partial)

        return self._post(operation, self.graphql_url, read, mutation, json=body, headers=headers)

    def _read(self, response, record, operation, mutation, allow_partial):
        """Return ``data`` from a GraphQL response or raise its error."""
        served = response.headers.get("X-Shopify-API-Version")
        if served:
            self.served_api_version = served
        payload = _json_or_none(response)
        if isinstance(payload, dict):
            cost = (payload.get("extensions") or {}).get("cost")
            if isinstance(cost, dict):
                self.pacer.update(cost, operation)
                status = cost.get("throttleStatus") or {}
                record["requested_cost"] = cost.get("requestedQueryCost")
                record["actual_cost"] = cost.get("actualQueryCost")
                record["available"] = status.get("currentlyAvailable")
        if not 200 <= response.status_code < 300:
            raise classify.http_status_error(
                response.status_code,
                response.headers,
                classify.body_detail(payload, response.text),
                operation=operation,
                path=urllib.parse.urlsplit(self.graphql_url).path,
                now=self._clock(),
                mutation=mutation,
                secrets=self._secrets(),
            )
        error = classify.graphql_body_error(
            payload,
            status=response.status_code,
            operation=operation,
            allow_partial=allow_partial,
            secrets=self._secrets(),
        )
        if error:
            raise error
        return payload["data"]


def _operation_of(document):
    """(operation name, is mutation) from a GraphQL document."""
    match = _OPERATION.search(document)
    if not match:
        return "anonymous", document.lstrip().startswith("mutation")
    return match.group(2), match.group(1) == "mutation"


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _dig(data, keys):
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
