"""The catalog: what each dataset is, where it comes from and what shape it must have.

One TOML file (``data/catalog.toml`` by default, ``PILOTE_CATALOG`` otherwise) describes the territory and
its datasets, so that pointing Pilote at another territory needs only another catalog and settings.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

VISIBILITIES = ("public", "internal")
FORMATS = ("parquet", "json", "csv")

# Canonical column types and their polars dtypes. Datetimes are kept in UTC.
TYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us", "UTC"),
}

# Value transforms a column may apply before casting (see data_access.mapping).
TRANSFORMS = ("geo_lat", "geo_lon", "first")

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CADENCE_RE = re.compile(r"^(\d+)\s*(min|h|d)$")


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the dataset and the field."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    sources: tuple[str, ...]  # portal field names and export labels, tried in order
    required: bool = True
    transform: str | None = None

    @property
    def dtype(self) -> pl.DataType:
        return TYPES[self.type]


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    portal_url: str
    dataset_id: str
    visibility: str
    columns: tuple[Column, ...]
    source: str
    licence: str
    attribution: str
    refresh_every: str = "1d"
    commune_column: str | None = None
    portal_commune_field: str | None = None
    unique_key: tuple[str, ...] = ()
    formats: tuple[str, ...] = FORMATS
    max_bad_ratio: float = 0.05
    demo: bool = False
    bundled_only: bool = False
    description: str = ""

    @property
    def refreshable(self) -> bool:
        """Generated and bundled reference data never come from the portal."""
        return not (self.demo or self.bundled_only)

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}

    @property
    def schema_hash(self) -> str:
        text = json.dumps([[c.name, c.type] for c in self.columns])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def refresh_minutes(self) -> int:
        number, unit = _CADENCE_RE.match(self.refresh_every).groups()
        return int(number) * {"min": 1, "h": 60, "d": 1440}[unit]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Commune:
    code: str
    name: str


@dataclass(frozen=True)
class Territory:
    name: str
    portal_url: str
    communes: tuple[Commune, ...]
    contact_email: str | None = None  # accessibility and data contact shown to the public

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.communes)

    def commune_name(self, code: str) -> str | None:
        return next((c.name for c in self.communes if c.code == code), None)


@dataclass(frozen=True)
class Catalog:
    territory: Territory
    datasets: dict[str, Dataset] = field(default_factory=dict)
    path: Path | None = None

    def __getitem__(self, key: str) -> Dataset:
        return self.datasets[key]

    def __iter__(self):
        return iter(self.datasets.values())

    def __len__(self) -> int:
        return len(self.datasets)


def load_catalog(path: Path, portal_url: str | None = None, territory_name: str | None = None) -> Catalog:
    """Read and check a catalog file. ``portal_url`` replaces the territory's default portal."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc
    return parse_catalog(raw, portal_url=portal_url, territory_name=territory_name, path=Path(path))


def parse_catalog(raw: dict, portal_url: str | None = None, territory_name: str | None = None,
                  path: Path | None = None) -> Catalog:
    terr = raw.get("territory")
    if not isinstance(terr, dict):
        raise CatalogError("[territory] is missing")
    communes = tuple(Commune(str(c["code"]), str(c["name"])) for c in terr.get("communes", []))
    if not communes:
        raise CatalogError("[territory] lists no communes")
    territory = Territory(
        name=territory_name or _required(terr, "name", "territory"),
        portal_url=(portal_url or _required(terr, "portal", "territory")).rstrip("/"),
        communes=communes,
        contact_email=terr.get("contact_email"),
    )
    datasets = {}
    for key, spec in (raw.get("datasets") or {}).items():
        datasets[key] = _parse_dataset(key, spec, territory)
    return Catalog(territory=territory, datasets=datasets, path=path)


def _required(table: dict, name: str, where: str):
    if name not in table or table[name] in ("", None):
        raise CatalogError(f"{where}: '{name}' is required")
    return table[name]


def _parse_dataset(key: str, spec: dict, territory: Territory) -> Dataset:
    where = f"dataset '{key}'"
    if not _KEY_RE.match(key):
        raise CatalogError(f"{where}: keys are lower-case letters, digits and underscores")
    visibility = _required(spec, "visibility", where)
    if visibility not in VISIBILITIES:
        raise CatalogError(f"{where}: visibility must be one of {VISIBILITIES}, not {visibility!r}")
    columns = []
    for col in _required(spec, "columns", where):
        cwhere = f"{where}, column {col.get('name')!r}"
        ctype = _required(col, "type", cwhere)
        if ctype not in TYPES:
            raise CatalogError(f"{cwhere}: type must be one of {sorted(TYPES)}, not {ctype!r}")
        transform = col.get("transform")
        if transform is not None and transform not in TRANSFORMS:
            raise CatalogError(f"{cwhere}: transform must be one of {TRANSFORMS}")
        sources = col.get("source", [col["name"]])
        sources = (sources,) if isinstance(sources, str) else tuple(sources)
        columns.append(Column(_required(col, "name", cwhere), ctype, sources,
                              bool(col.get("required", True)), transform))
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise CatalogError(f"{where}: duplicate column names")
    commune_column = spec.get("commune_column")
    if commune_column is not None and commune_column not in names:
        raise CatalogError(f"{where}: commune_column {commune_column!r} is not a column")
    unique_key = tuple(spec.get("unique_key", ()))
    if any(k not in names for k in unique_key):
        raise CatalogError(f"{where}: unique_key names an unknown column")
    formats = tuple(spec.get("formats", FORMATS))
    if not formats or any(f not in FORMATS for f in formats):
        raise CatalogError(f"{where}: formats must be taken from {FORMATS}")
    refresh_every = spec.get("refresh_every", "1d")
    if not _CADENCE_RE.match(refresh_every):
        raise CatalogError(f"{where}: refresh_every is like '5min', '6h' or '1d'")
    return Dataset(
        key=key,
        title=_required(spec, "title", where),
        portal_url=str(spec.get("portal", territory.portal_url)).rstrip("/"),
        dataset_id=_required(spec, "dataset_id", where),
        visibility=visibility,
        columns=tuple(columns),
        source=_required(spec, "source", where),
        licence=_required(spec, "licence", where),
        attribution=spec.get("attribution", spec["source"]),
        refresh_every=refresh_every,
        commune_column=commune_column,
        portal_commune_field=spec.get("portal_commune_field"),
        unique_key=unique_key,
        formats=formats,
        max_bad_ratio=float(spec.get("max_bad_ratio", 0.05)),
        demo=bool(spec.get("demo", False)),
        bundled_only=bool(spec.get("bundled_only", False)),
        description=spec.get("description", ""),
    )
