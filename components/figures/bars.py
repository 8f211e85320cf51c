"""Shared figure shapes of the dashboards."""

from __future__ import annotations

import plotly.graph_objects as go

from components.formats import fmt_number


def value_labels(values: list, decimals: int = 0, inside: bool = False) -> dict:
    """Each bar's value written at its end, in French: a council report quotes figures, it does not measure
    bars (and a printed page has no hover). For a bar trace of one series: ``go.Bar(..., **value_labels(v))``.
    ``inside``: in white at the top of the bar, where a line drawn over the bars (a ceiling) would cross it."""
    text = [fmt_number(v, decimals) if v is not None else "" for v in values]
    if inside:
        return {"text": text, "textposition": "inside", "insidetextanchor": "end", "textfont": {"color": "#ffffff"}}
    return {"text": text, "textposition": "outside", "cliponaxis": False}


def ranked_bars(labels: list, values: list, color: str, axis_title: str, unit: str, height: int = 330) -> go.Figure:
    """Horizontal bars, largest first as given: long labels (services, communes) stay readable on a phone."""
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker_color=color, **value_labels(values, 1),
                           hovertemplate="%{y} : %{x:.1f} " + unit + "<extra></extra>"))
    fig.update_layout(xaxis_title=axis_title, yaxis={"autorange": "reversed"}, height=height)
    return fig
