"""The data context: settings, catalog, snapshot store and cache, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from data_access import freshness
from data_access.cache_store import open_cache
from data_access.catalog import Catalog, Dataset, load_catalog
from data_access.reads import record
from data_access.settings import BUNDLED_DATA_DIR, Settings
from data_access.snapshots import SnapshotMeta, SnapshotMissing, SnapshotStore, utcnow

BUNDLED_SNAPSHOTS = BUNDLED_DATA_DIR / "snapshots"


@dataclass(frozen=True)
class DatasetStatus:
    spec: Dataset
    meta: SnapshotMeta
    age_seconds: int | None
    state: str = freshness.MISSING  # see data_access.freshness: fresh, stale, failed, missing, demo, reference
    reason: str | None = None  # why it is not fresh, in French

    @property
    def degraded(self) -> bool:
        return self.state in freshness.DEGRADED

    def to_json(self, detail: bool = True) -> dict:
        """The dataset's state; ``detail`` adds what only signed-in users see (rows dropped, last error)."""
        meta = self.meta
        data = {
            "key": self.spec.key, "title": self.spec.title, "role": self.spec.role,
            "visibility": self.spec.visibility, "demo": self.spec.demo, "state": self.state,
            "stale": self.degraded, "rows": meta.rows,
            "fetched_at": meta.fetched_at.isoformat() if meta.fetched_at else None,
            "age_seconds": self.age_seconds, "refresh_every": self.spec.refresh_every, "origin": meta.origin,
        }
        if detail:
            data.update({
                "bad_rows": meta.bad_rows, "notes": meta.notes, "reason": self.reason,
                "last_attempt_at": meta.last_attempt_at.isoformat() if meta.last_attempt_at else None,
                "last_error": meta.last_error,
            })
        return data


@dataclass(frozen=True)
class Provenance:
    """What a chart card says about its data: source, licence, data date, demonstration label, state."""
    source: str
    licence: str
    data_date: datetime | None
    demo: str | None  # "all", "part" (some rows generated) or None


class DataContext:
    def __init__(self, settings: Settings, catalog: Catalog | None = None):
        self.settings = settings
        self.catalog = catalog or load_catalog(settings.catalog_path, settings.portal_url, settings.territory_name)
        self.store = SnapshotStore(settings.snapshot_dir)
        self.cache = open_cache(settings, self.catalog.territory.identity)
        self._db = None  # the accounts database, where agents' reports live (set by the app, else opened lazily)

    @property
    def db(self):
        if self._db is None:
            from auth.db import Database

            self._db = Database(self.settings.database_url)
            self._db.migrate()
        return self._db

    @db.setter
    def db(self, database) -> None:
        self._db = database

    def seed_bundled(self) -> list[str]:
        """Install the bundled snapshots built for this catalog (same territory, same datasets) that have no
        data here yet: the app runs offline at once. Another territory's data directory starts empty."""
        return self.store.seed_from(BUNDLED_SNAPSHOTS, self.catalog)

    def frame(self, key: str) -> pl.DataFrame:
        """A dataset's rows. A collaborative one: its bundled history (if any) and the agents' live reports."""
        record([key])
        spec = self.catalog[key]
        if not spec.collaborative:
            return self.store.read(key)
        from data_access import reports

        with self.db.read() as s:
            live = reports.reports_frame(s, spec)
        if not self.store.meta(key).has_data:
            return live
        history = self.store.read(key)
        extra = {name: pl.lit(None, dtype) for name, dtype in reports.REPORT_COLUMNS.items() if name not in history.columns}
        return pl.concat([history.with_columns(**extra).select(live.columns), live], how="vertical_relaxed")

    def version(self, key: str) -> str | None:
        """What cached answers built on ``key`` are keyed by: its snapshot version, and for a collaborative
        dataset the state of its reports too (a new report is seen at the next render). The reports' state
        is read once per request: a page's queries and its render cache ask for it many times."""
        from flask import g, has_request_context

        from data_access import reports

        snapshot = self.store.version(key)
        if not self.catalog[key].collaborative:
            return snapshot
        if has_request_context():  # every collaborative dataset's reports in one query, once per request
            if "pilote_report_versions" not in g:
                with self.db.read() as s:
                    g.pilote_report_versions = reports.versions(s)
            return f"{snapshot}+{g.pilote_report_versions.get(key, reports.NO_REPORTS)}"
        with self.db.read() as s:
            return f"{snapshot}+{reports.version(s, key)}"

    @staticmethod
    def reports_changed() -> None:
        """A report was written in this request: what follows in it reads the reports' new state."""
        from flask import g

        g.pop("pilote_report_versions", None)

    # -- roles: what dashboards ask for --------------------------------------------------------------
    def key_for(self, role: str) -> str | None:
        spec = self.catalog.for_role(role)
        return spec.key if spec else None

    def role_frame(self, role: str) -> pl.DataFrame:
        key = self.key_for(role)
        if key is None:
            raise SnapshotMissing(f"no dataset has the role {role!r} in this catalog")
        return self.frame(key)

    def missing(self, role: str, columns=()) -> str | None:
        """Why a section reading ``role`` (with these canonical columns) cannot be shown, in French, or None."""
        spec = self.catalog.for_role(role)
        if spec is None:
            return "aucun jeu de données du catalogue"
        absent = [c for c in columns if c not in spec.schema]
        if absent:
            return f"« {spec.title} » n'a pas la colonne {', '.join(absent)}"
        if not spec.collaborative and not self.store.meta(spec.key).has_data:
            return f"« {spec.title} » : pas encore de données — lancez `python -m data_access refresh`"
        return None

    def has(self, role: str, columns=()) -> bool:
        return self.missing(role, columns) is None

    def provenance(self, role_or_key: str) -> Provenance:
        key = self.key_for(role_or_key) if "." in role_or_key else role_or_key
        spec, meta = self.catalog[key], self.store.meta(key)
        return Provenance(spec.attribution, spec.licence, meta.fetched_at, demo_share(self, key, self.version(key)))

    def status(self, key: str, now: datetime | None = None) -> DatasetStatus:
        meta = self.store.meta(key)
        now = now or utcnow()
        state, reason = freshness.judge(self.catalog[key], meta, now)
        return DatasetStatus(self.catalog[key], meta, meta.age_seconds(now), state, reason)

    def statuses(self, visibility: str | None = None) -> list[DatasetStatus]:
        now = utcnow()
        return [self.status(spec.key, now) for spec in self.catalog
                if visibility is None or spec.visibility == visibility]

    def data_date(self, keys: list[str] | None = None) -> datetime | None:
        """The oldest fetch date among ``keys`` (all datasets by default): what a page's figures date from."""
        dates = [s.meta.fetched_at for s in self.statuses() if s.meta.fetched_at and (keys is None or s.spec.key in keys)]
        return min(dates) if dates else None


def demo_share(ctx: DataContext, key: str, version: str | None) -> str | None:
    """"all" when the dataset is demonstration data, "part" when its ``demonstration`` column flags some rows
    only, None for real data. Memoised per snapshot version (the flag column is read once per refresh)."""
    spec = ctx.catalog[key]
    if "demonstration" not in spec.schema:
        return "all" if spec.demo else None
    cache_key = ("demo_share", key, version)
    value = ctx.cache.get(cache_key)
    if value is None:
        try:
            rows = ctx.frame(key).lazy() if spec.collaborative else ctx.store.scan(key)  # reports are real rows
            flags = rows.select(pl.col("demonstration").fill_null(spec.demo)).collect()["demonstration"]
        except SnapshotMissing:
            return "all" if spec.demo else None
        generated = int(flags.sum() or 0)
        value = "all" if flags.len() and generated == flags.len() else ("part" if generated else "none")
        ctx.cache.set(cache_key, value, expire=7 * 24 * 3600)
    return None if value == "none" else value


def current() -> DataContext:
    """The context of the running app (inside a request or callback)."""
    from flask import current_app

    return current_app.extensions["pilote_data"]
