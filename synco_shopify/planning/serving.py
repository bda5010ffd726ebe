"""Whether the running Odoo server can answer Shopify's webhooks under load:
plain facts about its settings in, one launch check out.

What holds a connection from Odoo's pool (one pool per process, of
``db_maxconn`` connections; a request that finds it full is answered 500
"The Connection Pool Is Full", and Shopify removes subscriptions that keep
failing):

- an HTTP request: its cursor while it is served (the database listing a
  ``dbfilter`` does comes before it, on a connection given back at once);
- a cron thread or cron worker: three, its whole life long (its LISTEN
  connection to ``postgres``, the cursor that locks the cron it runs and
  that cron's own cursor, on which this addon's job runner works).

The threaded server (``--workers 0``) serves every open connection in a
thread of its own, with no limit unless ``ODOO_MAX_HTTP_THREADS`` is set;
the prefork server gives each worker process its own pool, and each worker
serves one request at a time. Each process also keeps one connection to
``postgres`` outside the pool to wake the cron workers (cron_wake).
"""

from .launch import Check

CRON_CONNECTIONS = 3
# An HTTP worker's pool keeps its database's connection and, with a
# dbfilter, the one to ``postgres`` it lists the databases on.
WORKER_CONNECTIONS = 2
WAKE_CONNECTIONS = 1  # per process, outside the pool

THREADS_ENV = "ODOO_MAX_HTTP_THREADS"


def http_threads(env_value, db_maxconn, cron_threads):
    """The threaded server's limit on concurrent requests, as Odoo reads
    ``ODOO_MAX_HTTP_THREADS``: None when unset (no limit); a value that is
    not a number makes Odoo use half of what the cron threads leave."""
    if not env_value:
        return None
    try:
        return int(env_value)
    except ValueError:
        return max((db_maxconn - cron_threads) // 2, 1)


def pool_problems(server):
    """What in the server's settings can leave a webhook without a
    connection; ``server`` as in ``check_server``."""
    maxconn, cron = server["db_maxconn"], server["cron_threads"]
    if server["workers"]:
        return _prefork_problems(server, maxconn, cron)
    held_by_cron = CRON_CONNECTIONS * cron
    room = maxconn - held_by_cron
    threads = server.get("http_threads")
    if threads is None:
        return [
            f"The threaded server (workers = 0) serves every open connection in a thread "
            f"of its own, without a limit, and each thread holds one of the pool's "
            f"db_maxconn = {maxconn} connections while it serves a request; its "
            f"{cron} cron thread(s) hold {held_by_cron}. More than {max(room, 0)} requests at "
            f"once (a webhook burst, a proxy's connections) are answered 500 'The Connection "
            f"Pool Is Full'. Set {THREADS_ENV}={max(room, 1)} in the server's environment "
            f"(requests beyond it wait instead), or run the prefork server (workers > 0)."
        ]
    if threads + held_by_cron > maxconn:
        return [
            f"{THREADS_ENV} = {threads} request threads and {cron} cron thread(s) "
            f"({held_by_cron} connections) can hold more than db_maxconn = {maxconn} "
            f"connections: set {THREADS_ENV} to at most {max(room, 1)} or raise db_maxconn to "
            f"{threads + held_by_cron}."
        ]
    return _postgres_problems(server, min(maxconn, threads + held_by_cron) + WAKE_CONNECTIONS)


def _prefork_problems(server, maxconn, cron):
    problems = []
    if maxconn < CRON_CONNECTIONS:
        problems.append(
            f"db_maxconn = {maxconn} is less than the {CRON_CONNECTIONS} connections a cron "
            f"worker holds: raise it to at least {CRON_CONNECTIONS}."
        )
    workers = server["workers"]
    total = workers * (WORKER_CONNECTIONS + WAKE_CONNECTIONS) + cron * (
        CRON_CONNECTIONS + WAKE_CONNECTIONS
    )
    return problems + _postgres_problems(server, total)


def _postgres_problems(server, needed):
    limit = server.get("pg_max_connections")
    if limit is None:
        return []
    available = limit - (server.get("pg_reserved") or 0)
    if needed > available:
        return [
            f"This server can open {needed} PostgreSQL connections, more than the "
            f"{available} PostgreSQL allows (max_connections = {limit}, less those reserved "
            f"for superusers), before counting other servers and tools: raise max_connections "
            f"or lower workers, max_cron_threads or {THREADS_ENV}."
        ]
    return []


def routing_problems(server):
    """Whether Shopify's POST (no session, the address's host) reaches
    this database, and the address survives an administrator's login."""
    problems = []
    dbname, reached = server["dbname"], server.get("webhook_dbs")
    if reached is not None and reached != [dbname]:
        which = ", ".join(reached) if reached else "none"
        problems.append(
            f"A request without a session to the webhook's host reaches these databases: "
            f"{which}; Odoo serves it only when that is exactly this one ({dbname}). Set "
            f"dbfilter (e.g. ^{dbname}$, or ^%d$ with one host per database) in the server's "
            f"configuration."
        )
    if server.get("https") and not server.get("proxy_mode"):
        problems.append(
            "The webhook's address is HTTPS, so a proxy serves Odoo, but proxy_mode is off: "
            "Odoo then sees the proxy's address, not the client's, and an administrator's "
            "login can reset web.base.url to the proxy's inner address (unless "
            "web.base.url.freeze is set). Set proxy_mode = True and have the proxy send "
            "X-Forwarded-Host and X-Forwarded-Proto."
        )
    return problems


def check_server(server):
    """``server``: {workers, cron_threads, db_maxconn, http_threads (None:
    no limit), pg_max_connections, pg_reserved (None when unknown),
    proxy_mode, https (the webhook's address), dbname, webhook_dbs (the
    databases a session-less request to the webhook's host reaches, None
    when unknown)}."""
    label = "Server"
    problems = pool_problems(server) + routing_problems(server)
    if problems:
        return Check("server", label, False, " ".join(problems))
    mode = (
        f"prefork, {server['workers']} workers"
        if server["workers"]
        else f"threaded, at most {server['http_threads']} requests at once"
    )
    return Check(
        "server",
        label,
        True,
        f"Webhooks reach {server['dbname']}; the server ({mode}, {server['cron_threads']} cron) "
        f"cannot run out of database connections.",
    )
