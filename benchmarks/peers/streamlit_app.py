"""The parking-history section in Streamlit, written as Streamlit's documentation would: a selectbox, a daily
occupancy line and a typical-week heatmap, data cached with st.cache_data, from the same Parquet files as
Pilote. ``streamlit run benchmarks/peers/streamlit_app.py`` (in var/peers-venv)."""

import sys

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from data import WEEKDAYS, car_parks, daily, hourly  # noqa: E402

load_daily = st.cache_data(daily)
load_hourly = st.cache_data(hourly)

st.title("Historique d'occupation")
parking = st.selectbox("Parking", st.cache_data(car_parks)())
days = load_daily()
days = days[days["parking_id"] == parking]
st.plotly_chart(px.line(days, x="date", y=["occupation", "maximum"]), key="tendance")
hours = load_hourly()
hours = hours[hours["parking_id"] == parking]
grid = hours.pivot_table(index="jour", columns="heure", values="occupation", aggfunc="mean", observed=False)
grid = grid.reindex(WEEKDAYS)
st.plotly_chart(go.Figure(go.Heatmap(z=grid.values.round(1), x=list(grid.columns), y=WEEKDAYS, zmin=0, zmax=100,
                                     colorscale="Blues")), key="semaine")
