"""Playgrounds: the real sites, demonstration equipment and a demonstration history of inspections.

* Sites (real): the playgrounds of Issy-les-Moulineaux among the city's points of interest
  (``data/sources/aires-de-jeux_issy_2014.json``, records of data.issy.com, 13 August 2014): name, address,
  position and the age range of their description. The city published each twice (two themes): one row each.
* Equipment (demonstration): 4 to 9 pieces per site, more for a wider age range; their types drawn with the
  shares of Montpellier's published inventory (97 areas, 456 games, 2013): spring rockers 256, combined
  structures 90, fitness 30, simple games 21, slides 18, roundabouts 15, swings 19, huts 5, furniture 2.
  Installation years 2004-2024 (assumption).
* Inspections (demonstration): under décret 96-1136 and NF EN 1176-7: a routine visual check about every
  two weeks, a functional check every 1-3 months, one main inspection a year; findings mostly none, some minor,
  rare major or critical ones, with equipment taken out of service. Two sites are left behind on their
  functional checks (assumption), so that overdue checks show. History until ``HISTORY_END``.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import polars as pl

SOURCE = Path(__file__).resolve().parents[1] / "sources" / "aires-de-jeux_issy_2014.json"
COMMUNE = "92040"  # Issy-les-Moulineaux: every site of the source is there
HISTORY_END = date(2026, 11, 27)
SEED = 1176  # NF EN 1176

# Montpellier's inventory (VilleMTP_MTP_JeuEnfantType, 2013): games by type, summed over its 97 areas.
TYPE_SHARES = {"Jeu à ressort": 256, "Structure multi-activités": 90, "Agrès de fitness": 30, "Jeu simple": 21,
               "Balançoire": 19, "Toboggan": 18, "Tourniquet": 15, "Cabane": 5, "Mobilier": 2}
CHECK_TYPES = ("Visuel de routine", "Fonctionnel", "Principal annuel")
SEVERITIES = ("Aucun défaut", "Mineur", "Majeur", "Critique")
FINDINGS = {"Mineur": ["Boulon desserré", "Sol amortissant tassé", "Graffiti", "Peinture écaillée"],
            "Majeur": ["Chaîne usée", "Planche fendue", "Sol amortissant arraché"],
            "Critique": ["Ancrage descellé", "Pièce cassée, arête vive"]}


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^aire de jeux?\s+(du |de la |des |de )?", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _ages(description: str) -> tuple[int | None, int | None]:
    text = description or ""
    match = re.search(r"(\d+)\s*(mois)?\s*à\s*(\d+)\s*ans", text)
    if not match:
        return None, None
    low = 0 if match.group(2) else int(match.group(1))
    high = int(match.group(3))
    if "et plus" in text:
        high = 14
    return low, high


def sites() -> pl.DataFrame:
    records = json.loads(SOURCE.read_text(encoding="utf-8"))
    rows, seen = [], set()
    for record in records:  # the richer of the two copies first (the one with a theme)
        fields = record["fields"]
        key, place = _plain(fields["titre"]), tuple(round(v, 4) for v in fields["wgs84"])
        if key in seen or place in seen:  # the same site twice, or under two names at one place
            continue
        seen.update((key, place))
        low, high = _ages(fields.get("description", ""))
        lat, lon = fields["wgs84"]
        rows.append({"aire_id": f"AJ-{len(rows) + 1:02d}", "nom": fields["titre"].replace("Aire de Jeux", "Aire de jeux"), "adresse": fields.get("adresse", ""),
                     "commune_code": COMMUNE, "lat": float(lat), "lon": float(lon), "age_min": low, "age_max": high,
                     "description": fields.get("description") or "", "source_id": record["recordid"]})
    return pl.DataFrame(rows, schema_overrides={"age_min": pl.Int64, "age_max": pl.Int64})


def equipment(site_rows: pl.DataFrame | None = None) -> pl.DataFrame:
    site_rows = sites() if site_rows is None else site_rows
    rng = random.Random(SEED)
    kinds, weights = list(TYPE_SHARES), list(TYPE_SHARES.values())
    rows = []
    for site in site_rows.iter_rows(named=True):
        span = (site["age_max"] or 6) - (site["age_min"] or 1)
        for n in range(min(9, 4 + span // 2 + rng.randint(0, 2))):
            kind = rng.choices(kinds, weights)[0]
            rows.append({"equipement_id": f"{site['aire_id']}-E{n + 1}", "aire_id": site["aire_id"], "type": kind,
                         "age_min": site["age_min"] if site["age_min"] is not None else 1,
                         "installation": rng.randint(2004, 2024), "demonstration": True})
    return pl.DataFrame(rows)


def _row(site: dict, piece, kind: str, day: date, severity: str, finding: str, out: bool) -> dict:
    return {"aire_id": site["aire_id"], "equipement_id": piece, "type_controle": kind, "date": day,
            "gravite": severity, "constat": finding, "hors_service": out, "motif_hors_service": finding if out else None,
            "photos": None, "commune_code": site["commune_code"], "lat": None, "lon": None, "demonstration": True}


def inspections(site_rows: pl.DataFrame | None = None, equipment_rows: pl.DataFrame | None = None) -> pl.DataFrame:
    site_rows = sites() if site_rows is None else site_rows
    equipment_rows = equipment(site_rows) if equipment_rows is None else equipment_rows
    rng = random.Random(SEED + 1)
    start = HISTORY_END - timedelta(days=364)
    behind = set(site_rows["aire_id"].to_list()[3:5])  # late on functional checks (assumption)
    rows = []
    for site in site_rows.iter_rows(named=True):
        pieces = equipment_rows.filter(pl.col("aire_id") == site["aire_id"])["equipement_id"].to_list()
        plan = [(start + timedelta(days=d), CHECK_TYPES[0]) for d in range(rng.randint(0, 13), 365, 14)]
        every = 120 if site["aire_id"] in behind else rng.choice((45, 60, 75))
        last_functional = start + timedelta(days=rng.randint(0, 30))
        while last_functional <= HISTORY_END and not (site["aire_id"] in behind and last_functional > HISTORY_END - timedelta(days=150)):
            plan.append((last_functional, CHECK_TYPES[1]))
            last_functional += timedelta(days=every)
        plan.append((start + timedelta(days=rng.randint(60, 300)), CHECK_TYPES[2]))
        for day, kind in sorted(plan):
            severity = rng.choices(SEVERITIES, (80, 14, 5, 1) if kind == CHECK_TYPES[0] else (62, 25, 10, 3))[0]
            piece = rng.choice(pieces) if severity != SEVERITIES[0] else None
            out = severity == "Critique" or (severity == "Majeur" and rng.random() < 0.4)
            finding = rng.choice(FINDINGS[severity]) if severity != SEVERITIES[0] else ""
            rows.append(_row(site, piece, kind, day, severity, finding, out))
            repaired = day + timedelta(days=rng.randint(10, 40))  # most repairs take two to six weeks
            if out and repaired <= HISTORY_END and rng.random() < 0.8:
                rows.append(_row(site, piece, CHECK_TYPES[1], repaired, SEVERITIES[0], "Remis en service après réparation",
                                 False))
    return pl.DataFrame(rows, schema_overrides={"equipement_id": pl.String, "motif_hors_service": pl.String,
                                                "photos": pl.String, "lat": pl.Float64, "lon": pl.Float64})
