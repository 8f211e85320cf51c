"""A map's data table: its points' cells travel once, in the traces' customdata; the rows the browser makes
of them (assets/chart_export.js, checked against point_rows in tests/e2e/test_chart_export.py)."""

from datetime import date

import polars as pl

from components.chart_card import csv_from_payload
from components.figures.mobilite import ACCIDENT_CELLS, ACCIDENT_FORMATS, accident_points, accidents_map, \
    arc_cells, arc_points, arcs_map
from components.maps import coordinate_text, point_cells, point_rows, points_table

NAMES = {"92040": "Issy-les-Moulineaux", "35238": "Rennes"}
EMPTY = {"type": "FeatureCollection", "features": []}


def test_cells_are_shown_in_french_after_the_commune_code():
    frame = pl.DataFrame({"commune_code": ["92040", None], "nom": ["Mairie", "=cmd"], "places": [1234, None]})
    assert point_cells(frame, {"nom": "Nom", "places": "Places"}) == [["92040", "Mairie", "1\u202f234"],
                                                                      [None, "=cmd", "–"]]
    payload = points_table(frame, {"nom": "Nom", "places": "Places"}, layer="Couche")
    assert payload == {"columns": ["Nom", "Places", "Couche", "Commune", "Latitude", "Longitude"],
                       "kinds": ["text", "number", "text", "text", "number", "number"], "points": {"layer": True}}


def test_coordinates_keep_their_digits_with_a_decimal_comma_and_a_true_minus():
    assert coordinate_text(48.82123) == "48,82123"
    assert coordinate_text(2.0) == "2"
    assert coordinate_text(-1.6778) == "\u22121,6778"
    assert coordinate_text(None) == "–"


def test_rows_follow_the_legend_and_name_the_layer_and_the_commune():
    crashes = pl.DataFrame({"date": [date(2024, 3, 5), date(2024, 4, 1), None],
                            "gravite": ["Blessé léger", "Tué", "Blessé léger"],
                            "categorie_usager": ["Piéton", "2RM", None], "commune_code": ["92040", "35238", "99999"],
                            "lat": [48.8212345, 48.1, 48.2], "lon": [2.27, -1.6778, 2.3]})
    fig = accidents_map(crashes, EMPTY).to_plotly_json()
    payload = points_table(accident_points(crashes), ACCIDENT_CELLS, ACCIDENT_FORMATS, layer="Gravité")
    rows = point_rows(fig, payload, NAMES)
    # The most severe first (the legend's order), though drawn last; codes become names; unknown codes stay
    assert rows == [["01/04/2024", "Deux-roues motorisé", "Tué", "Rennes", "48,1", "\u22121,6778"],
                    ["05/03/2024", "Piéton", "Blessé léger", "Issy-les-Moulineaux", "48,82123", "2,27"],
                    ["date inconnue", "Non renseigné", "Blessé léger", "99999", "48,2", "2,3"]]
    csv = csv_from_payload({**payload, "rows": rows}).splitlines()
    assert csv[0] == "\ufeffDate;Usager;Gravité;Commune;Latitude;Longitude"
    assert csv[1] == "01/04/2024;Deux-roues motorisé;Tué;Rennes;48,1;-1,6778"  # a number for spreadsheets


def test_counting_points_say_whether_they_are_real():
    arcs = pl.DataFrame({"arc_id": ["A1", "A2"], "libelle": ["Rue de Vaugirard", "Quai"], "commune_code": ["92040"] * 2,
                         "demonstration": [False, True], "lat": [48.82, 48.83], "lon": [2.26, 2.27]})
    fig = arcs_map(arcs, EMPTY)
    assert fig.data[0].hovertemplate == "<b>%{customdata[1]}</b><br>données %{customdata[3]}<extra></extra>"
    rows = point_rows(fig.to_plotly_json(), points_table(arc_points(arcs), arc_cells(arc_points(arcs))), NAMES)
    assert [row[:3] for row in rows] == [["Rue de Vaugirard", "A1", "réelles"], ["Quai", "A2", "démonstration"]]
    plain = arcs.drop("demonstration")
    assert arc_cells(arc_points(plain)) == {"libelle": "Point de comptage", "arc_id": "Identifiant"}
    assert arcs_map(plain, EMPTY).data[0].hovertemplate == "<b>%{customdata[1]}</b><extra></extra>"
