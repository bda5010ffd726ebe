"""check_server: the server's settings against what webhooks need."""

from synco_shopify.planning.serving import check_server, http_threads


def server(**overrides):
    facts = {
        "workers": 0,
        "cron_threads": 2,
        "db_maxconn": 64,
        "http_threads": 40,
        "pg_max_connections": 100,
        "pg_reserved": 3,
        "proxy_mode": True,
        "https": True,
        "dbname": "shop",
        "webhook_dbs": ["shop"],
    }
    facts.update(overrides)
    return facts


def test_bounded_threaded_server_behind_a_proxy_passes():
    check = check_server(server())
    assert check.ok, str(check.message)
    assert "threaded, at most 40 requests at once" in str(check.message)


def test_default_threaded_server_is_unbounded_and_says_what_to_set():
    check = check_server(server(http_threads=None))
    assert not check.ok
    # 64 connections, 2 cron threads holding 3 each: 58 left for requests.
    assert check.message.parts[0].code == "serving.unbounded"
    assert check.message.parts[0].values["room"] == 58
    assert "More than 58 requests at once" in str(check.message)
    assert "ODOO_MAX_HTTP_THREADS=58" in str(check.message)
    assert "prefork" in str(check.message)


def test_threads_and_cron_beyond_the_pool():
    check = check_server(server(http_threads=60))
    assert not check.ok
    assert "at most 58 or raise db_maxconn to 66" in str(check.message)
    assert check_server(server(http_threads=58)).ok


def test_odoo_reads_the_thread_limit_as_it_does():
    assert http_threads(None, 64, 2) is None
    assert http_threads("", 64, 2) is None
    assert http_threads("30", 64, 2) == 30
    assert http_threads("auto", 64, 2) == 31  # (64 - 2) // 2


def test_prefork_against_postgres_max_connections():
    # 16 workers x (2 + 1) + 2 cron x (3 + 1) = 56 of 97: fine.
    assert check_server(server(workers=16, http_threads=None)).ok
    # 40 workers x 3 + 8 = 128 > 97.
    check = check_server(server(workers=40, http_threads=None))
    assert not check.ok
    assert "can open 128 PostgreSQL connections, more than the 97" in str(check.message)
    check = check_server(server(workers=4, db_maxconn=2, http_threads=None))
    assert "db_maxconn = 2 is less than the 3 connections a cron worker holds" in str(check.message)


def test_unknown_postgres_limit_is_not_a_problem():
    assert check_server(server(pg_max_connections=None, workers=500)).ok


def test_webhook_host_must_reach_this_database_alone():
    check = check_server(server(webhook_dbs=["shop", "staging"]))
    assert not check.ok
    assert [part.code for part in check.message.parts] == ["serving.other_databases"]
    assert "reaches these databases: shop, staging" in str(check.message)
    assert "dbfilter (e.g. ^shop$" in str(check.message)
    assert "databases: none" in str(check_server(server(webhook_dbs=[])).message)
    assert check_server(server(webhook_dbs=None)).ok  # unknown: the webhooks check says why


def test_https_address_without_proxy_mode():
    check = check_server(server(proxy_mode=False))
    assert not check.ok
    assert "proxy_mode = True" in str(check.message)
    assert check_server(server(proxy_mode=False, https=False)).ok
