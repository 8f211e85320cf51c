"""The load benchmark's floor: a one-callback Dash app (a selector and the text it sets), served by gunicorn
under the same settings as Pilote (``gunicorn benchmarks.floor_app:server``)."""

from dash import Dash, Input, Output, dcc, html

app = Dash(__name__, serve_locally=True)
app.layout = html.Div([dcc.Dropdown(id="choice", options=["a", "b", "c"], value="a"), html.Div(id="shown")])


@app.callback(Output("shown", "children"), Input("choice", "value"))
def show(value):
    return f"choisi : {value}"


server = app.server
