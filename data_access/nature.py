"""Maison de la nature queries: workshop sessions by theme and month, attendance against places, equipment
handed out by type, commune and month against the yearly goals, households equipped per 1,000 inhabitants."""

from __future__ import annotations

import polars as pl

from data_access.cache import query
from data_access.territory import ALL, filter_commune

WORKSHOPS, DISTRIBUTIONS = "nature.workshops", "nature.distributions"


@query(WORKSHOPS)
def workshops(ctx, commune: str = ALL) -> pl.DataFrame:
    return filter_commune(ctx.role_frame(WORKSHOPS), commune, "commune_code").sort("date", descending=True)


@query(DISTRIBUTIONS)
def distributions(ctx, commune: str = ALL) -> pl.DataFrame:
    return filter_commune(ctx.role_frame(DISTRIBUTIONS), commune, "commune_code").sort("date", descending=True)


def sessions_by_month(sessions: pl.DataFrame) -> pl.DataFrame:
    return (sessions.with_columns(pl.col("date").dt.truncate("1mo").alias("mois")).group_by("mois", "theme")
            .agg(pl.len().alias("seances"), pl.col("presents").sum()).sort("mois", "theme"))


def attendance_by_theme(sessions: pl.DataFrame) -> pl.DataFrame:
    """Places, sign-ups and attendance per theme; the fill rate is attendance over places."""
    return (sessions.group_by("theme").agg(pl.len().alias("seances"), pl.col("capacite").sum(), pl.col("inscrits").sum(),
                                           pl.col("presents").sum())
            .with_columns((pl.col("presents") / pl.col("capacite")).alias("remplissage")).sort("seances", descending=True))


def equipment_year(handed: pl.DataFrame, year: int, goals: dict[str, float]) -> pl.DataFrame:
    """Per type of equipment: handed out this year, and the year's goal."""
    done = handed.filter(pl.col("date").dt.year() == year).group_by("type_equipement").agg(pl.col("nombre").sum())
    goal = pl.DataFrame({"type_equipement": list(goals), "objectif": list(goals.values())},
                        schema={"type_equipement": pl.String, "objectif": pl.Float64})
    return (goal.join(done, on="type_equipement", how="full", coalesce=True)
            .with_columns(pl.col("nombre").fill_null(0)).sort("type_equipement"))


def per_thousand(handed: pl.DataFrame, populations: dict[str, int | None], names: dict[str, str]) -> pl.DataFrame:
    """Households equipped (all equipment, all years) per 1,000 inhabitants, by commune."""
    counts = handed.group_by("commune_code").agg(pl.col("nombre").sum())
    return (counts.with_columns(
        pl.col("commune_code").replace_strict(names, default=pl.col("commune_code")).alias("commune"),
        pl.col("commune_code").replace_strict(populations, default=None, return_dtype=pl.Int64).alias("population"))
        .with_columns((pl.col("nombre") / pl.col("population") * 1000).alias("pour_mille"))
        .sort("pour_mille", descending=True, nulls_last=True))
