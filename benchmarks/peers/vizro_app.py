"""The parking-history section in Vizro, written as Vizro's documentation would: one page, a car-park filter
(a single-choice dropdown) on both figures, a daily occupancy line and a typical-week heatmap, from the same
Parquet files as Pilote. ``python benchmarks/peers/vizro_app.py PORT`` (in var/peers-venv)."""

import sys

import plotly.graph_objects as go
import vizro.models as vm
import vizro.plotly.express as px
from vizro import Vizro
from vizro.models.types import capture

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from data import WEEKDAYS, daily, hourly  # noqa: E402


@capture("graph")
def typical_week(data_frame):
    grid = data_frame.pivot_table(index="jour", columns="heure", values="occupation", aggfunc="mean", observed=False)
    grid = grid.reindex(WEEKDAYS)
    return go.Figure(go.Heatmap(z=grid.values.round(1), x=list(grid.columns), y=WEEKDAYS, zmin=0, zmax=100,
                                colorscale="Blues", hovertemplate="%{y} %{x} h : %{z:.0f} %<extra></extra>"))


first = sorted(daily()["parking_id"].unique())[0]
page = vm.Page(
    title="Historique d'occupation",
    components=[
        vm.Graph(id="tendance", figure=px.line(daily(), x="date", y=["occupation", "maximum"])),
        vm.Graph(id="semaine", figure=typical_week(hourly())),
    ],
    controls=[vm.Filter(column="parking_id", selector=vm.Dropdown(id="parking", multi=False, value=first))],
)
app = Vizro().build(vm.Dashboard(pages=[page]))

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=False)
