"""Mapping real portal shapes to canonical columns: label exports, JSON records, typed Parquet."""

from datetime import datetime, timezone

import polars as pl
import pytest

from data_access.catalog import parse_catalog
from data_access.errors import SchemaMismatch
from data_access.mapping import map_frame
from data_access.portal import read_ods_csv
from data_access.validation import validate


def test_real_label_export_maps_to_the_73_gpso_stations(catalog, velib_label_export):
    assert velib_label_export.startswith(b"\xef\xbb\xbf")  # the real file has a BOM
    raw = read_ods_csv(velib_label_export)
    result = map_frame(raw, catalog["velib_stations"], catalog.territory.codes)
    frame = result.frame
    assert result.bad_count == 0 and frame.height == 73
    counts = dict(frame.group_by("commune_code").len().iter_rows())
    assert counts == {"92012": 29, "92040": 22, "92075": 7, "92072": 6, "92048": 5, "92022": 3, "92077": 1}
    station = frame.filter(pl.col("station_id") == "21326").row(0, named=True)
    assert station["name"] == "Moulin de Pierre - Abbé Grégoire"
    assert station["is_installed"] is True and isinstance(station["capacity"], int)
    assert station["lat"] == pytest.approx(48.822036, abs=1e-5) and station["lon"] == pytest.approx(2.275464, abs=1e-5)
    assert station["updated_at"].tzinfo is not None
    assert (frame["mechanical"] + frame["ebike"] == frame["bikes_available"]).all()
    validate(frame, catalog["velib_stations"], catalog.territory.codes)


def test_whole_network_export_refuses_unknown_communes_as_too_many_bad_rows(catalog):
    from tests.conftest import SHARED_REAL

    path = SHARED_REAL / "velib_disponibilite" / "velib-disponibilite-en-temps-reel_2026-04-06.csv"
    raw = read_ods_csv(path.read_bytes())
    with pytest.raises(SchemaMismatch, match="commune_code") as err:
        map_frame(raw, catalog["velib_stations"], catalog.territory.codes)
    assert "1436 of 1509" in str(err.value)


def json_record(**changes):
    record = {"stationcode": "21326", "name": "Moulin de Pierre", "is_installed": "OUI", "capacity": 20,
              "numdocksavailable": 12, "numbikesavailable": 8, "mechanical": 5, "ebike": 3,
              "is_renting": "OUI", "is_returning": "NON", "duedate": "2026-04-06T12:49:36+02:00",
              "coordonnees_geo": {"lon": 2.275464, "lat": 48.822036},
              "nom_arrondissement_communes": "Issy-les-Moulineaux", "code_insee_commune": "92040"}
    record.update(changes)
    return record


def test_json_records_with_geo_struct_and_offsets(catalog):
    raw = pl.from_dicts([json_record(), json_record(stationcode="21327", duedate="2026-01-06T12:00:00+01:00")])
    frame = map_frame(raw, catalog["velib_stations"], catalog.territory.codes).frame
    assert frame["lat"].to_list() == [48.822036, 48.822036]
    assert frame["updated_at"].to_list() == [datetime(2026, 4, 6, 10, 49, 36, tzinfo=timezone.utc),
                                              datetime(2026, 1, 6, 11, 0, tzinfo=timezone.utc)]
    assert frame["is_returning"].to_list() == [False, False]


def test_a_few_bad_rows_are_dropped_and_reported_not_fatal(catalog):
    records = [json_record(stationcode=str(i)) for i in range(40)]
    records[7]["capacity"] = "vingt"
    records[9]["code_insee_commune"] = "75056"
    spec = catalog["velib_stations"]
    spec = type(spec)(**{**spec.__dict__, "max_bad_ratio": 0.1})
    result = map_frame(pl.from_dicts(records), spec, catalog.territory.codes)
    assert result.frame.height == 38 and result.bad_count == 2
    assert [(b.row, b.column, b.value) for b in result.bad_rows] == [(7, "capacity", "vingt"),
                                                                       (9, "commune_code", "75056")]
    assert "2 bad rows" in result.summary()


def test_renamed_field_is_a_schema_mismatch_naming_the_field(catalog):
    raw = pl.from_dicts([json_record()]).rename({"numbikesavailable": "nb_velos"})
    with pytest.raises(SchemaMismatch, match="bikes_available") as err:
        map_frame(raw, catalog["velib_stations"], catalog.territory.codes)
    assert "nb_velos" in str(err.value)  # says what the portal sent instead


def test_wrong_type_in_every_row_is_a_schema_mismatch(catalog):
    raw = pl.from_dicts([json_record(stationcode=str(i), capacity="beaucoup") for i in range(10)])
    with pytest.raises(SchemaMismatch, match="10 of 10 rows unusable.*capacity='beaucoup'"):
        map_frame(raw, catalog["velib_stations"], catalog.territory.codes)


def test_optional_field_may_be_absent(catalog):
    raw = pl.from_dicts([json_record()]).drop("nom_arrondissement_communes")
    frame = map_frame(raw, catalog["velib_stations"], catalog.territory.codes).frame
    assert frame["commune_name"].to_list() == [None]


def spec_with(columns, **extra):
    raw = {"territory": {"name": "T", "portal": "https://p", "communes": [{"code": "92040", "name": "Issy"}]},
           "datasets": {"d": {"title": "t", "dataset_id": "d", "visibility": "public", "source": "s",
                              "licence": "l", "columns": columns, **extra}}}
    return parse_catalog(raw)["d"]


def test_french_numbers_booleans_dates_and_multivalued_fields():
    spec = spec_with([
        {"name": "amount", "type": "float", "source": "Montant"},
        {"name": "count", "type": "int", "source": "Nombre"},
        {"name": "open", "type": "bool", "source": "Ouvert"},
        {"name": "day", "type": "date", "source": "Jour"},
        {"name": "code", "type": "str", "source": "com_code", "transform": "first"},
    ], max_bad_ratio=1.0)
    raw = pl.DataFrame({
        "Montant": ["1 234,5", "1\u202f000\u00a0000,25", "-3,0", ""],
        "Nombre": ["12", "7,0", "3", "2,5"],
        "Ouvert": ["OUI", "non", "true", "peut-être"],
        "Jour": ["2026-03-05", "05/03/2026", "2026-03-05T10:00:00+01:00", "demain"],
        "com_code": [["92040", "92012"], ["92012"], [], None],
    })
    result = map_frame(raw, spec)
    assert result.bad_count == 1  # last row: 2,5 is not an integer (first failing column reported)
    frame = result.frame
    assert frame["amount"].to_list() == [1234.5, 1000000.25, -3.0]
    assert frame["count"].to_list() == [12, 7, 3]
    assert frame["open"].to_list() == [True, False, True]
    assert [d.isoformat() for d in frame["day"].to_list()] == ["2026-03-05"] * 3
    assert frame["code"].to_list() == ["92040", "92012", None]
    assert result.bad_rows[0].row == 3 and result.bad_rows[0].column == "count"


def test_field_names_match_whatever_the_case_and_accents():
    spec = spec_with([{"name": "capacity", "type": "int", "source": ["Capacité de la station"]}])
    frame = map_frame(pl.DataFrame({"capacite de la  STATION": ["5"]}), spec).frame
    assert frame["capacity"].to_list() == [5]


def test_typed_parquet_columns_pass_through():
    spec = spec_with([{"name": "n", "type": "int"}, {"name": "when", "type": "datetime"},
                      {"name": "ok", "type": "bool"}, {"name": "x", "type": "float"}])
    raw = pl.DataFrame({"n": [1, 2], "when": [datetime(2026, 1, 1), datetime(2026, 1, 2)], "ok": [True, False],
                        "x": [1, 2]})
    frame = map_frame(raw, spec).frame
    assert frame.schema == {"n": pl.Int64, "when": pl.Datetime("us", "UTC"), "ok": pl.Boolean, "x": pl.Float64}
    assert frame["when"][0] == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_list_coordinates_are_lat_lon_as_ods_exports_them():
    spec = spec_with([{"name": "lat", "type": "float", "source": "geo", "transform": "geo_lat"},
                      {"name": "lon", "type": "float", "source": "geo", "transform": "geo_lon"}])
    frame = map_frame(pl.DataFrame({"geo": [[48.82, 2.27]]}), spec).frame
    assert (frame["lat"][0], frame["lon"][0]) == (48.82, 2.27)


def test_missing_identifier_makes_a_bad_row():
    spec = spec_with([{"name": "id", "type": "str"}], unique_key=["id"], max_bad_ratio=1.0)
    result = map_frame(pl.DataFrame({"id": ["a", None, "  "]}), spec)
    assert result.frame["id"].to_list() == ["a"] and result.bad_count == 2
