"""KPI tile: one figure, its label and an optional hint, readable as text by screen readers."""

from __future__ import annotations

from dash import html


def kpi(label: str, value: str, hint: str | None = None, id: str | None = None) -> html.Div:
    children = [html.Div(value, className="pilote-kpi-value"), html.Div(label, className="pilote-kpi-label")]
    if hint:
        children.append(html.Div(hint, className="pilote-kpi-hint small text-body-secondary"))
    kwargs = {"id": id} if id else {}
    return html.Div(children, className="pilote-kpi", role="group", **{"aria-label": f"{label} : {value}"}, **kwargs)
