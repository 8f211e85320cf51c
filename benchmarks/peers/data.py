"""What both peers read: Pilote's bundled parking aggregates (the same Parquet files), as pandas frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SNAPSHOTS = Path(__file__).resolve().parents[2] / "data" / "snapshots"
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _latest(prefix: str) -> Path:
    return sorted(SNAPSHOTS.glob(f"{prefix}-*.parquet"))[-1]


def daily() -> pd.DataFrame:
    frame = pd.read_parquet(_latest("parking_journalier"), columns=["parking_id", "date", "occupancy_mean",
                                                                   "occupancy_max"])
    frame["occupation"] = (100 * frame["occupancy_mean"]).round(1)
    frame["maximum"] = (100 * frame["occupancy_max"]).round(1)
    return frame


def hourly() -> pd.DataFrame:
    frame = pd.read_parquet(_latest("parking_horaire"), columns=["parking_id", "hour", "occupancy_mean"])
    local = frame["hour"].dt.tz_convert("Europe/Paris")
    frame["jour"] = pd.Categorical(local.dt.dayofweek.map(dict(enumerate(WEEKDAYS))), WEEKDAYS, ordered=True)
    frame["heure"] = local.dt.hour
    frame["occupation"] = 100 * frame["occupancy_mean"]
    return frame


def car_parks() -> list[str]:
    return sorted(daily()["parking_id"].unique())
