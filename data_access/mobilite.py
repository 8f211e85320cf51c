"""Queries of the mobility observatory. Pure frame functions first, then their memoised wrappers."""

from __future__ import annotations

import polars as pl

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
