"""The refresh renders the pages it changed in advance: after `python -m data_access refresh KEY` (a real
subprocess, as cron runs it) the running app's first visitor, and its service account, get those pages from
the shared cache instead of building them; `--no-warm` leaves them to be built at their first view."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from data_access.snapshots import FRESH_FOR
from pilote.warm import router_body

from tests.fake_portal import gpso_velib_records
from tests.integration.running_app import ROOT, Account, RunningApp

VELIB, KEY = "velib-disponibilite-en-temps-reel", "velib_stations"
SERVICE = "service-rapports@example.org"
HEADER = "X-Pilote-Rendu"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp.start(tmp_path_factory.mktemp("warm"))
    try:
        running.create_accounts([Account(SERVICE, "Compte de service", admin=True)])
        yield running
    finally:
        running.stop()


def refresh(app: RunningApp, portal_url: str, *flags: str) -> subprocess.CompletedProcess:
    """The refresh as cron runs it: the app's environment plus the portal's and the service account's settings
    (left out of the render key: they change no page)."""
    env = {**app.env, "PILOTE_PORTAL_RETRIES": "1", "PILOTE_PORTAL_TIMEOUT": "5",
           "PILOTE_REPORT_EMAIL": SERVICE, "PILOTE_REPORT_PASSWORD": app.passwords[SERVICE]}
    return subprocess.run([sys.executable, "-m", "data_access", "refresh", KEY, "--portal", portal_url, *flags],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def open_page(client: httpx.Client, path: str) -> httpx.Response:
    """The router request a browser sends to open ``path``."""
    client.get("/")
    body = router_body(client.get("/_dash-dependencies").json(), path)
    return client.post("/_dash-update-component", content=json.dumps(body),
                       headers={"Content-Type": "application/json"})


def first_view_of_new_data(app: RunningApp, path: str, old: bytes) -> httpx.Response:
    """A visitor's first answer for ``path`` built on the refreshed data. The app trusts what it read of a
    snapshot for ``FRESH_FOR`` s (SnapshotStore.version): a view within that time of its last read may still
    get the previous page, which an idle machine's quick refresh can be (it failed so)."""
    deadline = time.monotonic() + 10 * FRESH_FOR + 10
    while True:
        with httpx.Client(base_url=app.base_url, timeout=60) as visitor:
            response = open_page(visitor, path)
        if response.content != old or time.monotonic() > deadline:
            return response
        time.sleep(FRESH_FOR / 4)


def stations(records: list[dict], bikes: int) -> list[dict]:
    return [{**r, "numbikesavailable": bikes, "duedate": "2026-04-06T13:05:00+02:00"} for r in records]


def test_a_refresh_renders_the_pages_it_changed_before_anyone_asks(app, fake_portal):
    with httpx.Client(base_url=app.base_url, timeout=60) as visitor:
        before = open_page(visitor, "/mobilite")
    assert before.status_code == 200

    fake_portal.add_dataset(VELIB, stations(gpso_velib_records(), 7))
    result = refresh(app, fake_portal.base_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rendered in advance" in result.stdout and "/mobilite (visiteur)" in result.stdout, result.stdout
    assert f"/mobilite ({SERVICE})" in result.stdout, result.stdout
    assert "/climat" not in result.stdout  # pages that do not read Vélib' are left as they are

    first = first_view_of_new_data(app, "/mobilite", before.content)
    assert first.json() != before.json()  # the refreshed page, not the one before
    assert first.status_code == 200 and first.headers[HEADER] == "cache"  # and the first visitor waits for nothing
    with httpx.Client(base_url=app.base_url, timeout=60) as account:
        app.login(account, SERVICE)
        mine = open_page(account, "/mobilite")
        assert mine.status_code == 200 and mine.headers[HEADER] == "cache"
        assert mine.json() != first.json()  # its own entry (it sees internal sections), not the visitor's

    # Without the warm-up, the first view after a refresh builds the page.
    fake_portal.add_dataset(VELIB, stations(gpso_velib_records(), 3))
    result = refresh(app, fake_portal.base_url, "--no-warm")
    assert result.returncode == 0 and "rendered in advance" not in result.stdout, result.stdout
    unwarmed = first_view_of_new_data(app, "/mobilite", first.content)
    assert unwarmed.content != first.content and unwarmed.headers[HEADER] == "calcul", result.stdout


def test_after_a_release_every_page_can_be_rendered_in_advance(app):
    env = {**app.env, "PILOTE_REPORT_EMAIL": SERVICE, "PILOTE_REPORT_PASSWORD": app.passwords[SERVICE]}
    result = subprocess.run([sys.executable, "-m", "pilote", "warm"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in ("/climat", "/finances", "/stationnement"):
        assert f"{path} (visiteur)" in result.stdout and f"{path} ({SERVICE})" in result.stdout, result.stdout
    assert "/flotte (visiteur)" not in result.stdout and f"/flotte ({SERVICE})" in result.stdout  # internal
    with httpx.Client(base_url=app.base_url, timeout=60) as visitor:
        assert open_page(visitor, "/finances").headers[HEADER] == "cache"


def test_a_warm_up_that_cannot_sign_in_still_warms_the_public_pages(app, fake_portal):
    fake_portal.add_dataset(VELIB, stations(gpso_velib_records(), 5))
    env_password = app.passwords[SERVICE]
    app.passwords[SERVICE] = "not-the-password-123"
    try:
        result = refresh(app, fake_portal.base_url)
    finally:
        app.passwords[SERVICE] = env_password
    assert result.returncode == 0, result.stdout + result.stderr  # the refresh stands
    assert "/mobilite (visiteur)" in result.stdout
    assert f"/login for {SERVICE}: HTTP 401, not rendered in advance" in result.stdout, result.stdout
