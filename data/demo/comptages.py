"""Road traffic counts: the real hourly series of a Paris arc next to Issy, plus demonstration GPSO arcs.

Real (``data/sources``, see data/NOTICE.md): the hourly flow (``Débit horaire``, vehicles/hour), occupancy
(``Taux d'occupation``, %) and traffic state of Paris's permanent counting arc 5671, rue de la Convention
(Paris 15e, a few hundred metres from Issy-les-Moulineaux), November 2021 to December 2022, as exported by
Paris Data; and the referential of the Paris counting arcs within 1 km of it.

Generated, deterministically (``random.Random(SEED)``): four counting arcs on the main roads of Grand Paris Seine
Ouest, one year (2022) of hourly counts each. Their typical week (mean flow by weekday × hour, Paris time) is the
real arc's, scaled to the road; months follow a usual urban seasonality (August −25 %, Christmas week lower),
public holidays count as Sundays; occupancy grows with flow and steeply near the road's capacity, and the
traffic state follows Paris's thresholds on occupancy (fluide < 15 %, pré-saturé < 30 %, saturé < 50 %,
bloqué beyond); about 1 % of the hours are missing (state "Inconnu", no flow), as sensors fail.

Both come out in the shape of the real Paris Data label export (``;`` labels, ISO timestamps with offsets,
``"lat,lon"`` points), so that the bundled data goes through the same mapping as a refresh would. The Paris
arcs are not in the territory: their ``commune_code`` is empty and ``territoire`` says where they are; every
row says whether it is demonstration data (``demonstration``).
"""

from __future__ import annotations

import json
import random
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from data.demo.irve import point_in_commune

SEED = 92_2022
SOURCES = Path(__file__).resolve().parents[1] / "sources"
HOURLY_FILE = "comptages-routiers-permanents_arc5671_2021-11_2022-12.csv"
ARCS_FILE = "referentiel-comptages-routiers_arc5671-1km.csv"
REAL_ARC = "5671"
PARIS, GPSO = "Paris 15e (hors territoire)", "Grand Paris Seine Ouest"
YEAR = 2022

# Demonstration arcs: id, label, commune, point (lat, lon), direction of the road (dlat, dlon), scale of the
# real arc's flow, capacity (veh/h).
DEMO_ARCS = (
    ("GPSO-101", "Quai de la Bataille de Stalingrad (D7)", "92040", (48.8290, 2.2600), (-0.0006, -0.0010), 1.7, 1900),
    ("GPSO-102", "Route de la Reine (D910)", "92012", (48.8380, 2.2390), (-0.0004, -0.0011), 1.4, 1500),
    ("GPSO-103", "Grande Rue (D910)", "92072", (48.8225, 2.2110), (-0.0005, -0.0010), 1.1, 1250),
    ("GPSO-104", "Avenue Roger Salengro (D910)", "92022", (48.8075, 2.1890), (-0.0003, -0.0011), 0.9, 1100),
)
MONTHS = {1: 0.95, 2: 0.98, 3: 1.0, 4: 0.99, 5: 0.97, 6: 1.02, 7: 0.92, 8: 0.75, 9: 1.03, 10: 1.03, 11: 1.0,
          12: 0.94}
HOLIDAYS_2022 = {date(2022, 1, 1), date(2022, 4, 18), date(2022, 5, 1), date(2022, 5, 8), date(2022, 5, 26),
                 date(2022, 6, 6), date(2022, 7, 14), date(2022, 8, 15), date(2022, 11, 1), date(2022, 11, 11),
                 date(2022, 12, 25)}
MISSING_SHARE = 0.01

# The label export's columns, then the three columns Pilote adds (not in the Paris export).
LABELS = ["Identifiant arc", "Libelle", "Date et heure de comptage", "Débit horaire", "Taux d'occupation",
          "Etat trafic", "geo_point_2d"]
EXTRA = ["commune_code", "territoire", "demonstration"]


def state(occupancy: float | None) -> str:
    if occupancy is None:
        return "Inconnu"
    if occupancy < 15:
        return "Fluide"
    if occupancy < 30:
        return "Pré-saturé"
    if occupancy < 50:
        return "Saturé"
    return "Bloqué"


def real_hourly() -> pl.DataFrame:
    """The real label export of arc 5671, all strings, with Pilote's three extra columns."""
    from data_access.portal import read_ods_csv

    raw = read_ods_csv((SOURCES / HOURLY_FILE).read_bytes())
    return raw.with_columns(pl.lit(None, pl.String).alias("commune_code"), pl.lit(PARIS).alias("territoire"),
                            pl.lit("false").alias("demonstration"))


@lru_cache(maxsize=1)
def real_profile() -> dict[tuple[int, int], float]:
    """Mean real flow by (ISO weekday, hour) in Paris time, over the hours that have a value."""
    raw = real_hourly()
    frame = raw.select(
        pl.col("Date et heure de comptage").str.to_datetime(time_zone="UTC").dt.convert_time_zone("Europe/Paris")
        .alias("t"),
        pl.col("Débit horaire").cast(pl.Float64).alias("q"),
    ).drop_nulls()
    profile = frame.group_by(pl.col("t").dt.weekday().alias("d"), pl.col("t").dt.hour().alias("h")).agg(
        pl.col("q").mean())
    return {(d, h): q for d, h, q in profile.iter_rows()}


def _occupancy(rng: random.Random, flow: float, capacity: float) -> float:
    ratio = flow / capacity
    return round((8 * ratio + 45 * ratio ** 6) * rng.uniform(0.85, 1.15), 5)


def demo_hourly() -> pl.DataFrame:
    """One year of hourly counts on each demonstration arc, in the label export's shape."""
    rng = random.Random(SEED)
    profile = real_profile()
    hours = pl.datetime_range(pl.datetime(YEAR, 1, 1, time_zone="Europe/Paris"),
                              pl.datetime(YEAR, 12, 31, 23, time_zone="Europe/Paris"), "1h", eager=True)
    stamps = hours.dt.strftime("%Y-%m-%dT%H:%M:%S%:z").to_list()
    locals_ = hours.to_list()
    columns = {name: [] for name in LABELS + EXTRA}
    for arc_id, label, commune, (lat, lon), _, scale, capacity in DEMO_ARCS:
        for stamp, moment in zip(stamps, locals_):
            weekday = 7 if moment.date() in HOLIDAYS_2022 else moment.isoweekday()
            month = MONTHS[moment.month] * (0.85 if moment.month == 12 and moment.day >= 24 else 1.0)
            if rng.random() < MISSING_SHARE:
                flow, occupancy = None, None
            else:
                flow = round(profile[(weekday, moment.hour)] * scale * month * rng.lognormvariate(0, 0.08))
                occupancy = _occupancy(rng, flow, capacity)
            values = [arc_id, label, stamp, None if flow is None else f"{flow}.0",
                      None if occupancy is None else str(occupancy), state(occupancy), f"{lat},{lon}",
                      commune, GPSO, "true"]
            for name, value in zip(LABELS + EXTRA, values):
                columns[name].append(value)
    return pl.DataFrame(columns, schema={name: pl.String for name in LABELS + EXTRA})


def hourly() -> pl.DataFrame:
    """Real and demonstration hourly counts, as one label export (all strings)."""
    real = real_hourly().select(LABELS + EXTRA)
    return pl.concat([real, demo_hourly()])


def arcs() -> pl.DataFrame:
    """The referential: the real Paris arcs within 1 km of arc 5671 (first row of each arc), then the demo arcs."""
    from data_access.portal import read_ods_csv

    real = read_ods_csv((SOURCES / ARCS_FILE).read_bytes()).unique("Identifiant arc", keep="first",
                                                                   maintain_order=True)
    real = real.with_columns(pl.lit(None, pl.String).alias("commune_code"), pl.lit(PARIS).alias("territoire"),
                             pl.lit("false").alias("demonstration"))
    rows = []
    for arc_id, label, commune, (lat, lon), (dlat, dlon), _, _ in DEMO_ARCS:
        assert point_in_commune(lon, lat, commune), arc_id
        line = {"type": "LineString", "coordinates": [[round(lon - dlon, 6), round(lat - dlat, 6)],
                                                      [round(lon + dlon, 6), round(lat + dlat, 6)]]}
        rows.append({"Identifiant arc": arc_id, "Libelle": label, "geo_point_2d": f"{lat},{lon}",
                     "geo_shape": json.dumps(line), "commune_code": commune, "territoire": GPSO,
                     "demonstration": "true"})
    demo = pl.DataFrame(rows, schema={name: pl.String for name in rows[0]})
    return pl.concat([real, demo], how="diagonal")
