"""The real app (`python app.py`) in a subprocess: /healthz and / over real HTTP."""

from __future__ import annotations

import json

import httpx
import pytest

from data_access.snapshots import SnapshotStore
from tests.fake_portal import gpso_velib_records
from data_access.catalog import load_catalog
from tests.integration.running_app import ROOT, RunningApp

TOKEN = "monitoring-token-for-the-test"
MONITOR = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def served_app(tmp_path):
    """(base_url, data_dir) of `python app.py` started on a free port; always stopped afterwards."""
    app = RunningApp.start(tmp_path, PILOTE_HEALTH_TOKEN=TOKEN)
    try:
        yield app.base_url, app.data_dir
    finally:
        app.stop()


def assert_no_data_rows(text: str) -> None:
    leaked = [r["name"] for r in gpso_velib_records() if r["name"] in text]
    assert leaked == []
    assert "Silly" not in text and "Boulogne-Billancourt" not in text


def test_healthz_and_home(served_app):
    base_url, data_dir = served_app

    anonymous = httpx.get(f"{base_url}/healthz", timeout=10)
    assert anonymous.status_code == 200 and anonymous.headers["cache-control"] == "no-store"
    assert set(anonymous.json()) == {"status", "time"}  # anonymous callers: the status, no dataset names
    assert anonymous.json()["status"] == "degraded"
    assert httpx.get(f"{base_url}/healthz", headers={"Authorization": "Bearer wrong"}, timeout=10).json().keys() \
        == {"status", "time"}
    response = httpx.get(f"{base_url}/healthz", headers=MONITOR, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    report = response.json()
    # The bundled Vélib' snapshot (6 April 2026) is far older than its 5-minute cadence: stale by age.
    assert report["status"] == "degraded" and report["degraded"] == ["velib_stations"]
    assert report["territory"] == "Grand Paris Seine Ouest"
    assert set(report["datasets"]) == set(load_catalog(ROOT / "data" / "catalog.toml").datasets)
    velib, communes = report["datasets"]["velib_stations"], report["datasets"]["communes_contours"]
    assert velib["rows"] == 73 and communes["rows"] == 8
    assert velib["fetched_at"] == "2026-04-06T10:49:36+00:00"
    assert communes["fetched_at"] == "2016-01-01T00:00:00+00:00"
    assert velib["state"] == "stale" and velib["stale"] is True
    assert communes["state"] == "fresh" and communes["stale"] is False
    assert report["datasets"]["budget_climat"]["state"] == "demo"
    for entry in (velib, communes):
        assert isinstance(entry["age_seconds"], int) and entry["age_seconds"] > 0
        assert {"last_error", "bad_rows", "notes", "reason"} <= set(entry)
    assert_no_data_rows(response.text)
    assert_no_data_rows(json.dumps(report, ensure_ascii=False))

    # A failed refresh recorded in the data directory the app serves from.
    reason = "server error: HTTP 500: An unexpected error occurred."
    SnapshotStore(data_dir / "snapshots").record_failure("velib_stations", reason)
    response = httpx.get(f"{base_url}/healthz", headers=MONITOR, timeout=10)
    assert response.status_code == 200  # the app still serves: degraded, not down
    report = response.json()
    assert report["status"] == "degraded" and report["degraded"] == ["velib_stations"]
    velib = report["datasets"]["velib_stations"]
    assert velib["state"] == "stale" and velib["stale"] is True and velib["last_error"] == reason
    assert velib["rows"] == 73 and velib["fetched_at"] == "2026-04-06T10:49:36+00:00"
    assert report["datasets"]["communes_contours"]["stale"] is False
    assert_no_data_rows(response.text)

    home = httpx.get(f"{base_url}/", timeout=20)
    assert home.status_code == 200
    assert '<html lang="fr">' in home.text
    assert home.headers["content-type"].startswith("text/html")


def test_signed_in_users_get_the_datasets_they_may_know_of(tmp_path):
    """Rows dropped at validation, notes and the last portal error of public datasets, and of the internal
    ones behind a page or section the user is granted: for signed-in users only."""
    from tests.integration.running_app import Account

    app = RunningApp.start(tmp_path)
    try:
        app.create_accounts([Account("agent@example.org", "Agent"),
                             Account("mobilite@example.org", "Mobilité", groups=("mobilite",))],
                            groups=[("mobilite", "Direction de la mobilité")])
        reason = "server error: HTTP 500: An unexpected error occurred."
        SnapshotStore(app.data_dir / "snapshots").record_failure("velib_stations", reason)
        with app.client() as client:
            assert app.login(client, "agent@example.org").status_code in (302, 303)
            report = client.get("/healthz").json()
        entry = report["datasets"]["velib_stations"]
        assert entry["last_error"] == reason and entry["bad_rows"] == 0 and entry["notes"] == []
        assert entry["reason"] == f"la dernière mise à jour a échoué : {reason}"
        assert not {"parking_dsp", "pcaet_valeurs_internes"} & set(report["datasets"])  # internal, not granted
        with app.client() as client:
            assert app.login(client, "mobilite@example.org").status_code in (302, 303)
            datasets = client.get("/healthz").json()["datasets"]
        assert "parking_dsp" in datasets and "pcaet_valeurs_internes" not in datasets  # its section only
    finally:
        app.stop()


def test_the_accounts_database_is_readable_by_the_app_only(served_app):
    _, data_dir = served_app
    for name in ("pilote.db", "secret_key"):
        assert (data_dir / name).stat().st_mode & 0o777 == 0o600, name
