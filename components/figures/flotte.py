"""Municipal fleet: pure figure builders and summaries, and the chart specs of /flotte."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.figures.bars import ranked_bars
from components.formats import fmt_int, fmt_number, fmt_percent
from components.theme import COLORS

ENERGY_COLORS = {"Gazole": "#5a6472", "Essence": "#8a5a00", "Hybride essence": "#5f9aa5", "Électrique": "#1b6e3f"}


def share_figure(share: pl.DataFrame, target: float | None, target_year: int | None) -> go.Figure:
    """Share of low-emission vehicles, solid; the target, dashed from the last year to the target year."""
    fig = go.Figure()
    fig.add_scatter(x=share["annee"].to_list(), y=[v * 100 if v is not None else None for v in share["part"]],
                    mode="lines+markers", name="Part du parc", line={"color": COLORS["primary"], "width": 3},
                    hovertemplate="%{x} : %{y:.1f} %<extra></extra>")
    if target is not None and target_year and share.height:
        last = share.row(-1, named=True)
        fig.add_scatter(x=[last["annee"], int(target_year)], y=[(last["part"] or 0) * 100, target * 100],
                        mode="lines+markers", name=f"Objectif {int(target_year)}",
                        line={"color": COLORS["internal"], "dash": "dash"}, hovertemplate="%{x} : %{y:.0f} %<extra></extra>")
    fig.update_layout(yaxis={"title": "% des véhicules en service", "rangemode": "tozero"}, height=340,
                      xaxis={"tickformat": "d", "dtick": 2})  # years, not 2 020
    return fig


def share_summary(share: pl.DataFrame, target: float | None, target_year: int | None) -> str:
    if share.is_empty() or share["part"][-1] is None:
        return "Aucun véhicule en service."
    last = share.row(-1, named=True)
    text = (f"En {last['annee']}, {fmt_int(last['faibles_emissions'])} véhicules sur {fmt_int(last['vehicules'])} "
            f"sont à faibles émissions ({fmt_percent(last['part'] * 100, 0)})")
    return text + (f" ; objectif : {fmt_percent(target * 100, 0)} en {int(target_year)}." if target else ".")


def co2_figure(months: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for energy, color in ENERGY_COLORS.items():
        rows = months.filter(pl.col("energie") == energy)
        if rows.height:
            fig.add_bar(x=rows["mois"].to_list(), y=rows["co2_t"].to_list(), name=energy, marker_color=color,
                        hovertemplate="%{x|%b %Y} : %{y:.1f} tCO2e<extra>" + energy + "</extra>")
    fig.update_layout(barmode="stack", yaxis_title="tCO2e", height=340,
                      xaxis={"tickformat": "%b %y"})
    return fig


def co2_summary(months: pl.DataFrame) -> str:
    if months.is_empty():
        return "Aucun plein ni recharge enregistré."
    total = months["co2_t"].sum()
    return (f"{fmt_number(total, 0)} tCO2e et {fmt_int(round(months['cout_eur'].sum()))} € d'énergie sur "
            f"{months['mois'].n_unique()} mois.")


def by_service(year: pl.DataFrame) -> pl.DataFrame:
    return (year.group_by("service").agg(pl.col("cout_eur").sum().round(0), (pl.col("co2_kg").sum() / 1000).round(1)
                                         .alias("co2_t"), pl.col("vehicule_id").n_unique().alias("vehicules"))
            .sort("co2_t", descending=True))


def service_figure(table: pl.DataFrame) -> go.Figure:
    return ranked_bars(table["service"].to_list(), table["co2_t"].to_list(), COLORS["primary"], "tCO2e sur 12 mois",
                       "tCO2e")


def service_summary(table: pl.DataFrame) -> str:
    if table.is_empty():
        return "Aucune consommation sur les 12 derniers mois."
    top = table.row(0, named=True)
    return f"{top['service']} émet le plus : {fmt_number(top['co2_t'], 1)} tCO2e sur 12 mois ({fmt_int(top['vehicules'])} véhicules)."


def _specs():
    from components.chart_spec import ChartSpec
    from data_access import flotte as q

    return [
        ChartSpec("flotte-renouvellement", "Part des véhicules à faibles émissions", q.VEHICLES,
                  lambda ctx, v: v["overview"]["share"],
                  lambda s, v: share_figure(s, v["target"], v["target_year"]),
                  lambda s, v: share_summary(s, v["target"], v["target_year"]), columns=("energie",), width=6,
                  table=lambda s, v: (s, {"annee": "Année", "vehicules": "Véhicules en service",
                                          "faibles_emissions": "À faibles émissions", "part": "Part"},
                                      {"annee": str, "part": lambda x: fmt_percent(x * 100, 1) if x is not None else ""})),
        ChartSpec("flotte-co2", "Émissions de CO2 de l'énergie consommée, par mois", q.FUEL,
                  lambda ctx, v: v["overview"]["months"], lambda m, v: co2_figure(m), lambda m, v: co2_summary(m),
                  columns=("quantite", "date"), width=6,
                  table=lambda m, v: (m, {"mois": "Mois", "energie": "Énergie", "quantite": "Quantité", "unite": "Unité",
                                          "cout_eur": "Coût (€)", "co2_t": "tCO2e"}, {"co2_t": 2, "cout_eur": 0})),
        ChartSpec("flotte-services", "Émissions par service sur 12 mois", q.FUEL,
                  lambda ctx, v: by_service(v["overview"]["year"]), lambda t, v: service_figure(t),
                  lambda t, v: service_summary(t), columns=("quantite",), width=6,
                  table=lambda t, v: (t, {"service": "Service", "vehicules": "Véhicules", "cout_eur": "Coût (€)",
                                          "co2_t": "tCO2e"}, None)),
    ]


SPECS = _specs()
