"""The browser benchmark's floor: a one-graph Dash page (a title, a selector and the line chart it draws, a
year of daily points), served by gunicorn under the same settings as Pilote
(``gunicorn benchmarks.one_graph_app:server``)."""

from datetime import date, timedelta

import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

app = Dash(__name__, serve_locally=True, title="Un graphique")
app.layout = html.Div([
    html.H1("Un graphique"),
    dcc.Dropdown(id="choice", options=["a", "b"], value="a", clearable=False),
    dcc.Graph(id="graph"),
])
DAYS = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]


@app.callback(Output("graph", "figure"), Input("choice", "value"))
def draw(value):
    shift = 10 if value == "b" else 0
    return go.Figure(go.Scatter(x=DAYS, y=[shift + (i * 37 % 101) for i in range(len(DAYS))], mode="lines"))


server = app.server
