"""The data context: settings, catalog, snapshot store and cache, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import diskcache
import polars as pl

from data_access.catalog import Catalog, Dataset, load_catalog
from data_access.settings import BUNDLED_DATA_DIR, Settings
from data_access.snapshots import SnapshotMeta, SnapshotStore, utcnow

BUNDLED_SNAPSHOTS = BUNDLED_DATA_DIR / "snapshots"


@dataclass(frozen=True)
class DatasetStatus:
    spec: Dataset
    meta: SnapshotMeta
    age_seconds: int | None

    @property
    def state(self) -> str:
        """"fresh": served data is the latest asked for; "stale": the latest refresh failed and the
        last good data is served; "failed": no data at all."""
        if not self.meta.has_data:
            return "failed"
        return "stale" if self.meta.stale else "fresh"

    def to_json(self) -> dict:
        meta = self.meta
        return {
            "key": self.spec.key, "title": self.spec.title, "visibility": self.spec.visibility,
            "demo": self.spec.demo, "state": self.state, "rows": meta.rows,
            "fetched_at": meta.fetched_at.isoformat() if meta.fetched_at else None,
            "age_seconds": self.age_seconds, "stale": self.state != "fresh", "origin": meta.origin,
            "last_attempt_at": meta.last_attempt_at.isoformat() if meta.last_attempt_at else None,
            "last_error": meta.last_error, "refresh_every": self.spec.refresh_every,
        }


class DataContext:
    def __init__(self, settings: Settings, catalog: Catalog | None = None):
        self.settings = settings
        self.catalog = catalog or load_catalog(settings.catalog_path, settings.portal_url, settings.territory_name)
        self.store = SnapshotStore(settings.snapshot_dir)
        self.cache = diskcache.Cache(str(settings.cache_dir), size_limit=2**30)

    def seed_bundled(self) -> list[str]:
        """Install the bundled snapshots of datasets never fetched here: the app runs offline at once."""
        return self.store.seed_from(BUNDLED_SNAPSHOTS, list(self.catalog.datasets))

    def frame(self, key: str) -> pl.DataFrame:
        return self.store.read(key)

    def status(self, key: str, now: datetime | None = None) -> DatasetStatus:
        meta = self.store.meta(key)
        return DatasetStatus(self.catalog[key], meta, meta.age_seconds(now or utcnow()))

    def statuses(self, visibility: str | None = None) -> list[DatasetStatus]:
        now = utcnow()
        return [self.status(spec.key, now) for spec in self.catalog
                if visibility is None or spec.visibility == visibility]

    def data_date(self, keys: list[str] | None = None) -> datetime | None:
        """The oldest fetch date among ``keys`` (all datasets by default): what a page's figures date from."""
        dates = [s.meta.fetched_at for s in self.statuses() if s.meta.fetched_at and (keys is None or s.spec.key in keys)]
        return min(dates) if dates else None


def current() -> DataContext:
    """The context of the running app (inside a request or callback)."""
    from flask import current_app

    return current_app.extensions["pilote_data"]
