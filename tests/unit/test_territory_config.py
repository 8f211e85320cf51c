"""The territory as configuration: the catalog's [territory] and roles, the age rule of freshness at its
boundaries, the demonstration share of a dataset, the commune helpers, maps that centre on what they draw,
and a real-time feed without update times."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import diskcache
import polars as pl
import pytest

from components.maps import FRANCE_BOX, geo_view, view_for
from components.selectors import commune_defaults, merge_query, parse_commune
from data_access import freshness, territory
from data_access import stationnement as sq
from data_access.catalog import CatalogError, parse_catalog
from data_access.context import DataContext, demo_share
from data_access.snapshots import SnapshotMeta, SnapshotStore

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def raw(**territory_keys):
    terr = {"name": "Terr", "portal": "https://portal.example", "kind": "epci",
            "communes": [{"code": "11111", "name": "Aval", "population": 1200}, {"code": "22222", "name": "Amont"}]}
    terr.update(territory_keys)
    ds = {"title": "T", "dataset_id": "ds", "visibility": "public", "source": "S", "licence": "L",
          "role": "mobility.accidents", "refresh_every": "1d",
          "columns": [{"name": "code", "type": "str"}, {"name": "demonstration", "type": "bool"}]}
    return {"territory": terr, "datasets": {"ds": ds}}


# -- catalog ---------------------------------------------------------------------------------------------------
def test_the_territory_section_holds_everything_territorial():
    cat = parse_catalog(raw(default_commune="22222", timezone="America/Cayenne", bbox=[1, 2, 3, 4],
                            outlines="ds", contact_email="x@y.fr"))
    t = cat.territory
    assert (t.kind, t.default_commune, t.timezone, t.bbox, t.outlines) == ("epci", "22222", "America/Cayenne",
                                                                           (1.0, 2.0, 3.0, 4.0), "ds")
    assert t.population("11111") == 1200 and t.population("22222") is None
    assert cat.for_role("mobility.accidents").key == "ds" and cat.for_role("parking.realtime") is None
    # The identity is the catalog's own name and communes: a display override does not change it.
    assert parse_catalog(raw(), territory_name="Autre nom").territory.identity == parse_catalog(raw()).territory.identity
    assert parse_catalog(raw(name="Autre")).territory.identity != parse_catalog(raw()).territory.identity


@pytest.mark.parametrize("keys, message", [
    ({"default_commune": "99999"}, "default_commune"),
    ({"bbox": [3, 2, 1, 4]}, "bbox"),
    ({"bbox": [1, 2, 3]}, "bbox"),
    ({"kind": "village"}, "kind"),
    ({"outlines": "nowhere"}, "outlines"),
])
def test_a_wrong_territory_is_refused_with_its_key(keys, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(raw(**keys))


def test_two_datasets_may_not_claim_one_role_and_roles_are_dotted():
    doubled = raw()
    doubled["datasets"]["other"] = dict(doubled["datasets"]["ds"], dataset_id="other")
    with pytest.raises(CatalogError, match="both claim role 'mobility.accidents'"):
        parse_catalog(doubled)
    bad = raw()
    bad["datasets"]["ds"]["role"] = "accidents"
    with pytest.raises(CatalogError, match="role is like"):
        parse_catalog(bad)


def test_a_territory_without_datasets_is_a_valid_catalog():
    empty = raw()
    del empty["datasets"]
    assert len(parse_catalog(empty)) == 0


# -- freshness by age ------------------------------------------------------------------------------------------
def _spec(every="1d", **flags):
    return dataclasses.replace(parse_catalog(raw())["ds"], refresh_every=every, **flags)


def _meta(age: timedelta | None, error: str | None = None, data: bool = True) -> SnapshotMeta:
    return SnapshotMeta(key="ds", file="ds-x.parquet" if data else None,
                        fetched_at=NOW - age if age is not None else None, last_error=error)


@pytest.mark.parametrize("every, fresh_until", [
    ("1d", timedelta(days=1, hours=12)),  # the cadence plus half of it
    ("5min", timedelta(minutes=10)),  # plus at least GRACE_MINUTES (5 min)
    ("6h", timedelta(hours=9)),
])
def test_fresh_while_younger_than_the_cadence_plus_the_tolerance(every, fresh_until):
    spec = _spec(every)
    assert freshness.judge(spec, _meta(fresh_until), NOW) == (freshness.FRESH, None)
    state, reason = freshness.judge(spec, _meta(fresh_until + timedelta(seconds=1)), NOW)
    assert state == freshness.STALE and every in reason


def test_other_states_and_their_reasons():
    spec = _spec()
    assert freshness.judge(spec, _meta(timedelta(0), error="HTTP 503"), NOW)[0] == freshness.STALE
    assert freshness.judge(spec, _meta(None, data=False), NOW) == (
        freshness.MISSING, "pas encore de données — lancez `python -m data_access refresh`")
    assert freshness.judge(spec, _meta(None, error="HTTP 404", data=False), NOW)[0] == freshness.FAILED
    old = _meta(timedelta(days=4000))  # never fetched, so never "too old"
    assert freshness.judge(_spec(demo=True), old, NOW) == (freshness.DEMO, None)
    assert freshness.judge(_spec(bundled_only=True), old, NOW) == (freshness.REFERENCE, None)
    assert freshness.DEGRADED == {freshness.STALE, freshness.FAILED, freshness.MISSING}


# -- demonstration share ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("flags, demo, expected", [
    ([True, True], True, "all"), ([True, False], True, "part"), ([False, False], True, None),
    ([None, None], True, "all"),  # no flag on a row: the dataset's own demo flag
    ([None, False], False, None),
])
def test_demo_share_from_the_per_row_flag(tmp_path, flags, demo, expected):
    catalog = parse_catalog(raw())
    catalog = dataclasses.replace(catalog, datasets={"ds": dataclasses.replace(catalog["ds"], demo=demo)})
    ctx = DataContext.__new__(DataContext)  # the parts demo_share uses, without settings
    ctx.catalog, ctx.store = catalog, SnapshotStore(tmp_path / "snapshots")
    ctx.cache = diskcache.Cache(str(tmp_path / "cache"))
    meta = ctx.store.write("ds", pl.DataFrame({"code": ["a", "b"], "demonstration": pl.Series(flags, dtype=pl.Boolean)}),
                           source_url="test", origin="portal")
    assert demo_share(ctx, "ds", meta.version) == expected
    ctx.cache.close()


# -- communes ----------------------------------------------------------------------------------------------------
def test_commune_helpers_and_the_default_commune_in_the_url():
    terr = parse_catalog(raw(default_commune="22222")).territory
    assert territory.label(territory.ALL, terr) == "tout le territoire" and territory.label("11111", terr) == "Aval"
    assert parse_commune(None, terr).value == "22222"  # the catalog's default
    defaults = commune_defaults(terr)
    assert merge_query("", defaults, commune="22222") == ""  # the default is left out of the URL
    assert merge_query("", defaults, commune=territory.ALL) == "?commune=all"  # "tout le territoire" is said
    assert parse_commune("all", terr).value == territory.ALL
    frame = pl.DataFrame({"commune_code": ["11111", "22222", None]})
    assert territory.filter_commune(frame, "11111").height == 1
    assert territory.filter_commune(frame, "11111", column=None).height == 3  # no commune column: the whole
    budget = pl.DataFrame({"commune_code": ["11111", "11111", "22222"]})
    assert territory.commune_for_single_budget(budget, terr) == "22222"  # the default, when the data has it
    assert territory.commune_for_single_budget(budget, parse_catalog(raw()).territory) == "11111"  # most rows
    assert territory.commune_for_single_budget(pl.DataFrame({"x": [1]}), terr) is None


# -- maps ----------------------------------------------------------------------------------------------------------
def test_maps_centre_on_what_they_draw():
    empty = {"type": "FeatureCollection", "features": []}
    assert view_for(empty) == geo_view(FRANCE_BOX)  # nothing to draw: France, never one city
    france = view_for(empty)["lonaxis"]["range"]
    assert france[0] < -4 and france[1] > 8
    view = view_for(empty, [43.60, 43.62], [1.43, 1.45])
    (west, east), (south, north) = view["lonaxis"]["range"], view["lataxis"]["range"]
    assert (west + east) / 2 == pytest.approx(1.44) and (south + north) / 2 == pytest.approx(43.61)
    assert west < 1.43 and east > 1.45 and east - west < 0.03  # the points with a margin, not a region
    one = view_for(empty, [43.6], [1.44])  # a single point: a neighbourhood around it, never an empty range
    assert one["lonaxis"]["range"][1] - one["lonaxis"]["range"][0] > 0
    assert one["lataxis"]["range"][1] - one["lataxis"]["range"][0] > 0
    square = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[5.0, 45.0], [5.2, 45.0], [5.2, 45.2], [5.0, 45.0]]]}}]}
    view = view_for(square, [45.1], [float("nan")])  # a point without longitude is ignored
    assert sum(view["lonaxis"]["range"]) / 2 == pytest.approx(5.1)
    assert sum(view["lataxis"]["range"]) / 2 == pytest.approx(45.1)


# -- a real-time feed without update times ---------------------------------------------------------------------------
def test_a_feed_without_update_times_is_shown_not_failed():
    feed = pl.DataFrame({"parking_id": ["B", "A"], "name": ["b", "a"], "free_spots": [0, 40], "capacity": [100, 80],
                         "fill_rate": [None, None], "last_update": pl.Series([None, None], dtype=pl.Datetime("us", "UTC")),
                         "lat": [1.0, 2.0], "lon": [3.0, 4.0]})
    status = sq.realtime_status(feed)
    assert status["parking_id"].to_list() == ["A", "B"]
    assert status["time_known"].to_list() == [False, False] and status["late"].to_list() == [False, False]
    assert status["state"].to_list() == ["disponible", "complet"]
    assert status["fill_rate"].to_list() == [50.0, 100.0]  # derived from free spots and capacity
    assert sq.realtime_status(feed.drop("last_update"))["time_known"].to_list() == [False, False]
    timed = feed.with_columns(pl.lit(NOW).alias("last_update"), pl.lit(10.0).alias("fill_rate"))
    assert sq.realtime_status(timed)["time_known"].all()
