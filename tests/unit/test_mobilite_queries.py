"""Vélib' aggregations on small hand-computed inputs, and memoisation keyed by snapshot version."""

import polars as pl
import pytest

from components.figures.mobilite import velib_by_commune_bar, velib_by_commune_summary, velib_map, velib_map_summary
from components.selectors import ALL
from components.figures.mobilite import profile_table
from data_access import mobilite as q

STATIONS = pl.DataFrame({
    "station_id": ["1", "2", "3"], "name": ["A", "B", "C"],
    "is_installed": [True, True, False], "is_renting": [True, False, False],
    "capacity": [20, 30, 10], "docks_available": [10, 20, 10], "bikes_available": [10, 10, 0],
    "mechanical": [6, 10, 0], "ebike": [4, 0, 0], "lat": [48.82, 48.83, 48.84], "lon": [2.26, 2.27, 2.28],
    "commune_code": ["92040", "92040", "92012"],
})
NAMES = {"92040": "Issy-les-Moulineaux", "92012": "Boulogne-Billancourt"}


def test_summary():
    s = q.velib_summary(STATIONS)
    assert s == {"stations": 3, "in_service": 1, "out_of_service": 2, "capacity": 60, "bikes": 20, "ebikes": 4,
                 "mechanical": 16, "docks": 40, "ebike_share": 20.0}
    assert q.velib_summary(STATIONS.clear())["ebike_share"] is None


def test_by_commune_and_filter():
    table = q.velib_by_commune(STATIONS, NAMES)
    assert table.select("commune", "stations", "capacity", "mechanical", "ebike").rows() == [
        ("Issy-les-Moulineaux", 2, 50, 16, 4), ("Boulogne-Billancourt", 1, 10, 0, 0)]
    assert q.filter_commune(STATIONS, "92012")["station_id"].to_list() == ["3"]
    assert q.filter_commune(STATIONS, ALL).height == 3


def test_figures_and_their_text_summaries():
    table = q.velib_by_commune(STATIONS, NAMES)
    bar = velib_by_commune_bar(table)
    assert [t.name for t in bar.data] == ["Vélos mécaniques", "Vélos électriques"]
    assert list(bar.data[0].y) == ["Boulogne-Billancourt", "Issy-les-Moulineaux"]  # largest at the top
    assert velib_by_commune_summary(table) == ("20 vélos disponibles dans 3 stations ; Issy-les-Moulineaux a la "
                                               "plus grande capacité (50 places).")
    assert velib_by_commune_summary(table.clear()) == "Aucune station Vélib' sur ce périmètre."
    outlines = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
            [[2.2, 48.8], [2.3, 48.8], [2.3, 48.9], [2.2, 48.8]]]}}]}
    fig = velib_map(STATIONS, outlines)
    # An SVG map (no base layer, no tile) framing the box of its outlines and points, with a margin
    assert fig.data[0].type == "scattergeo" and fig.layout.geo.visible is None  # the template's (no base map)
    lon, lat = fig.layout.geo.lonaxis.range, fig.layout.geo.lataxis.range
    assert lon[0] < 2.2 < 2.3 < lon[1] and lat[0] < 48.8 < 48.9 < lat[1]
    assert lon[1] - lon[0] == pytest.approx(0.1 * 1.12) and lat[1] - lat[0] == pytest.approx(0.1 * 1.12)
    assert fig.layout.meta["outlines"] == outlines  # drawn by the browser, under the points
    assert fig.layout.margin.b > 0 and fig.data[0].marker.colorbar.yanchor == "top"  # the scale under the map
    assert fig.data[0].marker.colorbar.orientation == "h"
    # Each point carries its commune (a click filters on it) and its table's cells, which the hover reads
    assert [list(row) for row in fig.data[0].customdata] == [
        ["92040", "A", "10", "4", "10", "20", "en service"], ["92040", "B", "10", "0", "20", "30", "hors service"],
        ["92012", "C", "0", "0", "10", "10", "hors service"]]
    assert fig.data[0].text is None  # one copy of each figure per point
    # "Label : value": no plural to get wrong for 0, 1 or 2 bikes
    assert fig.data[0].hovertemplate == ("<b>%{customdata[1]}</b><br>Vélos disponibles : %{customdata[2]} "
                                         "(électriques : %{customdata[3]})<br>Bornettes libres : %{customdata[4]}"
                                         " · %{customdata[6]}<extra></extra>")


def test_the_charging_map_draws_a_station_once_with_its_number_of_points():
    from components.figures.mobilite import irve_map

    points = pl.DataFrame({
        "id_station_itinerance": ["S1", "S1", "S1", "S2", "S2"], "nom_station": ["Mairie"] * 3 + ["Gare"] * 2,
        "nom_operateur": ["Volta"] * 5, "commune_code": ["92040"] * 5, "puissance_nominale": [7.0, 3.7, 150.0, 22.0, 22.0],
        "lat": [48.8212345678] * 3 + [48.83] * 2, "lon": [2.27] * 3 + [2.25] * 2})
    fig = irve_map(points, {"type": "FeatureCollection", "features": []})
    by_class = {t.name: list(t.text) for t in fig.data}
    assert by_class == {"jusqu'à 7,4 kW": ["<b>Mairie</b><br>2 points de charge · 3,7 / 7 kW · Volta"],
                        "de 7,4 à 22 kW": ["<b>Gare</b><br>2 points de charge · 22 kW · Volta"],
                        "plus de 100 kW": ["<b>Mairie</b><br>1 point de charge · 150 kW · Volta"]}
    assert fig.data[0].lat == (48.82123,)  # to about a metre: what a marker shows
    assert "2 hors service" in velib_map_summary(q.velib_summary(STATIONS), "Issy")


def test_memoised_query_follows_the_snapshot_version(tmp_path, catalog):
    from data_access.context import DataContext
    from data_access.settings import Settings

    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", catalog_path=catalog.path,
                        portal_url=None, api_key=None, database_url="sqlite://", secret_key="x", territory_name=None)
    ctx = DataContext(settings, catalog)
    ctx.seed_bundled()
    assert q.velib_stations(ctx, ALL).height == 73
    assert q.velib_stations(ctx, "92040").height == 22
    # A refresh writes a new version: the memoised answer must follow it, not the old one.
    smaller = ctx.frame("velib_stations").head(5)
    ctx.store.write("velib_stations", smaller, source_url="test", origin="portal")
    assert q.velib_stations(ctx, ALL).height == 5


def test_irve_critair_accident_aggregations_on_hand_made_inputs():
    from datetime import date

    points = pl.DataFrame({
        "puissance_nominale": [3.7, 7.4, 22.0, 50.0, 150.0, 22.0],
        "date_mise_en_service": [date(2019, 5, 1), date(2019, 6, 1), date(2021, 1, 1), None, date(2021, 3, 1),
                                 date(2022, 1, 1)],
        "prise_type_2": [True, True, True, False, False, True], "prise_type_combo_ccs": [False, False, False, True, True, False],
        "prise_type_chademo": [False, False, False, True, False, False], "prise_type_ef": [True, False, False, False, False, False],
    })
    assert q.irve_power_classes(points).rows() == [("jusqu'à 7,4 kW", 2), ("de 7,4 à 22 kW", 2),
                                                    ("de 22 à 100 kW", 1), ("plus de 100 kW", 1)]
    assert q.irve_growth(points).rows() == [(2019, 2, 2), (2021, 2, 4), (2022, 1, 5)]  # undated point left out
    assert dict(q.irve_plugs(points).rows()) == {"Type 2": 4, "Combo CCS": 2, "CHAdeMO": 1, "Domestique (E/F)": 1}

    vehicles = pl.DataFrame({"annee": [2024] * 4, "commune_code": ["92040", "92040", "92012", "92012"],
                             "classe": ["E", "1", "E", "1"], "ordre": [0, 1, 0, 1], "vehicules": [10, 30, 30, 30]})
    shares = q.critair_shares(vehicles)
    assert shares.select("classe", "vehicules", "part").rows() == [("E", 40, 40.0), ("1", 60, 60.0)]

    crashes = pl.DataFrame({"annee": [2023, 2023, 2024], "gravite": ["Indemne", "Tué", "Blessé léger"],
                            "categorie_usager": ["VL", "Piéton", "VL"]})
    assert q.accidents_by_year_severity(crashes).rows() == [(2023, "Tué", 1), (2023, "Indemne", 1),
                                                            (2024, "Blessé léger", 1)]
    assert q.accidents_by_user(crashes).rows()[0] == ("VL", 2)


def test_traffic_aggregations_in_paris_time():
    from datetime import datetime, timedelta, timezone

    # Monday 2022-01-03 00:00 Paris = 2022-01-02 23:00 UTC; 24 complete hours on the 3rd, 2 on the 4th
    start = datetime(2022, 1, 2, 23, tzinfo=timezone.utc)
    hours = [start + timedelta(hours=h) for h in range(26)]
    counts = pl.DataFrame({"arc_id": ["A"] * 26, "libelle": ["Arc A"] * 26, "heure": hours,
                           "debit": [float(h % 24) for h in range(26)],
                           "etat_trafic": ["Fluide"] * 20 + ["Saturé"] * 6, "commune_code": ["92040"] * 26})
    daily = q.daily_flow(counts)
    assert daily.rows() == [("A", "Arc A", datetime(2022, 1, 3).date(), float(sum(range(24))))]  # the 4th: incomplete
    assert q.monthly_mean(daily)["vehicules_par_jour"].to_list() == [276.0]
    profile = q.hour_weekday_profile(counts)
    monday_0h = profile.filter((pl.col("jour_semaine") == 1) & (pl.col("heure") == 0))["debit_moyen"][0]
    assert monday_0h == 0.0  # the UTC hour 23 of Sunday is Monday 0 h in Paris
    tuesday = profile.filter(pl.col("jour_semaine") == 2)
    assert tuesday["heure"].to_list() == [0, 1] and tuesday["debit_moyen"].to_list() == [0.0, 1.0]
    wide = profile_table(profile)
    assert wide["jour_semaine"].to_list() == ["lundi", "mardi"] and wide["0 h"].to_list() == [0.0, 0.0]
    states = q.traffic_state_shares(counts)
    assert states.select("etat_trafic", "heures").rows() == [("Fluide", 20), ("Saturé", 6)]
    assert states["part"].sum() == pytest.approx(100)
    assert q.counts_for(counts, "92012").height == 0 and q.counts_for(counts, ALL).height == 26


def test_accident_calendar_and_arc_summaries():
    from components.figures.mobilite import accidents_calendar_summary, arcs_map_summary

    crashes = pl.DataFrame({"mois": [1, 1, 7], "heure": [8, None, 8]})
    calendar = q.accidents_by_month_hour(crashes)
    assert calendar["month"].select("mois_nom", "accidents").rows() == [("janv.", 2), ("juil.", 1)]
    assert calendar["hour"].rows() == [(8, 2)]  # the unknown hour is left out
    assert accidents_calendar_summary(calendar["month"], calendar["hour"]) == (
        "Le mois le plus accidentogène est janv. (2 accidents) ; l'heure la plus accidentogène, 8 h (2).")
    assert arcs_map_summary(pl.DataFrame({"demonstration": [True]})) == "1 point de comptage sur la carte."
    assert arcs_map_summary(pl.DataFrame({"demonstration": [True, False, False]})).endswith(
        "dont 2 réels ; les autres sont des données de démonstration.")
    # Where the real arcs are comes from the data (its "territoire" column), never from the code.
    assert arcs_map_summary(pl.DataFrame({"demonstration": [True, False], "territoire": [None, "Ailleurs"]})) == (
        "2 points de comptage sur la carte, dont 1 réel (Ailleurs) ; les autres sont des données de démonstration.")
    assert arcs_map_summary(pl.DataFrame({"libelle": ["a", "b"]})) == "2 points de comptage sur la carte."


def test_year_axes_show_whole_years_only():
    """Two years of charge points: ticks 2021 and 2022, not 2021, 2021, 2022, 2022 (half years)."""
    from components.figures.mobilite import irve_growth_figure

    growth = pl.DataFrame({"annee": [2021, 2022], "ouverts": [1986, 3], "en_service": [1986, 1989]})
    axis = irve_growth_figure(growth).layout.xaxis
    assert axis.dtick == 1 and axis.tickformat == "d"
    many = pl.DataFrame({"annee": list(range(1990, 2026)), "ouverts": [1] * 36, "en_service": list(range(36))})
    assert irve_growth_figure(many).layout.xaxis.dtick is None  # plotly spaces the ticks of a long series


def test_the_accident_map_has_a_trace_per_severity_the_worst_drawn_last():
    from datetime import date

    from components.figures.mobilite import SEVERITY_COLORS, accidents_map

    crashes = pl.DataFrame({"date": [date(2024, 3, 5), date(2024, 4, 1), date(2024, 5, 2), None],
                            "gravite": ["Blessé léger", "Tué", None, "Blessé léger"],
                            "categorie_usager": ["Piéton", "Cycliste", "VL", None],
                            "commune_code": ["92040", "92012", "92040", "92048"],
                            "lat": [48.8212345, 48.83, 48.82, 48.81], "lon": [2.27, 2.25, 2.26, 2.24]})
    outlines = {"type": "FeatureCollection", "features": []}
    fig = accidents_map(crashes, outlines)
    names = [t.name for t in fig.data]
    assert names == ["Gravité non renseignée", "Blessé léger", "Tué"]  # drawn least severe first
    ranks = {t.name: t.legendrank for t in fig.data}
    assert ranks["Tué"] < ranks["Blessé léger"] < ranks["Gravité non renseignée"]  # legend: the chart's order
    light = next(t for t in fig.data if t.name == "Blessé léger")
    assert light.marker.color == SEVERITY_COLORS["Blessé léger"]
    # The severity is the trace's name; each point: its commune (a click filters on it), date and road user
    assert [list(row) for row in light.customdata] == [["92040", "05/03/2024", "Piéton"],
                                                       ["92048", "date inconnue", "Non renseigné"]]
    assert light.hovertemplate == "<b>%{fullData.name}</b><br>%{customdata[1]} · %{customdata[2]}<extra></extra>"
    worst = next(t for t in fig.data if t.name == "Tué")
    assert worst.customdata[0][2] == "Cycliste"
    assert fig.data[-1].lat[0] == 48.83 and next(t for t in fig.data if t.name == "Blessé léger").lat[0] == 48.82123
    # No outlines to draw: the layout names none (the browser adds none), every trace is the accidents'
    assert not (fig.layout.meta or {}).get("outlines")
    assert all(t.type == "scattergeo" and t.mode == "markers" for t in fig.data)


def test_the_accident_map_shows_the_latest_year_and_says_where_the_others_are(monkeypatch):
    from datetime import date

    import data_access.mobilite as q
    from components.chart_spec import content
    from components.figures.mobilite import SPECS

    rows = pl.DataFrame({"annee": [2023, 2024, 2024, None], "date": [date(2023, 1, 2), date(2024, 1, 2), None, None]})
    assert q.latest_year(rows)["annee"].to_list() == [2024, 2024]
    assert q.latest_year(rows.filter(pl.col("annee").is_null())).is_empty()  # no year: nothing to map

    crashes = pl.DataFrame({"accident_id": ["a", "b", "c"], "date": [date(2023, 6, 1), date(2024, 2, 3), date(2024, 9, 9)],
                            "gravite": ["Tué", "Blessé léger", "Blessé léger"], "categorie_usager": ["Piéton"] * 3,
                            "commune_code": ["92040"] * 3, "lat": [48.82, 48.83, 48.81], "lon": [2.27, 2.26, 2.25]})
    monkeypatch.setattr(q, "accidents", lambda ctx, commune: q.with_calendar(crashes))  # the commune's accidents
    spec = next(s for s in SPECS["accidents"] if s.id == "accidents-carte")
    title, figure, summary, _ = content(spec, None, {"commune": "92040", "label": "Issy-les-Moulineaux",
                                                     "outlines": {"type": "FeatureCollection", "features": []}})
    assert title == "Carte des accidents (2024)"
    assert sum(len(t.lat) for t in figure.data) == 2  # the 2023 accident is in the chart by year, not here
    assert summary.startswith("Carte des 2 accidents corporels localisés pour Issy-les-Moulineaux (2024)")
    assert "années précédentes" in summary


def test_road_users_are_named_not_coded():
    """« 2RM », « VL » are the BAAC's codes: charts, hovers and tables say what they mean."""
    from components.figures.mobilite import accidents_users_figure, user_label

    by_user = pl.DataFrame({"categorie_usager": ["2RM", "VL", "Piéton", None], "accidents": [5, 3, 2, 1]})
    fig = accidents_users_figure(by_user)
    assert list(fig.data[0].y) == ["Deux-roues motorisé", "Véhicule léger", "Piéton", "Non renseigné"]
    assert list(fig.data[0].text) == ["5", "3", "2", "1"]  # each bar says its count
    assert user_label("Cycliste") == "Cycliste" and user_label("VU/PL") == "Utilitaire ou poids lourd"
