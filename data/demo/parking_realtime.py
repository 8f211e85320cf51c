"""Real-time availability of the car parks of Issy-les-Moulineaux: one deterministic snapshot (demonstration).

The shape is that of the portal's real-time parking dataset: one row per car park with ``name``,
``value_free_spots``, ``nombre_de_places_contractuelles``, ``remplissage`` (%), ``parking_id``, ``geo`` (an ODS
geo point, ``"lat, lon"`` as in the label exports) and ``last_update`` (ISO 8601 with its offset).

The car parks are those of :mod:`data.demo.parking_history` (same identifiers, names, capacities and
coordinates). Their fill level is the weekday profile of their kind at the time of the snapshot (a Tuesday of
October, 10:45 Paris time) plus a little deterministic noise. Two feeds are late on purpose, so that the page's
"données en retard" state is visible: ``ISSY-P07`` stopped reporting 2 h 35 min before the others and
``ISSY-P10`` the evening before. Everything here is DEMONSTRATION data.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl

from data.demo.parking_history import CAR_PARKS, LEVELS, PROFILES, SEASONS

SEED = 92_040_10
PARIS_OFFSET = timezone(timedelta(hours=2))  # CEST on the snapshot's date
SNAPSHOT_AT = datetime(2026, 10, 6, 10, 45, tzinfo=PARIS_OFFSET)
# parking_id -> how long before the snapshot its feed last reported (late feeds, on purpose).
LATE = {"ISSY-P07": timedelta(hours=2, minutes=35), "ISSY-P10": timedelta(hours=15, minutes=20)}
FIELDS = ["parking_id", "name", "value_free_spots", "nombre_de_places_contractuelles", "remplissage", "geo",
          "last_update"]


def _rate(kind: str, when: datetime, level: float) -> float:
    knots = PROFILES[kind]["weekday" if when.weekday() < 5 else ("saturday" if when.weekday() == 5 else "sunday")]
    night = min(y for day in PROFILES[kind].values() for _, y in day)
    xs, ys = zip(*knots)
    curve = float(np.interp(when.hour + when.minute / 60, xs, ys))
    return night + (curve - night) * SEASONS[kind][when.month - 1] * level


def generate() -> pl.DataFrame:
    """The snapshot, on the portal's field names (strings and numbers as the portal sends them)."""
    rng = random.Random(SEED)
    rows = []
    for pid, name, kind, capacity, lat, lon in CAR_PARKS:
        seen = SNAPSHOT_AT - LATE.get(pid, timedelta(minutes=rng.choice([0, 1, 2, 3, 4])))
        rate = min(max(_rate(kind, seen, LEVELS.get(pid, 1.0)) + rng.gauss(0, 0.03), 0.0), 1.0)
        occupied = round(rate * capacity)
        if pid == "ISSY-P01":  # the station car park is full on a weekday morning
            occupied = capacity
        free = capacity - occupied
        rows.append({
            "parking_id": pid, "name": name, "value_free_spots": free, "nombre_de_places_contractuelles": capacity,
            "remplissage": round(100 * occupied / capacity, 1), "geo": f"{lat}, {lon}",
            "last_update": seen.isoformat(),
        })
    return pl.DataFrame(rows, schema={"parking_id": pl.String, "name": pl.String, "value_free_spots": pl.Int64,
                                      "nombre_de_places_contractuelles": pl.Int64, "remplissage": pl.Float64,
                                      "geo": pl.String, "last_update": pl.String})
