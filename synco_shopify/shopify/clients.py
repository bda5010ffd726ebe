"""One Shopify client per call, sharing per worker process and store what
must be shared: the token from the client credentials grant (it lives about
a day; kept out of the database so that no job transaction ever writes the
shop row for it), the cost pacer (pacing only works when every job of a
store shares one) and the HTTP session (kept-alive connections)."""

import requests

from .client import ShopifyClient
from .pacing import CostPacer

_TOKENS = {}
_PACERS = {}
_SESSIONS = {}


class ProcessTokenStore:
    """The client's token store interface over this process's cache."""

    def __init__(self, key):
        self.key = key

    def get(self):
        return _TOKENS.get(self.key)

    def set(self, token, expires_at):
        _TOKENS[self.key] = (token, expires_at)


def client_for(store, base_url, api_version, on_call=None, **auth):
    """A client for ``store`` (any hashable naming one store in this
    process); ``auth`` is either ``access_token`` or ``client_id`` and
    ``client_secret``."""
    if "client_id" in auth:
        auth["token_store"] = ProcessTokenStore((store, auth["client_id"]))
    return ShopifyClient(
        base_url,
        api_version,
        session=_SESSIONS.setdefault(store, requests.Session()),
        pacer=_PACERS.setdefault(store, CostPacer()),
        on_call=on_call,
        **auth,
    )


def forget(store):
    """Drop what is cached for ``store``: after a credential change, or for
    a test that wants a fresh process's view of the bucket."""
    _PACERS.pop(store, None)
    for key in [key for key in _TOKENS if key[0] == store]:
        del _TOKENS[key]
