"""Municipal fleet (demonstration): vehicles, their ADEME reference consumption, two years of fill-ups and
charges, and incidents.

* Composition: Caen's published fleet around 2012 (114 cars, 52 small vans, 86 vans, 12 sweepers, 33 small
  trucks; 17 electric vehicles) scaled by one half (assumption: a town of ~70,000 inhabitants), with the
  renewal of the years since: electric and hybrid cars replace the oldest petrol and diesel ones.
* Models and reference consumption: real rows of ADEME's Car Labelling catalogue (2024 extract,
  ``data/sources/ademe-car-labelling_flotte.csv``): per model and energy, the median of the WLTP mixed
  consumption (L/100 km) or electric consumption (Wh/km). Sweepers and trucks are not in that catalogue:
  their references are assumptions (27 L/100 km diesel, 90 kWh/100 km electric).
* Use: 6,000 to 16,000 km a year, consumption 1.1 to 1.4 times the reference (urban stop-and-go, assumption);
  three vehicles drive at 1.8 times it (what the dashboard flags). Prices: diesel 1.72 €/L, petrol 1.84 €/L,
  electricity 0.22 €/kWh (assumptions, 2025-2026).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl

SOURCE = Path(__file__).resolve().parents[1] / "sources" / "ademe-car-labelling_flotte.csv"
HISTORY_END = date(2026, 11, 27)
SEED = 2012
SERVICES = ["Voirie", "Espaces verts", "Propreté", "Bâtiments", "Police municipale", "Administration générale"]
ENERGIES = {"ESSENCE": "Essence", "GAZOLE": "Gazole", "ELECTRIC": "Électrique", "ESS+ELEC HNR": "Hybride essence"}
PRICES = {"Essence": 1.84, "Gazole": 1.72, "Électrique": 0.22, "Hybride essence": 1.84}
# (category, count in Caen 2012, models drawn: (brand, model, energy)); scaled by SCALE.
SCALE = 0.5
CATEGORIES = [
    ("Voiture", 114, [("RENAULT", "CLIO", "ESSENCE"), ("PEUGEOT", "208", "ESSENCE"), ("CITROEN", "C3", "ESSENCE"),
                      ("RENAULT", "ZOE", "ELECTRIC"), ("TOYOTA", "YARIS", "ESS+ELEC HNR"),
                      ("RENAULT", "MEGANE", "ELECTRIC"), ("DACIA", "SPRING", "ELECTRIC"), ("PEUGEOT", "208", "ELECTRIC")]),
    ("Petit utilitaire", 52, [("RENAULT", "KANGOO", "GAZOLE"), ("CITROEN", "BERLINGO", "GAZOLE"),
                              ("CITROEN", "BERLINGO", "ELECTRIC"), ("RENAULT", "KANGOO", "ESSENCE")]),
    ("Fourgon", 86, [("RENAULT", "TRAFIC", "GAZOLE")]),
    ("Balayeuse", 12, [("BUCHER", "CITYCAT", "GAZOLE"), ("BUCHER", "CITYCAT", "ELECTRIC")]),
    ("Petit camion", 33, [("RENAULT TRUCKS", "MASTER BENNE", "GAZOLE"), ("GOUPIL", "G6", "ELECTRIC")]),
]
ASSUMED_REFERENCE = {"GAZOLE": 27.0, "ELECTRIC": 90.0}  # per 100 km: L or kWh (sweepers, trucks)
# A small electric car whose ADEME row gives no consumption (Dacia Spring): 16 kWh/100 km (assumption).


def references() -> pl.DataFrame:
    """Reference consumption per (brand, model, energy) from the ADEME rows: L/100 km or kWh/100 km."""
    raw = pl.read_csv(SOURCE, infer_schema=False)
    number = lambda c: pl.col(c).cast(pl.Float64, strict=False)  # noqa: E731
    frame = raw.select(pl.col("Marque").alias("marque"), pl.col("Modèle").alias("modele"),
                       pl.col("Energie").alias("energie_ademe"),
                       ((number("Conso vitesse mixte Min") + number("Conso vitesse mixte Max")) / 2).alias("l100"),
                       ((number("Conso elec Min") + number("Conso elec Max").fill_null(number("Conso elec Min"))) / 20)
                       .alias("kwh100"),
                       number("CO2 vitesse mixte Min").alias("co2_g_km"))
    return frame.group_by("marque", "modele", "energie_ademe").agg(
        pl.col("l100").median(), pl.col("kwh100").median(), pl.col("co2_g_km").median(), pl.len().alias("versions"))


def vehicles(people: list[tuple[str, int]] = ()) -> pl.DataFrame:
    """``people``: (INSEE code, population) of the territory's communes; each vehicle is based in one of them,
    drawn in proportion to its population (assumption: services are spread like the residents)."""
    rng = random.Random(SEED)
    refs = {(r["marque"], r["modele"], r["energie_ademe"]): r for r in references().iter_rows(named=True)}
    rows = []
    for category, caen, models in CATEGORIES:
        for n in range(round(caen * SCALE)):
            brand, model, energy = models[0] if rng.random() < 0.45 else rng.choice(models)
            year = rng.randint(2008, 2026)
            if energy == "ELECTRIC" and year < 2014:
                year = rng.randint(2016, 2026)  # electric vehicles of the fleet are the recent ones
            if energy not in ("ELECTRIC", "ESS+ELEC HNR") and year > 2022 and rng.random() < 0.6:
                brand, model, energy = next(m for m in models if m[2] == "ELECTRIC") if any(
                    m[2] == "ELECTRIC" for m in models) else (brand, model, energy)  # recent renewals: electric
            ref = refs.get((brand, model, energy))
            kind = ENERGIES[energy]
            per100 = (ref["kwh100"] if energy == "ELECTRIC" else ref["l100"]) if ref else None
            if per100 is None:  # not in the catalogue, or its consumption not given there
                ref, per100 = None, ASSUMED_REFERENCE[energy] if category in ("Balayeuse", "Petit camion") else 16.0
            critair = ("E" if kind == "Électrique" else "1" if kind.startswith("Hybride") or (kind == "Essence" and year >= 2011)
                       else "2" if year >= 2011 else "3")
            retired = date(rng.randint(2025, 2026), rng.randint(1, 11), 1) if year < 2011 and rng.random() < 0.5 else None
            rows.append({"vehicule_id": f"V-{len(rows) + 1:03d}", "immatriculation": f"{rng.choice('ABCDEFGH')}"
                         f"{rng.choice('ABCDEFGH')}-{rng.randint(100, 999)}-{rng.choice('JKLMNP')}{rng.choice('QRSTUV')}",
                         "service": rng.choice(SERVICES), "categorie": category, "marque": brand, "modele": model,
                         "energie": kind, "critair": critair, "mise_en_circulation": year,
                         "reference_100km": round(per100, 2), "reference_source": "ADEME Car Labelling" if ref else
                         "hypothèse", "date_sortie": retired, "demonstration": True})
    based = random.Random(SEED + 3)  # its own draws: the rest of the fleet does not move when communes change
    for row in rows:
        row["commune_code"] = based.choices([c for c, _ in people], [max(p, 1) for _, p in people])[0] if people else None
    return pl.DataFrame(rows, schema_overrides={"date_sortie": pl.Date, "commune_code": pl.String})


def fuel(fleet: pl.DataFrame | None = None) -> pl.DataFrame:
    """Fill-ups and charges of the last two years, with the odometer at each."""
    fleet = vehicles() if fleet is None else fleet
    rng = random.Random(SEED + 1)
    heavy = set(fleet["vehicule_id"].to_list()[5:60:25])  # three vehicles drive far above their reference
    rows = []
    start = HISTORY_END - timedelta(days=730)
    for v in fleet.iter_rows(named=True):
        yearly = rng.randint(6000, 16000)
        factor = 1.8 if v["vehicule_id"] in heavy else rng.uniform(1.1, 1.4)
        odometer = (2026 - v["mise_en_circulation"]) * yearly + rng.randint(0, 3000)
        day = start + timedelta(days=rng.randint(0, 20))
        end = min(HISTORY_END, v["date_sortie"] or HISTORY_END)
        electric = v["energie"] == "Électrique"
        while day <= end:
            km = rng.randint(250, 700) if not electric else rng.randint(80, 200)
            odometer += km
            quantity = round(km * v["reference_100km"] * factor / 100, 1)
            rows.append({"vehicule_id": v["vehicule_id"], "date": day, "quantite": quantity,
                         "unite": "kWh" if electric else "L", "compteur_km": odometer,
                         "cout_eur": round(quantity * PRICES[v["energie"]], 2), "demonstration": True})
            day += timedelta(days=max(3, round(km / (yearly / 365))))
    return pl.DataFrame(rows)


def incidents(fleet: pl.DataFrame | None = None) -> pl.DataFrame:
    fleet = vehicles() if fleet is None else fleet
    rng = random.Random(SEED + 2)
    kinds = [("Entretien", 60), ("Panne", 20), ("Contrôle technique", 12), ("Accident", 8)]
    rows = []
    for v in fleet.iter_rows(named=True):
        for _ in range(rng.randint(0, 4)):
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            days = rng.randint(0, 10) if kind != "Entretien" else rng.randint(0, 2)
            rows.append({"vehicule_id": v["vehicule_id"], "date": HISTORY_END - timedelta(days=rng.randint(0, 700)),
                         "type_evenement": kind, "description": "", "jours_immobilisation": days,
                         "cout_eur": float(rng.randint(80, 2500)), "demonstration": True})
    return pl.DataFrame(rows)
