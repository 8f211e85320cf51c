"""Queries of the climate dashboard (PCAET indicators, budget climat). Pure frame functions, then their
memoised wrappers. Confidential indicators come from an internal dataset, read only when the caller says
the user may see them (the page decides, server-side)."""

from __future__ import annotations

import polars as pl

from data_access.cache import query
from data_access.indicators import Assessment, assess
from data_access.territory import ALL

PUBLIC, INTERNAL, BUDGET = "climate.indicators", "climate.indicators_internal", "climate.budget"  # roles


def for_commune(values: pl.DataFrame, commune: str) -> pl.DataFrame:
    """Rows of one commune, or of the whole territory (rows without a commune)."""
    if commune == ALL:
        return values.filter(pl.col("commune_code").is_null())
    return values.filter(pl.col("commune_code") == commune)


def axes(values: pl.DataFrame) -> list[tuple[str, str]]:
    """(axe, title) in plan order."""
    return [tuple(r) for r in values.select("axe", "axe_titre").unique().sort("axe").iter_rows()]


def plan(values: pl.DataFrame, axe: str) -> pl.DataFrame:
    """One row per indicator of the axis, in plan order, with its definition and reference/target."""
    return (values.filter(pl.col("axe") == axe)
            .group_by("indicateur").agg(pl.all().first())
            .sort(["sous_axe", "ordre", "indicateur"])
            .select("axe", "sous_axe", "sous_axe_titre", "ordre", "indicateur", "titre", "unite", "parent",
                    "precision", "annee_reference", "valeur_reference", "annee_cible", "valeur_cible",
                    "confidentiel"))


def series(values: pl.DataFrame, indicateur: str, first: int | None = None, last: int | None = None) -> pl.DataFrame:
    """Year, resultat, objectif of one indicator (already filtered on a commune), in year order."""
    frame = values.filter(pl.col("indicateur") == indicateur)
    if first is not None:
        frame = frame.filter(pl.col("annee") >= first)
    if last is not None:
        frame = frame.filter(pl.col("annee") <= last)
    return frame.select("annee", "resultat", "objectif", "source", "commentaire").sort("annee")


def children(plan_rows: pl.DataFrame, indicateur: str) -> list[str]:
    return plan_rows.filter(pl.col("parent") == indicateur)["indicateur"].to_list()


def children_of(values: pl.DataFrame, indicateur: str) -> list[tuple[str, str]]:
    """(id, title) of the indicators whose parent is ``indicateur``, in any axis of the plan."""
    return [tuple(r) for r in values.filter(pl.col("parent") == indicateur).select("indicateur", "titre")
            .unique().sort("indicateur").iter_rows()]


def assessment(values: pl.DataFrame, row: dict) -> Assessment:
    points = [(y, v) for y, v in series(values, row["indicateur"]).select("annee", "resultat").iter_rows()
              if v is not None]
    return assess(points, row["annee_reference"], row["valeur_reference"], row["annee_cible"], row["valeur_cible"])


def year_bounds(values: pl.DataFrame) -> tuple[int, int]:
    years = values["annee"]
    return int(years.min()), int(years.max())


# -- budget climat -----------------------------------------------------------------------------------------
def budget_totals(budget: pl.DataFrame) -> pl.DataFrame:
    """Per year: ceiling, result, gap (tCO2e and % of the ceiling), change since the first budget year."""
    totals = budget.filter(pl.col("categorie") == "total").sort("annee")
    first_result = totals.filter(pl.col("plafond_tco2e").is_not_null() & pl.col("realise_tco2e").is_not_null())
    base = first_result["realise_tco2e"][0] if first_result.height else None
    reference = totals.filter(pl.col("plafond_tco2e").is_null())["realise_tco2e"]
    return totals.select(
        "annee", "plafond_tco2e", "realise_tco2e",
        (pl.col("realise_tco2e") - pl.col("plafond_tco2e")).alias("ecart_tco2e"),
        ((pl.col("realise_tco2e") / pl.col("plafond_tco2e") - 1) * 100).alias("ecart_pct"),
        ((pl.col("realise_tco2e") / base - 1) * 100 if base else pl.lit(None, pl.Float64)).alias("evolution_depuis_adoption_pct"),
        ((pl.col("realise_tco2e") / reference[0] - 1) * 100 if reference.len() else pl.lit(None, pl.Float64)).alias("evolution_reference_pct"),
    )


def budget_breakdown(budget: pl.DataFrame, categorie: str) -> pl.DataFrame:
    return (budget.filter((pl.col("categorie") == categorie) & pl.col("realise_tco2e").is_not_null())
            .select("annee", "libelle", "realise_tco2e", "plafond_tco2e").sort(["annee", "libelle"]))


# -- memoised wrappers ---------------------------------------------------------------------------------------
@query(PUBLIC)
def public_values(ctx, commune: str) -> pl.DataFrame:
    return for_commune(ctx.role_frame(PUBLIC), commune)


@query(INTERNAL)
def internal_values(ctx, commune: str) -> pl.DataFrame:
    return for_commune(ctx.role_frame(INTERNAL), commune)


def values(ctx, commune: str, confidential: bool) -> pl.DataFrame:
    """The indicator values the caller may see: public ones, plus confidential ones when allowed."""
    frame = public_values(ctx, commune)
    if confidential and ctx.has(INTERNAL):
        frame = pl.concat([frame, internal_values(ctx, commune)], how="vertical_relaxed")
    return frame


@query(BUDGET)
def budget(ctx) -> pl.DataFrame:
    return ctx.role_frame(BUDGET)
