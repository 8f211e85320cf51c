"""Maison de la nature: pure figure builders and summaries, and the chart specs of /nature."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.figures.bars import ranked_bars, value_labels
from components.formats import fmt_int, fmt_number, fmt_percent
from components.theme import COLORS

THEME_COLORS = ["#0b5563", "#5f9aa5", "#1b6e3f", "#8a5a00", "#8a4a0b", "#5a6472"]


def sessions_figure(monthly: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for i, theme in enumerate(sorted(set(monthly["theme"].to_list()))):
        rows = monthly.filter(pl.col("theme") == theme)
        fig.add_bar(x=rows["mois"].to_list(), y=rows["seances"].to_list(), name=theme,
                    marker_color=THEME_COLORS[i % len(THEME_COLORS)],
                    hovertemplate="%{x|%b %Y} : %{y} séance(s)<extra>" + theme + "</extra>")
    fig.update_layout(barmode="stack", yaxis_title="séances", height=340,
                      xaxis={"tickformat": "%b %y"})
    return fig


def sessions_summary(monthly: pl.DataFrame) -> str:
    if monthly.is_empty():
        return "Aucune séance enregistrée."
    return (f"{fmt_int(monthly['seances'].sum())} séances et {fmt_int(monthly['presents'].sum())} participants "
            f"sur {monthly['mois'].n_unique()} mois.")


def attendance_figure(table: pl.DataFrame) -> go.Figure:
    fig = go.Figure()  # horizontal: theme names stay readable on a phone
    for column, name, color in (("capacite", "Places", "#c9dde1"), ("inscrits", "Inscrits", "#5f9aa5"),
                                ("presents", "Présents", COLORS["primary"])):
        fig.add_bar(y=table["theme"].to_list(), x=table[column].to_list(), name=name, marker_color=color,
                    orientation="h", hovertemplate="%{y} : %{x}<extra>" + name + "</extra>")
    fig.update_layout(barmode="group", xaxis_title="personnes", yaxis={"autorange": "reversed"}, height=380)
    return fig


def attendance_summary(table: pl.DataFrame) -> str:
    if table.is_empty():
        return "Aucune séance enregistrée."
    rate = table["presents"].sum() / table["capacite"].sum() if table["capacite"].sum() else None
    return (f"{fmt_int(table['presents'].sum())} présents pour {fmt_int(table['capacite'].sum())} places "
            f"({fmt_percent(rate * 100, 0) if rate is not None else '–'} de remplissage), "
            f"{fmt_int(table['inscrits'].sum())} inscrits.")


def goals_figure(table: pl.DataFrame, year: int) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(y=table["type_equipement"].to_list(), x=table["nombre"].to_list(), name=f"Distribués en {year}",
                marker_color=COLORS["primary"], orientation="h", **value_labels(table["nombre"].to_list()))
    fig.add_scatter(y=table["type_equipement"].to_list(), x=table["objectif"].to_list(), mode="markers",
                    name=f"Objectif {year}", marker={"symbol": "line-ns-open", "size": 30, "color": COLORS["internal"],
                                                     "line": {"width": 3}})
    fig.update_layout(xaxis_title="équipements", yaxis={"autorange": "reversed"}, height=340)
    return fig


def goals_summary(table: pl.DataFrame, year: int) -> str:
    parts = [f"{row['type_equipement'].lower()} : {fmt_int(row['nombre'])}"
             + (f" sur {fmt_int(row['objectif'])}" if row["objectif"] is not None else "")
             for row in table.iter_rows(named=True)]
    return f"En {year} — " + " ; ".join(parts) + "."


def thousand_figure(table: pl.DataFrame) -> go.Figure:
    return ranked_bars(table["commune"].to_list(), table["pour_mille"].to_list(), COLORS["public"],
                       "foyers équipés pour 1 000 habitants", "‰")


def thousand_summary(table: pl.DataFrame) -> str:
    known = table.filter(pl.col("pour_mille").is_not_null())
    if known.is_empty():
        return "Population des communes inconnue."
    top = known.row(0, named=True)
    return f"{top['commune']} compte le plus de foyers équipés : {fmt_number(top['pour_mille'], 1)} pour 1 000 habitants."


def _specs():
    from components.chart_spec import ChartSpec
    from data_access import nature as q

    return [
        ChartSpec("nature-seances", "Séances d'ateliers par mois et par thème", q.WORKSHOPS,
                  lambda ctx, v: q.sessions_by_month(q.workshops(ctx, v["commune"])), lambda m, v: sessions_figure(m),
                  lambda m, v: sessions_summary(m), columns=("theme", "date", "presents"), width=6,
                  table=lambda m, v: (m, {"mois": "Mois", "theme": "Thème", "seances": "Séances", "presents": "Présents"},
                                      None)),
        ChartSpec("nature-frequentation", "Places, inscrits et présents par thème", q.WORKSHOPS,
                  lambda ctx, v: q.attendance_by_theme(q.workshops(ctx, v["commune"])),
                  lambda t, v: attendance_figure(t), lambda t, v: attendance_summary(t),
                  columns=("capacite", "inscrits", "presents"), width=6,
                  table=lambda t, v: (t, {"theme": "Thème", "seances": "Séances", "capacite": "Places",
                                          "inscrits": "Inscrits", "presents": "Présents", "remplissage": "Remplissage"},
                                      {"remplissage": lambda x: fmt_percent(x * 100, 0)})),
        ChartSpec("nature-objectifs", lambda t, v: f"Équipements distribués en {v['year']} et objectifs",
                  q.DISTRIBUTIONS,
                  lambda ctx, v: q.equipment_year(q.distributions(ctx, v["commune"]), v["year"], v["goals"]),
                  lambda t, v: goals_figure(t, v["year"]), lambda t, v: goals_summary(t, v["year"]),
                  columns=("type_equipement", "nombre", "date"), width=6,
                  table=lambda t, v: (t, {"type_equipement": "Équipement", "nombre": "Distribués", "objectif": "Objectif"},
                                      {"objectif": 0})),
        ChartSpec("nature-foyers", "Foyers équipés pour 1 000 habitants", q.DISTRIBUTIONS,
                  lambda ctx, v: q.per_thousand(q.distributions(ctx, v["commune"]), v["populations"], v["names"]),
                  lambda t, v: thousand_figure(t), lambda t, v: thousand_summary(t), columns=("commune_code", "nombre"),
                  width=6, table=lambda t, v: (t.select("commune", "nombre", "population", "pour_mille"),
                                               {"commune": "Commune", "nombre": "Équipements", "population": "Habitants",
                                                "pour_mille": "Pour 1 000 habitants"}, {"pour_mille": 1})),
    ]


SPECS = _specs()
