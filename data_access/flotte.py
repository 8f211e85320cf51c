"""Municipal fleet queries: inventory, the share of low-emission vehicles over the years, consumption, cost and
CO2 per month, service and vehicle, and the vehicles consuming far above their model's reference.

CO2 factors, ADEME Base Carbone (combustion and upstream, France): diesel (gazole routier) 3.17 kgCO2e/L,
petrol (SP95-E10) 2.80 kgCO2e/L, electricity (mix moyen, usage transport) 0.052 kgCO2e/kWh. They are the
factors a PCAET uses; update them here when ADEME publishes new ones.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from data_access.cache import query

VEHICLES, FUEL, INCIDENTS = "fleet.vehicles", "fleet.fuel", "fleet.incidents"
CO2_FACTORS = {"Gazole": 3.17, "Essence": 2.80, "Hybride essence": 2.80, "Électrique": 0.052}  # kgCO2e per L or kWh
CO2_SOURCE = "ADEME, Base Carbone : gazole 3,17 kgCO2e/L ; essence 2,80 kgCO2e/L ; électricité 0,052 kgCO2e/kWh"
LOW_EMISSION = ("Électrique",)  # véhicules à faibles émissions (LOM, art. L224-7 code de l'environnement)
FLAG_RATIO = 1.5  # a vehicle consuming this many times its reference is flagged


@query(VEHICLES)
def vehicles(ctx) -> pl.DataFrame:
    return ctx.role_frame(VEHICLES).sort("vehicule_id")


@query(VEHICLES, FUEL)
def fuel(ctx) -> pl.DataFrame:
    """Fill-ups and charges with their vehicle's service, energy and CO2 (kg)."""
    fleet = vehicles(ctx).select("vehicule_id", "service", "energie", "categorie", "reference_100km")
    frame = ctx.role_frame(FUEL).join(fleet, on="vehicule_id", how="inner")
    return frame.with_columns(
        (pl.col("quantite") * pl.col("energie").replace_strict(CO2_FACTORS, default=0.0)).alias("co2_kg"))


def filtered(frame: pl.DataFrame, service: str | None, energy: str | None) -> pl.DataFrame:
    if service:
        frame = frame.filter(pl.col("service") == service)
    if energy:
        frame = frame.filter(pl.col("energie") == energy)
    return frame


def in_service(fleet: pl.DataFrame, day: date) -> pl.DataFrame:
    return fleet.filter((pl.col("mise_en_circulation") <= day.year)
                        & (pl.col("date_sortie").is_null() | (pl.col("date_sortie") > day)))


def low_emission_share(fleet: pl.DataFrame, first: int, last: int) -> pl.DataFrame:
    """Per year: vehicles in service on 31 December (or today for this year) and the share at low emissions."""
    rows = []
    for year in range(first, last + 1):
        present = in_service(fleet, date(year, 12, 31))
        low = present.filter(pl.col("energie").is_in(LOW_EMISSION)).height
        rows.append({"annee": year, "vehicules": present.height, "faibles_emissions": low,
                     "part": low / present.height if present.height else None})
    return pl.DataFrame(rows, schema={"annee": pl.Int64, "vehicules": pl.Int64, "faibles_emissions": pl.Int64,
                                      "part": pl.Float64})


def monthly(fills: pl.DataFrame) -> pl.DataFrame:
    """Per month and energy: quantity (L or kWh), cost (€) and CO2 (t)."""
    return (fills.with_columns(pl.col("date").dt.truncate("1mo").alias("mois"))
            .group_by("mois", "energie", "unite")
            .agg(pl.col("quantite").sum(), pl.col("cout_eur").sum(), (pl.col("co2_kg").sum() / 1000).alias("co2_t"))
            .sort("mois", "energie"))


def per_vehicle(fills: pl.DataFrame, since: date) -> pl.DataFrame:
    """Per vehicle over the period: km driven (odometer span), consumption per 100 km against its reference."""
    recent = fills.filter(pl.col("date") >= since).sort("vehicule_id", "compteur_km")
    out = recent.group_by("vehicule_id").agg(
        pl.col("service").first(), pl.col("energie").first(), pl.col("unite").first(),
        pl.col("reference_100km").first(), pl.col("compteur_km").max().alias("compteur"),
        (pl.col("compteur_km").max() - pl.col("compteur_km").min()).alias("km"),
        pl.col("quantite").slice(1).sum().alias("consomme"),  # what was burnt between the first and last reading
        pl.col("cout_eur").sum(), (pl.col("co2_kg").sum() / 1000).alias("co2_t"), pl.len().alias("pleins"))
    return out.with_columns(
        pl.when(pl.col("km") > 0).then(pl.col("consomme") / pl.col("km") * 100).alias("conso_100km")
    ).with_columns((pl.col("conso_100km") / pl.col("reference_100km")).alias("ratio")).sort("vehicule_id")


def last_odometer(fills: pl.DataFrame, vehicle: str, besides: int | None = None) -> tuple[int, date] | None:
    """The vehicle's highest reading and its date; ``besides``: a report being corrected, left out."""
    rows = fills.filter(pl.col("vehicule_id") == vehicle)
    if besides is not None and "report_id" in rows.columns:
        rows = rows.filter(pl.col("report_id").is_null() | (pl.col("report_id") != besides))
    rows = rows.sort("compteur_km", descending=True)
    return (rows["compteur_km"][0], rows["date"][0]) if rows.height else None


@query(VEHICLES, FUEL)
def overview(ctx, service: str | None, energy: str | None, today: date) -> dict:
    fleet = vehicles(ctx)
    fills = filtered(fuel(ctx), service, energy)
    chosen = filtered(fleet, service, energy)
    since = today - timedelta(days=365)
    usage = per_vehicle(fills, since)
    inventory = in_service(chosen, today).join(usage.select("vehicule_id", "compteur", "conso_100km", "ratio"),
                                               on="vehicule_id", how="left")
    return {"fleet": chosen, "inventory": inventory, "usage": usage,
            "flagged": usage.filter(pl.col("ratio") >= FLAG_RATIO).sort("ratio", descending=True),
            "share": low_emission_share(fleet if not (service or energy) else chosen, 2016, today.year),
            "months": monthly(fills.filter(pl.col("date") >= today - timedelta(days=730))),
            "year": fills.filter(pl.col("date") >= since)}
