"""From what a portal sends to Pilote's canonical columns.

A portal answer names fields either by API name (``numbikesavailable``) or, in label exports, by French
label (``Nombre total vélos disponibles``); each canonical column lists the names it accepts. Values are
converted with polars expressions; a value that cannot be converted makes its row *bad*: bad rows are
dropped and reported, and only too many of them (or a missing field) fail the whole dataset.

Reading rules a catalog column may declare (see data_access.catalog):

* ``transform = "geo_lat" / "geo_lon"``: one coordinate of an ODS geo_point_2d, whichever way it is exported:
  a ``{lat, lon}`` object (JSON, Parquet), a ``[lat, lon]`` list (ODS order, *not* GeoJSON's [lon, lat]) or
  ``"lat, lon"`` text (CSV).
* ``transform = "code"``: an identifier exported as a number (``92044``, ``"92044.0"``) becomes its digits,
  left-padded with zeros to ``width`` (``"1001.0"`` -> ``"01001"``); Corsican INSEE codes (``"2A004"``) are
  kept. Anything else is not convertible (null, so a bad row).
* ``multi``: a value is multi-valued when the field is a list, or text holding the column's ``separator``.
  ``"first"`` keeps the first value; ``"explode"`` gives one row per value (bad-row reports still name the
  portal's row); ``"max"`` keeps the most important value, the vocabulary listing values from most to least
  important (severity: "Tué", "Blessé hospitalisé", "Blessé léger", "Indemne"): the value coming *first* in
  vocabulary order wins, an unknown value ranking after all known ones.
* ``vocabulary``: each value is matched to a canonical value ignoring case, accents and spacing; a value
  matching none becomes ``OTHER`` ("autre"): the row is kept, and the unknown values are counted in
  ``MappingResult.notes``.

With the territory's ``bbox``, a row whose coordinates fall outside it (plus ``BBOX_MARGIN``) is bad; the report
says when the swapped pair would fall inside (latitude and longitude inverted by the producer).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import polars as pl

from data_access.catalog import OTHER, Column, Dataset
from data_access.errors import SchemaMismatch

_TRUE = ["oui", "true", "vrai", "1", "yes", "o", "t"]
_FALSE = ["non", "false", "faux", "0", "no", "n", "f"]

# Degrees added on each side of the territory's bbox: a point on the border (or a station across the street)
# is kept; 0.05° is about 5.5 km north-south and 3.7 km east-west in mainland France. Finer checks (commune
# codes) do the rest.
BBOX_MARGIN = 0.05
_SWAPPED, _OUTSIDE = "\x00bbox swapped", "\x00bbox outside"  # reasons no column name can take


@dataclass
class BadRow:
    row: int  # 0-based position in the portal answer
    column: str
    value: str


@dataclass
class MappingResult:
    frame: pl.DataFrame
    bad_rows: list[BadRow] = field(default_factory=list)  # first few, for the report
    bad_count: int = 0  # portal rows dropped
    source_rows: int = 0
    notes: list[str] = field(default_factory=list)  # what was read but worth saying (unknown values, bbox)

    def summary(self) -> str:
        text = f"{self.frame.height} rows"
        if self.bad_count:
            sample = "; ".join(f"row {b.row + 1} {b.column}={b.value!r}" for b in self.bad_rows[:3])
            text += f", {self.bad_count} bad rows dropped ({sample})"
        return text + "".join(f"; {note}" for note in self.notes)


def _norm(name: str) -> str:
    """Field-name matching ignores case, accents and spacing: labels are typed by people."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in text if ch.isalnum())


def _norm_expr(text: pl.Expr) -> pl.Expr:
    """``_norm`` as a polars expression (vocabulary values are matched the way field names are)."""
    return text.str.normalize("NFKD").str.replace_all(r"[^A-Za-z0-9]", "").str.to_lowercase()


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


def _is_text(dtype: pl.DataType) -> bool:
    return isinstance(dtype, (pl.String, pl.Categorical, pl.Enum))


def _number_text(expr: pl.Expr) -> pl.Expr:
    # French exports may carry "1 234,5" (spaces or no-break spaces, decimal comma).
    return _as_text(expr).str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)


def _geo(raw: pl.Expr, dtype: pl.DataType, part: str) -> pl.Expr:
    """One coordinate of an ODS geo_point_2d: a {lat, lon} struct (JSON, Parquet), a [lat, lon] list (ODS
    order, unlike GeoJSON's [lon, lat]) or "lat, lon" text (CSV)."""
    if isinstance(dtype, pl.Struct):
        if part not in {f.name for f in dtype.fields}:  # some other object: not a point
            return pl.lit(None, pl.Float64)
        return raw.struct.field(part).cast(pl.Float64, strict=False)
    index = 0 if part == "lat" else 1
    if isinstance(dtype, pl.Array):
        raw, dtype = raw.arr.to_list(), pl.List(dtype.inner)
    if isinstance(dtype, pl.List):
        return raw.list.get(index, null_on_oob=True).cast(pl.Float64, strict=False)
    return _number_text(_as_text(raw).str.split(",").list.get(index, null_on_oob=True))


def _code(raw: pl.Expr, dtype: pl.DataType, width: int | None) -> pl.Expr:
    """An identifier exported as a number -> its digits ("92044.0", 92044 -> "92044"), zero-padded to
    ``width``; Corsican INSEE codes ("2A004") kept; anything else null."""
    if dtype.is_integer():
        text = pl.when(raw >= 0).then(raw.cast(pl.String))
    elif dtype.is_float():  # 92044.0 from a spreadsheet or a float column
        text = pl.when((raw >= 0) & (raw == raw.round(0))).then(raw.cast(pl.Int64, strict=False).cast(pl.String))
    else:
        upper = _as_text(raw).str.to_uppercase()
        text = pl.coalesce(upper.str.extract(r"^(\d+)(?:[.,]0*)?$", 1), upper.str.extract(r"^(2[AB]\d{3})$", 1))
    return text.str.zfill(width) if width else text


def _split(raw: pl.Expr, dtype: pl.DataType, separator: str) -> pl.Expr:
    """The values of a multi-valued field as a list: a list as it is, text cut at the separator (each value
    stripped, empty ones dropped: "a, ,b" holds two values)."""
    if isinstance(dtype, pl.Array):
        return raw.arr.to_list()
    if isinstance(dtype, pl.List):
        return raw
    value = pl.element().str.strip_chars()
    return _as_text(raw).str.split(separator).list.eval(value.filter(value != ""))


def _items(raw: pl.Expr, dtype: pl.DataType, column: Column) -> pl.Expr:
    """The values of a field as a list of text, ready for the vocabulary (rule "max")."""
    value = _as_text(pl.element())
    items = _split(raw, dtype, column.separator).list.eval(value.filter(value != ""))
    if column.transform == "code":
        items = items.list.eval(_code(pl.element(), pl.String(), column.width))
    return items


def _ranks(column: Column) -> dict[str, int]:
    """Normalised spelling -> position of its canonical value in the vocabulary (first spelling wins)."""
    ranks: dict[str, int] = {}
    for rank, (_, spellings) in enumerate(column.vocabulary):
        for spelling in spellings:
            ranks.setdefault(_norm(spelling), rank)
    return ranks


def _rank(text: pl.Expr, column: Column) -> pl.Expr:
    # An unknown value ranks after every known one: with "max", any known value wins over it.
    return _norm_expr(text).replace_strict(_ranks(column), default=len(column.vocabulary), return_dtype=pl.Int64)


def _canonical(rank: pl.Expr, column: Column) -> pl.Expr:
    names = {i: canonical for i, (canonical, _) in enumerate(column.vocabulary)}
    # replace_strict would give a null the default: keep nulls null.
    return pl.when(rank.is_not_null()).then(rank.replace_strict(names, default=OTHER, return_dtype=pl.String))


def _vocabulary(raw: pl.Expr, column: Column) -> pl.Expr:
    text = _as_text(raw)
    return _canonical(pl.when(text != "").then(_rank(text, column)), column)


def _single(raw: pl.Expr, dtype: pl.DataType, column: Column) -> tuple[pl.Expr, pl.DataType]:
    """The one value a field gives the column, before vocabulary and type. (Rule "explode" is applied to
    the whole frame by ``map_frame``: the field then holds one value per row.)"""
    if isinstance(dtype, pl.Array):
        raw, dtype = raw.arr.to_list(), pl.List(dtype.inner)
    if column.multi == "first":
        if isinstance(dtype, pl.List):
            raw, dtype = raw.list.first(), dtype.inner
        elif _is_text(dtype):
            raw, dtype = _split(raw, dtype, column.separator).list.first(), pl.String()
    if column.transform == "code":
        raw, dtype = _code(raw, dtype, column.width), pl.String()
    return raw, dtype


def _typed(raw: pl.Expr, dtype: pl.DataType, target: str) -> pl.Expr:
    """One value cast to the canonical type ``target`` (null where not convertible)."""
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


def convert(raw: pl.Expr, dtype: pl.DataType, column: Column) -> pl.Expr:
    """The expression turning one portal field into the canonical column (null where not convertible)."""
    if column.transform in ("geo_lat", "geo_lon"):
        # A list of numbers is one point, [lat, lon]; a list of points (objects, text) is multi-valued.
        if column.multi == "first" and isinstance(dtype, pl.List) and not dtype.inner.is_numeric():
            raw, dtype = raw.list.first(), dtype.inner
        return _geo(raw, dtype, column.transform[4:])
    if column.multi == "max":  # the value coming first in vocabulary order
        best = _items(raw, dtype, column).list.eval(_rank(pl.element(), column)).list.min()
        return _typed(_canonical(best, column), pl.String(), column.type)
    raw, dtype = _single(raw, dtype, column)
    if column.vocabulary:
        raw, dtype = _vocabulary(raw, column), pl.String()
    return _typed(raw, dtype, column.type)


def unknown_values(raw: pl.Expr, dtype: pl.DataType, column: Column) -> pl.Expr:
    """The values of a field its column's vocabulary does not know (stored as OTHER), as a list per row."""
    known = list(_ranks(column))
    if column.multi == "max":
        return _items(raw, dtype, column).list.eval(pl.element().filter(~_norm_expr(pl.element()).is_in(known)))
    raw, _ = _single(raw, dtype, column)
    text = _as_text(raw)
    return pl.concat_list(pl.when((text != "") & ~_norm_expr(text).is_in(known)).then(text))


def coordinate_pair(spec: Dataset) -> tuple[str, str] | None:
    """The dataset's (lat, lon) columns: those read from a geo point, otherwise float columns lat and lon."""
    lat = next((c.name for c in spec.columns if c.transform == "geo_lat"), None)
    lon = next((c.name for c in spec.columns if c.transform == "geo_lon"), None)
    if lat and lon:
        return lat, lon
    types = {c.name: c.type for c in spec.columns}
    if types.get("lat") == "float" and types.get("lon") == "float":
        return "lat", "lon"
    return None


def _inside(lat: pl.Expr, lon: pl.Expr, bbox: tuple[float, float, float, float]) -> pl.Expr:
    west, south, east, north = bbox
    return (lat.is_between(south - BBOX_MARGIN, north + BBOX_MARGIN)
            & lon.is_between(west - BBOX_MARGIN, east + BBOX_MARGIN))


def _bbox_reason(lat: pl.Expr, lon: pl.Expr, bbox: tuple[float, float, float, float]) -> pl.Expr:
    # A row without coordinates is not outside the territory; one whose swapped pair falls inside it was
    # most likely written (lon, lat) by its producer: said so, but not guessed right and stored.
    outside = lat.is_not_null() & lon.is_not_null() & ~_inside(lat, lon, bbox)
    return pl.when(outside).then(pl.when(_inside(lon, lat, bbox)).then(pl.lit(_SWAPPED)).otherwise(pl.lit(_OUTSIDE)))


def map_frame(raw: pl.DataFrame, spec: Dataset, known_communes: frozenset[str] | None = None,
              sample: int = 20, *, bbox: tuple[float, float, float, float] | None = None) -> MappingResult:
    """Map a raw portal frame to ``spec``'s canonical columns.

    ``bbox`` (west, south, east, north), the territory's, makes rows whose coordinates fall outside it bad.
    Raises SchemaMismatch when a required field is absent or when more than ``spec.max_bad_ratio`` of
    the rows are bad (a renamed field or a changed type, rather than a few broken records).
    """
    available = raw.columns
    sources = {c.name: find_source(c, available) for c in spec.columns}
    missing = [f"{c.name} (expected {' / '.join(c.sources)})" for c in spec.columns
               if c.required and sources[c.name] is None]
    if missing:
        raise SchemaMismatch("missing field(s): " + ", ".join(missing)
                             + f"; the portal sent: {', '.join(available[:30])}")

    # Rule "explode": one row per value, "_row" still naming the portal's row.
    work, exploded = raw.with_row_index("_row"), set()
    for column in spec.columns:
        source = sources[column.name]
        dtype = raw.schema.get(source)
        if column.multi == "explode" and source not in exploded and (
                isinstance(dtype, (pl.List, pl.Array)) or _is_text(dtype)):
            work = (work.with_columns(_split(pl.col(source), dtype, column.separator).alias(source))
                    .explode(source, empty_as_null=True, keep_nulls=True))
            exploded.add(source)

    values, reasons, unknowns = [], [], []
    for column in spec.columns:
        source = sources[column.name]
        if source is None:
            values.append(pl.lit(None, dtype=column.dtype).alias(column.name))
            continue
        dtype = work.schema[source]
        value = convert(pl.col(source), dtype, column).cast(column.dtype, strict=False)
        values.append(value.alias(column.name))
        present = pl.col(source).is_not_null()
        if dtype == pl.String:
            present = present & (pl.col(source).str.strip_chars() != "")
        elif isinstance(dtype, pl.List):  # an empty multi-valued field holds no value
            present = present & (pl.col(source).list.len() > 0)
        # A value that was there and did not survive conversion marks its row bad.
        reasons.append(pl.when(present & value.is_null()).then(pl.lit(column.name)))
        if column.vocabulary and column.transform not in ("geo_lat", "geo_lon"):
            unknowns.append(unknown_values(pl.col(source), dtype, column).alias(f"_unknown_{column.name}"))

    frame = work.select(pl.col("_row"), *values, *unknowns,
                        pl.coalesce(*reasons, pl.lit(None, pl.String)).alias("_reason"))
    # Checks on canonical values: identifiers present, commune codes those of the territory, coordinates in it.
    late = [pl.when(pl.col(k).is_null()).then(pl.lit(k)) for k in spec.unique_key]
    if spec.commune_column and known_communes:
        code = pl.col(spec.commune_column)
        late.append(pl.when(code.is_not_null() & ~code.is_in(sorted(known_communes)))
                    .then(pl.lit(spec.commune_column)))
    pair = coordinate_pair(spec) if bbox else None
    if pair:
        late.append(_bbox_reason(pl.col(pair[0]), pl.col(pair[1]), bbox))
    if late:
        frame = frame.with_columns(pl.coalesce(pl.col("_reason"), *late).alias("_reason"))
    if exploded:  # one bad value makes its whole portal row bad, reported once
        frame = frame.with_columns(pl.col("_reason").drop_nulls().first().over("_row"))

    bad = frame.filter(pl.col("_reason").is_not_null())
    if exploded:
        bad = bad.unique("_row", keep="first", maintain_order=True)
    report = [_bad_row(row, raw, sources, pair) for row in bad.head(sample).iter_rows(named=True)]
    good = frame.filter(pl.col("_reason").is_null())
    notes = [note for column in spec.columns if (note := _unknown_note(good, column))]
    if pair:
        notes += _bbox_note(bad)
    result = MappingResult(good.select([c.name for c in spec.columns]), report, bad.height, raw.height, notes)
    if raw.height and bad.height / raw.height > spec.max_bad_ratio:
        raise SchemaMismatch(_too_many(result, raw.height, spec))
    return result


def _bad_row(row: dict, raw: pl.DataFrame, sources: dict[str, str | None], pair) -> BadRow:
    reason = row["_reason"]
    if reason in (_SWAPPED, _OUTSIDE):
        lat, lon = row[pair[0]], row[pair[1]]
        why = "inversées ?" if reason == _SWAPPED else "hors du territoire"
        return BadRow(row["_row"], f"{pair[0]}/{pair[1]}", f"lat={lat}, lon={lon} ({why})")
    source = sources.get(reason)
    return BadRow(row["_row"], reason, str(raw[source][row["_row"]]) if source else "")


def _unknown_note(good: pl.DataFrame, column: Column, shown: int = 5) -> str | None:
    name = f"_unknown_{column.name}"
    if name not in good.columns:
        return None
    counts = (good.select(pl.col(name).explode().drop_nulls()).group_by(name).len()
              .sort(["len", name], descending=[True, False]))
    if not counts.height:
        return None
    listed = ", ".join(f"{value!r} ({n})" for value, n in counts.head(shown).iter_rows())
    more = f", … ({counts.height - shown} autres)" if counts.height > shown else ""
    return (f"{column.name}: {counts['len'].sum()} valeur(s) inconnue(s) comptée(s) comme « {OTHER} » : "
            f"{listed}{more}")


def _bbox_note(bad: pl.DataFrame) -> list[str]:
    outside = bad.filter(pl.col("_reason").is_in([_SWAPPED, _OUTSIDE]))
    if not outside.height:
        return []
    swapped = outside.filter(pl.col("_reason") == _SWAPPED).height
    return [f"{outside.height} ligne(s) hors du territoire"
            + (f", dont {swapped} aux coordonnées inversées" if swapped else "")]


def _too_many(result: MappingResult, total: int, spec: Dataset) -> str:
    columns = sorted({b.column for b in result.bad_rows})
    examples = list(dict.fromkeys(f"{b.column}={b.value!r}" for b in result.bad_rows))  # distinct, in order
    sample = "; ".join(examples[:3])
    return (f"{result.bad_count} of {total} rows unusable (over {spec.max_bad_ratio:.0%}), "
            f"in column(s) {', '.join(columns)}: {sample}")
