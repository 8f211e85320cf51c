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

# Value transforms a column may apply before casting (see data_access.mapping):
#   geo_lat / geo_lon  one coordinate of an ODS geo_point_2d ({lat, lon} object, [lat, lon] list, "lat, lon" text)
#   first              the first value of a multi-valued (list) field (kept for older catalogs: multi = "first")
#   code               an identifier exported as a number ("92044.0", 2012) -> its digits, left-padded to
#                      the column's ``width`` (INSEE codes: 5)
TRANSFORMS = ("geo_lat", "geo_lon", "first", "code")
# How a multi-valued field (a list, or text holding ``separator``) becomes one value:
#   first    the first value; max  the value first in the vocabulary order (most important first: the worst severity);
#   explode  one row per value (the unique key should then include this column)
MULTI_RULES = ("first", "max", "explode")
OTHER = "autre"  # the value a vocabulary gives to what it does not know (counted and reported)

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
    multi: str | None = None  # MULTI_RULES: how a multi-valued field becomes one value
    separator: str = ","  # between the values of a multi-valued text field
    # canonical value -> accepted spellings (matched ignoring case and accents), in the vocabulary's order;
    # a value matching none becomes OTHER and is reported
    vocabulary: tuple[tuple[str, tuple[str, ...]], ...] = ()
    width: int | None = None  # for transform "code": left-pad the digits with zeros to this width
    # Collaborative datasets (written through Pilote's forms): how a field is asked and checked.
    label: str | None = None  # the form's French label (else the column name)
    choices: str | None = None  # a role whose rows are the allowed values (their first column), e.g. sites
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 500  # text fields
    future: bool = True  # False: a date after today is refused
    default: str | None = None  # "today", "last" (the author's last value) or a literal
    photo: bool = False  # the field holds the content hashes of photos, separated by spaces
    asked: bool = True  # False: set by Pilote (the commune of the chosen site, a photo's position)
    required_if: str | None = None  # required when this boolean field is true ("motif" of "hors service")

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
    role: str | None = None  # what dashboards read it as ("mobility.accidents"); see data_access.roles
    collaborative: bool = False  # rows written by agents through Pilote's forms (data_access.reports)
    targets: tuple[tuple[str, float], ...] = ()  # goals the dashboards draw (a renewal share, yearly counts)

    def target(self, name: str, default: float | None = None) -> float | None:
        return dict(self.targets).get(name, default)

    @property
    def refreshable(self) -> bool:
        """Generated and bundled reference data, and agents' reports, never come from the portal."""
        return not (self.demo or self.bundled_only or self.collaborative)

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

    def has_columns(self, names) -> bool:
        have = {c.name for c in self.columns}
        return all(n in have for n in names)

    @property
    def identity(self) -> str:
        """What a snapshot of this dataset was built for: its portal, id and schema. A bundled snapshot is
        installed only into a data directory whose catalog has the same identity (and territory)."""
        return f"{self.portal_url}/{self.dataset_id}#{self.schema_hash}"


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    population: int | None = None


TERRITORY_KINDS = ("commune", "epci", "departement", "region", "autre")


@dataclass(frozen=True)
class Territory:
    name: str
    portal_url: str
    communes: tuple[Commune, ...]
    contact_email: str | None = None  # accessibility and data contact shown to the public
    kind: str = "epci"  # TERRITORY_KINDS: a single commune or a grouping of communes
    default_commune: str | None = None  # the commune shown when the URL names none (None: the whole territory)
    timezone: str = "Europe/Paris"  # hours and days as people live them there
    outlines: str | None = None  # key of the dataset holding the communes' outlines (maps)
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north: where coordinates may fall
    identity: str = ""  # name and commune codes: what bundled snapshots must have been built for

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.communes)

    def commune_name(self, code: str) -> str | None:
        return next((c.name for c in self.communes if c.code == code), None)

    def population(self, code: str) -> int | None:
        return next((c.population for c in self.communes if c.code == code), None)


@dataclass(frozen=True)
class Catalog:
    territory: Territory
    datasets: dict[str, Dataset] = field(default_factory=dict)
    path: Path | None = None
    digest: str = ""  # of the catalog as read: what pages rendered from it are keyed by (render cache)

    def __getitem__(self, key: str) -> Dataset:
        return self.datasets[key]

    def __iter__(self):
        return iter(self.datasets.values())

    def __len__(self) -> int:
        return len(self.datasets)

    def for_role(self, role: str) -> Dataset | None:
        """The dataset the catalog binds to ``role``, or None when the territory has none."""
        return next((d for d in self.datasets.values() if d.role == role), None)


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
    communes = tuple(Commune(str(c["code"]), str(c["name"]),
                             int(c["population"]) if c.get("population") not in (None, "") else None)
                     for c in terr.get("communes", []))
    if not communes:
        raise CatalogError("[territory] lists no communes")
    codes = sorted(c.code for c in communes)
    kind = terr.get("kind", "commune" if len(communes) == 1 else "epci")
    if kind not in TERRITORY_KINDS:
        raise CatalogError(f"territory: kind must be one of {TERRITORY_KINDS}, not {kind!r}")
    default = terr.get("default_commune")
    if default not in (None, "") and str(default) not in codes:
        raise CatalogError(f"territory: default_commune {default!r} is not one of its communes")
    bbox = terr.get("bbox")
    if bbox is not None:
        if not (isinstance(bbox, list) and len(bbox) == 4 and all(isinstance(v, (int, float)) for v in bbox)
                and bbox[0] < bbox[2] and bbox[1] < bbox[3]):
            raise CatalogError("territory: bbox is [west, south, east, north] in degrees")
        bbox = tuple(float(v) for v in bbox)
    name = territory_name or _required(terr, "name", "territory")
    territory = Territory(
        name=name,
        portal_url=(portal_url or _required(terr, "portal", "territory")).rstrip("/"),
        communes=communes,
        contact_email=terr.get("contact_email"),
        kind=kind,
        default_commune=str(default) if default not in (None, "") else None,
        timezone=terr.get("timezone", "Europe/Paris"),
        outlines=terr.get("outlines"),
        bbox=bbox,
        # The catalog's own name (not PILOTE_TERRITORY, a display setting) and its communes.
        identity=hashlib.sha256(json.dumps([terr.get("name"), codes]).encode()).hexdigest()[:16],
    )
    datasets = {}
    for key, spec in (raw.get("datasets") or {}).items():
        datasets[key] = _parse_dataset(key, spec, territory)
    if territory.outlines is not None and territory.outlines not in datasets:
        raise CatalogError(f"territory: outlines names an unknown dataset {territory.outlines!r}")
    roles: dict[str, str] = {}
    for key, ds in datasets.items():
        if ds.role is not None:
            if ds.role in roles:
                raise CatalogError(f"datasets '{roles[ds.role]}' and '{key}' both claim role {ds.role!r}")
            roles[ds.role] = key
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return Catalog(territory=territory, datasets=datasets, path=path, digest=digest)


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
        multi = col.get("multi")
        if transform == "first":  # the older spelling of multi = "first"
            transform, multi = None, multi or "first"
        if multi is not None and multi not in MULTI_RULES:
            raise CatalogError(f"{cwhere}: multi must be one of {MULTI_RULES}")
        vocabulary = col.get("vocabulary") or {}
        if not isinstance(vocabulary, dict) or not all(isinstance(v, (list, str)) for v in vocabulary.values()):
            raise CatalogError(f"{cwhere}: vocabulary maps each canonical value to a list of spellings")
        if multi == "max" and not vocabulary:
            raise CatalogError(f"{cwhere}: multi = \"max\" needs a vocabulary (its order ranks the values)")
        width = col.get("width")
        columns.append(Column(
            _required(col, "name", cwhere), ctype, sources, bool(col.get("required", True)), transform,
            multi=multi, separator=str(col.get("separator", ",")),
            vocabulary=tuple((str(k), tuple([v] if isinstance(v, str) else v) + (str(k),))
                             for k, v in vocabulary.items()),
            width=int(width) if width is not None else None,
            label=col.get("label"), choices=col.get("choices"),
            minimum=float(col["min"]) if "min" in col else None, maximum=float(col["max"]) if "max" in col else None,
            max_length=int(col.get("max_length", 500)), future=bool(col.get("future", True)),
            default=str(col["default"]) if "default" in col else None, photo=bool(col.get("photo", False)),
            asked=bool(col.get("form", True)), required_if=col.get("required_if")))
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
    role = spec.get("role")
    if role is not None and not re.match(r"^[a-z]+(\.[a-z_]+)+$", str(role)):
        raise CatalogError(f"{where}: role is like 'mobility.accidents'")
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
        role=spec.get("role"),
        collaborative=bool(spec.get("collaborative", False)),
        targets=tuple((str(k), float(v)) for k, v in (spec.get("targets") or {}).items()),
    )
