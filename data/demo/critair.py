"""Cars by Crit'Air class, commune and year in Grand Paris Seine Ouest: demonstration data.

The shape is that of the SDES vehicle-fleet statistics (parc de voitures particulières au 1er janvier, par
commune et vignette Crit'Air): one row per commune × year (2019–2025) × class (E, 1, 2, 3, 4, 5, non classé),
with the number of cars and the class's share of the commune's fleet (the shares of a commune-year sum to 100).

Everything is generated, deterministically (``random.Random(SEED)``), anchored on plausible shares for the
Hauts-de-Seine in 2024 (Crit'Air 1 about 40 %, 2 about 35 %, 3 about 12 %, électrique E about 6 %), with the
electric and Crit'Air 1 shares growing every year and the old classes (3, 4, 5, non classé) falling. Fleets
follow population and car ownership (lower in the dense communes next to Paris).
"""

from __future__ import annotations

import random

import polars as pl

SEED = 92_2019
YEARS = tuple(range(2019, 2026))
CLASSES = ("E", "1", "2", "3", "4", "5", "Non classé")
# Territory shares (%) in 2019 and 2024; other years follow the same yearly change (2025 goes on from 2024).
SHARES_2019 = {"E": 1.2, "1": 30.0, "2": 38.0, "3": 19.0, "4": 6.5, "5": 2.8, "Non classé": 2.5}
SHARES_2024 = {"E": 6.0, "1": 40.0, "2": 35.0, "3": 12.0, "4": 4.0, "5": 1.5, "Non classé": 1.5}
POPULATION = {"92012": 121_000, "92040": 69_000, "92048": 45_000, "92075": 28_000, "92072": 23_000,
              "92022": 21_000, "92077": 11_000, "92047": 2_000}
CARS_PER_INHABITANT = {"92012": 0.40, "92040": 0.38, "92075": 0.37, "92048": 0.50, "92072": 0.48,
                       "92022": 0.50, "92077": 0.55, "92047": 0.62}
# Leafier, wealthier communes renew their cars faster (more E and 1), the dense ones keep older cars longer.
RENEWAL = {"92012": 1.05, "92040": 1.08, "92075": 0.95, "92048": 1.0, "92072": 1.0, "92022": 0.95,
           "92077": 1.05, "92047": 1.15}

COLUMNS = ["annee", "commune_code", "classe", "ordre", "vehicules", "part"]


def territory_shares(year: int) -> dict[str, float]:
    """The territory's shares (%) for a year: linear between 2019 and 2024, extended to 2025."""
    t = (year - 2019) / 5
    return {c: max(SHARES_2019[c] + (SHARES_2024[c] - SHARES_2019[c]) * t, 0.3) for c in CLASSES}


def generate() -> pl.DataFrame:
    rng = random.Random(SEED)
    rows = []
    for code, population in POPULATION.items():
        growth = rng.uniform(0.004, 0.010)  # population grows a little; the fleet per inhabitant falls a little
        noise = {c: rng.uniform(0.92, 1.08) for c in CLASSES}  # the commune's own mix, stable over the years
        for year in YEARS:
            fleet = population * (1 + growth) ** (year - 2019) * CARS_PER_INHABITANT[code] * (1 - 0.006) ** (year - 2019)
            shares = territory_shares(year)
            weights = {}
            for c in CLASSES:
                renewal = RENEWAL[code] if c in ("E", "1") else 2 - RENEWAL[code]
                weights[c] = shares[c] * renewal * noise[c] * rng.uniform(0.98, 1.02)
            total_weight = sum(weights.values())
            counts = {c: round(fleet * w / total_weight) for c, w in weights.items()}
            total = sum(counts.values())
            for order, c in enumerate(CLASSES):
                rows.append((year, code, c, order, counts[c], 100.0 * counts[c] / total))
    return pl.DataFrame(rows, schema={"annee": pl.Int64, "commune_code": pl.String, "classe": pl.String,
                                      "ordre": pl.Int64, "vehicules": pl.Int64, "part": pl.Float64},
                        orient="row").select(COLUMNS)
