"""Figure builders of the mobility observatory: pure ``(DataFrame, options) -> go.Figure`` functions."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.formats import fmt_int, fmt_percent
from components.maps import base_map
from components.theme import COLORS


def velib_by_commune_bar(table: pl.DataFrame) -> go.Figure:
    """Bikes available per commune, mechanical and electric stacked; horizontal for long names."""
    table = table.sort("capacity")
    fig = go.Figure(
        [
            go.Bar(name="Vélos mécaniques", y=table["commune"].to_list(), x=table["mechanical"].to_list(),
                   orientation="h", marker_color=COLORS["primary"],
                   hovertemplate="%{y} : %{x} vélos mécaniques<extra></extra>"),
            go.Bar(name="Vélos électriques", y=table["commune"].to_list(), x=table["ebike"].to_list(),
                   orientation="h", marker_color=COLORS["public"],
                   hovertemplate="%{y} : %{x} vélos électriques<extra></extra>"),
        ]
    )
    # The card title names the measure: no axis title, so the legend sits under the axis.
    fig.update_layout(barmode="stack", xaxis_title=None, yaxis_title=None,
                      height=150 + 34 * max(table.height, 1))
    return fig


def velib_by_commune_summary(table: pl.DataFrame) -> str:
    if table.is_empty():
        return "Aucune station Vélib' sur ce périmètre."
    top = table.sort("capacity", descending=True).row(0, named=True)
    bikes = int(table["mechanical"].sum() + table["ebike"].sum())
    return (f"{fmt_int(bikes)} vélos disponibles dans {fmt_int(int(table['stations'].sum()))} stations ; "
            f"{top['commune']} a la plus grande capacité ({fmt_int(top['capacity'])} places).")


def velib_map(stations: pl.DataFrame, outlines: dict) -> go.Figure:
    """Stations on the offline base map, sized by capacity, coloured by bikes available."""
    fig = base_map(outlines)
    if stations.is_empty():
        return fig
    in_service = stations["is_installed"] & stations["is_renting"]
    text = [
        f"<b>{name}</b><br>{bikes} vélos ({ebike} électriques) · {docks} bornettes libres"
        + ("" if ok else "<br><i>hors service</i>")
        for name, bikes, ebike, docks, ok in zip(stations["name"], stations["bikes_available"], stations["ebike"],
                                                  stations["docks_available"], in_service)
    ]
    fig.add_trace(
        go.Scattermap(
            lat=stations["lat"].to_list(), lon=stations["lon"].to_list(), mode="markers",
            marker={"size": [6 + c / 4 for c in stations["capacity"].to_list()],
                    "color": stations["bikes_available"].to_list(), "colorscale": "Teal", "showscale": True,
                    "colorbar": {"title": {"text": "Vélos", "side": "right"}, "thickness": 10, "len": 0.75}},
            text=text, hovertemplate="%{text}<extra></extra>", name="Stations Vélib'",
        )
    )
    return fig


def velib_map_summary(summary: dict, commune_label: str) -> str:
    if not summary["stations"]:
        return f"Aucune station Vélib' pour {commune_label}."
    out = summary["out_of_service"]
    return (f"Carte des {fmt_int(summary['stations'])} stations Vélib' pour {commune_label} ; "
            + ("toutes sont en service." if not out else f"{fmt_int(out)} hors service."))


# Years are labels: no thousands separator.
_YEARS = {"tickformat": "d", "hoverformat": "d", "separatethousands": False}


def irve_growth_figure(growth: pl.DataFrame) -> go.Figure:
    fig = go.Figure([
        go.Bar(x=growth["annee"].to_list(), y=growth["ouverts"].to_list(), name="Points ouverts dans l'année",
               marker_color=COLORS["public"], hovertemplate="%{x} : %{y} points ouverts<extra></extra>"),
        go.Scatter(x=growth["annee"].to_list(), y=growth["en_service"].to_list(), name="Points en service",
                   mode="lines+markers", line={"color": COLORS["primary"], "width": 3},
                   hovertemplate="Fin %{x} : %{y} points en service<extra></extra>"),
    ])
    fig.update_layout(height=340, xaxis=_YEARS, yaxis_title="Points de recharge")
    return fig


def irve_growth_summary(growth: pl.DataFrame) -> str:
    if growth.is_empty():
        return "Aucun point de recharge recensé."
    last = growth.row(-1, named=True)
    return (f"{fmt_int(last['en_service'])} points de recharge en service fin {last['annee']}, "
            f"dont {fmt_int(last['ouverts'])} ouverts cette année-là.")


def irve_power_figure(classes: pl.DataFrame) -> go.Figure:
    fig = go.Figure(go.Bar(x=classes["points"].to_list(), y=classes["classe"].to_list(), orientation="h",
                           marker_color=COLORS["primary"], hovertemplate="%{y} : %{x} points<extra></extra>"))
    fig.update_layout(height=300, yaxis={"autorange": "reversed"}, xaxis_title="Points de recharge")
    return fig


def irve_power_summary(classes: pl.DataFrame) -> str:
    total = int(classes["points"].sum())
    if not total:
        return "Aucun point de recharge recensé."
    top = classes.sort("points", descending=True).row(0, named=True)
    return f"{fmt_int(total)} points de recharge ; la classe la plus fréquente est « {top['classe']} » ({fmt_int(top['points'])} points)."


CRITAIR_COLORS = {"E": "#1b6e3f", "1": "#7b3f98", "2": "#d4a017", "3": "#e07b00", "4": "#8a4a0b", "5": "#5a6472",
                  "Non classé": "#2b2b2b"}


def critair_figure(shares: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for classe in shares.sort("ordre")["classe"].unique(maintain_order=True).to_list():
        part = shares.filter(pl.col("classe") == classe)
        label = classe if classe == "Non classé" else f"Crit'Air {classe}"
        fig.add_bar(x=part["annee"].to_list(), y=part["part"].to_list(), name=label,
                    marker_color=CRITAIR_COLORS.get(classe), hovertemplate=f"{label} %{{x}} : %{{y:.1f}} %<extra></extra>")
    fig.update_layout(barmode="stack", height=360, xaxis=_YEARS, yaxis={"title": "% du parc", "range": [0, 100]})
    return fig


def critair_summary(shares: pl.DataFrame) -> str:
    if shares.is_empty():
        return "Aucune donnée Crit'Air."
    year = int(shares["annee"].max())
    last = shares.filter(pl.col("annee") == year)
    share = lambda c: float(last.filter(pl.col("classe") == c)["part"].sum())  # noqa: E731
    return (f"En {year}, {fmt_percent(share('E'), 1)} des véhicules sont électriques (Crit'Air E), "
            f"{fmt_percent(share('1') + share('2'), 1)} classés Crit'Air 1 ou 2.")


SEVERITY_COLORS = {"Tué": "#2b2b2b", "Blessé hospitalisé": COLORS["danger"], "Blessé léger": COLORS["warning"],
                   "Indemne": "#9aa5b1"}


def accidents_figure(by_year: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for severity, color in SEVERITY_COLORS.items():
        part = by_year.filter(pl.col("gravite") == severity)
        fig.add_bar(x=part["annee"].to_list(), y=part["accidents"].to_list(), name=severity, marker_color=color,
                    hovertemplate=f"{severity} %{{x}} : %{{y}} accidents<extra></extra>")
    fig.update_layout(barmode="stack", height=340, xaxis=_YEARS, yaxis_title="Accidents (gravité la plus haute)")
    return fig


def accidents_summary(by_year: pl.DataFrame) -> str:
    if by_year.is_empty():
        return "Aucun accident recensé."
    year = int(by_year["annee"].max())
    last = by_year.filter(pl.col("annee") == year)
    total = int(last["accidents"].sum())
    grave = int(last.filter(pl.col("gravite").is_in(["Tué", "Blessé hospitalisé"]))["accidents"].sum())
    return f"{fmt_int(total)} accidents corporels en {year}, dont {fmt_int(grave)} avec un tué ou un blessé hospitalisé."
