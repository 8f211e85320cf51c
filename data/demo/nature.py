"""Maison de la nature et de l'arbre (demonstration): workshop sessions and equipment handed out to households.

* Workshops: GPSO runs the Maison de la Nature in Meudon with free workshops on site and in the 8 towns
  (published). Here: about three sessions a week in 2025-2026 (assumption), half at the house (Meudon), half in
  the towns in proportion to their population; 12 to 25 places; sign-ups and attendance drawn (assumption:
  80-100 % of places taken, 70-95 % of those signed up come).
* Equipment: composters (individual, shared, worm) and rain-water collectors. More than 100 residences of the
  territory use shared composting (published): 25-35 new shared sites a year. Paris gave out 500 worm
  composters per campaign in 2017 and 2018 (published): scaled to the territory's population (about one
  seventh), two campaigns a year of ~70 each. Individual composters ~400 a year, rain-water collectors ~150
  (assumptions), by commune in proportion to houses (population as a proxy).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

SEED = 1000
START, END = date(2025, 1, 1), date(2026, 11, 27)
THEMES = ["Compostage", "Jardinage au naturel", "Biodiversité", "Arbres", "Zéro déchet", "Apiculture"]
HOUSE = "Maison de la nature (Meudon)"
HOUSE_COMMUNE = "92048"  # Meudon
EQUIPMENT = {"Composteur individuel": 400, "Composteur partagé": 30, "Lombricomposteur": 140,
             "Récupérateur d'eau de pluie": 150}  # a year


def _communes(territory_communes: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    codes = [c for c, _ in territory_communes]
    weights = [max(p, 1) for _, p in territory_communes]
    return codes, weights


def workshops(territory_communes: list[tuple[str, int]], house_commune: str) -> pl.DataFrame:
    rng = random.Random(SEED)
    codes, weights = _communes(territory_communes)
    rows, day = [], START
    while day <= END:
        if day.weekday() in (2, 5) or (day.weekday() == 3 and rng.random() < 0.5):  # Wednesdays, Saturdays
            at_house = rng.random() < 0.5
            commune = house_commune if at_house else rng.choices(codes, weights)[0]
            capacity = rng.choice((12, 15, 20, 25))
            signed = min(capacity, round(capacity * rng.uniform(0.8, 1.05)))
            rows.append({"theme": rng.choice(THEMES), "date": day, "lieu": HOUSE if at_house else "Salle municipale",
                         "commune_code": commune, "capacite": capacity, "inscrits": signed,
                         "presents": round(signed * rng.uniform(0.7, 0.95)), "demonstration": True})
        day += timedelta(days=1)
    return pl.DataFrame(rows)


def distributions(territory_communes: list[tuple[str, int]]) -> pl.DataFrame:
    rng = random.Random(SEED + 1)
    codes, weights = _communes(territory_communes)
    rows = []
    for kind, yearly in EQUIPMENT.items():
        months = [(y, m) for y in (2025, 2026) for m in range(1, 13) if date(y, m, 1) <= END]
        for year, month in months:
            if kind == "Lombricomposteur" and month not in (3, 10):  # two campaigns a year
                continue
            per_month = yearly / 2 if kind == "Lombricomposteur" else yearly / 12
            count = max(0, round(rng.gauss(per_month, per_month * 0.25)))
            for commune, n in zip(codes, _split(rng, count, weights)):
                if n:
                    rows.append({"type_equipement": kind, "commune_code": commune,
                                 "date": date(year, month, rng.randint(1, 28)), "nombre": n, "demonstration": True})
    return pl.DataFrame(rows)


def _split(rng: random.Random, total: int, weights: list[int]) -> list[int]:
    counts = [0] * len(weights)
    for _ in range(total):
        counts[rng.choices(range(len(weights)), weights)[0]] += 1
    return counts
