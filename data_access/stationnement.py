"""Parking history: the pre-aggregation run by the refresh step, then pure queries on its aggregates.

The raw observations (see ``data/demo/parking_history.py``: one row per space and 5-minute slot,
``parking_id, space_id, ts, occupied``, ≈105 M rows a year) are never read by a page. The refresh step scans
them lazily with polars' streaming engine and writes two small tables:

* hourly, per car park (~87,600 rows a year): ``parking_id, hour, slots, spaces, occupied_mean,
  occupancy_mean, occupancy_max, free_min, free_mean, saturation_minutes``;
* daily, per car park (~3,650 rows a year): the same columns with ``date`` instead of ``hour``.

``occupancy`` is a share of the spaces (0–1). A slot is saturated when at least ``SATURATION_RATE`` (95 %) of
the car park's spaces are occupied; ``saturation_minutes`` counts those slots × 5 minutes. Means over several
car parks are weighted by their spaces (``sum(occupied_mean) / sum(spaces)``), never averages of rates.

The query functions below take and return polars frames and read nothing: the page wraps them in
``data_access.cache.query`` once the aggregates are snapshots.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl

from data_access.cache import query

SATURATION_RATE = 0.95
SLOT_MINUTES = 5
HOURLY_FILE = "parking_hourly.parquet"
DAILY_FILE = "parking_daily.parquet"

# -- pre-aggregation (refresh step) ----------------------------------------------------------------


def slots_lazy(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Per car park and 5-minute slot: spaces observed, occupied, free, occupancy rate."""
    return (
        raw.group_by("parking_id", "ts")
        .agg(pl.col("occupied").sum().cast(pl.Int32).alias("occupied"), pl.len().cast(pl.Int32).alias("spaces"))
        .with_columns((pl.col("occupied") / pl.col("spaces")).alias("rate"),
                      (pl.col("spaces") - pl.col("occupied")).alias("free"))
    )


def hourly_lazy(raw: pl.LazyFrame) -> pl.LazyFrame:
    """The hourly aggregate per car park, from the raw observations (lazy)."""
    return (
        slots_lazy(raw)
        .with_columns(pl.col("ts").dt.truncate("1h").alias("hour"))
        .group_by("parking_id", "hour")
        .agg(
            pl.len().cast(pl.Int32).alias("slots"),
            pl.col("spaces").max().alias("spaces"),
            pl.col("occupied").mean().alias("occupied_mean"),
            pl.col("rate").mean().alias("occupancy_mean"),
            pl.col("rate").max().alias("occupancy_max"),
            pl.col("free").min().alias("free_min"),
            pl.col("free").mean().alias("free_mean"),
            ((pl.col("rate") >= SATURATION_RATE).sum() * SLOT_MINUTES).cast(pl.Int32).alias("saturation_minutes"),
        )
        .sort("parking_id", "hour")
    )


def daily_from_hourly(hourly: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """The daily aggregate per car park, from the hourly one (means weighted by slots: exact)."""
    w = pl.col("slots")
    return (
        hourly.with_columns(pl.col("hour").dt.date().alias("date"))
        .group_by("parking_id", "date")
        .agg(
            w.sum().cast(pl.Int32).alias("slots"),
            pl.col("spaces").max(),
            ((pl.col("occupied_mean") * w).sum() / w.sum()).alias("occupied_mean"),
            ((pl.col("occupancy_mean") * w).sum() / w.sum()).alias("occupancy_mean"),
            pl.col("occupancy_max").max(),
            pl.col("free_min").min(),
            ((pl.col("free_mean") * w).sum() / w.sum()).alias("free_mean"),
            pl.col("saturation_minutes").sum().cast(pl.Int32),
        )
        .sort("parking_id", "date")
    )


def preaggregate_frames(raw: pl.LazyFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(hourly, daily) from the raw observations, with the streaming engine (memory bounded by the groups)."""
    hourly = hourly_lazy(raw).collect(engine="streaming")
    return hourly, daily_from_hourly(hourly)


def scan_observations(source: Path | str) -> pl.LazyFrame:
    """The raw observations of a directory written by ``data.demo.parking_history.write``."""
    return pl.scan_parquet(Path(source) / "observations-*.parquet")


def _write_atomic(frame: pl.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, path)


def preaggregate(source: Path | str, out: Path | str) -> dict:
    """Scan the raw observations in ``source`` and write the hourly and daily aggregates into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    hourly, daily = preaggregate_frames(scan_observations(source))
    _write_atomic(hourly, out / HOURLY_FILE)
    _write_atomic(daily, out / DAILY_FILE)
    return {"hourly_rows": hourly.height, "daily_rows": daily.height,
            "observations": int(hourly["slots"].cast(pl.Int64).dot(hourly["spaces"].cast(pl.Int64)))
            if hourly.height else 0}


# -- pure queries on the aggregates ----------------------------------------------------------------


def select(frame: pl.DataFrame, parking_ids: Sequence[str] | None = None, start: date | None = None,
           end: date | None = None, column: str = "date") -> pl.DataFrame:
    """Rows of the chosen car parks (all when None) between ``start`` and ``end`` included."""
    if parking_ids:
        frame = frame.filter(pl.col("parking_id").is_in(list(parking_ids)))
    when = pl.col(column).dt.date() if frame.schema.get(column) != pl.Date else pl.col(column)
    if start is not None:
        frame = frame.filter(when >= start)
    if end is not None:
        frame = frame.filter(when <= end)
    return frame


def _weighted_occupancy() -> pl.Expr:
    return (pl.col("occupied_mean").sum() / pl.col("spaces").sum()).alias("occupancy")


def occupancy_trend(daily: pl.DataFrame, parking_ids: Sequence[str] | None = None, every: str = "1d",
                    by_car_park: bool = False) -> pl.DataFrame:
    """Mean occupancy per period (``every``: "1d", "1w", "1mo"), all chosen car parks together weighted by
    their spaces, or one series per car park (``by_car_park``). Columns: [parking_id,] date, occupancy,
    occupancy_max."""
    frame = select(daily, parking_ids)
    keys = ["parking_id"] if by_car_park else []
    per_day = (frame.group_by(keys + ["date"]).agg(_weighted_occupancy(), pl.col("occupancy_max").max())
               if not by_car_park else
               frame.select("parking_id", "date", pl.col("occupancy_mean").alias("occupancy"), "occupancy_max"))
    if every == "1d":
        return per_day.sort(keys + ["date"])
    return (
        per_day.sort("date")
        .group_by_dynamic("date", every=every, group_by=keys or None)
        .agg(pl.col("occupancy").mean(), pl.col("occupancy_max").max())
        .sort(keys + ["date"])
    )


def typical_week(hourly: pl.DataFrame, parking_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """Mean occupancy by weekday (1 = Monday … 7 = Sunday) and hour of day: the full 7 × 24 grid, weighted
    by spaces. Columns: weekday, hour, occupancy (null where no observation)."""
    frame = select(hourly, parking_ids)
    profile = (
        frame.with_columns(pl.col("hour").dt.weekday().cast(pl.Int8).alias("weekday"),
                           pl.col("hour").dt.hour().cast(pl.Int8).alias("hour_of_day"))
        .group_by("weekday", "hour_of_day").agg(_weighted_occupancy())
        .rename({"hour_of_day": "hour"})
    )
    grid = pl.DataFrame({"weekday": pl.Series(range(1, 8), dtype=pl.Int8)}).join(
        pl.DataFrame({"hour": pl.Series(range(24), dtype=pl.Int8)}), how="cross")
    return grid.join(profile, on=["weekday", "hour"], how="left").sort("weekday", "hour")


def typical_week_matrix(week: pl.DataFrame) -> list[list[float | None]]:
    """The 7 × 24 grid of :func:`typical_week` as rows of weekdays (a heatmap's ``z``)."""
    return [week.filter(pl.col("weekday") == d).sort("hour")["occupancy"].to_list() for d in range(1, 8)]


def peak_hours(hourly: pl.DataFrame, parking_ids: Sequence[str] | None = None, top: int = 3,
               weekdays: Sequence[int] | None = None) -> pl.DataFrame:
    """Per car park, the ``top`` hours of day with the highest mean occupancy (optionally on some weekdays
    only, 1 = Monday). Columns: parking_id, rank, hour, occupancy."""
    frame = select(hourly, parking_ids)
    if weekdays:
        frame = frame.filter(pl.col("hour").dt.weekday().is_in(list(weekdays)))
    return (
        frame.group_by("parking_id", pl.col("hour").dt.hour().cast(pl.Int8).alias("hour_of_day"))
        .agg(_weighted_occupancy())
        .sort(["parking_id", "occupancy", "hour_of_day"], descending=[False, True, False])
        .group_by("parking_id", maintain_order=True).head(top)
        .with_columns(pl.int_range(1, pl.len() + 1).over("parking_id").cast(pl.Int8).alias("rank"))
        .select("parking_id", "rank", pl.col("hour_of_day").alias("hour"), "occupancy")
    )


def saturated_days(daily: pl.DataFrame, min_minutes: int = 60,
                   parking_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """The days a car park was saturated (≥ 95 % occupied) for at least ``min_minutes``.
    Columns: parking_id, date, saturation_minutes."""
    return (select(daily, parking_ids)
            .filter(pl.col("saturation_minutes") >= min_minutes)
            .select("parking_id", "date", "saturation_minutes")
            .sort("parking_id", "date"))


def saturation_days(daily: pl.DataFrame, min_minutes: int = 60,
                    parking_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """Per car park, the number of saturated days (0 included), most first.
    Columns: parking_id, saturation_days, days."""
    frame = select(daily, parking_ids)
    return (
        frame.group_by("parking_id")
        .agg((pl.col("saturation_minutes") >= min_minutes).sum().cast(pl.Int32).alias("saturation_days"),
             pl.len().cast(pl.Int32).alias("days"))
        .sort(["saturation_days", "parking_id"], descending=[True, False])
    )


def compare_car_parks(daily: pl.DataFrame, car_parks: pl.DataFrame | None = None, min_minutes: int = 60,
                      parking_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """One row per car park: mean and max occupancy, mean and min free spots, saturated days over the period,
    with its name and capacity when ``car_parks`` is given; highest mean occupancy first."""
    frame = select(daily, parking_ids)
    w = pl.col("slots")
    table = frame.group_by("parking_id").agg(
        (pl.col("occupied_mean") * w).sum().truediv((pl.col("spaces") * w).sum()).alias("occupancy_mean"),
        pl.col("occupancy_max").max(),
        ((pl.col("free_mean") * w).sum() / w.sum()).alias("free_mean"),
        pl.col("free_min").min(),
        (pl.col("saturation_minutes") >= min_minutes).sum().cast(pl.Int32).alias("saturation_days"),
        pl.col("spaces").max(),
    )
    if car_parks is not None:
        table = table.join(car_parks.select("parking_id", "name", "capacity"), on="parking_id", how="left")
    return table.sort(["occupancy_mean", "parking_id"], descending=[True, False])


# -- real time: the late-feed rule (pure) ------------------------------------------------------------------

LATE_AFTER_MINUTES = 30


def realtime_status(frame: pl.DataFrame, late_after_minutes: int = LATE_AFTER_MINUTES) -> pl.DataFrame:
    """See :func:`_realtime_status`; a feed that gives no update time at all cannot say which car park is late:
    every car park is shown as the feed gives it, and ``time_known`` is False (the page says "heure de mise à
    jour inconnue")."""
    if "last_update" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Datetime("us", "UTC")).alias("last_update"))
    if frame.height and frame["last_update"].is_null().all():
        return _fill_state(frame.with_columns(pl.lit(False).alias("late"), pl.lit(False).alias("time_known")))
    return _realtime_status(frame, late_after_minutes).with_columns(pl.lit(True).alias("time_known"))


def _fill_state(frame: pl.DataFrame) -> pl.DataFrame:
    if "fill_rate" not in frame.columns or frame["fill_rate"].is_null().all():  # derived when the feed omits it
        frame = frame.with_columns(
            (100 * (pl.col("capacity") - pl.col("free_spots")) / pl.col("capacity")).alias("fill_rate"))
    return frame.with_columns(
        pl.when(pl.col("late")).then(pl.lit("données en retard"))
        .when(pl.col("free_spots") <= 0).then(pl.lit("complet"))
        .when(pl.col("fill_rate") >= 90).then(pl.lit("presque complet"))
        .otherwise(pl.lit("disponible")).alias("state")).sort("parking_id")


def _realtime_status(frame: pl.DataFrame, late_after_minutes: int = LATE_AFTER_MINUTES) -> pl.DataFrame:
    """The real-time snapshot with ``late`` (bool) and ``state`` ("en retard", "complet", "presque complet",
    "disponible"): a car park whose ``last_update`` is more than ``late_after_minutes`` older than the newest
    update of the feed is late. The reference is the feed's newest update, not the clock, so a bundled
    snapshot keeps its meaning. A late car park gets no ``fill_rate``/``free_spots`` (null): it is never shown
    as full or empty on stale figures."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, pl.Boolean).alias("late"), pl.lit(None, pl.String).alias("state"))
    newest = frame["last_update"].max()
    late = (pl.col("last_update").is_null()
            | ((pl.lit(newest) - pl.col("last_update")) > pl.duration(minutes=late_after_minutes)))
    return (
        frame.with_columns(late.alias("late"))
        .with_columns(
            pl.when(pl.col("late")).then(None).otherwise(pl.col("fill_rate")).alias("fill_rate"),
            pl.when(pl.col("late")).then(None).otherwise(pl.col("free_spots")).alias("free_spots"),
        )
        .pipe(_fill_state)
    )


def car_parks_of(realtime: pl.DataFrame | None, daily: pl.DataFrame | None) -> pl.DataFrame:
    """The territory's car parks (parking_id, name, capacity): those of the real-time feed, plus any car park
    of the history the feed does not list (named by its identifier)."""
    frames = []
    if realtime is not None:
        frames.append(realtime.select("parking_id", "name", pl.col("capacity").cast(pl.Int64)))
    if daily is not None:
        known = set(frames[0]["parking_id"].to_list()) if frames else set()
        extra = daily.group_by("parking_id").agg(pl.col("spaces").max().cast(pl.Int64).alias("capacity"))
        frames.append(extra.filter(~pl.col("parking_id").is_in(sorted(known)))
                      .select("parking_id", pl.col("parking_id").alias("name"), "capacity"))
    if not frames:
        return pl.DataFrame(schema={"parking_id": pl.String, "name": pl.String, "capacity": pl.Int64})
    return pl.concat(frames).unique("parking_id", keep="first").sort("parking_id")


# -- memoised wrappers (the page reads the aggregates' snapshots through these) ----------------------------


REALTIME, HOURLY, DAILY, DSP = "parking.realtime", "parking.hourly", "parking.daily", "parking.dsp"


@query(REALTIME)
def realtime(ctx, late_after_minutes: int = LATE_AFTER_MINUTES) -> pl.DataFrame:
    return realtime_status(ctx.role_frame(REALTIME), late_after_minutes)


@query(REALTIME, DAILY)
def car_parks(ctx) -> pl.DataFrame:
    return car_parks_of(ctx.role_frame(REALTIME) if ctx.has(REALTIME) else None,
                        ctx.role_frame(DAILY) if ctx.has(DAILY) else None)


@query(DAILY)
def cached_trend(ctx, parking_id: str | None, every: str = "1d") -> pl.DataFrame:
    return occupancy_trend(ctx.role_frame(DAILY), [parking_id] if parking_id else None, every)


@query(HOURLY)
def cached_typical_week(ctx, parking_id: str | None) -> pl.DataFrame:
    return typical_week(ctx.role_frame(HOURLY), [parking_id] if parking_id else None)


@query(HOURLY)
def cached_peak_hours(ctx, parking_id: str | None, weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)) -> pl.DataFrame:
    """Mean occupancy by hour of day (0–23) for the chosen car park (all together when None), on weekdays.
    Columns: hour, occupancy."""
    frame = select(ctx.role_frame(HOURLY), [parking_id] if parking_id else None)
    frame = frame.filter(pl.col("hour").dt.weekday().is_in(list(weekdays)))
    return (frame.group_by(pl.col("hour").dt.hour().cast(pl.Int8).alias("hour_of_day")).agg(_weighted_occupancy())
            .rename({"hour_of_day": "hour"}).sort("hour"))


@query(DAILY)
def cached_saturation_days(ctx, min_minutes: int = 60) -> pl.DataFrame:
    return saturation_days(ctx.role_frame(DAILY), min_minutes)


@query(DAILY, REALTIME)
def cached_comparison(ctx) -> pl.DataFrame:
    return compare_car_parks(ctx.role_frame(DAILY), car_parks(ctx))


@query(DSP)
def dsp(ctx) -> pl.DataFrame:
    return ctx.role_frame(DSP).sort("annee")
