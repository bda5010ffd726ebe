"""Client-side pacing against Shopify's GraphQL cost bucket.

Shopify meters GraphQL by query cost in a leaky bucket per app and store and
reports the bucket after every call (``extensions.cost.throttleStatus``). The
pacer remembers the last report and extrapolates the refill, so the client
can wait a little before a call that would be throttled, or give the job back
to the queue when the wait would be long, instead of spending a request to
learn that the bucket is empty.
"""

import threading
import time

# What a call is assumed to cost before Shopify has told us.
DEFAULT_QUERY_COST = 50
DEFAULT_MUTATION_COST = 10


class CostPacer:
    """Leaky-bucket estimate for one store, shared by every client of it.

    Contract: ``update()`` with each response's ``extensions.cost``;
    ``delay_for(cost)`` returns the seconds to wait before a call of that
    cost fits (0.0 when it fits now or nothing is known yet); ``spend(cost)``
    debits the estimate when a call is sent, so concurrent threads do not all
    count the same points. All methods are thread-safe. The numbers are
    estimates: Shopify's answer always overrides them.
    """

    def __init__(self, clock=time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._maximum = None
        self._available = None
        self._restore_rate = None
        self._seen_at = None
        self._costs = {}

    def update(self, cost, operation=None):
        """Record an ``extensions.cost`` dict from a response.

        Remembers ``requestedQueryCost`` per operation name (the next call of
        that operation is expected to cost the same) and the bucket state.
        Missing or malformed parts are ignored.
        """
        if not isinstance(cost, dict):
            return
        status = cost.get("throttleStatus") or {}
        with self._lock:
            requested = cost.get("requestedQueryCost")
            if operation and isinstance(requested, (int, float)):
                self._costs[operation] = requested
            try:
                maximum = float(status["maximumAvailable"])
                available = float(status["currentlyAvailable"])
                rate = float(status["restoreRate"])
            except (KeyError, TypeError, ValueError):
                return
            self._maximum, self._available, self._restore_rate = maximum, available, rate
            self._seen_at = self._clock()

    def expected_cost(self, operation, is_mutation=False):
        """The last requested cost seen for ``operation``, else a default."""
        with self._lock:
            if operation in self._costs:
                return self._costs[operation]
        return DEFAULT_MUTATION_COST if is_mutation else DEFAULT_QUERY_COST

    def available(self):
        """Estimated points available now, or None before the first report."""
        with self._lock:
            return self._estimate()

    def delay_for(self, expected_cost):
        """Seconds until the bucket holds ``expected_cost`` points.

        0.0 when unknown, when it fits now, or when the cost exceeds the
        bucket's maximum (Shopify will refuse that query by itself; waiting
        would not help).
        """
        with self._lock:
            available = self._estimate()
            if available is None or expected_cost <= available:
                return 0.0
            if expected_cost > self._maximum or self._restore_rate <= 0:
                return 0.0
            return (expected_cost - available) / self._restore_rate

    def spend(self, cost):
        """Debit ``cost`` points from the estimate as a call is sent."""
        with self._lock:
            available = self._estimate()
            if available is None:
                return
            self._available = available - cost
            self._seen_at = self._clock()

    def _estimate(self):
        # Caller holds the lock.
        if self._available is None:
            return None
        elapsed = max(0.0, self._clock() - self._seen_at)
        return min(self._maximum, self._available + self._restore_rate * elapsed)

    def __repr__(self):
        return f"CostPacer(available={self.available()!r}, maximum={self._maximum!r})"
