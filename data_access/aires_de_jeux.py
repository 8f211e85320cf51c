"""Playground queries: sites, equipment, inspections (the agents' reports and their history) and what is due.

Inspection intervals follow the French rules for playground equipment (décret 96-1136, norm NF EN 1176-7):
routine visual checks at a frequency the operator sets (here every 14 days at most), functional checks every
1 to 3 months (90 days at most), a main inspection every year (365 days). A site is overdue for a check type
when its last one is older than that, or when it never had one.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from data_access.cache import query
from data_access.territory import ALL, filter_commune

SITES, EQUIPMENT, INSPECTIONS = "playgrounds.sites", "playgrounds.equipment", "playgrounds.inspections"
INTERVALS = {"Visuel de routine": 14, "Fonctionnel": 90, "Principal annuel": 365}  # days at most
SEVERITIES = ["Aucun défaut", "Mineur", "Majeur", "Critique"]


@query(SITES)
def sites(ctx, commune: str = ALL) -> pl.DataFrame:
    return filter_commune(ctx.role_frame(SITES), commune, "commune_code").sort("nom")


@query(EQUIPMENT)
def equipment(ctx) -> pl.DataFrame:
    return ctx.role_frame(EQUIPMENT)


@query(INSPECTIONS)
def inspections(ctx, commune: str = ALL) -> pl.DataFrame:
    """Every inspection, newest first (history and reports alike)."""
    frame = filter_commune(ctx.role_frame(INSPECTIONS), commune, "commune_code")
    return frame.sort(["date", "saisi_le"], descending=True, nulls_last=True)


def due_checks(site_rows: pl.DataFrame, checks: pl.DataFrame, today: date) -> pl.DataFrame:
    """One row per site and check type: the last date, the days since, and how many days overdue (0: on time).
    Sorted with the most overdue first."""
    last = checks.group_by("aire_id", "type_controle").agg(pl.col("date").max().alias("dernier"))
    grid = site_rows.select("aire_id", "nom").join(
        pl.DataFrame({"type_controle": list(INTERVALS), "intervalle": list(INTERVALS.values())}), how="cross")
    out = grid.join(last, on=["aire_id", "type_controle"], how="left").with_columns(
        (pl.lit(today) - pl.col("dernier")).dt.total_days().alias("jours_depuis"))
    return out.with_columns(
        pl.when(pl.col("dernier").is_null()).then(pl.lit(9999))
        .otherwise((pl.col("jours_depuis") - pl.col("intervalle")).clip(lower_bound=0)).alias("retard")
    ).sort(["retard", "intervalle"], descending=[True, False])


def out_of_service(checks: pl.DataFrame) -> pl.DataFrame:
    """Equipment whose latest inspection took it out of service (a later one without it puts it back)."""
    about = checks.filter(pl.col("equipement_id").is_not_null()).sort(["date", "saisi_le"], nulls_last=False)
    latest = about.group_by("equipement_id").agg(pl.all().last())
    return latest.filter(pl.col("hors_service").fill_null(False)).sort("date", descending=True)


def findings_by_month(checks: pl.DataFrame) -> pl.DataFrame:
    """Inspections per month and severity of their worst finding (zero-filled, severities in order)."""
    if checks.is_empty():
        return pl.DataFrame(schema={"mois": pl.Date, "gravite": pl.String, "controles": pl.UInt32})
    monthly = checks.with_columns(pl.col("date").dt.truncate("1mo").alias("mois")).group_by("mois", "gravite").len(
        "controles")
    months = pl.date_range(monthly["mois"].min(), monthly["mois"].max(), "1mo", eager=True).alias("mois")
    grid = pl.DataFrame(months).join(pl.DataFrame({"gravite": SEVERITIES}), how="cross")
    return (grid.join(monthly, on=["mois", "gravite"], how="left").with_columns(pl.col("controles").fill_null(0))
            .sort("mois", pl.col("gravite").replace_strict({s: i for i, s in enumerate(SEVERITIES)}, default=9)))


def finding_delays(checks: pl.DataFrame, today: date) -> pl.DataFrame:
    """Each finding (a defect, or equipment taken out of service) with the day it was lifted: the first later
    check finding no defect and leaving the equipment in service, of that equipment or of the whole site (a
    check of the whole site without defect sees every piece of it; equipment out of service is put back by a
    check of that equipment only). ``delai_jours``: days until then; still
    open, ``ouvert_depuis``: days since the finding."""
    marked = checks.with_columns(
        pl.coalesce("equipement_id", "aire_id").alias("objet"),
        ((pl.col("gravite") != "Aucun défaut") | pl.col("hors_service").fill_null(False)).alias("defaut"))
    found = marked.filter(pl.col("defaut")).select("aire_id", "equipement_id", "objet", "date", "gravite",
                                                   "hors_service").sort("date")
    clean = marked.filter(~pl.col("defaut")).sort("date")
    after = {"left_on": "date", "right_on": "leve", "strategy": "forward", "allow_exact_matches": False,
             "check_sortedness": False}  # sorted by date above, within each group too
    by_piece = found.join_asof(clean.select("objet", pl.col("date").alias("leve")), by="objet", **after)
    by_site = found.join_asof(clean.filter(pl.col("equipement_id").is_null())
                              .select("aire_id", pl.col("date").alias("leve")), by="aire_id", **after)
    # Equipment taken out of service is put back by a check of that equipment only (as in out_of_service).
    lifted = by_piece.with_columns(
        pl.when(pl.col("hors_service").fill_null(False)).then(pl.col("leve"))
        .otherwise(pl.min_horizontal(pl.col("leve"), by_site["leve"])).alias("leve_le")).drop("leve")
    return lifted.with_columns(
        (pl.col("leve_le") - pl.col("date")).dt.total_days().alias("delai_jours"),
        pl.when(pl.col("leve_le").is_null()).then((pl.lit(today) - pl.col("date")).dt.total_days())
        .alias("ouvert_depuis"))


def gravest_first(column: str = "gravite") -> pl.Expr:
    """A sort key putting the gravest severity first."""
    return pl.col(column).replace_strict({s: i for i, s in enumerate(reversed(SEVERITIES))}, default=9)


def delays_by_severity(delays: pl.DataFrame) -> pl.DataFrame:
    """Per severity, the gravest first: findings, lifted, the median delay to lift one (days), still open and
    the oldest open (days)."""
    return (delays.group_by("gravite").agg(
        pl.len().alias("constats"), pl.col("leve_le").is_not_null().sum().alias("leves"),
        pl.col("delai_jours").median().alias("delai_median"), pl.col("leve_le").is_null().sum().alias("ouverts"),
        pl.col("ouvert_depuis").max().alias("plus_ancien"))
        .sort(gravest_first()))


def site_states(site_rows: pl.DataFrame, due: pl.DataFrame, out: pl.DataFrame) -> pl.DataFrame:
    """Each site with its state for the map: "hors service" (equipment out), "en retard", or "à jour"."""
    late = due.filter(pl.col("retard") > 0).group_by("aire_id").agg(pl.len().alias("controles_en_retard"))
    down = out.group_by("aire_id").agg(pl.len().alias("hors_service"))
    return (site_rows.join(late, on="aire_id", how="left").join(down, on="aire_id", how="left")
            .with_columns(pl.col("controles_en_retard").fill_null(0), pl.col("hors_service").fill_null(0))
            .with_columns(pl.when(pl.col("hors_service") > 0).then(pl.lit("Équipement hors service"))
                          .when(pl.col("controles_en_retard") > 0).then(pl.lit("Contrôle en retard"))
                          .otherwise(pl.lit("À jour")).alias("etat")))


@query(SITES, INSPECTIONS)
def overview(ctx, commune: str, today: date) -> dict:
    """What the dashboard draws, computed once per data version, commune and day."""
    site_rows, checks = sites(ctx, commune), inspections(ctx, commune)
    due = due_checks(site_rows, checks, today)
    out = out_of_service(checks)
    delays = finding_delays(checks, today)
    return {"sites": site_states(site_rows, due, out), "due": due, "out": out,
            "months": findings_by_month(checks), "checks": checks, "delays": delays,
            "delays_by_severity": delays_by_severity(delays)}
