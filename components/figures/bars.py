"""Shared figure shapes of the dashboards."""

from __future__ import annotations

import plotly.graph_objects as go


def ranked_bars(labels: list, values: list, color: str, axis_title: str, unit: str, height: int = 330) -> go.Figure:
    """Horizontal bars, largest first as given: long labels (services, communes) stay readable on a phone."""
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker_color=color,
                           hovertemplate="%{y} : %{x:.1f} " + unit + "<extra></extra>"))
    fig.update_layout(xaxis_title=axis_title, yaxis={"autorange": "reversed"}, height=height)
    return fig
