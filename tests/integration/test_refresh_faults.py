"""refresh_dataset against the local Explore v2.1 server: a good export replaces the snapshot; every fault
keeps the last good one, marks the dataset stale and says why, in the metadata and in /healthz."""

from __future__ import annotations

import json

import polars as pl
import pytest

from data_access.context import DataContext
from data_access.health import health_report
from data_access.portal import API, PortalClient
from data_access.refresh import refresh_dataset
from data_access.settings import DEFAULT_CATALOG, Settings
from tests.fake_portal import (delay, gpso_velib_records, malformed_json, renamed_field, status, truncated,
                               wrong_type)

VELIB = "velib-disponibilite-en-temps-reel"
KEY = "velib_stations"
GPSO = {"92012", "92022", "92040", "92047", "92048", "92072", "92075", "92077"}


@pytest.fixture
def ctx(tmp_path):
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", catalog_path=DEFAULT_CATALOG,
                        portal_url=None, api_key=None, database_url="sqlite://", secret_key="test",
                        territory_name=None)
    context = DataContext(settings)
    assert context.seed_bundled() == list(context.catalog.datasets)
    yield context
    context.cache.close()


def later_records() -> list[dict]:
    """The real GPSO stations, some minutes after the bundled snapshot: same stations, new counts."""
    records = gpso_velib_records()
    for i, r in enumerate(records):
        r["duedate"] = "2026-04-06T13:05:00+02:00"
        if i % 3 == 0 and r["mechanical"] > 0:
            r["mechanical"] -= 1
            r["numbikesavailable"] -= 1
            r["numdocksavailable"] += 1
    return records


def no_sleep(seconds: float) -> None:
    pass


def factory(url: str, key: str | None) -> PortalClient:
    return PortalClient(url, key, timeout=0.3, max_retries=2, backoff=0.01, sleep=no_sleep)


def refresh(ctx: DataContext, fake_portal):
    return refresh_dataset(ctx.catalog[KEY], ctx.catalog, ctx.store, portal_url=fake_portal.base_url,
                           client_factory=factory)


def station_names() -> list[str]:
    return [r["name"] for r in gpso_velib_records()]


def test_normal_refresh_replaces_the_snapshot(ctx, fake_portal):
    bundled = ctx.store.meta(KEY)
    assert bundled.origin == "bundled" and bundled.rows == 73
    fake_portal.add_dataset(VELIB, later_records())

    outcome = refresh(ctx, fake_portal)
    assert outcome.ok is True, outcome.message
    assert outcome.rows == 73 and outcome.bad_rows == 0
    assert outcome.message == "73 rows (parquet)"

    meta = ctx.store.meta(KEY)
    assert meta.version != bundled.version
    assert meta.rows == 73 and meta.origin == "portal" and meta.stale is False and meta.last_error is None
    assert meta.source_url.startswith(f"{fake_portal.base_url}{API}/catalog/datasets/{VELIB}/exports/parquet")
    assert meta.fetched_at > bundled.fetched_at
    assert ctx.store.path(KEY).name == f"{KEY}-{meta.version}.parquet"
    # The bundled file is kept one more round (a reader may hold the old metadata).
    assert (ctx.store.directory / bundled.file).exists()

    [request] = fake_portal.requests_to(VELIB, "exports")
    assert request.query["limit"] == "-1"
    assert {clause.split("=")[1].strip('"') for clause in request.query["where"].split(" OR ")} == GPSO
    assert all(c.startswith("code_insee_commune=") for c in request.query["where"].split(" OR "))

    frame = ctx.store.read(KEY)
    assert frame.schema == ctx.catalog[KEY].schema
    old = pl.read_parquet(ctx.store.directory / bundled.file)
    assert sorted(frame["station_id"].to_list()) == sorted(old["station_id"].to_list())
    silly = frame.filter(pl.col("station_id") == "21010").row(0, named=True)
    assert silly["name"] == "Silly - Galliéni" and silly["commune_code"] == "92012"
    assert silly["capacity"] == 25 and silly["mechanical"] == 5 and silly["bikes_available"] == 6
    assert silly["lat"] == pytest.approx(48.835583838706) and silly["lon"] == pytest.approx(2.2325500845909)
    assert silly["is_installed"] is True
    assert silly["updated_at"].isoformat() == "2026-04-06T11:05:00+00:00"

    report = health_report(ctx)
    assert report["status"] == "ok"
    assert report["datasets"][KEY]["state"] == "fresh" and report["datasets"][KEY]["origin"] == "portal"


def test_identical_data_keeps_the_version(ctx, fake_portal):
    fake_portal.add_dataset(VELIB, gpso_velib_records())
    first = refresh(ctx, fake_portal)
    version = ctx.store.version(KEY)
    second = refresh(ctx, fake_portal)
    assert first.ok and second.ok
    assert ctx.store.version(KEY) == version


def _unauthorised(portal):
    portal.add_dataset(VELIB, later_records(), api_key="private")


def _not_found(portal):
    portal.set_always(VELIB, status(404, body={"error_code": "UnknownDatasetError", "message": "Unknown dataset"}))


def _always(fault):
    def setup(portal):
        portal.add_dataset(VELIB, later_records())
        portal.set_always(VELIB, fault)
    return setup


def _empty(portal):
    portal.add_dataset(VELIB, [])


def _empty_with_fields(portal):
    from tests.fake_portal import infer_fields

    portal.add_dataset(VELIB, [], fields=infer_fields(later_records()))


def _unknown_communes(portal):
    records = [{**r, "code_insee_commune": "75056", "nom_arrondissement_communes": "Paris"} for r in later_records()]
    portal.add_dataset(VELIB, records, honour_where=False)


FAULTS = {
    "401": (_unauthorised, ["unauthorised", "401"]),
    "404": (_not_found, ["not found", "404"]),
    "429 forever": (_always(status(429, retry_after=1)), ["rate limited", "429"]),
    "500 forever": (_always(status(500)), ["server error", "500"]),
    "timeout": (_always(delay(5)), ["timeout"]),
    "truncated body": (_always(truncated()), ["server error", "body incomplete"]),
    "malformed body": (_always(malformed_json()), ["invalid payload", "parquet", "json", "csv"]),
    "renamed field": (_always(renamed_field("numbikesavailable", "nb_velos")),
                      ["schema mismatch", "bikes_available", "numbikesavailable", "nb_velos"]),
    "wrong type": (_always(wrong_type("capacity", "beaucoup")), ["schema mismatch", "capacity", "beaucoup"]),
    "empty export": (_empty, ["empty export", "0 records"]),
    "empty export with fields": (_empty_with_fields, ["empty export", "0 records"]),
    "unknown communes": (_unknown_communes, ["commune", "75056"]),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_keeps_last_good_snapshot_and_says_why(ctx, fake_portal, fault):
    setup, words = FAULTS[fault]
    # A good refresh first: the snapshot to protect is a portal one.
    fake_portal.add_dataset(VELIB, later_records())
    assert refresh(ctx, fake_portal).ok
    good = ctx.store.meta(KEY)
    good_path = ctx.store.path(KEY)
    good_bytes = good_path.read_bytes()
    files = sorted(p.name for p in ctx.store.directory.iterdir())

    setup(fake_portal)
    outcome = refresh(ctx, fake_portal)

    assert outcome.ok is False
    for word in words:
        assert word in outcome.message, (word, outcome.message)
    assert "\n" not in outcome.message  # a one-line reason
    assert outcome.rows == 73  # rows still served
    # The last good snapshot is untouched and still the one served; nothing else left behind.
    assert ctx.store.path(KEY) == good_path
    assert good_path.read_bytes() == good_bytes
    assert ctx.store.read(KEY).height == 73
    assert sorted(p.name for p in ctx.store.directory.iterdir()) == files
    meta = ctx.store.meta(KEY)
    assert meta.stale is True and meta.last_error == outcome.message
    assert meta.version == good.version and meta.fetched_at == good.fetched_at and meta.origin == "portal"

    report = health_report(ctx)
    assert report["status"] == "degraded" and report["degraded"] == [KEY]
    entry = report["datasets"][KEY]
    assert entry["state"] == "stale" and entry["stale"] is True
    assert entry["last_error"] == outcome.message and entry["rows"] == 73
    assert report["datasets"]["communes_contours"]["state"] == "fresh"
    text = json.dumps(report, ensure_ascii=False)
    leaked = [name for name in station_names() if name in text]
    assert leaked == []

    # The next good refresh clears the error.
    fake_portal.set_always(VELIB, None)
    fake_portal.add_dataset(VELIB, later_records())
    assert refresh(ctx, fake_portal).ok
    assert ctx.store.meta(KEY).stale is False and health_report(ctx)["status"] == "ok"


def test_fault_on_bundled_snapshot_keeps_it(ctx, fake_portal):
    bundled = ctx.store.meta(KEY)
    bundled_bytes = ctx.store.path(KEY).read_bytes()
    fake_portal.add_dataset(VELIB, later_records())
    fake_portal.set_always(VELIB, status(503))
    outcome = refresh(ctx, fake_portal)
    assert outcome.ok is False and "503" in outcome.message
    assert ctx.store.path(KEY).name == bundled.file and ctx.store.path(KEY).read_bytes() == bundled_bytes
    assert ctx.store.meta(KEY).origin == "bundled" and ctx.store.meta(KEY).stale
    assert len(fake_portal.requests_to(VELIB, "exports")) == 3  # max_retries + 1, then it gave up


def test_a_few_bad_rows_are_dropped_not_fatal(ctx, fake_portal):
    records = later_records()
    records[5]["capacity"] = "beaucoup"  # 1 of 73 rows: under the 5 % tolerated
    fake_portal.add_dataset(VELIB, records, formats=("json",))
    outcome = refresh(ctx, fake_portal)
    assert outcome.ok is True, outcome.message
    assert outcome.rows == 72 and outcome.bad_rows == 1
    assert "1 bad rows dropped" in outcome.message
    meta = ctx.store.meta(KEY)
    assert meta.rows == 72 and meta.bad_rows == 1 and "capacity='beaucoup'" in meta.notes[0]
