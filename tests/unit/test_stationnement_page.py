"""/stationnement: figure builders, the late-feed rule, the real-time snapshot's schema, the generators'
determinism, and the page's layout (URL fallback, DSP section only for granted users)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import polars as pl
import pytest

from components.figures import stationnement as figs
from components.formats import MISSING, NBSP
from data.demo import parking_dsp, parking_history, parking_realtime
from data_access import stationnement as q
from data_access.mapping import map_frame

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 10, 6, 8, 45, tzinfo=UTC)


def _status_input(rows):
    return pl.DataFrame(rows, schema={"parking_id": pl.String, "name": pl.String, "free_spots": pl.Int64,
                                      "capacity": pl.Int64, "fill_rate": pl.Float64,
                                      "last_update": pl.Datetime("us", "UTC"), "lat": pl.Float64, "lon": pl.Float64},
                        orient="row")


# -- the late-feed rule ---------------------------------------------------------------------------------------


def test_late_feed_is_relative_to_the_newest_update_and_never_full_or_empty():
    frame = _status_input([
        ("A", "Full", 0, 100, 100.0, T0, 48.82, 2.26),
        ("B", "Stale full", 0, 50, 100.0, T0 - timedelta(minutes=31), 48.82, 2.26),
        ("C", "Just in time", 10, 50, 80.0, T0 - timedelta(minutes=30), 48.82, 2.26),
        ("D", "Nearly", 3, 50, 94.0, T0 - timedelta(minutes=2), 48.82, 2.26),
        ("E", "No date", 25, 50, 50.0, None, 48.82, 2.26),
    ])
    status = q.realtime_status(frame, late_after_minutes=30)
    by_id = {r["parking_id"]: r for r in status.iter_rows(named=True)}
    assert [by_id[k]["late"] for k in "ABCDE"] == [False, True, False, False, True]
    assert by_id["A"]["state"] == "complet" and by_id["D"]["state"] == "presque complet"
    assert by_id["C"]["state"] == "disponible"
    for key in "BE":  # late: neither full nor empty, the fill rate reads "–"
        assert by_id[key]["state"] == "données en retard"
        assert by_id[key]["fill_rate"] is None and by_id[key]["free_spots"] is None
        assert figs.fill_text(by_id[key]["fill_rate"]) == MISSING
    assert figs.fill_text(80.0) == f"80{NBSP}%"
    # a shorter threshold makes C late too
    assert q.realtime_status(frame, late_after_minutes=10).filter(pl.col("parking_id") == "C")["late"].item()


def test_late_feed_rule_on_the_bundled_snapshot(catalog):
    mapped = map_frame(parking_realtime.generate(), catalog["parking_temps_reel"]).frame
    status = q.realtime_status(mapped)
    assert set(status.filter(pl.col("late"))["parking_id"]) == set(parking_realtime.LATE)
    assert status.filter(pl.col("late"))["fill_rate"].null_count() == len(parking_realtime.LATE)
    assert not status.filter(~pl.col("late"))["fill_rate"].is_null().any()


# -- the real-time snapshot's schema ---------------------------------------------------------------------------


def test_realtime_snapshot_is_on_the_portal_schema_and_maps(catalog):
    raw = parking_realtime.generate()
    assert {"name", "value_free_spots", "nombre_de_places_contractuelles", "remplissage", "parking_id",
            "geo", "last_update"} <= set(raw.columns)
    assert raw["parking_id"].to_list() == [row[0] for row in parking_history.CAR_PARKS]
    assert raw["name"].to_list() == [row[1] for row in parking_history.CAR_PARKS]
    assert (raw["value_free_spots"] + (raw["remplissage"] / 100 * raw["nombre_de_places_contractuelles"]).round()
            == raw["nombre_de_places_contractuelles"]).all()
    assert all(ts.endswith("+02:00") for ts in raw["last_update"])
    result = map_frame(raw, catalog["parking_temps_reel"])
    assert result.bad_count == 0
    frame = result.frame
    assert frame.schema["last_update"] == pl.Datetime("us", "UTC")
    assert T0 - timedelta(minutes=5) <= frame["last_update"].max() <= T0
    first = frame.row(0, named=True)
    assert (first["lat"], first["lon"]) == (48.8296, 2.2642) and first["capacity"] == 180
    assert int(frame["capacity"].sum()) == 1000


def test_bundled_parking_snapshots_exist_and_stay_small():
    from data_access.snapshots import SnapshotStore

    store = SnapshotStore(ROOT / "data" / "snapshots")
    for key in ("parking_temps_reel", "parking_horaire", "parking_journalier", "parking_dsp"):
        meta = store.meta(key)
        assert (ROOT / "data" / "snapshots" / meta.file).stat().st_size < 1_000_000, key
    hourly = store.read("parking_horaire")
    assert hourly.height == 10 * 365 * 24 and int((hourly["slots"] * hourly["spaces"]).sum()) == 105_120_000


# -- determinism of the generators -----------------------------------------------------------------------------


def test_generators_are_deterministic():
    assert parking_realtime.generate().equals(parking_realtime.generate())
    assert parking_dsp.generate().equals(parking_dsp.generate())


def test_dsp_figures_are_coherent():
    dsp = parking_dsp.generate()
    assert dsp["annee"].to_list() == list(range(2019, 2026)) and dsp["demonstration"].all()
    assert (dsp["places"] == 1000).all()
    assert ((dsp["recettes_horaires_eur"] + dsp["recettes_abonnements_eur"] - dsp["recettes_eur"]).abs() < 1).all()
    assert ((dsp["part_horaire"] + dsp["part_abonnements"] - 100).abs() < 0.11).all()
    row2020 = dsp.filter(pl.col("annee") == 2020).row(0, named=True)
    assert row2020["recettes_eur"] < dsp.filter(pl.col("annee") == 2019)["recettes_eur"].item()


def test_history_aggregates_are_deterministic_on_a_small_history(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    parking_history.write(a, spaces=40, n_days=3)
    parking_history.write(b, spaces=40, n_days=3)
    ha, da = q.preaggregate_frames(q.scan_observations(a))
    hb, db = q.preaggregate_frames(q.scan_observations(b))
    assert ha.drop("occupancy_mean").equals(hb.drop("occupancy_mean")) and da["saturation_minutes"].equals(
        db["saturation_minutes"])


# -- figure builders ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aggregates():
    from data_access.snapshots import SnapshotStore

    store = SnapshotStore(ROOT / "data" / "snapshots")
    return store.read("parking_horaire"), store.read("parking_journalier")


def test_trend_and_week_figures(aggregates):
    hourly, daily = aggregates
    trend = q.occupancy_trend(daily, ["ISSY-P01"])
    fig = figs.trend_figure(trend)
    assert [t.type for t in fig.data] == ["scatter", "scatter"] and len(fig.data[1].x) == 365
    assert max(fig.data[1].y) <= 100
    summary = figs.trend_summary(trend, "Gare")
    assert f"{NBSP}%" in summary and "/2025" in summary
    week = q.typical_week(hourly, ["ISSY-P01"])
    heat = figs.week_heatmap(week)
    assert heat.data[0].type == "heatmap" and len(heat.data[0].z) == 7 and len(heat.data[0].z[0]) == 24
    assert heat.data[0].y[0] == "Lundi"
    # the commuter car park is busiest on a weekday, calmest at the weekend
    text = figs.week_summary(week, "la gare")
    assert "plus chargé le " in text and ("samedi" in text.split("plus calme")[1] or "dimanche" in text.split("plus calme")[1])


def test_peak_saturation_comparison_figures(aggregates):
    hourly, daily = aggregates
    hours = (q.select(hourly).filter(pl.col("hour").dt.weekday() <= 5)
             .group_by(pl.col("hour").dt.hour().cast(pl.Int8).alias("h")).agg(q._weighted_occupancy())
             .rename({"h": "hour"}).sort("hour"))
    fig = figs.peak_hours_figure(hours)
    assert fig.data[0].type == "bar" and len(fig.data[0].x) == 24 and fig.data[0].x[0] == "0 h"
    assert figs.peak_hours_summary(hours, "tous").count(" h (") == 3
    days = q.saturation_days(daily)
    names = {r[0]: r[1] for r in parking_history.CAR_PARKS}
    sat = figs.saturation_figure(days, names)
    assert sat.data[0].orientation == "h" and sat.data[0].y[-1] == names[days.row(0, named=True)["parking_id"]]
    assert "jours" in figs.saturation_summary(days, names)
    table = q.compare_car_parks(daily, parking_history.car_parks())
    comp = figs.comparison_figure(table)
    assert [t.name for t in comp.data] == ["Occupation moyenne", "Occupation maximale"]
    assert "," in figs.comparison_summary(table)  # decimal comma


def test_realtime_map_and_summary(catalog):
    status = q.realtime_status(map_frame(parking_realtime.generate(), catalog["parking_temps_reel"]).frame)
    outlines = {"type": "FeatureCollection", "features": []}
    fig = figs.realtime_map(status, outlines)
    assert {t.name for t in fig.data} >= {"Complet", "Données en retard"}
    late_trace = next(t for t in fig.data if t.name == "Données en retard")
    assert all("données en retard" in text for text in late_trace.text)
    summary = figs.realtime_summary(status)
    assert "2 parking(s) aux données en retard" in summary


def test_dsp_figures_french_formats():
    dsp = parking_dsp.generate()
    fig = figs.dsp_revenue_figure(dsp)
    assert fig.layout.barmode == "stack" and len(fig.data) == 2
    assert "M€" in figs.dsp_revenue_summary(dsp) and f"{NBSP}%" in figs.dsp_revenue_summary(dsp)
    act = figs.dsp_activity_figure(dsp)
    assert act.data[2].yaxis == "y2"
    assert "abonnements fin 2025" in figs.dsp_activity_summary(dsp)


# -- the page -----------------------------------------------------------------------------------------------------


def test_page_layout_fallback_and_dsp_section(monkeypatch):
    monkeypatch.setenv("PILOTE_REALTIME_SECONDS", "15")
    import app
    import pages.stationnement as page

    with app.app.server.test_request_context("/stationnement"):
        with mock.patch.object(page, "can", return_value=True):
            granted = str(page.layout(parking="ISSY-P02", theme="tout"))
            unknown = str(page.layout(parking="NOPE", theme="historique"))
        anonymous = str(page.layout(theme="delegation"))
        refreshed = str(page.refresh_realtime(3))
    assert "dsp-recettes" in granted and "Centre commercial" in granted and "interval=15000" in granted
    assert "« NOPE » inconnu(e)" in unknown
    assert "dsp-recettes" not in anonymous and "se connecter" in anonymous
    assert "données en retard" in refreshed.lower() and "parking-map" in refreshed


def test_refresh_interval_from_env(monkeypatch):
    import pages.stationnement as page

    monkeypatch.delenv("PILOTE_REALTIME_SECONDS", raising=False)
    assert page.refresh_seconds() == 60
    monkeypatch.setenv("PILOTE_REALTIME_SECONDS", "oops")
    assert page.refresh_seconds() == 60
    monkeypatch.setenv("PILOTE_REALTIME_SECONDS", "1")
    assert page.refresh_seconds() == 5


# -- one theme at a time (components/themes.py) --------------------------------------------------------------------

THEME_GRAPHS = {"temps-reel": ["parking-map-graph"],
                "historique": ["parking-tendance-graph", "parking-semaine-graph", "parking-pointe-graph"],
                "comparaison": ["parking-saturation-graph", "parking-comparaison-graph"],
                "delegation": ["dsp-recettes-graph", "dsp-activite-graph"]}


def _page(granted: bool = True, signed_in: bool | None = None, **query) -> str:
    import app
    import pages.stationnement as page

    signed = mock.Mock(**{"return_value.principal.return_value.authenticated": granted if signed_in is None
                          else signed_in})
    with app.app.server.test_request_context("/stationnement"), mock.patch.object(page, "can", return_value=granted), \
            mock.patch.object(page, "current_auth", signed):
        return str(page.layout(**query))


def test_stationnement_builds_only_the_theme_asked_for():
    """Real time first (the default, left out of the URL); each theme's charts only with it; every one with
    ``tout``; the theme links keep the commune and the car park."""
    for theme, graphs in THEME_GRAPHS.items():
        shown = _page(theme=None if theme == "temps-reel" else theme, commune="92040", parking="ISSY-P02")
        others = [g for t, gs in THEME_GRAPHS.items() if t != theme for g in gs]
        assert all(f"'{g}'" in shown for g in graphs), theme
        assert not any(f"'{g}'" in shown for g in others), theme
        assert ("'parking-select'" in shown) == (theme == "historique"), theme  # the selector goes with its charts
        assert ("'parking-interval'" in shown) == (theme == "temps-reel"), theme  # no refresh of a hidden panel
        assert "/stationnement?commune=92040&parking=ISSY-P02&theme=comparaison" in shown
    every = _page(theme="tout")
    assert all(f"'{g}'" in every for gs in THEME_GRAPHS.values() for g in gs)
    unknown = _page(theme="nope")
    assert "Thème « nope » inconnu(e) : affichage de « Temps réel »." in unknown and "'parking-map-graph'" in unknown


def test_the_delegation_theme_is_offered_to_those_it_shows_something():
    """Granted users see its figures; a visitor is offered it too, and told to sign in; a signed-in user who is
    not granted it is not offered an empty theme (asking for it falls back to the default, with a notice)."""
    assert "'theme-delegation'" in _page(granted=True)
    visitor = _page(granted=False, signed_in=False, theme="delegation")
    assert "'theme-delegation'" in visitor and "se connecter" in visitor and "dsp-recettes" not in visitor
    other = _page(granted=False, signed_in=True, theme="delegation")
    assert "'theme-delegation'" not in other and "dsp-recettes" not in other
    assert "Thème « delegation » inconnu(e)" in other and "'parking-map-graph'" in other
