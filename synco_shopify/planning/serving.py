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
``postgres`` outside the pool to wake the cron workers (queue/wake.py).
"""

from . import notes
from .launch import check, problems
from .notes import _lt, note

CRON_CONNECTIONS = 3
# An HTTP worker's pool keeps its database's connection and, with a
# dbfilter, the one to ``postgres`` it lists the databases on.
WORKER_CONNECTIONS = 2
WAKE_CONNECTIONS = 1  # per process, outside the pool

THREADS_ENV = "ODOO_MAX_HTTP_THREADS"

TEXTS = notes.register(
    {
        "serving.unbounded": _lt(
            "The threaded server (workers = 0) serves every open connection in a thread of "
            "its own, without a limit, and each thread holds one of the pool's db_maxconn = "
            "%(maxconn)s connections while it serves a request; its %(cron)s cron thread(s) "
            "hold %(held)s. More than %(room)s requests at once (a webhook burst, a proxy's "
            "connections) are answered 500 'The Connection Pool Is Full'. Set "
            "%(env)s=%(limit)s in the server's environment (requests beyond it wait instead), "
            "or run the prefork server (workers > 0)"
        ),
        "serving.threads_over_pool": _lt(
            "%(env)s = %(threads)s request threads and %(cron)s cron thread(s) (%(held)s "
            "connections) can hold more than db_maxconn = %(maxconn)s connections: set "
            "%(env)s to at most %(limit)s or raise db_maxconn to %(needed)s"
        ),
        "serving.pool_below_cron": _lt(
            "db_maxconn = %(maxconn)s is less than the %(cron_connections)s connections a cron "
            "worker holds: raise it to at least %(cron_connections)s"
        ),
        "serving.postgres_limit": _lt(
            "This server can open %(needed)s PostgreSQL connections, more than the "
            "%(available)s PostgreSQL allows (max_connections = %(limit)s, less those reserved "
            "for superusers), before counting other servers and tools: raise max_connections "
            "or lower workers, max_cron_threads or %(env)s"
        ),
        "serving.other_databases": _lt(
            "A request without a session to the webhook's host reaches these databases: "
            "%(reached)s; Odoo serves it only when that is exactly this one (%(dbname)s). Set "
            "dbfilter (e.g. ^%(dbname)s$, or ^%%d$ with one host per database) in the server's "
            "configuration"
        ),
        "serving.no_database": _lt(
            "A request without a session to the webhook's host reaches these databases: none; "
            "Odoo serves it only when that is exactly this one (%(dbname)s). Set dbfilter (e.g. "
            "^%(dbname)s$, or ^%%d$ with one host per database) in the server's configuration"
        ),
        "serving.proxy_mode": _lt(
            "The webhook's address is HTTPS, so a proxy serves Odoo, but proxy_mode is off: "
            "Odoo then sees the proxy's address, not the client's, and an administrator's "
            "login can reset web.base.url to the proxy's inner address (unless "
            "web.base.url.freeze is set). Set proxy_mode = True and have the proxy send "
            "X-Forwarded-Host and X-Forwarded-Proto"
        ),
        "serving.ok_prefork": _lt(
            "Webhooks reach %(dbname)s; the server (prefork, %(workers)s workers, %(cron)s "
            "cron) cannot run out of database connections."
        ),
        "serving.ok_threaded": _lt(
            "Webhooks reach %(dbname)s; the server (threaded, at most %(threads)s requests at "
            "once, %(cron)s cron) cannot run out of database connections."
        ),
    }
)


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
    connection (Notes); ``server`` as in ``check_server``."""
    maxconn, cron = server["db_maxconn"], server["cron_threads"]
    if server["workers"]:
        return _prefork_problems(server, maxconn, cron)
    held_by_cron = CRON_CONNECTIONS * cron
    room = maxconn - held_by_cron
    threads = server.get("http_threads")
    values = {"env": THREADS_ENV, "maxconn": maxconn, "cron": cron, "held": held_by_cron}
    if threads is None:
        return [note("serving.unbounded", room=max(room, 0), limit=max(room, 1), **values)]
    if threads + held_by_cron > maxconn:
        return [
            note(
                "serving.threads_over_pool",
                threads=threads,
                limit=max(room, 1),
                needed=threads + held_by_cron,
                **values,
            )
        ]
    return _postgres_problems(server, min(maxconn, threads + held_by_cron) + WAKE_CONNECTIONS)


def _prefork_problems(server, maxconn, cron):
    found = []
    if maxconn < CRON_CONNECTIONS:
        found.append(
            note("serving.pool_below_cron", maxconn=maxconn, cron_connections=CRON_CONNECTIONS)
        )
    workers = server["workers"]
    total = workers * (WORKER_CONNECTIONS + WAKE_CONNECTIONS) + cron * (
        CRON_CONNECTIONS + WAKE_CONNECTIONS
    )
    return found + _postgres_problems(server, total)


def _postgres_problems(server, needed):
    limit = server.get("pg_max_connections")
    if limit is None:
        return []
    available = limit - (server.get("pg_reserved") or 0)
    if needed > available:
        return [
            note(
                "serving.postgres_limit",
                needed=needed,
                available=available,
                limit=limit,
                env=THREADS_ENV,
            )
        ]
    return []


def routing_problems(server):
    """Whether Shopify's POST (no session, the address's host) reaches
    this database, and the address survives an administrator's login."""
    found = []
    dbname, reached = server["dbname"], server.get("webhook_dbs")
    if reached is not None and reached != [dbname]:
        code = "serving.other_databases" if reached else "serving.no_database"
        found.append(note(code, reached=", ".join(reached), dbname=dbname))
    if server.get("https") and not server.get("proxy_mode"):
        found.append(note("serving.proxy_mode"))
    return found


def check_server(server):
    """``server``: {workers, cron_threads, db_maxconn, http_threads (None:
    no limit), pg_max_connections, pg_reserved (None when unknown),
    proxy_mode, https (the webhook's address), dbname, webhook_dbs (the
    databases a session-less request to the webhook's host reaches, None
    when unknown)}."""
    found = pool_problems(server) + routing_problems(server)
    if found:
        return problems("server", found)
    values = {"dbname": server["dbname"], "cron": server["cron_threads"]}
    if server["workers"]:
        return check(
            "server", True, note("serving.ok_prefork", workers=server["workers"], **values)
        )
    return check(
        "server", True, note("serving.ok_threaded", threads=server["http_threads"], **values)
    )
