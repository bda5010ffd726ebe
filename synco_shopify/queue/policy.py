"""The queue's policy: what it does after a job's attempt. Plain decisions,
no I/O, no Odoo.

A handler ends in one of five ways: it returns (done); it raises a
retryable Shopify error (wait, then again); it raises ``RetryLater`` (the
work is legitimately not possible yet, e.g. a fulfillment hold); it meets a
transient database conflict (a serialization failure, a lock it could not
get: again, with the backoff); or it raises anything else, which fails the
job at once, with its traceback, for a person to decide. Only what is known
to be transient is retried: a bug retried eight times over hours is a bug
nobody hears of. ``NeedsAttention`` is the failure a merchant can fix and
then retry.
"""

import random
from dataclasses import dataclass

from ..shopify.errors import AuthError, ShopifyError, ThrottledError

# About 10 s, 30 s, 2 min, 10 min, 30 min, then hourly.
BACKOFF_SCHEDULE = (10, 30, 120, 600, 1800, 3600)
JITTER = 0.2
DEFAULT_MAX_ATTEMPTS = 8
# A job whose worker died this many times while running it (killed, out of
# memory, past its time limit) fails instead of being taken over again.
MAX_CRASHES = 3
# The advisory lock a runner's connection holds on the job it runs:
# pg_advisory_lock(RUNNER_LOCK, job id). Nobody holding it means the job's
# worker is gone.
RUNNER_LOCK = 0x53594E43  # "SYNC"


# Shopify unreachable: the shop's probe reads again after these many
# seconds, then every five seconds for as long as it takes. One cheap read
# (a point or two of a bucket restoring 100 a second) every five seconds
# costs Shopify nothing; a longer interval would be added, whole, to the
# time the backlog waits after Shopify's return (the target is 10 s).
PROBE_SCHEDULE = (1, 2, 3, 5)
# What "Shopify is unreachable" looks like: no answer at all, or a 5xx.
# Shopify answered anything else (GraphQL's INTERNAL_SERVER_ERROR included):
# that is about this call, and the job backs off on its own.
UNREACHABLE_CODES = frozenset({"connection", "timeout", "http_5xx"})
# PostgreSQL's transient conflicts: serialization_failure, deadlock_detected,
# lock_not_available. Another transaction won; the same work may succeed now.
TRANSIENT_PGCODES = frozenset({"40001", "40P01", "55P03"})


class NeedsAttention(Exception):
    """Stop the job now; the message says what a person must fix first."""


class RetryLater(Exception):
    """The work cannot be done yet for a known reason; try again in
    ``delay`` seconds without counting it as a failure."""

    def __init__(self, message, delay=600):
        super().__init__(message)
        self.delay = delay


@dataclass(frozen=True)
class Outcome:
    state: str  # "pending" (again later) or "failed"
    delay: float = 0.0  # seconds until the next attempt, for "pending"
    counts: bool = True  # whether the attempt counts toward the maximum


def backoff_delay(attempt, rng=None):
    """Seconds to wait after the ``attempt``-th failed attempt (1-based);
    ``rng`` returns a float in [0, 1) for the jitter."""
    rng = rng or random.random
    base = BACKOFF_SCHEDULE[min(attempt, len(BACKOFF_SCHEDULE)) - 1]
    return base * (1 + JITTER * (2 * rng() - 1))


def after_failure(attempts, max_attempts, retryable, retry_after=None, throttled=False, rng=None):
    """The queue's decision after a failed attempt (``attempts`` counts it).

    A permanent error fails now. Throttling is no failure of the job: it
    waits exactly as long as the bucket needs and the attempt does not count.
    Another retryable error waits for the server's ``retry_after`` when it
    gave one, else for the backoff; once ``max_attempts`` is reached the job
    fails."""
    if not retryable:
        return Outcome("failed")
    if throttled:
        return Outcome("pending", float(retry_after or 1.0), counts=False)
    if attempts >= max_attempts:
        return Outcome("failed")
    delay = float(retry_after) if retry_after is not None else backoff_delay(attempts, rng)
    return Outcome("pending", delay)


def is_transient_db_error(exc):
    """Whether ``exc`` is a database conflict worth another attempt (a
    psycopg2 error carries its SQLSTATE as ``pgcode``)."""
    return getattr(exc, "pgcode", None) in TRANSIENT_PGCODES


def after_exception(exc, attempts, max_attempts, rng=None):
    """The outcome of an attempt that raised ``exc`` (``attempts`` counts
    it). The one place the kinds of failure are told apart; anything it
    does not know fails at once."""
    if isinstance(exc, RetryLater):
        return after_retry_later(exc.delay)
    if isinstance(exc, ShopifyError):
        return after_failure(
            attempts,
            max_attempts,
            exc.retryable,
            exc.retry_after,
            throttled=isinstance(exc, ThrottledError),
            rng=rng,
        )
    if is_transient_db_error(exc):
        return after_failure(attempts, max_attempts, True, rng=rng)
    return Outcome("failed")


def is_expected(exc):
    """Whether ``exc`` is a failure the policy knows (its message says it
    all); anything else is a crash, logged with its traceback."""
    return isinstance(exc, NeedsAttention | RetryLater | ShopifyError) or (
        is_transient_db_error(exc)
    )


def after_retry_later(delay):
    """A known wait: again after ``delay`` seconds, not counted as a failure."""
    return Outcome("pending", float(delay), counts=False)


def pause_reason(exc):
    """Whether a failure is about the whole shop rather than one job:
    ``"unreachable"`` (no answer, or a 5xx: every job of the shop would
    meet it), ``"credentials"`` (Shopify refuses the app's token or its
    client credentials: nothing is sent until the merchant gives new ones),
    else None."""
    if not isinstance(exc, ShopifyError):
        return None
    if exc.retryable and exc.code in UNREACHABLE_CODES:
        return "unreachable"
    if isinstance(exc, AuthError) and (
        exc.code == "unauthorized" or (exc.operation == "access_token" and exc.status == 403)
    ):
        return "credentials"
    return None


def probe_delay(probes):
    """Seconds before the next read of an unreachable Shopify, after
    ``probes`` failed ones (0 for the first read)."""
    return float(PROBE_SCHEDULE[min(probes, len(PROBE_SCHEDULE) - 1)])
