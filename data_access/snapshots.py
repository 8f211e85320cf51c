"""The snapshot store: one validated Parquet file per dataset plus its metadata, swapped atomically.

Layout of ``<data_dir>/snapshots``::

    velib_stations.meta.json           points at the current file; fetched_at, rows, last error...
    velib_stations-3f2a9c0d1e4b.parquet  the current version (content hash in the name)

The metadata file is the single switch: it is replaced with ``os.replace`` (atomic on POSIX) only after
the new Parquet file is complete and validated, so a reader sees either the old snapshot or the new
one, never half of one. A failed refresh only records its error in the metadata: the data stays.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import polars as pl


def _readable(path: str) -> None:
    # mkstemp creates files 0600; a refresh run from cron as another user must stay readable by the app.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


class SnapshotMissing(LookupError):
    """No good snapshot of this dataset exists yet."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class SnapshotMeta:
    key: str
    file: str | None = None
    version: str | None = None
    fetched_at: datetime | None = None  # when the data now served was taken from its source
    source_url: str | None = None
    origin: str | None = None  # "portal" or "bundled"
    rows: int = 0
    bad_rows: int = 0
    schema_hash: str | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None  # set when the latest refresh failed, cleared by the next success
    notes: list[str] = field(default_factory=list)
    territory: str | None = None  # identity of the catalog's territory the snapshot was built for
    dataset: str | None = None  # identity of the dataset (portal, id, schema) it was built for

    @property
    def has_data(self) -> bool:
        return self.file is not None

    @property
    def stale(self) -> bool:
        """The latest refresh failed: what is served is the last good snapshot (or nothing)."""
        return self.last_error is not None

    def age_seconds(self, now: datetime | None = None) -> int | None:
        if self.fetched_at is None:
            return None
        return int(((now or utcnow()) - self.fetched_at).total_seconds())

    def to_json(self) -> dict:
        data = asdict(self)
        for name in ("fetched_at", "last_attempt_at"):
            data[name] = _iso(getattr(self, name))
        return data

    @classmethod
    def from_json(cls, data: dict) -> "SnapshotMeta":
        known = {f for f in cls.__dataclass_fields__}
        data = {k: v for k, v in data.items() if k in known}
        for name in ("fetched_at", "last_attempt_at"):
            data[name] = _parse(data.get(name))
        return cls(**data)


FRESH_FOR = 1.0  # seconds a read of a snapshot's metadata is trusted (SnapshotStore._read_meta)


class SnapshotStore:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._metas: dict[str, tuple[bytes, SnapshotMeta, float]] = {}  # key -> (file bytes, parsed, read at)

    # -- reading -------------------------------------------------------------------------------
    def _meta_path(self, key: str) -> Path:
        return self.directory / f"{key}.meta.json"

    def _read_meta(self, key: str, trust: float = 0.0) -> SnapshotMeta:
        """The parsed metadata, shared: not to be changed. The file is read again unless it was less than
        ``trust`` seconds ago, and parsed only when its bytes changed."""
        now = time.monotonic()
        known = self._metas.get(key)
        if known is not None and now - known[2] < trust:
            return known[1]
        try:
            raw = self._meta_path(key).read_bytes()
        except FileNotFoundError:
            self._metas.pop(key, None)
            return SnapshotMeta(key=key)
        meta = known[1] if known is not None and known[0] == raw else SnapshotMeta.from_json(json.loads(raw.decode()))
        self._metas[key] = (raw, meta, now)
        return meta

    def meta(self, key: str) -> SnapshotMeta:
        """The dataset's metadata, as on disk now (/healthz, the refresh); an empty one when nothing was ever
        fetched."""
        shared = self._read_meta(key)
        return replace(shared, notes=list(shared.notes))  # a copy: callers may change theirs

    def version(self, key: str) -> str | None:
        """Asked many times per page (each query's and each page's cache key): trusted for ``FRESH_FOR`` s, so
        a refresh by another process is seen within that time (one by this process at once)."""
        return self._read_meta(key, FRESH_FOR).version

    def path(self, key: str) -> Path:
        meta = self.meta(key)
        if not meta.has_data:
            raise SnapshotMissing(f"no snapshot of {key!r} yet" + (f": {meta.last_error}" if meta.last_error else ""))
        return self.directory / meta.file

    def scan(self, key: str) -> pl.LazyFrame:
        return pl.scan_parquet(self.path(key))

    def read(self, key: str) -> pl.DataFrame:
        return pl.read_parquet(self.path(key))

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / f".{key}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write_meta(self, meta: SnapshotMeta) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{meta.key}.", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(meta.to_json(), handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        _readable(tmp)
        os.replace(tmp, self._meta_path(meta.key))
        self._metas.pop(meta.key, None)  # this process sees its own writes at once

    def write(self, key: str, frame: pl.DataFrame, *, source_url: str, origin: str,
              schema_hash: str | None = None, fetched_at: datetime | None = None, bad_rows: int = 0,
              notes: list[str] | None = None, territory: str | None = None, dataset: str | None = None,
              check: Callable[[pl.DataFrame], None] | None = None) -> SnapshotMeta:
        """Write ``frame`` as the new snapshot of ``key``.

        The frame goes to a temporary file first; ``check`` runs on what was actually written (read
        back from disk) and may raise to abort, in which case the previous snapshot is untouched.
        """
        with self._lock(key):
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{key}.", suffix=".parquet")
            os.close(fd)
            try:
                frame.write_parquet(tmp)
                if check is not None:
                    check(pl.read_parquet(tmp))
                digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()[:12]
                name = f"{key}-{digest}.parquet"
                _readable(tmp)
                os.replace(tmp, self.directory / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            previous = self.meta(key)
            now = fetched_at if origin == "bundled" and fetched_at else utcnow()  # rebuilds stay identical
            meta = SnapshotMeta(
                key=key, file=name, version=digest, fetched_at=fetched_at or now, source_url=source_url,
                origin=origin, rows=frame.height, bad_rows=bad_rows, schema_hash=schema_hash,
                last_attempt_at=now, last_error=None, notes=list(notes or []), territory=territory,
                dataset=dataset,
            )
            self._write_meta(meta)
            self._prune(key, keep={name, previous.file})
            return meta

    def record_failure(self, key: str, error: str) -> SnapshotMeta:
        """Keep the last good snapshot and say why the latest refresh failed."""
        with self._lock(key):
            meta = replace(self.meta(key), last_attempt_at=utcnow(), last_error=error)
            self._write_meta(meta)
            return meta

    def _prune(self, key: str, keep: set[str | None]) -> None:
        # The previous version is kept one more round: a reader may have just read the old metadata.
        for old in self.directory.glob(f"{key}-*.parquet"):
            if old.name not in keep:
                old.unlink(missing_ok=True)

    def seed_from(self, bundled: Path, catalog) -> list[str]:
        """Copy the bundled snapshot of each dataset of ``catalog`` that has no data here yet, when it was
        built for that catalog: the same territory and the same dataset (portal, id, schema). Another
        territory whose catalog reuses a key gets nothing: it must not show this territory's data.

        A key whose only record is a failed refresh (no data) is seeded too, keeping that failure.
        """
        seeded = []
        for spec in catalog:
            key = spec.key
            source_meta = Path(bundled) / f"{key}.meta.json"
            if not source_meta.exists() or self.meta(key).has_data:
                continue
            meta = SnapshotMeta.from_json(json.loads(source_meta.read_text(encoding="utf-8")))
            if meta.territory != catalog.territory.identity or meta.dataset != spec.identity:
                continue
            with self._lock(key):
                current = self.meta(key)
                if current.has_data:  # a refresh won the race
                    continue
                shutil.copyfile(Path(bundled) / meta.file, self.directory / meta.file)
                if current.last_error:
                    meta = replace(meta, last_error=current.last_error, last_attempt_at=current.last_attempt_at)
                self._write_meta(meta)
            seeded.append(key)
        return seeded
