"""Parking history: generator (determinism, patterns), pre-aggregation and the pure queries."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from data.demo import parking_history as gen
from data_access import stationnement as st

ROOT = Path(__file__).resolve().parents[2]
CONTOURS = ROOT / "data" / "sources" / "communes-92-hauts-de-seine.geojson"  # shipped with the app


def hourly_rows(rows: list[tuple]) -> pl.DataFrame:
    """(parking_id, hour, spaces, occupied_mean) -> a minimal hourly aggregate."""
    return pl.DataFrame(rows, schema={"parking_id": pl.String, "hour": pl.Datetime("us"), "spaces": pl.Int32,
                                      "occupied_mean": pl.Float64}, orient="row").with_columns(
        pl.lit(12, pl.Int32).alias("slots"))


def daily_rows(rows: list[tuple]) -> pl.DataFrame:
    """(parking_id, date, spaces, occupied_mean, saturation_minutes) -> a minimal daily aggregate."""
    frame = pl.DataFrame(rows, schema={"parking_id": pl.String, "date": pl.Date, "spaces": pl.Int32,
                                       "occupied_mean": pl.Float64, "saturation_minutes": pl.Int32}, orient="row")
    return frame.with_columns(
        pl.lit(288, pl.Int32).alias("slots"),
        (pl.col("occupied_mean") / pl.col("spaces")).alias("occupancy_mean"),
        (pl.col("occupied_mean") / pl.col("spaces")).alias("occupancy_max"),
        (pl.col("spaces") - pl.col("occupied_mean")).alias("free_mean"),
        (pl.col("spaces") - pl.col("occupied_mean")).cast(pl.Int32).alias("free_min"),
    )


# -- pure queries on hand-computed inputs ----------------------------------------------------------

def test_typical_week_is_weighted_by_spaces_on_a_full_grid():
    hourly = hourly_rows([
        ("A", datetime(2025, 1, 6, 8), 10, 5.0),    # Monday 8 h
        ("B", datetime(2025, 1, 6, 8), 30, 30.0),   # Monday 8 h
        ("A", datetime(2025, 1, 13, 8), 10, 10.0),  # the next Monday 8 h
        ("A", datetime(2025, 1, 11, 10), 10, 2.0),  # Saturday 10 h
    ])
    week = st.typical_week(hourly)
    assert week.height == 7 * 24
    cell = {(d, h): v for d, h, v in week.iter_rows()}
    assert cell[(1, 8)] == pytest.approx((5 + 30 + 10) / (10 + 30 + 10))
    assert cell[(6, 10)] == pytest.approx(0.2)
    assert cell[(2, 8)] is None
    assert st.typical_week(hourly, ["A"]).filter((pl.col("weekday") == 1) & (pl.col("hour") == 8))["occupancy"][0] \
        == pytest.approx(0.75)
    matrix = st.typical_week_matrix(week)
    assert len(matrix) == 7 and all(len(row) == 24 for row in matrix)
    assert matrix[5][10] == pytest.approx(0.2)


def test_peak_hours_ranks_hours_of_day_per_car_park():
    hourly = hourly_rows([
        ("A", datetime(2025, 1, 6, 8), 10, 9.0), ("A", datetime(2025, 1, 7, 8), 10, 7.0),  # 8 h: 0.8
        ("A", datetime(2025, 1, 6, 12), 10, 9.0),  # 12 h: 0.9
        ("A", datetime(2025, 1, 6, 20), 10, 1.0),  # 20 h: 0.1
        ("B", datetime(2025, 1, 11, 15), 4, 4.0),  # Saturday 15 h: 1.0
        ("B", datetime(2025, 1, 6, 9), 4, 1.0),
    ])
    peaks = st.peak_hours(hourly, top=2)
    assert peaks.rows() == [("A", 1, 12, pytest.approx(0.9)), ("A", 2, 8, pytest.approx(0.8)),
                            ("B", 1, 15, pytest.approx(1.0)), ("B", 2, 9, pytest.approx(0.25))]
    weekdays_only = st.peak_hours(hourly, ["B"], top=1, weekdays=[1, 2, 3, 4, 5])
    assert weekdays_only.rows() == [("B", 1, 9, pytest.approx(0.25))]


def test_saturation_days_counts_days_over_the_minutes_threshold():
    daily = daily_rows([
        ("A", date(2025, 3, 1), 10, 9.0, 0), ("A", date(2025, 3, 2), 10, 9.0, 55),
        ("A", date(2025, 3, 3), 10, 9.0, 60), ("A", date(2025, 3, 4), 10, 9.0, 120),
        ("B", date(2025, 3, 1), 20, 5.0, 0),
    ])
    assert st.saturated_days(daily, 60).rows() == [("A", date(2025, 3, 3), 60), ("A", date(2025, 3, 4), 120)]
    assert st.saturation_days(daily, 60).rows() == [("A", 2, 4), ("B", 0, 1)]
    assert st.saturation_days(daily, 30).rows() == [("A", 3, 4), ("B", 0, 1)]
    assert st.saturation_days(daily, 60, ["B"]).rows() == [("B", 0, 1)]


def test_occupancy_trend_weights_car_parks_and_resamples():
    daily = daily_rows([
        ("A", date(2025, 1, 6), 10, 10.0, 0), ("B", date(2025, 1, 6), 30, 0.0, 0),
        ("A", date(2025, 1, 7), 10, 5.0, 0), ("B", date(2025, 1, 7), 30, 15.0, 0),
    ])
    trend = st.occupancy_trend(daily)
    assert trend["date"].to_list() == [date(2025, 1, 6), date(2025, 1, 7)]
    assert trend["occupancy"].to_list() == pytest.approx([0.25, 0.5])
    per_park = st.occupancy_trend(daily, by_car_park=True)
    assert per_park.filter(pl.col("parking_id") == "A")["occupancy"].to_list() == pytest.approx([1.0, 0.5])
    weekly = st.occupancy_trend(daily, every="1w")
    assert weekly.rows() == [(date(2025, 1, 6), pytest.approx(0.375), pytest.approx(1.0))]
    assert st.occupancy_trend(daily, ["B"])["occupancy"].to_list() == pytest.approx([0.0, 0.5])


def test_compare_car_parks_and_date_selection():
    daily = daily_rows([
        ("A", date(2025, 1, 6), 10, 10.0, 90), ("A", date(2025, 1, 7), 10, 5.0, 0),
        ("B", date(2025, 1, 6), 30, 3.0, 0),
    ])
    parks = pl.DataFrame({"parking_id": ["A", "B"], "name": ["Alpha", "Bravo"], "kind": ["commuter", "commercial"],
                          "capacity": [10, 30]})
    table = st.compare_car_parks(daily, parks)
    assert table.select("parking_id", "name", "saturation_days", "free_min").rows() == [
        ("A", "Alpha", 1, 0), ("B", "Bravo", 0, 27)]
    assert table["occupancy_mean"].to_list() == pytest.approx([0.75, 0.1])
    assert st.select(daily, start=date(2025, 1, 7)).height == 1
    assert st.select(daily, end=date(2025, 1, 6), parking_ids=["A"]).height == 1


# -- pre-aggregation -------------------------------------------------------------------------------

def test_hourly_aggregate_of_hand_made_observations():
    start = datetime(2025, 1, 6, 8)
    ts = [start.replace(minute=5 * i) for i in range(12)]
    rows = []
    for i, t in enumerate(ts):
        rows.append(("A", 0, t, True))
        rows.append(("A", 1, t, i < 6))  # both occupied for 30 minutes, then one
    raw = pl.DataFrame(rows, schema=gen.OBSERVATION_SCHEMA, orient="row").lazy()
    hourly, daily = st.preaggregate_frames(raw)
    row = hourly.row(0, named=True)
    assert row["slots"] == 12 and row["spaces"] == 2
    assert row["occupied_mean"] == pytest.approx(1.5)
    assert row["occupancy_mean"] == pytest.approx(0.75)
    assert row["occupancy_max"] == 1.0
    assert row["free_min"] == 0 and row["free_mean"] == pytest.approx(0.5)
    assert row["saturation_minutes"] == 30
    assert daily.row(0, named=True)["date"] == date(2025, 1, 6)
    assert daily["saturation_minutes"].to_list() == [30]


def test_aggregation_of_a_generated_set_equals_a_direct_computation(tmp_path):
    result = gen.write(tmp_path / "raw", spaces=30, n_days=3, seed=7)
    assert result["rows"] == 30 * 3 * 288
    info = st.preaggregate(tmp_path / "raw", tmp_path / "agg")
    assert info["observations"] == result["rows"]
    hourly = pl.read_parquet(tmp_path / "agg" / st.HOURLY_FILE)
    daily = pl.read_parquet(tmp_path / "agg" / st.DAILY_FILE)
    raw = pl.read_parquet(tmp_path / "raw" / gen.OBSERVATIONS_GLOB).sort("parking_id", "space_id", "ts")
    assert hourly.height == 10 * 3 * 24 and daily.height == 10 * 3
    for pid, part in raw.group_by("parking_id"):
        spaces = part["space_id"].n_unique()
        occupied = part["occupied"].to_numpy().reshape(spaces, -1)  # space-major, ts ascending
        per_slot = occupied.sum(axis=0)
        rate = (per_slot / spaces).reshape(-1, 12)  # hours × slots
        mine = hourly.filter(pl.col("parking_id") == pid[0]).sort("hour")
        assert np.allclose(mine["occupancy_mean"].to_numpy(), rate.mean(axis=1))
        assert np.allclose(mine["occupancy_max"].to_numpy(), rate.max(axis=1))
        assert (mine["free_min"].to_numpy() == (spaces - per_slot).reshape(-1, 12).min(axis=1)).all()
        assert (mine["saturation_minutes"].to_numpy() == 5 * (rate >= 0.95).sum(axis=1)).all()
        day = daily.filter(pl.col("parking_id") == pid[0]).sort("date")
        by_day = (per_slot / spaces).reshape(-1, 288)
        assert np.allclose(day["occupancy_mean"].to_numpy(), by_day.mean(axis=1))
        assert (day["saturation_minutes"].to_numpy() == 5 * (by_day >= 0.95).sum(axis=1)).all()


# -- generator -------------------------------------------------------------------------------------

def test_generator_is_deterministic(tmp_path):
    one = gen.write(tmp_path / "one", spaces=20, n_days=2, seed=3)
    two = gen.write(tmp_path / "two", spaces=20, n_days=2, seed=3)
    gen.write(tmp_path / "other", spaces=20, n_days=2, seed=4)
    assert one["rows"] == two["rows"] == 20 * 2 * 288
    read = lambda d: pl.read_parquet(tmp_path / d / gen.OBSERVATIONS_GLOB)
    assert read("one").equals(read("two"))
    assert not read("one").equals(read("other"))
    assert pl.read_parquet(tmp_path / "one" / gen.CAR_PARKS_FILE).equals(
        pl.read_parquet(tmp_path / "two" / gen.CAR_PARKS_FILE))


def test_generator_chunks_by_month_and_scales_capacities(tmp_path):
    result = gen.write(tmp_path, spaces=10, n_days=35, seed=1)
    assert result["files"] == 2  # January, then 4 days of February
    assert sorted(p.name for p in tmp_path.glob(gen.OBSERVATIONS_GLOB)) == [
        "observations-2025-01.parquet", "observations-2025-02.parquet"]
    assert gen.car_parks()["capacity"].sum() == 1_000
    for n in (10, 37, 250, 1_000):
        caps = gen.scaled_capacities(n)
        assert sum(caps) == n and min(caps) >= 1


def test_commuter_car_park_is_full_on_weekdays_and_empty_at_weekends():
    # two full weeks from Monday 6 January 2025; the first car park is the commuter one of the station
    days = [date(2025, 1, 6 + i) for i in range(14)]
    levels = gen.fill_levels("commuter", 180, days, np.random.default_rng(0)).reshape(14, 288) / 180
    office = slice(10 * 12, 17 * 12)  # 10–17 h
    weekday = np.concatenate([levels[i, office] for i in range(14) if days[i].weekday() < 5])
    weekend = np.concatenate([levels[i, office] for i in range(14) if days[i].weekday() >= 5])
    assert weekday.mean() > 0.85
    assert weekend.mean() < 0.3
    shop = gen.fill_levels("commercial", 150, days, np.random.default_rng(0)).reshape(14, 288) / 150
    saturday = shop[5, 12 * 12:18 * 12].mean()
    assert saturday > shop[2, 12 * 12:18 * 12].mean() and saturday > shop[6, 12 * 12:18 * 12].mean()


def test_generated_observations_match_the_fill_levels():
    chunks = list(gen.iter_chunks(spaces=20, n_days=2, seed=5))
    label, first = chunks[0]
    assert label == "2025-01" and first.schema == pl.Schema(gen.OBSERVATION_SCHEMA)
    per_slot = first.group_by("ts").agg(pl.col("occupied").sum()).sort("ts")["occupied"].to_numpy()
    parks = gen.car_parks(20)
    expected = gen.fill_levels(parks["kind"][0], parks["capacity"][0], [date(2025, 1, 1), date(2025, 1, 2)],
                               np.random.default_rng([5, 0]), gen.LEVELS["ISSY-P01"])
    assert (per_slot == expected).all()


def test_august_dips_and_december_peaks():
    aug = [date(2025, 8, d) for d in range(4, 9)]  # Monday to Friday
    sep = [date(2025, 9, d) for d in range(8, 13)]
    rng = np.random.default_rng
    assert gen.fill_levels("commuter", 100, aug, rng(1)).mean() < 0.8 * gen.fill_levels("commuter", 100, sep, rng(1)).mean()
    dec = [date(2025, 12, 20)]  # a Saturday before Christmas
    feb = [date(2025, 2, 15)]
    assert gen.fill_levels("commercial", 100, dec, rng(2)).mean() > gen.fill_levels("commercial", 100, feb, rng(2)).mean()


def _inside(lon: float, lat: float, ring: list[list[float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_car_parks_lie_inside_issy():
    issy = next(f for f in json.loads(CONTOURS.read_text(encoding="utf-8"))["features"]
                if f["properties"]["code"] == "92040")
    ring = issy["geometry"]["coordinates"][0]
    for pid, lat, lon in gen.car_parks().select("parking_id", "lat", "lon").iter_rows():
        assert _inside(lon, lat, ring), pid
