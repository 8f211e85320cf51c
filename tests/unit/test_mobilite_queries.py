"""Vélib' aggregations on small hand-computed inputs, and memoisation keyed by snapshot version."""

import polars as pl
import pytest

from components.figures.mobilite import velib_by_commune_bar, velib_by_commune_summary, velib_map, velib_map_summary
from components.selectors import ALL
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
    assert fig.layout.map.style == "white-bg"  # no tiles fetched
    assert fig.layout.map.center.lat == pytest.approx(48.85)
    assert len(fig.data[0].lat) == 3 and "hors service" in fig.data[0].text[2]
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
