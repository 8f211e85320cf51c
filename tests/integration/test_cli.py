"""`python -m data_access` as a real subprocess, against the local Explore v2.1 server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from data_access.catalog import load_catalog

from tests.fake_portal import delay, gpso_velib_records, status

ROOT = Path(__file__).resolve().parents[2]
VELIB = "velib-disponibilite-en-temps-reel"
KEY = "velib_stations"


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
    base.update({"PILOTE_DATA_DIR": str(data_dir), "PILOTE_PORTAL_RETRIES": "1", "PILOTE_PORTAL_BACKOFF": "0.01",
                 "PILOTE_PORTAL_TIMEOUT": "5", **env})
    return subprocess.run([sys.executable, "-m", "data_access", *args], cwd=ROOT, env=base, capture_output=True,
                          text=True, timeout=60)


def meta(data_dir: Path, key: str = KEY) -> dict:
    return json.loads((data_dir / "snapshots" / f"{key}.meta.json").read_text())


def status_rows(stdout: str) -> dict[str, list[str]]:
    """`status` table rows by dataset key, split on runs of two or more spaces."""
    import re

    lines = stdout.strip().splitlines()
    return {line.split()[0]: re.split(r"\s{2,}", line.strip()) for line in lines[2:]}


def later_records() -> list[dict]:
    return [{**r, "duedate": "2026-04-06T13:05:00+02:00"} for r in gpso_velib_records()]


# Columns of `status`: dataset, role, visibility, rows, dropped, age, every, state, fetched_at, last error.
ROWS, STATE, FETCHED = 3, 7, 8


def test_status_on_fresh_data_dir(data_dir):
    result = run(data_dir, "status")
    # The bundled real snapshots are older than their cadence (Vélib' every 5 min, taken on 6 April 2026):
    # judged by age they are stale, and status says so with its exit code.
    assert result.returncode == 1, result.stderr
    rows = status_rows(result.stdout)
    assert set(rows) == set(load_catalog(ROOT / "data" / "catalog.toml").datasets)  # every dataset, bundled
    assert rows["velib_stations"][:ROWS + 2] == ["velib_stations", "mobility.bikeshare", "public", "73", "0"]
    assert rows["communes_contours"][ROWS] == "8"
    assert rows["velib_stations"][STATE] == "stale" and rows["communes_contours"][STATE] == "fresh"  # every 3650d
    assert rows["budget_climat"][STATE] == "demo" and rows["pcaet_indicateurs"][STATE] == "reference"
    assert rows["velib_stations"][FETCHED] == "2026-04-06 10:49"
    # The bundled snapshots were installed in the data directory.
    assert meta(data_dir)["origin"] == "bundled"


def test_refresh_against_healthy_portal(data_dir, fake_portal):
    fake_portal.add_dataset(VELIB, later_records())
    assert status_rows(run(data_dir, "status").stdout)[KEY][STATE] == "stale"  # bundled, older than 5 min
    before = meta(data_dir)

    result = run(data_dir, "refresh", KEY, "--portal", fake_portal.base_url)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"[1/1] {KEY} <- {fake_portal.base_url} ({VELIB}) ..." in out
    assert "ok: 73 rows (parquet)" in out
    table = out[out.index("dataset  "):].splitlines()
    assert table[0].split() == ["dataset", "result", "rows", "served", "time", "detail"]
    assert table[2].split()[:3] == [KEY, "ok", "73"]
    assert "failed" not in out

    after = meta(data_dir)
    assert after["version"] != before["version"]
    assert after["origin"] == "portal" and after["rows"] == 73 and after["last_error"] is None
    assert (data_dir / "snapshots" / after["file"]).exists()
    assert len(fake_portal.requests_to(VELIB, "exports")) == 1

    status_after = run(data_dir, "status")
    assert status_rows(status_after.stdout)[KEY][STATE] == "fresh"  # just fetched


def test_refresh_against_failing_portal(data_dir, fake_portal):
    fake_portal.add_dataset(VELIB, later_records())
    fake_portal.set_always(VELIB, status(500))
    run(data_dir, "status")  # installs the bundled snapshots
    before = meta(data_dir)
    snapshot = data_dir / "snapshots" / before["file"]
    snapshot_bytes = snapshot.read_bytes()

    result = run(data_dir, "refresh", KEY, "--portal", fake_portal.base_url)
    assert result.returncode == 1
    reason = "server error: HTTP 500: An unexpected error occurred."
    assert f"FAILED: {reason}" in result.stdout
    assert "1 of 1 dataset(s) failed; their last good snapshot is still served." in result.stdout
    # PILOTE_PORTAL_RETRIES=1: one retry, then it gave up.
    assert len(fake_portal.requests_to(VELIB, "exports")) == 2

    after = meta(data_dir)
    assert after["file"] == before["file"] and after["version"] == before["version"]
    assert snapshot.read_bytes() == snapshot_bytes
    assert after["last_error"] == reason

    status_result = run(data_dir, "status")
    assert status_result.returncode == 1
    row = status_rows(status_result.stdout)[KEY]
    assert row[ROWS] == "73" and row[STATE] == "stale" and row[-1] == reason


def test_refresh_honours_portal_timeout_setting(data_dir, fake_portal):
    fake_portal.add_dataset(VELIB, later_records())
    fake_portal.set_always(VELIB, delay(10))
    result = run(data_dir, "refresh", KEY, "--portal", fake_portal.base_url,
                 PILOTE_PORTAL_TIMEOUT="0.3", PILOTE_PORTAL_RETRIES="0")
    assert result.returncode == 1
    assert "FAILED: timeout: no answer within 0.3 s" in result.stdout
    assert len(fake_portal.requests_to(VELIB, "exports")) == 1


def test_refresh_unknown_key(data_dir):
    result = run(data_dir, "refresh", "unknown_key")
    assert result.returncode == 2
    assert "unknown dataset(s): unknown_key; known: velib_stations, communes_contours" in result.stderr
    assert result.stdout == ""
