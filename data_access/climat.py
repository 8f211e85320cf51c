"""Queries of the climate dashboard (PCAET indicators, budget climat). Pure frame functions, then their
memoised wrappers. Confidential indicators come from an internal dataset, read only when the caller says
the user may see them (the page decides, server-side)."""

from __future__ import annotations

import polars as pl

from data_access.cache import query
from data_access.indicators import Assessment, assess
from data_access.territory import ALL, commune_for_single_budget

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


# Closer to its ceiling than this (% of the ceiling), a year's result is "au niveau du plafond": the inventory
# behind it is known to about that much.
AT_CEILING_PCT = 0.5
UNDER, AT, OVER = "sous", "au niveau", "au-dessus"


def ceiling_position(realised, ceiling) -> str | None:
    """Where a result stands against its ceiling: UNDER, AT or OVER (None without both figures)."""
    if realised is None or ceiling is None or ceiling != ceiling or realised != realised or not ceiling:
        return None
    gap_pct = (realised / ceiling - 1) * 100
    return AT if abs(gap_pct) < AT_CEILING_PCT else (UNDER if gap_pct < 0 else OVER)


def latest_result(budget: pl.DataFrame) -> dict | None:
    """The last year whose result is known (its totals row of :func:`budget_totals`), or None."""
    totals = budget_totals(budget)
    known = totals.filter(pl.col("realise_tco2e").is_not_null() & pl.col("plafond_tco2e").is_not_null())
    return known.row(-1, named=True) if known.height else None


def over_ceilings(budget: pl.DataFrame, year: int) -> pl.DataFrame:
    """The sectors and actors whose result is above their own ceiling in ``year``, by however little (a tonne
    once rounded), largest overshoot first: what a total under its ceiling hides."""
    rows = budget.filter((pl.col("annee") == year) & pl.col("categorie").is_in(["secteur", "acteur"])
                         & pl.col("realise_tco2e").is_not_nan().fill_null(False) & pl.col("plafond_tco2e").is_not_null())
    return (rows.with_columns((pl.col("realise_tco2e") - pl.col("plafond_tco2e")).alias("ecart_tco2e"),
                              ((pl.col("realise_tco2e") / pl.col("plafond_tco2e") - 1) * 100).alias("ecart_pct"))
            .filter(pl.col("ecart_tco2e") >= 0.5)
            .sort(["ecart_tco2e", "libelle"], descending=[True, False])
            .select("categorie", "libelle", "realise_tco2e", "plafond_tco2e", "ecart_tco2e", "ecart_pct"))


def budget_of(budget: pl.DataFrame, commune: str, voter: str | None) -> pl.DataFrame | None:
    """The budget climat a commune selection shows: the whole territory's choice shows the one voted (``voter``:
    the commune that votes it, None when the territory does); a commune shows its own, or None when it votes
    none."""
    if "commune_code" not in budget.columns:
        return budget
    if commune == ALL:
        return budget if voter is None else budget.filter(pl.col("commune_code") == voter)
    own = budget.filter(pl.col("commune_code") == commune)
    return own if own.height else None


def indicator_statuses(values: pl.DataFrame) -> pl.DataFrame:
    """Every indicator of the plan (all axes) with its status: axe, indicateur, titre, statut, in plan order."""
    rows = []
    for axe, _ in axes(values):
        for row in plan(values, axe).iter_rows(named=True):
            rows.append((axe, row["indicateur"], row["titre"], assessment(values, row).status))
    return pl.DataFrame(rows, schema={"axe": pl.String, "indicateur": pl.String, "titre": pl.String,
                                      "statut": pl.String}, orient="row")


def headline(values: pl.DataFrame) -> tuple[dict, Assessment] | None:
    """The plan's first indicator with a target and no parent (the territory's emissions in a PCAET): what the
    plan-wide summary projects to the target year."""
    for axe, _ in axes(values):
        for row in plan(values, axe).iter_rows(named=True):
            if row["parent"] is None and row["valeur_cible"] is not None and row["annee_cible"] is not None:
                return row, assessment(values, row)
    return None


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


def budget_voter(ctx) -> str | None:
    """The commune that votes the territory's budget climat (None: the territory votes it)."""
    return commune_for_single_budget(budget(ctx), ctx.catalog.territory)


@query(BUDGET)
def commune_budget(ctx, commune: str) -> pl.DataFrame | None:
    """The budget climat shown for a commune selection (:func:`budget_of`); None when that commune votes none."""
    return budget_of(budget(ctx), commune, budget_voter(ctx))
