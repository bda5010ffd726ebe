"""Whether a shop's credentials work, for the Test Connection button and the
launch checks alike: Shopify's answer to the SHOP query (or why it failed)
in, one verdict out. Nothing here imports Odoo.
"""

from dataclasses import dataclass

from . import notes
from .notes import _lt, note

TEXTS = notes.register(
    {
        "connection.unreachable": _lt("Cannot reach %(url)s: %(reason)s"),
        "connection.failed": _lt("%(reason)s Fix the credentials on the shop."),
        "connection.other_store": _lt(
            "These credentials belong to %(seen)s, not %(shop_domain)s: enter the credentials "
            "of this store or correct the shop domain."
        ),
        "connection.api_version": _lt(
            "Shopify no longer serves API version %(version)s (it answered as %(served)s): "
            "choose a newer version on the shop."
        ),
        "connection.missing_scopes": _lt(
            "The app lacks these access scopes: %(missing)s. Add them to the app's "
            "configuration in Shopify and install the new version."
        ),
        "connection.features_wait": _lt(
            "Everything else works; these features wait for access scopes the app lacks: "
            "%(features)s."
        ),
    }
)


@dataclass(frozen=True)
class Connection:
    """``credentials``, ``version``, ``scopes``: a Note saying what to fix,
    None when fine; ``granted``: the scope handles Shopify reports, None
    when Shopify could not be asked."""

    credentials: notes.Note | None = None
    version: notes.Note | None = None
    scopes: notes.Note | None = None
    granted: tuple | None = None
    missing: tuple = ()
    # Optional features that wait for their scopes (a Note), None when none.
    waiting: notes.Note | None = None

    @property
    def problems(self):
        return [n for n in (self.credentials, self.version, self.scopes) if n]


def failed(reason, unreachable_url=None):
    """The verdict when the SHOP query failed: ``reason`` is the error's
    text; ``unreachable_url`` the address when no answer came at all."""
    if unreachable_url:
        return Connection(
            credentials=note("connection.unreachable", url=unreachable_url, reason=reason)
        )
    return Connection(credentials=note("connection.failed", reason=reason))


def verify(data, shop_domain, api_version, required, served_version=None, optional=None):
    """The verdict on Shopify's answer ``data`` to the SHOP query: the store
    must be ``shop_domain``, the version served ``api_version`` (when the
    client saw one) and every ``required`` scope granted. ``optional``:
    {feature label: scopes}, features that wait, without failing, for
    scopes not granted (a write scope grants its read scope)."""
    seen = (data.get("shop") or {}).get("myshopifyDomain")
    scopes = (data.get("currentAppInstallation") or {}).get("accessScopes") or []
    granted = tuple(scope["handle"] for scope in scopes)
    missing = tuple(scope for scope in required if scope not in granted)
    return Connection(
        credentials=None
        if seen == shop_domain
        else note("connection.other_store", seen=seen, shop_domain=shop_domain),
        version=None
        if not served_version or served_version == api_version
        else note("connection.api_version", version=api_version, served=served_version),
        scopes=note("connection.missing_scopes", missing=", ".join(missing)) if missing else None,
        granted=granted,
        missing=missing,
        waiting=features_waiting(granted, optional or {}),
    )


def features_waiting(granted, optional):
    """A Note naming the features of ``optional`` ({label: scopes}) whose
    scopes are not all in ``granted``, with the scopes; None when none."""
    waiting = []
    for label, scopes in optional.items():
        lacking = [
            s for s in scopes if s not in granted and s.replace("read_", "write_", 1) not in granted
        ]
        if lacking:
            waiting.append(f"{label} ({', '.join(lacking)})")
    return note("connection.features_wait", features="; ".join(waiting)) if waiting else None
