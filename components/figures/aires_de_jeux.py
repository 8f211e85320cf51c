"""Playgrounds: pure figure builders and summaries, and the chart specs of /aires-de-jeux."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.formats import fmt_date, fmt_int
from components.maps import LEGEND_BELOW, base_map, positions
from components.theme import COLORS

STATE_COLORS = {"À jour": COLORS["success"], "Contrôle en retard": COLORS["warning"],
                "Équipement hors service": COLORS["danger"]}
SEVERITY_COLORS = {"Aucun défaut": "#9fc5cc", "Mineur": "#5f9aa5", "Majeur": COLORS["warning"],
                   "Critique": COLORS["danger"]}
SYMBOLS = {"À jour": "circle", "Contrôle en retard": "circle", "Équipement hors service": "circle"}


def sites_map(sites: pl.DataFrame, outlines: dict) -> go.Figure:
    """Each site coloured by its state (the legend names it: colour is never the only sign)."""
    fig = base_map(outlines, points=sites, fit_points=True)
    for state, color in STATE_COLORS.items():
        rows = sites.filter(pl.col("etat") == state)
        if rows.is_empty():
            continue
        text = [f"<b>{n}</b><br>{state}" + (f" · {late} contrôle(s) en retard" if late else "")
                + (f" · {down} équipement(s) hors service" if down else "")
                for n, late, down in rows.select("nom", "controles_en_retard", "hors_service").iter_rows()]
        fig.add_trace(go.Scattergeo(**positions(rows), mode="markers",
                                    marker={"size": 13, "color": color}, name=f"{state} ({rows.height})", text=text,
                                    hovertemplate="%{text}<extra></extra>", customdata=rows["aire_id"].to_list()))
    fig.update_layout(legend=LEGEND_BELOW, showlegend=True)
    return fig


def sites_summary(sites: pl.DataFrame) -> str:
    counts = dict(sites.group_by("etat").len().iter_rows())
    return (f"{fmt_int(sites.height)} aires de jeux : {fmt_int(counts.get('À jour', 0))} à jour, "
            f"{fmt_int(counts.get('Contrôle en retard', 0))} avec un contrôle en retard, "
            f"{fmt_int(counts.get('Équipement hors service', 0))} avec un équipement hors service.")


def findings_figure(months: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for severity, color in SEVERITY_COLORS.items():
        rows = months.filter(pl.col("gravite") == severity)
        fig.add_bar(x=rows["mois"].to_list(), y=rows["controles"].to_list(), name=severity, marker_color=color,
                    hovertemplate="%{x|%B %Y} : %{y} contrôle(s)<extra>" + severity + "</extra>")
    fig.update_layout(barmode="stack", yaxis_title="contrôles", xaxis={"dtick": "M2", "tickformat": "%b %y"},
                      height=360)
    return fig


def findings_summary(months: pl.DataFrame) -> str:
    if months.is_empty():
        return "Aucun contrôle enregistré."
    total = int(months["controles"].sum())
    serious = int(months.filter(pl.col("gravite").is_in(["Majeur", "Critique"]))["controles"].sum())
    return (f"{fmt_int(total)} contrôles de {fmt_date(months['mois'].min())[3:]} à {fmt_date(months['mois'].max())[3:]}, "
            f"dont {fmt_int(serious)} avec un défaut majeur ou critique.")


def findings_table(months: pl.DataFrame) -> pl.DataFrame:
    return months.pivot(on="gravite", index="mois", values="controles").sort("mois")


def _specs():
    from components.chart_spec import ChartSpec
    from data_access import aires_de_jeux as q

    return [
        ChartSpec("aires-carte", "Aires de jeux et état des contrôles", q.INSPECTIONS,
                  lambda ctx, v: v["overview"]["sites"], lambda s, v: sites_map(s, v["outlines"]),
                  lambda s, v: sites_summary(s), columns=("aire_id", "date", "type_controle"), width=7,
                  table=lambda s, v: (s.select("nom", "etat", "controles_en_retard", "hors_service"),
                                      {"nom": "Aire", "etat": "État", "controles_en_retard": "Contrôles en retard",
                                       "hors_service": "Équipements hors service"}, None)),
        ChartSpec("aires-constats", "Contrôles par mois et gravité du constat", q.INSPECTIONS,
                  lambda ctx, v: v["overview"]["months"], lambda m, v: findings_figure(m),
                  lambda m, v: findings_summary(m), columns=("date", "gravite"), width=5,
                  table=lambda m, v: (findings_table(m), {c: ("Mois" if c == "mois" else c)
                                                          for c in findings_table(m).columns}, None)),
    ]


SPECS = _specs()
