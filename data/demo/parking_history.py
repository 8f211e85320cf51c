"""A year of parking history in Issy-les-Moulineaux: the scale dataset, generated on demand, never committed.

Published (see /work/shared/data/README.md): about 1,000 public parking spaces with real-time availability;
the portal's parking dataset carries ``name``, ``value_free_spots``, ``nombre_de_places_contractuelles``,
``remplissage`` and ``parking_id``. The ten car parks below, their names, capacities, coordinates and every
observation are DEMONSTRATION data, generated deterministically.

Data model (the choice that keeps "≈105 M observations" honest): one row per SPACE and per 5-minute slot,
``parking_id, space_id, ts, occupied``. 1,000 spaces × 365 days × 288 slots = 105,120,000 rows, which is the
issue's figure; a per-car-park free-spot count would be ~1.05 M rows, one hundredth of it. The spaces of a car
park are coherent with its fill level: a level ``n(t)`` of occupied spaces is generated per car park and
slot (daily, weekly and seasonal profile + day-level and AR(1) noise), and the ``n(t)`` spaces that come first
in that day's filling order are occupied. So ``sum(occupied)`` over a car park at a slot is exactly its fill
level, stays are contiguous, and ``free spots = spaces - sum(occupied)``.

``ts`` is the Europe/Paris wall-clock time, naive (no offset): 288 slots every day, DST ignored, so that the
hour × weekday views read as local time.

Patterns: commuter car parks (station, offices) are full on weekdays 9–18 h and nearly empty at weekends;
commercial ones peak on Saturdays 10–19 h and in December; the residential one is full at night; the leisure
one fills on sunny weekend afternoons; everything dips in August; French public holidays look like Sundays.

Layout written by :func:`write` (one file per month, one row group per car park and month: memory stays
bounded by one car park-month, at most ~1.6 M rows at full scale; ~340 MiB peak RSS)::

    <out>/car_parks.parquet              parking_id, name, kind, capacity, lat, lon, demo
    <out>/observations-2025-01.parquet   parking_id, space_id, ts, occupied
    ...
    <out>/manifest.json                  spaces, days, seed, rows, bytes (written last)

``python -m data.demo.parking_history --out DIR [--spaces N] [--days D] [--seed S]`` (small defaults).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

YEAR = 2025
SLOT_MINUTES = 5
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES  # 288
DEFAULT_SEED = 92040
FULL_SPACES, FULL_DAYS = 1_000, 365
OBSERVATIONS_GLOB = "observations-*.parquet"
CAR_PARKS_FILE = "car_parks.parquet"
MANIFEST_FILE = "manifest.json"  # written last: a directory without it is incomplete

# Demonstration car parks: parking_id, name, kind, capacity (sums to 1,000), lat, lon (inside Issy's outline).
CAR_PARKS: list[tuple[str, str, str, int, float, float]] = [
    ("ISSY-P01", "Gare d'Issy Val de Seine", "commuter", 180, 48.8296, 2.2642),
    ("ISSY-P02", "Centre commercial Les Trois Moulins", "commercial", 150, 48.8215, 2.2655),
    ("ISSY-P03", "Hôtel de Ville", "residential", 120, 48.8240, 2.2730),
    ("ISSY-P04", "Corentin Celton", "commuter", 110, 48.8268, 2.2790),
    ("ISSY-P05", "Cœur de Ville", "commercial", 100, 48.8232, 2.2705),
    ("ISSY-P06", "Issy Bords de Seine (bureaux)", "commuter", 90, 48.8300, 2.2620),
    ("ISSY-P07", "Marché Séverine", "commercial", 80, 48.8250, 2.2680),
    ("ISSY-P08", "Gare d'Issy RER C", "commuter", 70, 48.8188, 2.2620),
    ("ISSY-P09", "Fort d'Issy", "residential", 60, 48.8170, 2.2580),
    ("ISSY-P10", "Île Saint-Germain", "leisure", 40, 48.8262, 2.2555),
]

# French public holidays of 2025: they look like a Sunday.
HOLIDAYS_2025 = {date(2025, 1, 1), date(2025, 4, 21), date(2025, 5, 1), date(2025, 5, 8), date(2025, 5, 29),
                 date(2025, 6, 9), date(2025, 7, 14), date(2025, 8, 15), date(2025, 11, 1), date(2025, 11, 11),
                 date(2025, 12, 25)}

# Daily profiles (share of spaces occupied) as knots (hour, rate), linearly interpolated; day types:
# "weekday", "saturday", "sunday" (Sundays and holidays).
PROFILES: dict[str, dict[str, list[tuple[float, float]]]] = {
    "commuter": {
        "weekday": [(0, .06), (6, .08), (7, .35), (8.5, .93), (9, .985), (17.5, .985), (18.5, .6), (20, .15), (24, .06)],
        "saturday": [(0, .06), (9, .10), (12, .22), (17, .20), (20, .10), (24, .06)],
        "sunday": [(0, .05), (10, .07), (14, .12), (18, .10), (24, .05)],
    },
    "commercial": {
        "weekday": [(0, .04), (9, .06), (10, .35), (12.5, .62), (14, .55), (18, .70), (19.5, .40), (21, .06), (24, .04)],
        "saturday": [(0, .04), (9, .10), (10.5, .80), (11.5, .985), (18.5, .985), (19.5, .60), (21, .08), (24, .04)],
        "sunday": [(0, .04), (9, .10), (11, .55), (13, .40), (14, .10), (24, .04)],
    },
    "residential": {
        "weekday": [(0, .92), (6, .92), (8.5, .55), (12, .45), (17, .50), (19.5, .85), (21, .95), (24, .92)],
        "saturday": [(0, .93), (9, .85), (12, .70), (17, .72), (20, .90), (24, .93)],
        "sunday": [(0, .93), (10, .88), (14, .80), (18, .85), (21, .95), (24, .93)],
    },
    "leisure": {
        "weekday": [(0, .03), (9, .05), (12, .30), (17, .35), (20, .08), (24, .03)],
        "saturday": [(0, .03), (9, .10), (13, .70), (15, .96), (18, .90), (20.5, .20), (24, .03)],
        "sunday": [(0, .03), (9, .12), (13, .75), (15, .98), (18, .92), (20.5, .20), (24, .03)],
    },
}

# Monthly multiplier of the activity above the night floor, per kind: August dip, December peak (shops).
SEASONS: dict[str, list[float]] = {
    #             J     F     M     A     M     J     J     A     S     O     N     D
    "commuter": [.97, 1.0, 1.0, .96, .95, 1.0, .90, .55, 1.0, 1.0, 1.0, .90],
    "commercial": [.90, .85, .90, .92, .95, .95, .90, .65, .92, .95, 1.0, 1.15],
    "residential": [1.0, 1.0, 1.0, .98, .98, 1.0, .95, .80, 1.0, 1.0, 1.0, .97],
    "leisure": [.45, .50, .65, .80, .95, 1.05, 1.05, .85, .90, .70, .50, .45],
}

# Per car park multiplier of the activity above the night floor: car parks of one kind differ.
LEVELS = {"ISSY-P01": 1.0, "ISSY-P02": 1.02, "ISSY-P03": 1.0, "ISSY-P04": 0.92, "ISSY-P05": 0.9, "ISSY-P06": 0.97,
          "ISSY-P07": 0.95, "ISSY-P08": 1.03, "ISSY-P09": 0.96, "ISSY-P10": 1.0}

OBSERVATION_SCHEMA = {"parking_id": pl.String, "space_id": pl.Int32, "ts": pl.Datetime("us"), "occupied": pl.Boolean}


def scaled_capacities(spaces: int) -> list[int]:
    """The capacities scaled to ``spaces`` in total (largest remainders), at least one space per car park."""
    base = [row[3] for row in CAR_PARKS]
    if spaces < len(base):
        raise ValueError(f"at least {len(base)} spaces (one per car park)")
    exact = [spaces * c / sum(base) for c in base]
    caps = [max(1, int(x)) for x in exact]
    order = sorted(range(len(base)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    i = 0
    while sum(caps) < spaces:
        caps[order[i % len(order)]] += 1
        i += 1
    while sum(caps) > spaces:
        j = max(range(len(caps)), key=lambda k: caps[k])
        caps[j] -= 1
    return caps


def car_parks(spaces: int = FULL_SPACES) -> pl.DataFrame:
    """The demonstration car parks on the portal's vocabulary (``parking_id``, ``name``), capacities scaled."""
    caps = scaled_capacities(spaces)
    return pl.DataFrame(
        [(pid, name, kind, cap, lat, lon) for (pid, name, kind, _, lat, lon), cap in zip(CAR_PARKS, caps)],
        schema={"parking_id": pl.String, "name": pl.String, "kind": pl.String, "capacity": pl.Int32,
                "lat": pl.Float64, "lon": pl.Float64}, orient="row",
    ).with_columns(pl.lit(True).alias("demo"))


def _day_type(day: date) -> str:
    if day in HOLIDAYS_2025 or day.weekday() == 6:
        return "sunday"
    return "saturday" if day.weekday() == 5 else "weekday"


def _profile_curve(knots: list[tuple[float, float]]) -> np.ndarray:
    hours = np.arange(SLOTS_PER_DAY) * SLOT_MINUTES / 60
    xs, ys = zip(*knots)
    return np.interp(hours, xs, ys)


def fill_levels(kind: str, capacity: int, days: list[date], rng: np.random.Generator,
                level: float = 1.0) -> np.ndarray:
    """Occupied spaces per 5-minute slot over ``days`` (int array, days × 288 long), for one car park."""
    curves = {t: _profile_curve(k) for t, k in PROFILES[kind].items()}
    night = min(y for knots in PROFILES[kind].values() for _, y in knots)
    season = SEASONS[kind]
    rates = np.empty((len(days), SLOTS_PER_DAY))
    day_noise = rng.normal(0.0, 0.04, len(days))
    for i, day in enumerate(days):
        curve = curves[_day_type(day)]
        mult = season[day.month - 1] * level
        if kind == "commercial" and day.month == 12 and 13 <= day.day <= 24:
            mult *= 1.08  # Christmas shopping
        rates[i] = night + (curve - night) * mult * (1 + day_noise[i])
    # AR(1) noise along the whole period (phi 0.9, ~0.045 stationary sd): minutes-scale wobble.
    shocks = rng.normal(0.0, 0.02, rates.size)
    ar = _ar1(shocks, 0.9)
    levels = np.rint(np.clip(rates.ravel() + ar, 0.0, 1.0) * capacity).astype(np.int32)
    return levels


def _ar1(shocks: np.ndarray, phi: float) -> np.ndarray:
    """x[t] = phi * x[t-1] + shocks[t], x[-1] = 0 (a plain loop: ~0.1 s per car park-year)."""
    out = np.empty_like(shocks)
    acc = 0.0
    for i, e in enumerate(shocks.tolist()):
        acc = phi * acc + e
        out[i] = acc
    return out


def _days(n_days: int) -> list[date]:
    start = date(YEAR, 1, 1)
    return [start + timedelta(days=i) for i in range(n_days)]


def _months(days: list[date]) -> Iterator[tuple[str, int, int]]:
    """(label "YYYY-MM", first day index, end day index) of each month covered by ``days``."""
    start = 0
    for i in range(1, len(days) + 1):
        if i == len(days) or (days[i].year, days[i].month) != (days[start].year, days[start].month):
            yield f"{days[start].year:04d}-{days[start].month:02d}", start, i
            start = i


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


def iter_chunks(spaces: int = FULL_SPACES, n_days: int = FULL_DAYS,
                seed: int = DEFAULT_SEED) -> Iterator[tuple[str, pl.DataFrame]]:
    """(month label, observations of one car park over that month), car park after car park, month by month.

    Each chunk is one car park-month (at most 180 spaces × 8,928 slots ≈ 1.6 M rows at full scale). Deterministic: the fill levels of a
    car park come from ``rng(seed, park)``, its filling order of day ``d`` from ``rng(seed, park, d)``.
    """
    parks = car_parks(spaces)
    days = _days(n_days)
    levels = [fill_levels(kind, cap, days, _rng(seed, k), LEVELS.get(pid, 1.0))
              for k, (pid, kind, cap) in enumerate(zip(parks["parking_id"], parks["kind"], parks["capacity"]))]
    first_space = np.concatenate([[0], np.cumsum(parks["capacity"].to_numpy())[:-1]])
    slot_offsets = (np.arange(SLOTS_PER_DAY, dtype=np.int64) * SLOT_MINUTES * 60_000_000)
    epoch = datetime(1970, 1, 1)
    for label, d0, d1 in _months(days):
        n_slots = (d1 - d0) * SLOTS_PER_DAY
        day_starts = np.array([int((datetime.combine(days[d], datetime.min.time()) - epoch).total_seconds())
                               * 1_000_000 for d in range(d0, d1)], dtype=np.int64)
        ts = (day_starts[:, None] + slot_offsets[None, :]).ravel()  # µs since epoch, wall clock
        for k, (pid, cap) in enumerate(zip(parks["parking_id"], parks["capacity"])):
            # filling order of each day: rank[d, s] is the rank of space s that day; occupied iff rank < n(t)
            ranks = np.stack([_rng(seed, k, d).permutation(cap).astype(np.int32) for d in range(d0, d1)])
            level = levels[k][d0 * SLOTS_PER_DAY:d1 * SLOTS_PER_DAY]
            day_of_slot = np.repeat(np.arange(d1 - d0), SLOTS_PER_DAY)
            occupied = ranks[day_of_slot] < level[:, None]  # (slots, spaces)
            frame = pl.DataFrame({
                "parking_id": pl.repeat(pid, cap * n_slots, dtype=pl.String, eager=True),
                "space_id": np.repeat(np.arange(first_space[k], first_space[k] + cap, dtype=np.int32), n_slots),
                "ts": pl.Series(np.tile(ts, cap)).cast(pl.Datetime("us")),
                "occupied": occupied.T.ravel(),  # space-major: one space's slots in order, long runs
            }, schema=OBSERVATION_SCHEMA)
            yield label, frame


def write(out: Path | str, spaces: int = FULL_SPACES, n_days: int = FULL_DAYS, seed: int = DEFAULT_SEED,
          compression: str = "zstd") -> dict:
    """Generate and write the dataset into ``out`` (created); returns rows, files, bytes and seconds."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST_FILE).unlink(missing_ok=True)
    for old in out.glob(OBSERVATIONS_GLOB):
        old.unlink()
    start = time.perf_counter()
    car_parks(spaces).write_parquet(out / CAR_PARKS_FILE)
    rows, files, writer, current, tmp = 0, [], None, None, None
    try:
        for label, frame in iter_chunks(spaces, n_days, seed):
            if label != current:
                if writer is not None:
                    writer.close()
                    os.replace(tmp, out / f"observations-{current}.parquet")
                current = label
                tmp = out / f".observations-{label}.parquet.tmp"
                table = frame.to_arrow()
                writer = pq.ParquetWriter(tmp, table.schema, compression=compression)
                files.append(out / f"observations-{label}.parquet")
            else:
                table = frame.to_arrow()
            writer.write_table(table, row_group_size=len(table))
            rows += frame.height
        if writer is not None:
            writer.close()
            os.replace(tmp, out / f"observations-{current}.parquet")
            writer = None
    finally:
        if writer is not None:
            writer.close()
            Path(tmp).unlink(missing_ok=True)
    size = sum(f.stat().st_size for f in files) + (out / CAR_PARKS_FILE).stat().st_size
    result = {"rows": rows, "files": len(files), "bytes": size, "seconds": time.perf_counter() - start}
    manifest = {"spaces": spaces, "days": n_days, "seed": seed, **result}
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return result


def manifest(out: Path | str) -> dict | None:
    """What :func:`write` generated in ``out`` (spaces, days, seed, rows, bytes), or None."""
    try:
        return json.loads((Path(out) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def default_out() -> Path:
    from data_access.settings import Settings

    return Settings.from_env().data_dir / "scale" / "parking_observations"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.demo.parking_history",
                                     description="Generate the parking history scale dataset (demonstration).")
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (default <PILOTE_DATA_DIR>/scale/parking_observations)")
    parser.add_argument("--spaces", type=int, default=40, help="spaces in total (default 40; full scale 1000)")
    parser.add_argument("--days", type=int, default=14, help="days from 1 Jan 2025 (default 14; full scale 365)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    out = args.out or default_out()
    result = write(out, args.spaces, args.days, args.seed)
    print(f"{result['rows']:,} observations in {result['files']} files, {result['bytes'] / 2**20:.1f} MiB, "
          f"{result['seconds']:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
