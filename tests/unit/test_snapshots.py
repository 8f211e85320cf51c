"""The snapshot store: atomic swap through the meta file, failures that keep the data, pruning, seeding."""

from __future__ import annotations

import hashlib
import dataclasses
import json
import threading
from pathlib import Path

import polars as pl
import pytest

from data_access.snapshots import SnapshotMissing, SnapshotStore

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "data" / "snapshots"
KEY = "velib_stations"


def frame(n: int = 3, offset: int = 0) -> pl.DataFrame:
    return pl.DataFrame({"station_id": [str(offset + i) for i in range(n)], "bikes": [offset + i for i in range(n)]})


def parquet_files(store: SnapshotStore, key: str = KEY) -> list[str]:
    return sorted(p.name for p in store.directory.glob(f"{key}-*.parquet"))


def stray_files(store: SnapshotStore) -> list[str]:
    """Temporary files a write may leave behind (everything hidden but the lock files)."""
    return sorted(p.name for p in store.directory.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


def write(store: SnapshotStore, data: pl.DataFrame, key: str = KEY, **kw):
    return store.write(key, data, source_url="http://portal.test/exports/parquet", origin="portal", **kw)


def test_empty_store_has_no_snapshot(store):
    meta = store.meta(KEY)
    assert meta.file is None and meta.rows == 0 and meta.stale is False
    assert store.version(KEY) is None
    with pytest.raises(SnapshotMissing):
        store.path(KEY)


def test_write_then_read_round_trips(store):
    data = frame(5)
    meta = write(store, data, schema_hash="abc", bad_rows=2, notes=["2 bad rows dropped"])
    assert meta.rows == 5 and meta.bad_rows == 2 and meta.origin == "portal"
    assert meta.source_url == "http://portal.test/exports/parquet"
    assert meta.last_error is None and meta.stale is False
    assert store.path(KEY) == store.directory / f"{KEY}-{meta.version}.parquet"
    # The version is the content hash of the file it names.
    assert hashlib.sha256(store.path(KEY).read_bytes()).hexdigest()[:12] == meta.version
    assert store.read(KEY).equals(data)
    assert store.scan(KEY).collect().equals(data)
    on_disk = json.loads((store.directory / f"{KEY}.meta.json").read_text())
    assert on_disk["rows"] == 5 and on_disk["schema_hash"] == "abc" and on_disk["notes"] == ["2 bad rows dropped"]
    assert store.meta(KEY) == meta  # the JSON round trip loses nothing
    assert stray_files(store) == []


def test_version_changes_with_content_only(store):
    v1 = write(store, frame(3)).version
    v2 = write(store, frame(3, offset=10)).version
    assert v1 != v2
    assert store.version(KEY) == v2
    assert store.read(KEY)["station_id"].to_list() == ["10", "11", "12"]
    v3 = write(store, frame(3, offset=10)).version
    assert v3 == v2  # same content, same version: caches keyed by it stay valid


def test_failing_check_leaves_previous_snapshot_and_meta_byte_identical(store):
    write(store, frame(3))
    meta_path = store.directory / f"{KEY}.meta.json"
    meta_bytes = meta_path.read_bytes()
    data_path = store.path(KEY)
    data_bytes = data_path.read_bytes()
    files_before = parquet_files(store)
    seen = []

    def check(written: pl.DataFrame) -> None:
        seen.append(written.height)  # check runs on what was written to disk
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        write(store, frame(7, offset=100), check=check)
    assert seen == [7]
    assert meta_path.read_bytes() == meta_bytes
    assert store.path(KEY) == data_path and data_path.read_bytes() == data_bytes
    assert parquet_files(store) == files_before
    assert stray_files(store) == []


def test_record_failure_keeps_data_and_marks_stale_then_success_clears_it(store):
    good = write(store, frame(3))
    failed = store.record_failure(KEY, "timeout: no answer within 30 s")
    assert failed.last_error == "timeout: no answer within 30 s" and failed.stale is True
    assert failed.file == good.file and failed.version == good.version and failed.rows == 3
    assert failed.fetched_at == good.fetched_at  # the data served is still from the good fetch
    assert failed.last_attempt_at is not None
    assert store.meta(KEY).stale is True
    assert store.read(KEY).equals(frame(3))

    again = write(store, frame(4))
    assert again.last_error is None and again.stale is False
    assert store.meta(KEY).last_error is None and store.meta(KEY).rows == 4


def test_record_failure_on_empty_store_has_no_data(store):
    meta = store.record_failure(KEY, "not found: HTTP 404")
    assert meta.stale is True and meta.has_data is False and meta.rows == 0
    with pytest.raises(SnapshotMissing, match="HTTP 404"):
        store.path(KEY)


def test_prune_keeps_current_and_previous_versions_only(store):
    versions = [write(store, frame(2, offset=10 * i)).file for i in range(4)]
    assert len(set(versions)) == 4
    assert parquet_files(store) == sorted(versions[-2:])
    # Other datasets' files are not touched by this key's pruning.
    other = write(store, frame(1), key="velib_stations_bis").file
    write(store, frame(2, offset=99))
    assert other in parquet_files(store, "velib_stations_bis")
    assert store.path("velib_stations_bis").exists()


def _only(*keys):
    """The bundled catalog restricted to ``keys`` ("not_bundled": a dataset with no bundled snapshot)."""
    from data_access.catalog import load_catalog

    catalog = load_catalog(BUNDLED.parent / "catalog.toml")
    datasets = {k: catalog[k] if k in catalog.datasets else dataclasses.replace(catalog["velib_stations"], key=k)
                for k in keys}
    return dataclasses.replace(catalog, datasets=datasets)


def test_seed_from_copies_bundled_snapshots_when_absent(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    seeded = store.seed_from(BUNDLED, _only("velib_stations", "communes_contours", "not_bundled"))
    assert seeded == ["velib_stations", "communes_contours"]
    bundled_meta = json.loads((BUNDLED / "velib_stations.meta.json").read_text())
    meta = store.meta("velib_stations")
    assert meta.origin == "bundled" and meta.rows == 73 and meta.version == bundled_meta["version"]
    assert store.path("velib_stations").read_bytes() == (BUNDLED / bundled_meta["file"]).read_bytes()
    assert store.read("communes_contours").height == 8
    assert store.meta("not_bundled").has_data is False
    # A second seeding is a no-op.
    assert store.seed_from(BUNDLED, _only("velib_stations", "communes_contours")) == []


def test_bundled_snapshots_are_installed_only_for_the_catalog_they_were_built_for(tmp_path):
    """Another territory whose catalog reuses a key, or a dataset of the same key read from another portal or
    with another schema, starts empty: it must never show this territory's data."""
    catalog = _only("velib_stations", "communes_contours")
    other_territory = dataclasses.replace(catalog, territory=dataclasses.replace(catalog.territory, identity="x"))
    assert SnapshotStore(tmp_path / "a").seed_from(BUNDLED, other_territory) == []
    moved = dataclasses.replace(catalog, datasets={
        "velib_stations": dataclasses.replace(catalog["velib_stations"], dataset_id="autre-jeu"),
        "communes_contours": catalog["communes_contours"]})
    assert SnapshotStore(tmp_path / "b").seed_from(BUNDLED, moved) == ["communes_contours"]
    reshaped = dataclasses.replace(catalog, datasets={
        "velib_stations": dataclasses.replace(catalog["velib_stations"], columns=catalog["velib_stations"].columns[:3])})
    assert SnapshotStore(tmp_path / "c").seed_from(BUNDLED, reshaped) == []


def test_seed_from_never_overwrites_a_refreshed_snapshot(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    store.seed_from(BUNDLED, _only(KEY))
    refreshed = write(store, frame(5))
    meta_bytes = (store.directory / f"{KEY}.meta.json").read_bytes()
    assert store.seed_from(BUNDLED, _only(KEY)) == []
    assert (store.directory / f"{KEY}.meta.json").read_bytes() == meta_bytes
    assert store.meta(KEY).version == refreshed.version and store.read(KEY).height == 5
    # Nor a refreshed snapshot whose latest refresh failed.
    store.record_failure(KEY, "server error: HTTP 500")
    assert store.seed_from(BUNDLED, _only(KEY)) == []
    assert store.meta(KEY).version == refreshed.version and store.meta(KEY).stale


def test_seed_from_fills_a_store_that_only_recorded_a_failure(tmp_path):
    # A refresh that failed before the bundled data was ever installed must not block it forever.
    store = SnapshotStore(tmp_path / "snapshots")
    store.record_failure(KEY, "timeout: no answer within 30 s")
    assert store.seed_from(BUNDLED, _only(KEY)) == [KEY]
    meta = store.meta(KEY)
    assert meta.rows == 73 and meta.origin == "bundled" and store.read(KEY).height == 73
    assert meta.last_error == "timeout: no answer within 30 s" and meta.stale  # the failure is still reported


def test_concurrent_writers_end_consistent(store):
    errors = []
    barrier = threading.Barrier(8)

    def writer(i: int) -> None:
        try:
            barrier.wait()
            for j in range(5):
                write(store, frame(3 + i, offset=100 * i + j))
                if j % 2:
                    store.record_failure(KEY, f"writer {i} failure {j}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    meta = store.meta(KEY)
    path = store.path(KEY)
    assert path.exists()
    assert hashlib.sha256(path.read_bytes()).hexdigest()[:12] == meta.version
    assert store.read(KEY).height == meta.rows
    assert meta.file in parquet_files(store)
    assert len(parquet_files(store)) <= 2
    assert stray_files(store) == []


def test_versions_are_trusted_briefly_and_metadata_is_read_fresh(store, monkeypatch):
    """Another process's refresh (another store on the same directory): meta() sees it at once, version()
    within FRESH_FOR seconds; this process's own writes are seen at once by both."""
    import data_access.snapshots as snapshots

    first = write(store, frame(3))
    assert store.version(KEY) == first.version
    other = SnapshotStore(store.directory)  # the refresh of another process
    second = write(other, frame(4, offset=10))
    assert second.version != first.version
    assert store.meta(KEY).version == second.version  # /healthz and the data files: as on disk now
    monkeypatch.setattr(snapshots, "FRESH_FOR", 3600.0)
    third = write(other, frame(5, offset=20))
    assert store.version(KEY) == second.version  # trusted: read less than FRESH_FOR ago
    monkeypatch.setattr(snapshots, "FRESH_FOR", 0.0)
    assert store.version(KEY) == third.version  # read again once it is older than that
    fourth = write(store, frame(6, offset=30))
    monkeypatch.setattr(snapshots, "FRESH_FOR", 3600.0)
    assert store.version(KEY) == fourth.version  # its own write: at once
