from pathlib import Path

import polars as pl
import pytest

from data_access.catalog import CatalogError, load_catalog, parse_catalog

ROOT = Path(__file__).resolve().parents[2]


def minimal(**dataset):
    spec = {"title": "T", "dataset_id": "ds", "visibility": "public", "source": "S", "licence": "L",
            "columns": [{"name": "code", "type": "str"}]}
    spec.update(dataset)
    return {"territory": {"name": "Terr", "portal": "https://portal.example/",
                          "communes": [{"code": "92040", "name": "Issy"}]},
            "datasets": {"ds": spec}}


def test_bundled_catalog_loads_with_every_dataset(catalog):
    assert catalog.territory.name == "Grand Paris Seine Ouest"
    assert len(catalog.territory.communes) == 8
    assert {"velib_stations", "communes_contours"} <= set(catalog.datasets)
    velib = catalog["velib_stations"]
    assert velib.visibility == "public" and velib.commune_column == "commune_code"
    assert velib.schema["capacity"] == pl.Int64 and velib.schema["updated_at"] == pl.Datetime("us", "UTC")
    assert velib.refresh_minutes == 5
    assert "Identifiant station" in velib.column("station_id").sources


def test_portal_url_override_only_replaces_the_default_portal():
    raw = minimal()
    raw["datasets"]["other"] = dict(raw["datasets"]["ds"], portal="https://elsewhere.example")
    cat = parse_catalog(raw, portal_url="http://127.0.0.1:9999")
    assert cat["ds"].portal_url == "http://127.0.0.1:9999"
    assert cat["other"].portal_url == "https://elsewhere.example"
    assert parse_catalog(minimal())["ds"].portal_url == "https://portal.example"


def test_territory_name_override():
    assert parse_catalog(minimal(), territory_name="Ville d'Issy").territory.name == "Ville d'Issy"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"visibility": "secret"}, "visibility"),
        ({"columns": [{"name": "x", "type": "decimal"}]}, "type must be"),
        ({"columns": [{"name": "x", "type": "str"}, {"name": "x", "type": "int"}]}, "duplicate"),
        ({"commune_column": "nope"}, "commune_column"),
        ({"unique_key": ["nope"]}, "unique_key"),
        ({"formats": ["xlsx"]}, "formats"),
        ({"refresh_every": "often"}, "refresh_every"),
        ({"title": ""}, "'title' is required"),
        ({"columns": [{"name": "x", "type": "str", "transform": "upper"}]}, "transform"),
    ],
)
def test_malformed_dataset_entries_are_refused_with_the_dataset_named(change, message):
    with pytest.raises(CatalogError, match=message) as err:
        parse_catalog(minimal(**change))
    assert "ds" in str(err.value)


def test_catalog_without_communes_is_refused():
    raw = minimal()
    raw["territory"]["communes"] = []
    with pytest.raises(CatalogError, match="communes"):
        parse_catalog(raw)


def test_unreadable_catalog_file_names_the_file(tmp_path):
    bad = tmp_path / "catalog.toml"
    bad.write_text("[territory\nname=")
    with pytest.raises(CatalogError, match="catalog.toml"):
        load_catalog(bad)


def test_schema_hash_changes_with_the_schema():
    a = parse_catalog(minimal())["ds"]
    b = parse_catalog(minimal(columns=[{"name": "code", "type": "int"}]))["ds"]
    assert a.schema_hash != b.schema_hash
