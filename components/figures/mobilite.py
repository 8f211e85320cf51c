"""Figure builders of the mobility observatory: pure ``(DataFrame, options) -> go.Figure`` functions."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.formats import fmt_int
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
