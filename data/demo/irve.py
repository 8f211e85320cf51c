"""Charging points (IRVE) of Grand Paris Seine Ouest: demonstration points on the national IRVE static schema.

The shape is that of the national schema (etalab/schema-irve, ``statique``): one row per point of charge
(``id_pdc_itinerance``) in a station (``id_station_itinerance``), its nominal power, plug types, access, opening
date, type of site, operator and the station's coordinates. The format reference is the real Belib' export of
Paris (``../shared/data/real/irve_belib_paris``), which the tests map to the same columns.

Everything here is generated, deterministically (``random.Random(SEED)``): stations are placed inside the real
commune outlines (``data/sources/communes-92-hauts-de-seine.geojson``, point-in-polygon below), more of them
where more people live; power classes follow the site (on-street 7/22 kW, car parks 7/22 kW, fast-charging
stations 50/150 kW, a few 3.7 kW domestic-type points); opening dates run from 2016 to 2026 and grow each year,
fast charging coming later. The operator names are invented, not those of real companies.

The geometry helpers (outlines, point in polygon, random point in a commune) are shared with the other
demonstration generators of the mobility observatory.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import polars as pl

SEED = 92_2016
OUTLINES = Path(__file__).resolve().parents[1] / "sources" / "communes-92-hauts-de-seine.geojson"
GPSO = ("92012", "92022", "92040", "92047", "92048", "92072", "92075", "92077")
COMMUNE_NAMES = {"92012": "Boulogne-Billancourt", "92022": "Chaville", "92040": "Issy-les-Moulineaux",
                 "92047": "Marnes-la-Coquette", "92048": "Meudon", "92072": "Sèvres", "92075": "Vanves",
                 "92077": "Ville-d'Avray"}
# Stations per commune: about one per 2,000 inhabitants, a few more where offices and car parks are.
STATIONS = {"92012": 17, "92040": 12, "92048": 8, "92075": 5, "92072": 5, "92022": 4, "92077": 3, "92047": 2}
FIRST_YEAR, LAST_DAY = 2016, date(2026, 9, 30)  # the data is as of autumn 2026
POWERS = (3.7, 7.0, 22.0, 50.0, 150.0)

# Operators (invented) and their 3-character IRVE operator code.
OPERATORS = {"Seine Ouest Recharge": "SOR", "Volta Borne": "VLB", "Recharge Express": "RXP",
             "ParkCharge": "PKC", "Énergie Cité": "ENC"}
# Type of site: (share of stations, points per station, power classes and weights, operators, access).
SITES = {
    "Voirie": (0.52, (2, 2, 2, 3, 4), ((7.0, 0.6), (22.0, 0.4)), ("Seine Ouest Recharge", "Volta Borne"),
               "Accès libre"),
    "Parking public": (0.22, (2, 4, 4, 6), ((7.0, 0.3), (22.0, 0.6), (3.7, 0.1)), ("ParkCharge", "Énergie Cité"),
                       "Accès libre"),
    "Parking privé à usage public": (0.08, (2, 4), ((22.0, 0.5), (50.0, 0.5)), ("Énergie Cité",), "Accès libre"),
    "Parking privé réservé à la clientèle": (0.05, (2, 4), ((22.0, 0.5), (7.0, 0.5)), ("ParkCharge",),
                                             "Accès réservé"),
    "Station dédiée à la recharge rapide": (0.10, (2, 4), ((50.0, 0.6), (150.0, 0.4)), ("Recharge Express",),
                                            "Accès libre"),
}
STREETS = ("Rue de la République", "Avenue du Général Leclerc", "Rue Gambetta", "Avenue de la Paix",
           "Rue Victor Hugo", "Boulevard Jean Jaurès", "Rue de Paris", "Avenue Pasteur", "Rue du Marché",
           "Place de la Mairie", "Rue Jean Moulin", "Avenue Édouard Vaillant", "Rue des Écoles",
           "Rue Ernest Renan", "Avenue de Verdun")

COLUMNS = ["id_pdc_itinerance", "id_station_itinerance", "nom_station", "implantation_station", "nom_operateur",
           "puissance_nominale", "prise_type_ef", "prise_type_2", "prise_type_combo_ccs", "prise_type_chademo",
           "condition_acces", "date_mise_en_service", "coordonnees", "code_insee_commune"]


# --- geometry, shared with the other mobility generators --------------------------------------------------

@lru_cache(maxsize=1)
def outlines() -> dict[str, list[list[list[tuple[float, float]]]]]:
    """Each commune's polygons (GeoJSON Polygon or MultiPolygon) as lists of rings of (lon, lat)."""
    features = json.loads(OUTLINES.read_text(encoding="utf-8"))["features"]
    shapes = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        shapes[feature["properties"]["code"]] = [[[(x, y) for x, y in ring] for ring in polygon]
                                                 for polygon in polygons]
    return shapes


def _in_ring(lon: float, lat: float, ring: list[tuple[float, float]]) -> bool:
    """Ray casting: does a horizontal ray from the point cross the ring an odd number of times?"""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i], ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_commune(lon: float, lat: float, code: str) -> bool:
    """Inside the outer ring of one of the commune's polygons and outside its holes."""
    for polygon in outlines()[code]:
        if _in_ring(lon, lat, polygon[0]) and not any(_in_ring(lon, lat, hole) for hole in polygon[1:]):
            return True
    return False


def random_point(rng: random.Random, code: str, margin: float = 0.0005) -> tuple[float, float]:
    """A (lat, lon) drawn uniformly inside the commune, at least ``margin`` degrees from its edge."""
    rings = [p[0] for p in outlines()[code]]
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    while True:
        lon, lat = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
        if all(point_in_commune(lon + dx, lat + dy, code)
               for dx, dy in ((0, 0), (margin, 0), (-margin, 0), (0, margin), (0, -margin))):
            return round(lat, 6), round(lon, 6)


def _weighted(rng: random.Random, pairs) -> object:
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


def _opening(rng: random.Random, fast: bool) -> date:
    """Opening dates grow over time (about +20 % a year); fast charging starts in 2019."""
    first = 2019 if fast else FIRST_YEAR
    years = list(range(first, LAST_DAY.year + 1))
    year = rng.choices(years, weights=[1.2 ** (y - FIRST_YEAR) * (0.75 if y == LAST_DAY.year else 1.0)
                                       for y in years])[0]
    start = date(year, 1, 1)
    end = LAST_DAY if year == LAST_DAY.year else date(year, 12, 31)
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _plugs(rng: random.Random, power: float, site: str) -> tuple[bool, bool, bool, bool]:
    """(EF, type 2, Combo CCS, CHAdeMO) for a point of that power."""
    if power == 3.7:
        return True, True, False, False
    if power in (7.0, 22.0):
        return site == "Voirie" and rng.random() < 0.5, True, False, False
    if power == 50.0:
        return False, True, True, rng.random() < 0.7
    return False, False, True, rng.random() < 0.2


def generate() -> pl.DataFrame:
    rng = random.Random(SEED)
    rows = []
    site_pairs = [(name, spec[0]) for name, spec in SITES.items()]
    for code in GPSO:
        for number in range(1, STATIONS[code] + 1):
            site = _weighted(rng, site_pairs)
            _, counts, powers, operators, access = SITES[site]
            operator = rng.choice(operators)
            lat, lon = random_point(rng, code)
            power = _weighted(rng, powers)
            opened = _opening(rng, fast=power >= 50)
            points = rng.choice(counts)
            prefix = f"FR{OPERATORS[operator]}"
            station_id = f"{prefix}P{code}{number:03d}"
            name = f"{COMMUNE_NAMES[code]} | {rng.choice(STREETS)} {rng.randint(1, 120)}"
            for point in range(1, points + 1):
                ef, t2, ccs, chademo = _plugs(rng, power, site)
                rows.append({
                    "id_pdc_itinerance": f"{prefix}E{code}{number:03d}{point}",
                    "id_station_itinerance": station_id,
                    "nom_station": name,
                    "implantation_station": site,
                    "nom_operateur": operator,
                    "puissance_nominale": power,
                    "prise_type_ef": ef, "prise_type_2": t2, "prise_type_combo_ccs": ccs,
                    "prise_type_chademo": chademo,
                    "condition_acces": access,
                    "date_mise_en_service": opened,
                    "coordonnees": {"lon": lon, "lat": lat},
                    "code_insee_commune": code,
                })
    return pl.DataFrame(rows).select(COLUMNS)
