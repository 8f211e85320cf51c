"""The README's production recipe, run: two app hosts (gunicorn, 2 workers each) behind one proxy, sharing a
PostgreSQL database, a Redis server and the snapshot directory.

* both start at once and migrate the empty database one after the other (no error, one schema);
* a session opened on one host is valid on the other, and signing out on one ends it on both;
* the sign-in ceiling per address (flask-limiter) is counted in Redis, across hosts;
* the query cache lives in Redis (no cache directory is written) and is shared.
"""

from __future__ import annotations

import sys
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.integration.running_app import Account, RunningApp, HttpDashClient, logout, post_login

PAGE_CHART = "velib-map"  # a chart of /mobilite, drawn from cached queries
LOGIN_RATE = 8  # sign-in posts per minute per address, for the test (the default is 60)


def gunicorn(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "app:server", "--workers", "2", "--threads", "2",
            "--bind", f"127.0.0.1:{port}", "--timeout", "120",
            "--keep-alive", "75"]  # longer than any idle pause of the clients: no close-while-sending race


@pytest.fixture(scope="module")
def hosts(tmp_path_factory, postgres, redis_server):
    shared = tmp_path_factory.mktemp("shared-data")
    env = {"PILOTE_DATA_DIR": str(shared), "PILOTE_DATABASE_URL": postgres.new_database(),
           "PILOTE_REDIS_URL": redis_server.url(), "PILOTE_BEHIND_PROXY": "1",
           "PILOTE_LOGIN_RATE": f"{LOGIN_RATE} per minute", "PILOTE_SECRET_KEY": "one-key-for-every-host"}
    with ThreadPoolExecutor(max_workers=2) as pool:  # both hosts at once: migrations must queue, not collide
        started = list(pool.map(lambda name: RunningApp.start(tmp_path_factory.mktemp(name), argv=gunicorn, **env),
                                ["host-a", "host-b"]))
    try:
        started[0].create_accounts([Account("admin@prod.test", "Admin", admin=True),
                                    Account("agent@prod.test", "Agent", groups=("agents",))],
                                   groups=[("agents", "Agents")])
        started[1].passwords.update(started[0].passwords)
        yield started, env
    finally:
        for host in started:
            host.stop()


def test_both_hosts_migrated_the_shared_database_without_error(hosts):
    started, env = hosts
    for host in started:
        log = host.log_tail(100_000)
        assert "Traceback" not in log and "already exists" not in log, log[-3000:]
    assert env["PILOTE_DATABASE_URL"].startswith("postgresql")


def test_a_session_opened_on_one_host_is_valid_on_the_other_until_signed_out(hosts):
    """Cookies do not depend on the port: one browser's jar is used on both hosts, as behind the proxy."""
    (a, b), _ = hosts
    with a.client() as browser:
        a.login(browser, "agent@prod.test")
        with b.client() as other:
            other.cookies = browser.cookies  # the same browser, sent to the other host by the proxy
            assert "datasets" in other.get("/healthz").json()  # signed in there too: the detailed report
            signed_out = logout(other)
            assert signed_out.status_code == 200 and "déconnecté" in signed_out.text, signed_out.text[:300]
        assert "datasets" not in browser.get("/healthz").json()  # signed out on B: ended on A as well


def test_the_admin_page_renders_on_either_host(hosts):
    (a, b), _ = hosts
    with a.client() as browser:
        a.login(browser, "admin@prod.test")
        for host in (a, b):
            with host.client() as client:
                client.cookies = browser.cookies
                assert "admin-users" in HttpDashClient(client).render("/admin").by_id


def test_the_sign_in_ceiling_per_address_is_counted_across_hosts(hosts):
    (a, b), _ = hosts
    flood = {"X-Forwarded-For": "198.51.100.9"}
    statuses = []
    with a.client() as on_a, b.client() as on_b:
        for attempt in range(LOGIN_RATE):  # different unknown accounts: the audit's delays do not apply yet
            client = on_a if attempt % 2 else on_b
            statuses.append(post_login(client, f"nobody{attempt}@prod.test", "wrong-password", headers=flood).status_code)
        assert statuses == [401] * LOGIN_RATE
        for client in (on_a, on_b):  # the ceiling is reached, on both hosts
            response = post_login(client, "agent@prod.test", a.password("agent@prod.test"), headers=flood)
            assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 61
            assert "depuis cette adresse" in response.text
        elsewhere = post_login(on_b, "agent@prod.test", a.password("agent@prod.test"),
                               headers={"X-Forwarded-For": "198.51.100.10"})
        assert elsewhere.status_code == 302  # another address of the same town is not held back


def test_the_query_cache_is_shared_in_redis(hosts):
    """Queries and rendered pages live in Redis: a page built on one host is served by the other."""
    from data_access.render_cache import HEADER

    (a, b), env = hosts
    cache = redis.Redis.from_url(env["PILOTE_REDIS_URL"])
    keys = lambda: sum(1 for _ in cache.scan_iter(match="pilote:*:q:*"))  # noqa: E731
    before = keys()
    with a.client() as client:
        page = HttpDashClient(client).render("/mobilite")
    assert PAGE_CHART in page.by_id
    after = keys()
    assert after > before  # the queries and the page, in Redis
    hits = cache.info("stats")["keyspace_hits"]
    with b.client() as client:  # the other host finds the page already there
        answer = client.post("/_dash-update-component", json=HttpDashClient(client).router_body("/mobilite"),
                             headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200 and answer.headers[HEADER] == "cache"
    assert PAGE_CHART in answer.text
    assert keys() == after and cache.info("stats")["keyspace_hits"] > hits
    assert not (Path(env["PILOTE_DATA_DIR"]) / "cache").exists()  # nothing written to a cache directory
