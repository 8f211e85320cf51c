"""Shared fixtures. The app under test never touches the checkout's own var/: every run gets its own data
directory, set before anything imports ``app``."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_REAL = ROOT.parent / "shared" / "data" / "real"

_RUN_DIR = Path(tempfile.mkdtemp(prefix="pilote-tests-"))
os.environ["PILOTE_DATA_DIR"] = str(_RUN_DIR / "data")
os.environ.pop("PILOTE_CATALOG", None)
os.environ.pop("PILOTE_PORTAL_URL", None)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_RUN_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def catalog():
    from data_access.catalog import load_catalog

    return load_catalog(ROOT / "data" / "catalog.toml")


@pytest.fixture
def store(tmp_path):
    from data_access.snapshots import SnapshotStore

    return SnapshotStore(tmp_path / "snapshots")


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the run (tests.services)."""
    from tests.services import Postgres

    server = Postgres.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    """A real Redis server for the run (tests.services)."""
    from tests.services import Redis

    server = Redis.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each accounts test runs on both databases the product supports: a fresh SQLite file, and a fresh
    database on the run's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pilote.db'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def velib_label_export() -> bytes:
    """The real GPSO rows of the Vélib' label export, as shipped in data/sources."""
    return (ROOT / "data" / "sources" / "velib-disponibilite-en-temps-reel_gpso_2026-04-06.csv").read_bytes()
from tests.fake_portal import fake_portal  # noqa: F401  (pytest fixture)


# Figures a test records with `record_property` (e.g. the size of the access matrix) are repeated at the
# end of the run, so that `make test` reports them without -s.
_FIGURES: dict[str, object] = {}


def pytest_runtest_logreport(report):
    if report.when == "call":
        _FIGURES.update(dict(report.user_properties))


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("Pilote figures")
        for name, value in sorted(_FIGURES.items()):
            terminalreporter.write_line(f"{name.replace('_', ' ')}: {value}")
