"""Queries of the mobility observatory. Pure frame functions first, then their memoised wrappers, which read
datasets by role (``mobility.accidents``...), whatever their key in the territory's catalog."""

from __future__ import annotations

import polars as pl

from data_access.cache import query
from data_access.territory import ALL, filter_commune  # noqa: F401  (ALL: re-exported)

BIKESHARE, CHARGING, CRITAIR = "mobility.bikeshare", "mobility.charging", "mobility.critair"
COUNTS, ARCS, ACCIDENTS, OUTLINES = ("mobility.traffic_counts", "mobility.traffic_arcs", "mobility.accidents",
                                     "territory.outlines")


def _of_commune(ctx, role: str, commune: str) -> pl.DataFrame:
    """The rows of ``role``'s dataset for a commune (its own commune column, if it has one)."""
    spec = ctx.catalog.for_role(role)
    return filter_commune(ctx.role_frame(role), commune, spec.commune_column if spec else None)


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


@query(BIKESHARE)
def velib_stations(ctx, commune: str) -> pl.DataFrame:
    return _of_commune(ctx, BIKESHARE, commune)


@query(BIKESHARE)
def velib_commune_table(ctx) -> pl.DataFrame:
    names = {c.code: c.name for c in ctx.catalog.territory.communes}
    return velib_by_commune(ctx.role_frame(BIKESHARE), names)


def commune_outlines(ctx, commune: str) -> pl.DataFrame:
    """The outlines of one commune (all of them for the whole territory); empty when the territory has none."""
    key = ctx.catalog.territory.outlines
    if key is None or not ctx.store.meta(key).has_data:
        return pl.DataFrame(schema={"code": pl.String, "name": pl.String, "geometry": pl.String})
    return _outlines(ctx, key, commune)


@query(OUTLINES)
def _outlines(ctx, key: str, commune: str) -> pl.DataFrame:
    return filter_commune(ctx.frame(key), commune, ctx.catalog[key].commune_column or "code")


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


@query(CHARGING)
def irve_points(ctx, commune: str) -> pl.DataFrame:
    return _of_commune(ctx, CHARGING, commune)


# -- Crit'Air ----------------------------------------------------------------------------------------------
def critair_shares(vehicles: pl.DataFrame) -> pl.DataFrame:
    """Share of each Crit'Air class per year (over the communes given), classes in their order."""
    totals = vehicles.group_by("annee", "classe", "ordre").agg(pl.col("vehicules").sum())
    return (totals.with_columns((100 * pl.col("vehicules") / pl.col("vehicules").sum().over("annee")).alias("part"))
            .sort(["annee", "ordre"]))


@query(CRITAIR)
def critair(ctx, commune: str) -> pl.DataFrame:
    return critair_shares(_of_commune(ctx, CRITAIR, commune))


# -- accidents ---------------------------------------------------------------------------------------------
SEVERITIES = ["Tué", "Blessé hospitalisé", "Blessé léger", "Indemne"]


def with_calendar(accidents: pl.DataFrame) -> pl.DataFrame:
    """Year and month from the accident's date when the export has no such columns (BAAC samples)."""
    dated = "date" in accidents.columns
    add = [pl.col("date").dt.year().cast(pl.Int64).alias("annee")] if dated and "annee" not in accidents.columns else []
    if dated and "mois" not in accidents.columns:
        add.append(pl.col("date").dt.month().cast(pl.Int64).alias("mois"))
    if "heure" not in accidents.columns:
        add.append(pl.lit(None, pl.Int64).alias("heure"))
    return accidents.with_columns(add) if add else accidents


def accidents_by_year_severity(accidents: pl.DataFrame) -> pl.DataFrame:
    return (with_calendar(accidents).group_by("annee", "gravite").agg(pl.len().alias("accidents"))
            .sort(["annee", pl.col("gravite").replace_strict({s: i for i, s in enumerate(SEVERITIES)}, default=9)]))


def accidents_by_user(accidents: pl.DataFrame) -> pl.DataFrame:
    return accidents.group_by("categorie_usager").agg(pl.len().alias("accidents")).sort("accidents", descending=True)


@query(ACCIDENTS)
def accidents(ctx, commune: str) -> pl.DataFrame:
    return with_calendar(_of_commune(ctx, ACCIDENTS, commune))


def latest_year(frame: pl.DataFrame, column: str = "annee") -> pl.DataFrame:
    """The rows of the last year present (none when no row has a year): what a map of points shows, one year
    at a time, as the key figures and reports do; the years before are counted in the charts by year."""
    span = year_span(frame, column)
    return frame.clear() if span is None else frame.filter(pl.col(column) == span[1])


def year_span(frame: pl.DataFrame, column: str = "annee") -> tuple[int, int] | None:
    """First and last year of the rows (titles and sentences say the period of the data, not a fixed one)."""
    years = frame[column].drop_nulls() if column in frame.columns else None
    if years is None or years.is_empty():
        return None
    return int(years.min()), int(years.max())


# -- traffic counts ----------------------------------------------------------------------------------------
TRAFFIC_STATES = ["Fluide", "Pré-saturé", "Saturé", "Bloqué", "Inconnu"]


def counts_for(counts: pl.DataFrame, commune: str) -> pl.DataFrame:
    """Arcs of one commune; for the whole territory, every arc, the real reference arc outside it too."""
    return filter_commune(counts, commune)


def _local(counts: pl.DataFrame, tz: str = "Europe/Paris") -> pl.DataFrame:
    # Hours and days as people live them: the territory's time zone, not UTC.
    return counts.with_columns(pl.col("heure").dt.convert_time_zone(tz).alias("local"))


def daily_flow(counts: pl.DataFrame, tz: str = "Europe/Paris") -> pl.DataFrame:
    """Vehicles per day and arc (days with all 24 hourly counts only, so gaps do not look like drops)."""
    return (_local(counts, tz).filter(pl.col("debit").is_not_null())
            .group_by("arc_id", "libelle", pl.col("local").dt.date().alias("jour"))
            .agg(pl.col("debit").sum().alias("vehicules"), pl.len().alias("heures"))
            .filter(pl.col("heures") == 24).drop("heures").sort(["arc_id", "jour"]))


def monthly_mean(daily: pl.DataFrame) -> pl.DataFrame:
    """Mean vehicles per day, month by month: a year of trend in 12 points per arc instead of 365, light
    enough to send, to read and to put in a table."""
    return (daily.group_by("arc_id", "libelle", pl.col("jour").dt.truncate("1mo").alias("mois"))
            .agg(pl.col("vehicules").mean().alias("vehicules_par_jour"), pl.len().alias("jours"))
            .sort(["arc_id", "mois"]))


def hour_weekday_profile(counts: pl.DataFrame, tz: str = "Europe/Paris") -> pl.DataFrame:
    """Mean hourly flow per weekday (1 = Monday) and hour, over the arcs given."""
    return (_local(counts, tz).filter(pl.col("debit").is_not_null())
            .group_by(pl.col("local").dt.weekday().alias("jour_semaine"), pl.col("local").dt.hour().alias("heure"))
            .agg(pl.col("debit").mean().alias("debit_moyen")).sort(["jour_semaine", "heure"]))


def traffic_state_shares(counts: pl.DataFrame) -> pl.DataFrame:
    """Share of hours in each traffic state, per arc."""
    return (counts.group_by("arc_id", "libelle", "etat_trafic").agg(pl.len().alias("heures"))
            .with_columns((100 * pl.col("heures") / pl.col("heures").sum().over("arc_id")).alias("part"))
            .sort(["arc_id", pl.col("etat_trafic").replace_strict({s: i for i, s in enumerate(TRAFFIC_STATES)},
                                                                   default=9)]))


@query(COUNTS)
def traffic(ctx, commune: str) -> dict[str, pl.DataFrame]:
    counts = _of_commune(ctx, COUNTS, commune)
    tz = ctx.catalog.territory.timezone
    return {"daily": monthly_mean(daily_flow(counts, tz)), "profile": hour_weekday_profile(counts, tz),
            "states": traffic_state_shares(counts) if "etat_trafic" in counts.columns else None}


MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def accidents_by_month_hour(accidents: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Accidents per month of the year and per hour of the day (hour unknown in some real rows: left out)."""
    accidents = with_calendar(accidents)
    by_month = (accidents.group_by("mois").agg(pl.len().alias("accidents")).sort("mois")
                .with_columns(pl.col("mois").replace_strict({i + 1: m for i, m in enumerate(MONTHS)},
                                                            return_dtype=pl.String).alias("mois_nom")))
    by_hour = (accidents.filter(pl.col("heure").is_not_null()).group_by("heure")
               .agg(pl.len().alias("accidents")).sort("heure"))
    return {"month": by_month, "hour": by_hour}


@query(ARCS)
def counting_arcs(ctx, commune: str) -> pl.DataFrame:
    return _of_commune(ctx, ARCS, commune)
