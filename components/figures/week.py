"""The typical-week heatmap (weekday × hour), shared by every dashboard that has one."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.formats import WEEKDAYS


def week_hour_heatmap(frame: pl.DataFrame, day: str, hour: str, value: str, *, unit: str, hover: str,
                      zrange: tuple[float, float] | None = None, height: int = 330) -> go.Figure:
    """Rows Monday → Sunday (``day`` is 1-7), columns 0 h → 23 h; missing cells stay empty.

    ``hover`` is the plotly format of the value in the tooltip, e.g. ``"%{z:,.0f} véhicules/heure"``.
    """
    z: list[list[float | None]] = [[None] * 24 for _ in range(7)]
    for d, h, v in frame.select(day, hour, value).iter_rows():
        z[int(d) - 1][int(h)] = v
    heatmap = go.Heatmap(z=z, x=[f"{h} h" for h in range(24)], y=[w.capitalize() for w in WEEKDAYS],
                         colorscale="Teal", colorbar={"title": {"text": unit, "side": "right"}, "thickness": 10},
                         hovertemplate=f"%{{y}} %{{x}} : {hover}<extra></extra>")
    if zrange:
        heatmap.update(zmin=zrange[0], zmax=zrange[1])
    fig = go.Figure(heatmap)
    fig.update_layout(height=height, yaxis={"autorange": "reversed"})
    return fig
