"""Road accidents in Grand Paris Seine Ouest, BAAC-like: real 2024 rows plus demonstration rows for 2020–2024.

Real (``data/sources/accidents-baac-2024-sample_92.csv``, see data/NOTICE.md): the accidents of a processed
1,000-accident sample of the 2024 national file (ONISR, BAAC) that are in a GPSO commune; their values are kept
as published (identifier, date, position, counts of killed, hospitalised, slightly injured and unhurt users,
pedestrians, vehicles, light, road category, collision). The sample has no hour and no user categories: those
stay unknown (``heure`` null, ``categorie_usager`` "Non renseigné", or "Piéton" when a pedestrian is counted).
The severity (``gravite``) is that of the most seriously hurt user, from the counts.

Generated, deterministically (``random.Random(SEED)``): about 250 accidents a year (fewer in 2020, the
lockdowns), spread over the communes by population and traffic, placed inside the real commune outlines;
fewer in August and more in May–June and September–October, fewer on Sundays, peaks at 8–9 h and 17–19 h;
the most vulnerable user involved is a pedestrian, cyclist, motorised personal mobility device (EDP),
powered two-wheeler (2RM), car (VL), van or lorry (VU/PL) or bus; severity about 1 % killed, 13 % hospitalised,
80 % slightly injured, the rest unhurt, heavier for pedestrians and 2RM. In 2024 the demonstration rows make up
the year's total with the real ones. Every row says whether it is demonstration data (``demonstration``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from data.demo.irve import GPSO, random_point

SEED = 92_2020
SOURCE = Path(__file__).resolve().parents[1] / "sources" / "accidents-baac-2024-sample_92.csv"
YEARS = {2020: 215, 2021: 240, 2022: 255, 2023: 250, 2024: 250}  # accidents a year, real ones included
COMMUNES = {"92012": 0.36, "92040": 0.21, "92048": 0.11, "92075": 0.08, "92072": 0.09, "92022": 0.08,
            "92077": 0.045, "92047": 0.025}
MONTHS = {1: 0.95, 2: 0.9, 3: 1.0, 4: 1.0, 5: 1.1, 6: 1.12, 7: 0.95, 8: 0.7, 9: 1.1, 10: 1.1, 11: 1.0, 12: 0.95}
WEEKDAYS = {1: 1.0, 2: 1.05, 3: 1.05, 4: 1.1, 5: 1.2, 6: 0.9, 7: 0.65}  # ISO weekday
HOURS = (1.5, 1.0, 0.8, 0.6, 0.5, 0.8, 1.5, 3.0, 6.0, 5.0, 3.5, 4.0, 4.5, 4.5, 4.5, 5.0, 6.0, 7.5, 8.0, 6.5,
         4.0, 3.0, 2.5, 2.0)
# Most vulnerable user involved: share, and how much more severe than the average.
USERS = {"Piéton": (0.20, 1.6), "Cycliste": (0.13, 1.1), "EDP motorisé": (0.07, 1.0), "2RM": (0.30, 1.3),
         "VL": (0.25, 0.5), "VU/PL": (0.03, 0.8), "Bus/Car": (0.02, 0.6)}
SEVERITIES = ("Tué", "Blessé hospitalisé", "Blessé léger", "Indemne")
ROADS = (("Voie communale", 0.60), ("Route départementale", 0.35), ("Route nationale", 0.03), ("Autoroute", 0.02))
COLLISIONS = (("Deux véhicules - par le côté", 0.35), ("Deux véhicules - par l'arrière", 0.25),
              ("Deux véhicules - frontale", 0.1), ("Trois véhicules et plus - collisions multiples", 0.05),
              ("Sans collision", 0.1), ("Autre collision", 0.15))
UNKNOWN_USER = "Non renseigné"

COLUMNS = ["accident_id", "date", "annee", "mois", "jour_semaine", "heure", "commune_code", "lat", "lon",
           "gravite", "categorie_usager", "nb_usagers", "nb_tues", "nb_blesses_hospitalises", "nb_blesses_legers",
           "nb_indemnes", "nb_pietons", "nb_vehicules", "luminosite", "categorie_route", "type_collision",
           "demonstration"]
SCHEMA = {"accident_id": pl.String, "date": pl.Date, "annee": pl.Int64, "mois": pl.Int64,
          "jour_semaine": pl.Int64, "heure": pl.Int64, "commune_code": pl.String, "lat": pl.Float64,
          "lon": pl.Float64, "gravite": pl.String, "categorie_usager": pl.String, "nb_usagers": pl.Int64,
          "nb_tues": pl.Int64, "nb_blesses_hospitalises": pl.Int64, "nb_blesses_legers": pl.Int64,
          "nb_indemnes": pl.Int64, "nb_pietons": pl.Int64, "nb_vehicules": pl.Int64, "luminosite": pl.String,
          "categorie_route": pl.String, "type_collision": pl.String, "demonstration": pl.Boolean}


def severity(killed: int, hospitalised: int, light: int) -> str:
    """The accident's severity: that of its most seriously hurt user."""
    if killed:
        return "Tué"
    if hospitalised:
        return "Blessé hospitalisé"
    if light:
        return "Blessé léger"
    return "Indemne"


def real_rows() -> pl.DataFrame:
    """The sample's accidents in a GPSO commune, their published values in the canonical columns."""
    raw = pl.read_csv(SOURCE, infer_schema=False)
    count = {name: pl.col(name).cast(pl.Float64).cast(pl.Int64) for name in
             ("nb_tues", "nb_blesses_hospitalises", "nb_blesses_legers", "nb_indemnes", "nb_pietons",
              "nb_vehicules")}
    day = pl.col("date").str.to_date("%Y-%m-%d")
    frame = raw.with_columns(pl.col("com").str.replace(r"\.0$", "").alias("commune_code")).filter(
        pl.col("commune_code").is_in(GPSO))
    frame = frame.select(
        pl.col("Num_Acc").alias("accident_id"), day.alias("date"), day.dt.year().cast(pl.Int64).alias("annee"),
        day.dt.month().cast(pl.Int64).alias("mois"), day.dt.weekday().cast(pl.Int64).alias("jour_semaine"),
        pl.col("heure").cast(pl.Float64).cast(pl.Int64).alias("heure"), "commune_code",
        pl.col("lat").cast(pl.Float64), pl.col("long").cast(pl.Float64).alias("lon"),
        *[expr.alias(name) for name, expr in count.items()],
        pl.col("lum_desc").alias("luminosite"), pl.col("catr_desc").alias("categorie_route"),
        pl.col("col_desc").alias("type_collision"))
    return frame.with_columns(
        pl.struct("nb_tues", "nb_blesses_hospitalises", "nb_blesses_legers").map_elements(
            lambda r: severity(r["nb_tues"], r["nb_blesses_hospitalises"], r["nb_blesses_legers"]),
            return_dtype=pl.String).alias("gravite"),
        pl.when(pl.col("nb_pietons") > 0).then(pl.lit("Piéton")).otherwise(pl.lit(UNKNOWN_USER))
        .alias("categorie_usager"),
        (pl.col("nb_tues") + pl.col("nb_blesses_hospitalises") + pl.col("nb_blesses_legers")
         + pl.col("nb_indemnes")).alias("nb_usagers"),
        pl.lit(False).alias("demonstration"),
    ).select(COLUMNS).cast(SCHEMA)


def _pick(rng: random.Random, pairs) -> object:
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


def _day(rng: random.Random, year: int) -> date:
    month = _pick(rng, MONTHS.items())
    while True:  # a day of that month, kept in proportion to its weekday's weight
        first = date(year, month, 1)
        day = first + timedelta(days=rng.randrange(31))
        if day.month == month and rng.random() < WEEKDAYS[day.isoweekday()] / max(WEEKDAYS.values()):
            return day


def _light(hour: int, month: int) -> str:
    dawn, dusk = (8, 17) if month in (11, 12, 1, 2) else (7, 20) if month in (5, 6, 7) else (7, 19)
    if dawn < hour < dusk:
        return "Plein jour"
    if hour in (dawn, dusk):
        return "Crépuscule ou aube"
    return "Nuit avec éclairage public allumé"


def demo_rows(real: pl.DataFrame) -> pl.DataFrame:
    rng = random.Random(SEED)
    real_by_year = dict(real.group_by("annee").len().iter_rows())
    rows = []
    for year, total in YEARS.items():
        for number in range(1, total - real_by_year.get(year, 0) + 1):
            code = _pick(rng, COMMUNES.items())
            day = _day(rng, year)
            hour = rng.choices(range(24), weights=HOURS)[0]
            user = _pick(rng, [(name, share) for name, (share, _) in USERS.items()])
            factor = USERS[user][1]
            grade = rng.choices(SEVERITIES, weights=(0.01 * factor, 0.13 * factor, 0.80, 0.06))[0]
            killed = int(grade == "Tué")
            hospitalised = int(grade == "Blessé hospitalisé") + (rng.random() < 0.1 if killed else 0)
            light = int(grade == "Blessé léger") + (rng.random() < 0.3)
            vehicles = 1 if user == "Piéton" or rng.random() < 0.15 else (2 if rng.random() < 0.9 else 3)
            unhurt = max(vehicles - (killed + hospitalised + light) + (user == "Piéton"), 0) + (grade == "Indemne")
            pedestrians = int(user == "Piéton")
            lat, lon = random_point(rng, code)
            collision = "Autre collision" if vehicles == 1 and user == "Piéton" else (
                "Sans collision" if vehicles == 1 else
                "Trois véhicules et plus - collisions multiples" if vehicles == 3 else
                _pick(rng, COLLISIONS[:3] + COLLISIONS[5:]))
            rows.append({
                "accident_id": f"DEMO-{year}-{number:04d}", "date": day, "annee": year, "mois": day.month,
                "jour_semaine": day.isoweekday(), "heure": hour, "commune_code": code, "lat": lat, "lon": lon,
                "gravite": grade, "categorie_usager": user,
                "nb_usagers": killed + hospitalised + light + unhurt, "nb_tues": killed,
                "nb_blesses_hospitalises": hospitalised, "nb_blesses_legers": light, "nb_indemnes": unhurt,
                "nb_pietons": pedestrians, "nb_vehicules": vehicles, "luminosite": _light(hour, day.month),
                "categorie_route": _pick(rng, ROADS), "type_collision": collision, "demonstration": True,
            })
    return pl.DataFrame(rows, schema=SCHEMA)


def generate() -> pl.DataFrame:
    real = real_rows()
    return pl.concat([real, demo_rows(real)]).sort("date", "accident_id").select(COLUMNS)
