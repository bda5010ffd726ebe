"""Where the client keeps an access token obtained by the client credentials
grant, so it is fetched once a day rather than once a call.

A token store is any object with ``get() -> (token, expires_at) | None`` and
``set(token, expires_at)``, ``expires_at`` being a Unix timestamp in seconds.
The Odoo side persists it encrypted so every worker shares one token.
"""

import threading


class MemoryTokenStore:
    """The default store: one token in memory, shared by the threads that
    share the client."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = None

    def get(self):
        with self._lock:
            return self._value

    def set(self, token, expires_at):
        with self._lock:
            self._value = (token, float(expires_at))

    def __repr__(self):
        # Never show the token itself.
        return f"MemoryTokenStore(has_token={self._value is not None})"
