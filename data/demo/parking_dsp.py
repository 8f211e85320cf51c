"""Key figures of the public-service delegation (DSP) of Issy's public car parks, 2019–2025: demonstration data.

One row per year: revenue (€, excluding VAT) and its split between hourly tickets and subscriptions, the
subscriptions in force on 31 December, the mean occupancy rate, incidents reported by the operator
(breakdowns of barriers and pay stations, damage, security), all anchored on the ~1,000 spaces of the ten
demonstration car parks (:mod:`data.demo.parking_history`). 2020 and 2021 dip (lockdowns, remote work), then
hourly use recovers and subscriptions grow. Generated deterministically (``random.Random(SEED)``); nothing
here is a published figure.
"""

from __future__ import annotations

import random

import polars as pl

from data.demo.parking_history import CAR_PARKS

SEED = 92_040_2019
YEARS = tuple(range(2019, 2026))
SPACES = sum(row[3] for row in CAR_PARKS)  # 1,000
# Occupancy (%), hourly revenue per space and year (€), subscriptions per 100 spaces, incidents per 100 spaces.
ANCHORS = {
    2019: (68.0, 1_650, 30, 9.0), 2020: (44.0, 980, 27, 7.0), 2021: (52.0, 1_180, 28, 8.0),
    2022: (61.0, 1_480, 31, 9.5), 2023: (64.0, 1_560, 33, 10.0), 2024: (66.0, 1_620, 35, 9.0),
    2025: (67.5, 1_680, 37, 8.5),
}
SUBSCRIPTION_MONTHLY_EUR = {2019: 85, 2020: 85, 2021: 85, 2022: 88, 2023: 92, 2024: 95, 2025: 98}
COLUMNS = ["annee", "places", "recettes_eur", "recettes_horaires_eur", "recettes_abonnements_eur", "part_horaire",
           "part_abonnements", "abonnements", "taux_occupation", "incidents", "demonstration"]


def generate() -> pl.DataFrame:
    rng = random.Random(SEED)
    rows = []
    for year in YEARS:
        occupancy, hourly_per_space, subs_per_100, incidents_per_100 = ANCHORS[year]
        hourly = round(hourly_per_space * SPACES * rng.uniform(0.97, 1.03), -2)
        subscriptions = round(subs_per_100 * SPACES / 100 * rng.uniform(0.96, 1.04))
        subs_revenue = round(subscriptions * SUBSCRIPTION_MONTHLY_EUR[year] * 12 * rng.uniform(0.93, 0.99), -2)
        total = hourly + subs_revenue
        rows.append({
            "annee": year, "places": SPACES, "recettes_eur": total, "recettes_horaires_eur": hourly,
            "recettes_abonnements_eur": subs_revenue, "part_horaire": round(100 * hourly / total, 1),
            "part_abonnements": round(100 - round(100 * hourly / total, 1), 1), "abonnements": subscriptions,
            "taux_occupation": round(occupancy + rng.uniform(-0.8, 0.8), 1),
            "incidents": round(incidents_per_100 * SPACES / 100 * rng.uniform(0.85, 1.15)), "demonstration": True,
        })
    return pl.DataFrame(rows).select(COLUMNS)
