"""Reading rules on real export shapes: geo points, territory bbox, multi-valued fields, vocabularies, codes."""

import csv
from pathlib import Path

import polars as pl
import pytest

from data_access.catalog import OTHER, parse_catalog
from data_access.mapping import BBOX_MARGIN, map_frame

ROOT = Path(__file__).resolve().parents[2]
ACCIDENTS = ROOT.parent / "shared" / "data" / "real" / "accidents_baac_2024_sample" / "accidents_sample.csv"
GPSO_BBOX = [2.10, 48.76, 2.33, 48.88]  # west, south, east, north, as in data/catalog.toml

SEVERITY = {"Tué": ["tue", "Décédé"], "Blessé hospitalisé": ["hospitalisé"],
            "Blessé léger": ["Blessé", "leger"], "Indemne": []}  # most to least important


def catalog_with(columns, **extra):
    raw = {"territory": {"name": "T", "portal": "https://p", "bbox": GPSO_BBOX,
                         "communes": [{"code": "92040", "name": "Issy"}]},
           "datasets": {"d": {"title": "t", "dataset_id": "d", "visibility": "public", "source": "s",
                              "licence": "l", "columns": columns, **extra}}}
    return parse_catalog(raw)


def spec_with(columns, **extra):
    return catalog_with(columns, **extra)["d"]


POINT = ["geo_point_2d", "Coordonnées géographiques"]  # API name, then label-export label
GEO = [{"name": "id", "type": "str"},
       {"name": "lat", "type": "float", "source": POINT, "transform": "geo_lat"},
       {"name": "lon", "type": "float", "source": POINT, "transform": "geo_lon"}]


def points(frame: pl.DataFrame) -> list[tuple]:
    return list(zip(frame["id"], frame["lat"], frame["lon"]))


# -- geo points ----------------------------------------------------------------------------------------------

def test_list_points_are_lat_lon_as_ods_exports_them():
    raw = pl.DataFrame({"id": ["a", "b"], "geo_point_2d": [[48.8412, 2.2699], [48.8237, 2.2745]]})
    assert points(map_frame(raw, spec_with(GEO)).frame) == [("a", 48.8412, 2.2699), ("b", 48.8237, 2.2745)]


def test_struct_points_from_a_json_export():
    raw = pl.from_dicts([{"id": "a", "geo_point_2d": {"lon": 2.2699, "lat": 48.8412}},
                         {"id": "b", "geo_point_2d": None}])
    assert raw.schema["geo_point_2d"] == pl.Struct({"lon": pl.Float64, "lat": pl.Float64})
    assert points(map_frame(raw, spec_with(GEO)).frame) == [("a", 48.8412, 2.2699), ("b", None, None)]


def test_text_points_from_a_csv_label_export_with_spaces():
    raw = pl.DataFrame({"id": ["a", "b", "c"],
                        "Coordonnées géographiques": ["48.8412, 2.2699", " 48.8237 ,2.2745 ", ""]})
    result = map_frame(raw, spec_with(GEO))
    assert points(result.frame) == [("a", 48.8412, 2.2699), ("b", 48.8237, 2.2745), ("c", None, None)]
    assert result.bad_count == 0


# -- territory bbox ------------------------------------------------------------------------------------------

def test_swapped_coordinates_are_reported_and_not_stored():
    cat = catalog_with(GEO, max_bad_ratio=1.0)
    raw = pl.DataFrame({"id": ["ok", "geojson order", "no point"],
                        "geo_point_2d": [[48.8412, 2.2699], [2.2699, 48.8412], None]})
    result = map_frame(raw, cat["d"], bbox=cat.territory.bbox)
    assert points(result.frame) == [("ok", 48.8412, 2.2699), ("no point", None, None)]
    assert result.bad_count == 1
    [bad] = result.bad_rows
    assert (bad.row, bad.column, bad.value) == (1, "lat/lon", "lat=2.2699, lon=48.8412 (inversées ?)")
    assert result.notes == ["1 ligne(s) hors du territoire, dont 1 aux coordonnées inversées"]


def test_rows_outside_the_territory_are_dropped_and_counted():
    cat = catalog_with(GEO, max_bad_ratio=1.0)
    raw = pl.from_dicts([{"id": "issy", "geo_point_2d": {"lat": 48.8245, "lon": 2.2700}},
                         {"id": "marseille", "geo_point_2d": {"lat": 43.2965, "lon": 5.3698}},
                         {"id": "swapped", "geo_point_2d": {"lat": 2.25, "lon": 48.80}},
                         {"id": "lille", "geo_point_2d": {"lat": 50.6292, "lon": 3.0573}}])
    result = map_frame(raw, cat["d"], bbox=cat.territory.bbox)
    assert result.frame["id"].to_list() == ["issy"]
    assert [(b.row, b.value) for b in result.bad_rows] == [
        (1, "lat=43.2965, lon=5.3698 (hors du territoire)"),
        (2, "lat=2.25, lon=48.8 (inversées ?)"),
        (3, "lat=50.6292, lon=3.0573 (hors du territoire)")]
    assert result.notes == ["3 ligne(s) hors du territoire, dont 1 aux coordonnées inversées"]
    assert "3 bad rows dropped" in result.summary() and result.summary().endswith("inversées")


def test_points_on_the_border_are_kept_within_the_margin():
    assert BBOX_MARGIN == 0.05
    cat = catalog_with(GEO, max_bad_ratio=1.0)
    west, south, east, north = GPSO_BBOX
    raw = pl.DataFrame({"id": ["on east edge", "just past east", "past margin east", "past margin north",
                               "past margin south-west"],
                        "geo_point_2d": [[48.82, east], [48.82, east + 0.04], [48.82, east + 0.06],
                                         [north + 0.06, 2.2], [south - 0.01, west - 0.06]]})
    result = map_frame(raw, cat["d"], bbox=cat.territory.bbox)
    assert result.frame["id"].to_list() == ["on east edge", "just past east"]
    assert [b.row for b in result.bad_rows] == [2, 3, 4]


def test_plain_lat_lon_columns_are_checked_without_a_geo_transform():
    cat = catalog_with([{"name": "id", "type": "str"}, {"name": "lat", "type": "float"},
                        {"name": "lon", "type": "float", "source": ["lon", "long"]}], max_bad_ratio=1.0)
    raw = pl.DataFrame({"id": ["a", "b", "c"], "lat": ["48.83", "2.27", ""], "long": ["2.27", "48.83", ""]})
    result = map_frame(raw, cat["d"], bbox=cat.territory.bbox)
    assert result.frame["id"].to_list() == ["a", "c"]
    assert [(b.row, b.column) for b in result.bad_rows] == [(1, "lat/lon")]
    # Without a bbox nothing is checked.
    assert map_frame(raw, cat["d"]).frame.height == 3


# -- multi-valued fields -------------------------------------------------------------------------------------

def test_max_keeps_the_value_first_in_vocabulary_order():
    spec = spec_with([{"name": "id", "type": "str"},
                      {"name": "gravite", "type": "str", "multi": "max", "vocabulary": SEVERITY}])
    raw = pl.DataFrame({"id": ["1", "2", "3", "4", "5", "6"],
                        "gravite": ["Blessé,Indemne", "Indemne, décédé", "indemne", "Foo,Indemne", "Foo", ""]})
    result = map_frame(raw, spec)
    assert result.frame["gravite"].to_list() == ["Blessé léger", "Tué", "Indemne", "Indemne", OTHER, None]
    assert result.bad_count == 0
    assert result.notes == ["gravite: 2 valeur(s) inconnue(s) comptée(s) comme « autre » : 'Foo' (2)"]


def test_max_on_a_list_field_and_another_separator():
    spec = spec_with([{"name": "gravite", "type": "str", "multi": "max", "separator": ";", "vocabulary": SEVERITY}])
    as_list = map_frame(pl.DataFrame({"gravite": [["Indemne", "Blessé hospitalisé"], ["Indemne"], []]}), spec)
    assert as_list.frame["gravite"].to_list() == ["Blessé hospitalisé", "Indemne", None]
    as_text = map_frame(pl.DataFrame({"gravite": ["Indemne; Tué", "Blessé,Indemne"]}), spec)
    # "," is not this column's separator: one unknown value.
    assert as_text.frame["gravite"].to_list() == ["Tué", OTHER]


def test_first_keeps_the_first_value_of_text_or_list():
    spec = spec_with([{"name": "code", "type": "str", "source": "com_code", "multi": "first"},
                      {"name": "arr", "type": "str", "source": "com_arm_code", "transform": "first"},
                      {"name": "label", "type": "str"}])
    raw = pl.DataFrame({"com_code": ["92040,92012", " 92048 ", None],
                        "com_arm_code": [["75115", "75116"], [], ["75107"]],
                        "label": ["a,b", "c", "d"]})
    frame = map_frame(raw, spec).frame
    assert frame["code"].to_list() == ["92040", "92048", None]
    assert frame["arr"].to_list() == ["75115", None, "75107"]
    assert frame["label"].to_list() == ["a,b", "c", "d"]  # no multi declared: the text is one value


def test_explode_gives_one_row_per_value_and_reports_portal_rows():
    spec = spec_with([{"name": "id", "type": "str"},
                      {"name": "prise", "type": "str", "multi": "explode",
                       "vocabulary": {"T2": ["Type 2"], "CCS": ["Combo CCS"], "EF": ["E/F"]}},
                      {"name": "kw", "type": "float"}], max_bad_ratio=1.0)
    raw = pl.DataFrame({"id": ["a", "b", "c", "d"],
                        "prise": ["Type 2,Combo CCS,E/F", "type 2", "", "Type 2,CCS"],
                        "kw": ["22", "7,4", "3", "beaucoup"]})
    result = map_frame(raw, spec)
    assert result.frame.rows() == [("a", "T2", 22.0), ("a", "CCS", 22.0), ("a", "EF", 22.0),
                                   ("b", "T2", 7.4), ("c", None, 3.0)]
    assert result.source_rows == 4 and result.bad_count == 1  # row d, once though it held two values
    assert [(b.row, b.column, b.value) for b in result.bad_rows] == [(3, "kw", "beaucoup")]


def test_explode_a_list_field():
    spec = spec_with([{"name": "id", "type": "str"}, {"name": "code", "type": "str", "multi": "explode"}])
    raw = pl.DataFrame({"id": ["a", "b", "c"], "code": [["92040", "92012"], [], None]})
    assert map_frame(raw, spec).frame.rows() == [("a", "92040"), ("a", "92012"), ("b", None), ("c", None)]


# -- vocabularies --------------------------------------------------------------------------------------------

def test_vocabulary_ignores_case_accents_and_spacing():
    spec = spec_with([{"name": "gravite", "type": "str",
                       "vocabulary": {"Très grave": [], "Grave": [], "Léger": ["leger", "Blessé léger"]}}])
    raw = pl.DataFrame({"gravite": ["TRÈS GRAVE", "tres grave", " Très  grave ", "grave", "LEGER",
                                    "blesse leger", "Léger"]})
    result = map_frame(raw, spec)
    assert result.frame["gravite"].to_list() == ["Très grave"] * 3 + ["Grave"] + ["Léger"] * 3
    assert result.notes == []


def test_unknown_values_become_autre_and_are_counted():
    spec = spec_with([{"name": "id", "type": "str"},
                      {"name": "gravite", "type": "str", "vocabulary": {"Grave": [], "Léger": []}}],
                     max_bad_ratio=0.0)
    raw = pl.DataFrame({"id": list("abcdef"), "gravite": ["Foo", "Bar", "Foo", "grave", None, "  "]})
    result = map_frame(raw, spec)
    assert result.frame["gravite"].to_list() == [OTHER, OTHER, OTHER, "Grave", None, None]
    assert result.bad_count == 0  # not bad rows: kept as "autre"
    assert result.notes == ["gravite: 3 valeur(s) inconnue(s) comptée(s) comme « autre » : 'Foo' (2), 'Bar' (1)"]
    assert result.summary() == "6 rows; " + result.notes[0]


# -- codes ---------------------------------------------------------------------------------------------------

def test_code_transform_gives_digits_padded_to_width():
    spec = spec_with([{"name": "id", "type": "str"},
                      {"name": "com", "type": "str", "transform": "code", "width": 5}], max_bad_ratio=1.0)
    raw = pl.DataFrame({"id": list("abcdefghij"),
                        "com": ["92044.0", " 75117 ", "2A004", "2b033", "1001.0", "1245", "",
                                "92044.5", "abc", "92044,0"]})
    result = map_frame(raw, spec)
    assert dict(zip(result.frame["id"], result.frame["com"])) == {
        "a": "92044", "b": "75117", "c": "2A004", "d": "2B033", "e": "01001", "f": "01245", "g": None,
        "j": "92044"}
    assert [(b.row, b.value) for b in result.bad_rows] == [(7, "92044.5"), (8, "abc")]


def test_code_transform_on_numeric_columns_and_without_width():
    spec = spec_with([{"name": "com", "type": "str", "transform": "code", "width": 5},
                      {"name": "dep", "type": "str", "transform": "code"}])
    raw = pl.DataFrame({"com": [92044.0, 1001.0, None], "dep": [92, 1, 75]})
    frame = map_frame(raw, spec).frame
    assert frame["com"].to_list() == ["92044", "01001", None]
    assert frame["dep"].to_list() == ["92", "1", "75"]


# -- real rows -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [False, True], ids=["text export", "inferred types"])
def test_real_baac_sample_codes_and_severity_vocabulary(typed):
    with ACCIDENTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cat = catalog_with([
        {"name": "accident_id", "type": "str", "source": ["Num_Acc"]},
        {"name": "commune_code", "type": "str", "source": ["com"], "transform": "code", "width": 5},
        {"name": "lat", "type": "float"},
        {"name": "lon", "type": "float", "source": ["long"]},
        {"name": "gravite", "type": "str", "source": ["categorie_gravite"],
         "vocabulary": {"tres_grave": ["Très grave"], "grave": ["Grave"], "leger": ["Léger"]}},
    ], unique_key=["accident_id"], max_bad_ratio=1.0)
    raw = pl.read_csv(ACCIDENTS, infer_schema=typed)
    assert raw.schema["com"] == (pl.Float64 if typed else pl.String)
    result = map_frame(raw, cat["d"])
    frame = result.frame
    assert result.bad_count == 0 and frame.height == len(rows) == 1000
    codes = dict(zip(frame["accident_id"].cast(pl.String), frame["commune_code"]))
    assert codes["202400046641"] == "92044"  # "92044.0" in the file
    assert codes["202400021875"] == "01245"  # "1245.0": Ain, its leading zero lost by the export
    assert codes["202400049270"] is None  # Corsica: the file has no commune code
    assert frame["commune_code"].null_count() == sum(1 for r in rows if not r["com"]) == 15
    assert frame["commune_code"].drop_nulls().str.contains(r"^\d{5}$").all()
    assert dict(frame["gravite"].value_counts().iter_rows()) == {
        "leger": 369, "grave": 85, "tres_grave": 2, OTHER: 544}
    assert result.notes == ["gravite: 544 valeur(s) inconnue(s) comptée(s) comme « autre » : "
                            "'Matériel uniquement' (544)"]

    # The territory's bbox (plus margin) keeps the accidents in and around GPSO (counted here without polars):
    # a coarse filter, the commune check does the fine work.
    west, south, east, north = GPSO_BBOX
    m = BBOX_MARGIN
    inside = [r["Num_Acc"] for r in rows
              if south - m <= float(r["lat"]) <= north + m and west - m <= float(r["long"]) <= east + m]
    kept = map_frame(raw, cat["d"], bbox=cat.territory.bbox)
    kept_ids = kept.frame["accident_id"].cast(pl.String).to_list()
    assert sorted(kept_ids) == sorted(inside) and len(inside) == 147
    gpso = {"92012.0", "92022.0", "92040.0", "92047.0", "92048.0", "92072.0", "92075.0", "92077.0"}
    assert {r["Num_Acc"] for r in rows if r["com"] in gpso} <= set(kept_ids)
    assert not set(kept_ids) & {r["Num_Acc"] for r in rows if float(r["lat"]) < 43}  # Corsica, Marseille...
    assert kept.bad_count == 853 and kept.notes[-1] == "853 ligne(s) hors du territoire"
