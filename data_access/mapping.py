"""From what a portal sends to Pilote's canonical columns.

A portal answer names fields either by API name (``numbikesavailable``) or, in label exports, by French
label (``Nombre total vélos disponibles``); each canonical column lists the names it accepts. Values are
converted with polars expressions; a value that cannot be converted makes its row *bad*: bad rows are
dropped and reported, and only too many of them (or a missing field) fail the whole dataset.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import polars as pl

from data_access.catalog import Column, Dataset
from data_access.errors import SchemaMismatch

_TRUE = ["oui", "true", "vrai", "1", "yes", "o", "t"]
_FALSE = ["non", "false", "faux", "0", "no", "n", "f"]


@dataclass
class BadRow:
    row: int  # 0-based position in the portal answer
    column: str
    value: str


@dataclass
class MappingResult:
    frame: pl.DataFrame
    bad_rows: list[BadRow] = field(default_factory=list)  # first few, for the report
    bad_count: int = 0
    source_rows: int = 0

    def summary(self) -> str:
        if not self.bad_count:
            return f"{self.frame.height} rows"
        sample = "; ".join(f"row {b.row + 1} {b.column}={b.value!r}" for b in self.bad_rows[:3])
        return f"{self.frame.height} rows, {self.bad_count} bad rows dropped ({sample})"


def _norm(name: str) -> str:
    """Field-name matching ignores case, accents and spacing: labels are typed by people."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in text if ch.isalnum())


def find_source(column: Column, available: list[str]) -> str | None:
    exact = {name: name for name in available}
    for candidate in column.sources:
        if candidate in exact:
            return candidate
    normalised = {_norm(name): name for name in available}
    for candidate in column.sources:
        if _norm(candidate) in normalised:
            return normalised[_norm(candidate)]
    return None


def _as_text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String, strict=False).str.strip_chars()


def _number_text(expr: pl.Expr) -> pl.Expr:
    # French exports may carry "1 234,5" (spaces or no-break spaces, decimal comma).
    return _as_text(expr).str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)


def _geo(raw: pl.Expr, dtype: pl.DataType, part: str) -> pl.Expr:
    """One coordinate of an ODS geo_point_2d: a {lon, lat} struct (JSON, Parquet) or "lat, lon" (CSV)."""
    if isinstance(dtype, pl.Struct):
        return raw.struct.field(part).cast(pl.Float64, strict=False)
    if isinstance(dtype, (pl.List, pl.Array)):  # GeoJSON order: [lon, lat]
        return raw.list.get(1 if part == "lat" else 0, null_on_oob=True).cast(pl.Float64, strict=False)
    index = 0 if part == "lat" else 1
    return _number_text(_as_text(raw).str.split(",").list.get(index, null_on_oob=True))


def convert(raw: pl.Expr, dtype: pl.DataType, column: Column) -> pl.Expr:
    """The expression turning one portal field into the canonical column (null where not convertible)."""
    if column.transform == "first" and isinstance(dtype, (pl.List, pl.Array)):
        raw, dtype = raw.list.first(), dtype.inner
    if column.transform in ("geo_lat", "geo_lon"):
        return _geo(raw, dtype, column.transform[4:])
    target = column.type
    if target == "str":
        if isinstance(dtype, (pl.Struct, pl.List)):
            return raw.struct.json_encode() if isinstance(dtype, pl.Struct) else raw.cast(pl.String, strict=False)
        return pl.when(_as_text(raw) != "").then(_as_text(raw))
    if target in ("int", "float"):
        if dtype.is_numeric():
            value = raw.cast(pl.Float64, strict=False)
        else:
            value = _number_text(raw).cast(pl.Float64, strict=False)
        if target == "float":
            return value
        return pl.when(value == value.round(0)).then(value).cast(pl.Int64, strict=False)
    if target == "bool":
        if dtype == pl.Boolean:
            return raw
        text = _as_text(raw).str.to_lowercase()
        return pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False)
    if target == "date":
        if dtype == pl.Date:
            return raw
        if isinstance(dtype, pl.Datetime):
            return raw.dt.date()
        text = _as_text(raw)
        return pl.coalesce(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
                           text.str.to_date("%d/%m/%Y", strict=False))
    if target == "datetime":
        if isinstance(dtype, pl.Datetime):
            if dtype.time_zone is None:  # ODS stores instants in UTC
                return raw.dt.cast_time_unit("us").dt.replace_time_zone("UTC")
            return raw.dt.cast_time_unit("us").dt.convert_time_zone("UTC")
        return _as_text(raw).str.to_datetime(time_zone="UTC", strict=False, time_unit="us")
    raise ValueError(f"unknown type {target!r}")


def map_frame(raw: pl.DataFrame, spec: Dataset, known_communes: frozenset[str] | None = None,
              sample: int = 20) -> MappingResult:
    """Map a raw portal frame to ``spec``'s canonical columns.

    Raises SchemaMismatch when a required field is absent or when more than ``spec.max_bad_ratio`` of
    the rows are bad (a renamed field or a changed type, rather than a few broken records).
    """
    available = raw.columns
    missing, values, reasons, sources = [], [], [], {}
    for column in spec.columns:
        source = find_source(column, available)
        if source is None:
            if column.required:
                missing.append(f"{column.name} (expected {' / '.join(column.sources)})")
            values.append(pl.lit(None, dtype=column.dtype).alias(column.name))
            continue
        sources[column.name] = source
        value = convert(pl.col(source), raw.schema[source], column).cast(column.dtype, strict=False)
        values.append(value.alias(column.name))
        present = pl.col(source).is_not_null()
        if raw.schema[source] == pl.String:
            present = present & (pl.col(source).str.strip_chars() != "")
        elif isinstance(raw.schema[source], pl.List):  # an empty multi-valued field holds no value
            present = present & (pl.col(source).list.len() > 0)
        # A value that was there and did not survive conversion marks its row bad.
        reasons.append(pl.when(present & value.is_null()).then(pl.lit(column.name)))
    if missing:
        raise SchemaMismatch("missing field(s): " + ", ".join(missing)
                             + f"; the portal sent: {', '.join(available[:30])}")

    frame = raw.with_row_index("_row").select(
        pl.col("_row"), *values, pl.coalesce(*reasons, pl.lit(None, pl.String)).alias("_reason"))
    # Checks on canonical values: identifiers present, commune codes those of the territory.
    late = [pl.when(pl.col(k).is_null()).then(pl.lit(k)) for k in spec.unique_key]
    if spec.commune_column and known_communes:
        code = pl.col(spec.commune_column)
        late.append(pl.when(code.is_not_null() & ~code.is_in(sorted(known_communes)))
                    .then(pl.lit(spec.commune_column)))
    if late:
        frame = frame.with_columns(pl.coalesce(pl.col("_reason"), *late).alias("_reason"))

    bad = frame.filter(pl.col("_reason").is_not_null())
    report = []
    for row_index, reason in bad.select("_row", "_reason").head(sample).iter_rows():
        source = sources.get(reason)
        report.append(BadRow(row_index, reason, str(raw[source][row_index]) if source else ""))
    good = frame.filter(pl.col("_reason").is_null()).select([c.name for c in spec.columns])
    result = MappingResult(good, report, bad.height, raw.height)
    if raw.height and bad.height / raw.height > spec.max_bad_ratio:
        raise SchemaMismatch(_too_many(result, raw.height, spec))
    return result


def _too_many(result: MappingResult, total: int, spec: Dataset) -> str:
    columns = sorted({b.column for b in result.bad_rows})
    examples = list(dict.fromkeys(f"{b.column}={b.value!r}" for b in result.bad_rows))  # distinct, in order
    sample = "; ".join(examples[:3])
    return (f"{result.bad_count} of {total} rows unusable (over {spec.max_bad_ratio:.0%}), "
            f"in column(s) {', '.join(columns)}: {sample}")
