"""The chart card: title, chart, a one-sentence text summary, source and data date.

RGAA: a chart is an image that carries information, so every chart comes with a sentence saying what it
shows; the sentence is generated from the same data as the figure.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from components.badges import demo_badge
from components.formats import fmt_date
from components.theme import GRAPH_CONFIG


def chart_card(card_id: str, title: str, figure: go.Figure, summary: str, source: str,
               data_date=None, demo: bool = False) -> dbc.Card:
    # A responsive graph fills its container, which has no height of its own: give it the figure's.
    graph_style = {"height": f"{figure.layout.height or 400}px"}
    return dbc.Card(
        [
            dbc.CardHeader(html.H2([title, " ", demo_badge()] if demo else title, className="h6 mb-0")),
            dbc.CardBody(
                [
                    dcc.Graph(id=f"{card_id}-graph", figure=figure, config=GRAPH_CONFIG, style=graph_style,
                              responsive=True),
                    html.P(summary, id=f"{card_id}-summary", className="small mb-0 pilote-chart-summary"),
                ]
            ),
            dbc.CardFooter(
                f"Source : {source}" + (f" · données du {fmt_date(data_date)}" if data_date else ""),
                className="small text-body-secondary",
            ),
        ],
        id=card_id, className="pilote-card h-100",
    )
