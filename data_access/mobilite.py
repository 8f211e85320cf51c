"""Queries of the mobility observatory. Pure frame functions first, then their memoised wrappers."""

from __future__ import annotations

import polars as pl

from components.formats import WEEKDAYS
from components.selectors import ALL
from data_access.cache import query


def filter_commune(frame: pl.DataFrame, commune: str, column: str = "commune_code") -> pl.DataFrame:
    return frame if commune == ALL else frame.filter(pl.col(column) == commune)


def velib_summary(stations: pl.DataFrame) -> dict:
    """Key figures of a set of Vélib' stations."""
    in_service = stations.filter(pl.col("is_installed") & pl.col("is_renting"))
    bikes = int(stations["bikes_available"].sum() or 0)
    ebikes = int(stations["ebike"].sum() or 0)
    return {
        "stations": stations.height,
        "in_service": in_service.height,
        "out_of_service": stations.height - in_service.height,
        "capacity": int(stations["capacity"].sum() or 0),
        "bikes": bikes,
        "ebikes": ebikes,
        "mechanical": int(stations["mechanical"].sum() or 0),
        "docks": int(stations["docks_available"].sum() or 0),
        "ebike_share": (100 * ebikes / bikes) if bikes else None,
    }


def velib_by_commune(stations: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Stations, capacity and bikes per commune, largest capacity first."""
    return (
        stations.group_by("commune_code")
        .agg(pl.len().alias("stations"), pl.col("capacity").sum(), pl.col("mechanical").sum(),
             pl.col("ebike").sum(), pl.col("docks_available").sum())
        .with_columns(pl.col("commune_code").replace_strict(names, default=pl.col("commune_code")).alias("commune"))
        .sort(["capacity", "commune"], descending=[True, False])
    )


@query("velib_stations")
def velib_stations(ctx, commune: str) -> pl.DataFrame:
    return filter_commune(ctx.frame("velib_stations"), commune)


@query("velib_stations")
def velib_commune_table(ctx) -> pl.DataFrame:
    names = {c.code: c.name for c in ctx.catalog.territory.communes}
    return velib_by_commune(ctx.frame("velib_stations"), names)


@query("communes_contours")
def commune_outlines(ctx, commune: str) -> pl.DataFrame:
    return filter_commune(ctx.frame("communes_contours"), commune, column="code")


def stations_needing_attention(stations: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Stations out of service, or with at most ``threshold`` bikes or free docks: the operator's list."""
    out = ~(pl.col("is_installed") & pl.col("is_renting"))
    return (
        stations.filter(out | (pl.col("bikes_available") <= threshold) | (pl.col("docks_available") <= threshold))
        .with_columns(
            pl.when(out).then(pl.lit("hors service"))
            .when(pl.col("bikes_available") <= threshold).then(pl.lit("peu de vélos"))
            .otherwise(pl.lit("peu de bornettes libres")).alias("issue"))
        .sort(["issue", "bikes_available", "name"])
    )


# -- charge points (IRVE) ---------------------------------------------------------------------------------
POWER_CLASSES = [(0, 7.4, "jusqu'à 7,4 kW"), (7.4, 22.1, "de 7,4 à 22 kW"), (22.1, 100, "de 22 à 100 kW"),
                 (100, 10_000, "plus de 100 kW")]


def irve_power_classes(points: pl.DataFrame) -> pl.DataFrame:
    """Charge points per power class, in class order."""
    rows = [(label, points.filter((pl.col("puissance_nominale") > low) & (pl.col("puissance_nominale") <= high)).height)
            for low, high, label in POWER_CLASSES]
    return pl.DataFrame(rows, schema={"classe": pl.String, "points": pl.Int64}, orient="row")


def irve_growth(points: pl.DataFrame) -> pl.DataFrame:
    """Charge points opened per year and in service at the end of each year."""
    return (points.filter(pl.col("date_mise_en_service").is_not_null())
            .group_by(pl.col("date_mise_en_service").dt.year().alias("annee")).agg(pl.len().alias("ouverts"))
            .sort("annee").with_columns(pl.col("ouverts").cum_sum().alias("en_service")))


def irve_plugs(points: pl.DataFrame) -> pl.DataFrame:
    labels = {"prise_type_2": "Type 2", "prise_type_combo_ccs": "Combo CCS", "prise_type_chademo": "CHAdeMO",
              "prise_type_ef": "Domestique (E/F)"}
    return pl.DataFrame([(label, int(points[col].sum() or 0)) for col, label in labels.items()],
                        schema={"prise": pl.String, "points": pl.Int64}, orient="row")


@query("irve_points")
def irve_points(ctx, commune: str) -> pl.DataFrame:
    return filter_commune(ctx.frame("irve_points"), commune)


# -- Crit'Air ----------------------------------------------------------------------------------------------
def critair_shares(vehicles: pl.DataFrame) -> pl.DataFrame:
    """Share of each Crit'Air class per year (over the communes given), classes in their order."""
    totals = vehicles.group_by("annee", "classe", "ordre").agg(pl.col("vehicules").sum())
    return (totals.with_columns((100 * pl.col("vehicules") / pl.col("vehicules").sum().over("annee")).alias("part"))
            .sort(["annee", "ordre"]))


@query("critair_vehicules")
def critair(ctx, commune: str) -> pl.DataFrame:
    return critair_shares(filter_commune(ctx.frame("critair_vehicules"), commune))


# -- accidents ---------------------------------------------------------------------------------------------
SEVERITIES = ["Tué", "Blessé hospitalisé", "Blessé léger", "Indemne"]


def accidents_by_year_severity(accidents: pl.DataFrame) -> pl.DataFrame:
    return (accidents.group_by("annee", "gravite").agg(pl.len().alias("accidents"))
            .sort(["annee", pl.col("gravite").replace_strict({s: i for i, s in enumerate(SEVERITIES)}, default=9)]))


def accidents_by_user(accidents: pl.DataFrame) -> pl.DataFrame:
    return accidents.group_by("categorie_usager").agg(pl.len().alias("accidents")).sort("accidents", descending=True)


@query("accidents")
def accidents(ctx, commune: str) -> pl.DataFrame:
    return filter_commune(ctx.frame("accidents"), commune)


# -- traffic counts ----------------------------------------------------------------------------------------
TRAFFIC_STATES = ["Fluide", "Pré-saturé", "Saturé", "Bloqué", "Inconnu"]


def counts_for(counts: pl.DataFrame, commune: str) -> pl.DataFrame:
    """Arcs of one commune; for the whole territory, every arc, the real reference arc outside it too."""
    return counts if commune == ALL else counts.filter(pl.col("commune_code") == commune)


def _local(counts: pl.DataFrame) -> pl.DataFrame:
    # Hours and days as people live them: Paris time, not UTC.
    return counts.with_columns(pl.col("heure").dt.convert_time_zone("Europe/Paris").alias("local"))


def daily_flow(counts: pl.DataFrame) -> pl.DataFrame:
    """Vehicles per day and arc (days with all 24 hourly counts only, so gaps do not look like drops)."""
    return (_local(counts).filter(pl.col("debit").is_not_null())
            .group_by("arc_id", "libelle", pl.col("local").dt.date().alias("jour"))
            .agg(pl.col("debit").sum().alias("vehicules"), pl.len().alias("heures"))
            .filter(pl.col("heures") == 24).drop("heures").sort(["arc_id", "jour"]))


def monthly_mean(daily: pl.DataFrame) -> pl.DataFrame:
    """Mean vehicles per day, month by month: a year of trend in 12 points per arc instead of 365, light
    enough to send, to read and to put in a table."""
    return (daily.group_by("arc_id", "libelle", pl.col("jour").dt.truncate("1mo").alias("mois"))
            .agg(pl.col("vehicules").mean().alias("vehicules_par_jour"), pl.len().alias("jours"))
            .sort(["arc_id", "mois"]))


def profile_table(profile: pl.DataFrame) -> pl.DataFrame:
    """The typical week as the heatmap shows it: one row per weekday, one column per hour."""
    wide = (profile.with_columns(pl.format("{} h", pl.col("heure")).alias("h"))
            .pivot(on="h", index="jour_semaine", values="debit_moyen").sort("jour_semaine"))
    return wide.with_columns(pl.col("jour_semaine").replace_strict(
        {i + 1: d for i, d in enumerate(WEEKDAYS)}, return_dtype=pl.String))


def hour_weekday_profile(counts: pl.DataFrame) -> pl.DataFrame:
    """Mean hourly flow per weekday (1 = Monday) and hour, over the arcs given."""
    return (_local(counts).filter(pl.col("debit").is_not_null())
            .group_by(pl.col("local").dt.weekday().alias("jour_semaine"), pl.col("local").dt.hour().alias("heure"))
            .agg(pl.col("debit").mean().alias("debit_moyen")).sort(["jour_semaine", "heure"]))


def traffic_state_shares(counts: pl.DataFrame) -> pl.DataFrame:
    """Share of hours in each traffic state, per arc."""
    return (counts.group_by("arc_id", "libelle", "etat_trafic").agg(pl.len().alias("heures"))
            .with_columns((100 * pl.col("heures") / pl.col("heures").sum().over("arc_id")).alias("part"))
            .sort(["arc_id", pl.col("etat_trafic").replace_strict({s: i for i, s in enumerate(TRAFFIC_STATES)},
                                                                   default=9)]))


@query("comptages_horaires")
def traffic(ctx, commune: str) -> dict[str, pl.DataFrame]:
    counts = counts_for(ctx.frame("comptages_horaires"), commune)
    return {"daily": monthly_mean(daily_flow(counts)), "profile": hour_weekday_profile(counts),
            "states": traffic_state_shares(counts)}


MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def accidents_by_month_hour(accidents: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Accidents per month of the year and per hour of the day (hour unknown in some real rows: left out)."""
    by_month = (accidents.group_by("mois").agg(pl.len().alias("accidents")).sort("mois")
                .with_columns(pl.col("mois").replace_strict({i + 1: m for i, m in enumerate(MONTHS)},
                                                            return_dtype=pl.String).alias("mois_nom")))
    by_hour = (accidents.filter(pl.col("heure").is_not_null()).group_by("heure")
               .agg(pl.len().alias("accidents")).sort("heure"))
    return {"month": by_month, "hour": by_hour}


@query("comptages_arcs")
def counting_arcs(ctx, commune: str) -> pl.DataFrame:
    arcs = ctx.frame("comptages_arcs")
    return arcs if commune == ALL else arcs.filter(pl.col("commune_code") == commune)
