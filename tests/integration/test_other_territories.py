"""Pilote for another territory, by configuration only: Ville de Paris over real data.

A FakePortal serves the real Paris rows of ../shared/data/real (tests/territories/paris.py); the command line
refreshes the catalogs of tests/territories into temporary data directories, as cron would; the snapshots must
hold the figures computed independently from the source rows. Also: a catalog with a single dataset, and a
territory with no dataset at all.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from data_access.catalog import load_catalog
from data_access.snapshots import SnapshotStore
from tests.fake_portal import FakePortal
from tests.territories import paris

PARIS_KEYS = ["irve_paris", "accidents_paris", "comptages_paris", "arcs_paris"]
ARRONDISSEMENT = re.compile(r"^751(0[1-9]|1[0-9]|20)$")
LAT = (48.80, 48.92)  # Paris, generously: a swapped or mis-read coordinate falls far outside
LON = (2.20, 2.50)


def _explain(done) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


@pytest.fixture(scope="module")
def portal():
    with FakePortal() as server:  # one portal for the module's refreshes
        yield server


@pytest.fixture(scope="module")
def expected(portal) -> dict:
    return paris.serve(portal)


@pytest.fixture(scope="module")
def paris_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("paris-data")


@pytest.fixture(scope="module")
def paris_refresh(portal, expected, paris_dir):
    return paris.refresh(paris.PARIS_CATALOG, paris_dir, portal.base_url)


@pytest.fixture(scope="module")
def store(paris_refresh, paris_dir) -> SnapshotStore:
    return SnapshotStore(paris_dir / "snapshots")


def _coordinates_in_paris(frame: pl.DataFrame, what: str) -> None:
    """Every row has a latitude and a longitude, in Paris and not swapped."""
    assert frame["lat"].null_count() == 0 and frame["lon"].null_count() == 0, f"{what}: rows without coordinates"
    outside = frame.filter(~pl.col("lat").is_between(*LAT) | ~pl.col("lon").is_between(*LON))
    assert outside.height == 0, f"{what}: {outside.height} rows outside Paris, e.g. {outside.head(3).to_dicts()}"


# ------------------------------------------------------------------------------------------------- Paris
def test_paris_refresh_of_every_dataset_succeeds(paris_refresh):
    assert paris_refresh.returncode == 0, _explain(paris_refresh)
    for key in PARIS_KEYS:
        assert key in paris_refresh.stdout


def test_charge_points(store, expected):
    points = store.read("irve_paris")
    assert points.height == expected["irve_charge_points"] == 1989
    # The 25 points "En test" without an itinérance id are dropped, and said so.
    assert store.meta("irve_paris").bad_rows == expected["irve_rows_without_id"] == 25
    assert points["id_pdc_itinerance"].n_unique() == points.height
    assert points["commune_code"].null_count() == 0
    assert all(ARRONDISSEMENT.match(code) for code in points["commune_code"].unique())
    per_commune = dict(points.group_by("commune_code").len().iter_rows())
    assert per_commune == expected["irve_points_by_commune"]
    top = points.group_by("commune_code").len().sort(["len", "commune_code"], descending=True).row(0)
    assert top == (expected["irve_commune_with_most_points"], expected["irve_points_in_that_commune"]) == ("75115", 209)
    classes = {label: points.filter((pl.col("puissance_nominale") > low) & (pl.col("puissance_nominale") <= high)).height
               for label, low, high in paris.POWER_CLASSES}
    assert classes == expected["irve_points_by_power_class"]
    assert {col: int(points[col].sum()) for col in expected["irve_points_by_plug"]} == expected["irve_points_by_plug"]
    years = dict(points.group_by(pl.col("date_mise_en_service").dt.year().cast(pl.Int64)).len().iter_rows())
    assert years == expected["irve_points_opened_by_year"]
    _coordinates_in_paris(points, "irve_paris")


def test_accidents(store, expected):
    accidents = store.read("accidents_paris")
    # 112 rows served, two of them exact duplicates of others: 110 accidents.
    assert expected["accidents_paris_rows_served"] == 112
    assert accidents.height == expected["accidents_paris"] == 110
    assert accidents["accident_id"].n_unique() == accidents.height
    codes = accidents["commune_code"].unique().to_list()
    assert all(ARRONDISSEMENT.match(code) for code in codes), codes  # "75117", not "75117.0"
    assert dict(accidents.group_by("commune_code").len().iter_rows()) == expected["accidents_paris_by_commune"]
    severities = dict(accidents.group_by("gravite").len().iter_rows())
    assert set(severities) <= set(paris.SEVERITIES), severities  # no "autre": every category is in the vocabulary
    assert {s: severities.get(s, 0) for s in paris.SEVERITIES} == expected["accidents_paris_by_severity"]
    assert int(accidents["nb_tues"].sum()) == expected["accidents_paris_killed"]
    assert accidents["heure"].null_count() == accidents.height  # the sample has no hour
    months = dict(accidents.group_by(pl.col("date").dt.month().cast(pl.Int64)).len().iter_rows())
    assert months == expected["accidents_paris_by_month"]
    assert accidents["date"].min() >= date(2024, 1, 1) and accidents["date"].max() <= date(2024, 12, 31)
    _coordinates_in_paris(accidents, "accidents_paris")


def test_traffic_counts(store, expected):
    counts = store.read("comptages_paris")
    assert counts.height == expected["counts_rows"] == 9294
    assert counts["arc_id"].unique().to_list() == expected["counts_arcs"]
    assert counts.schema["heure"] == pl.Datetime("us", "UTC")
    local = counts.with_columns(pl.col("heure").dt.convert_time_zone("Europe/Paris").dt.date().alias("jour"))
    assert local["jour"].n_unique() == expected["counts_days"] == 393
    with_flow = local.filter(pl.col("debit").is_not_null())
    assert with_flow.height == expected["counts_hours_with_flow"]
    full_days = with_flow.group_by("jour").len().filter(pl.col("len") == 24).height
    assert full_days == expected["counts_days_with_24_hourly_flows"]
    assert with_flow["debit"].sum() == pytest.approx(expected["counts_total_vehicles"])
    assert counts["heure"].min().isoformat() == expected["counts_first_hour_utc"]
    assert counts["heure"].max().isoformat() == expected["counts_last_hour_utc"]
    assert dict(counts.group_by("etat_trafic").len().iter_rows()) == expected["counts_hours_by_traffic_state"]
    assert counts["lat"].mean() == pytest.approx(expected["counts_arc_lat"], abs=1e-9)
    assert counts["lon"].mean() == pytest.approx(expected["counts_arc_lon"], abs=1e-9)
    _coordinates_in_paris(counts, "comptages_paris")


def test_counting_arcs_from_lat_lon_lists(store, expected):
    arcs = store.read("arcs_paris")
    # One row per segment: 3,739 segments of 3,348 arcs.
    assert arcs.height == expected["arcs_rows"] == 3739
    assert arcs["arc_id"].n_unique() == expected["arcs_distinct_ids"] == 3348
    assert arcs.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null()).height \
        == expected["arcs_rows_with_coordinates"]
    _coordinates_in_paris(arcs, "arcs_paris")  # [lat, lon] read as lat then lon, not GeoJSON's [lon, lat]
    arc = arcs.filter(pl.col("arc_id") == "5671").row(0, named=True)
    assert (arc["lat"], arc["lon"]) == pytest.approx((expected["arc_5671_lat"], expected["arc_5671_lon"]))
    assert arcs["geometry"].null_count() == 0
    assert "LineString" in arc["geometry"]


def test_status_lists_the_four_paris_datasets(paris_refresh, paris_dir):
    done = paris.status(paris.PARIS_CATALOG, paris_dir)
    assert done.returncode == 0, _explain(done)
    listed = [line.split()[0] for line in done.stdout.splitlines()[2:] if line.strip()]
    assert listed == PARIS_KEYS, done.stdout


# ------------------------------------------------------------------------------------------- one dataset
def test_single_dataset_catalog_refreshes_its_one_dataset(portal, expected, tmp_path):
    assert list(load_catalog(paris.SINGLE_CATALOG).datasets) == ["accidents_paris"]
    done = paris.refresh(paris.SINGLE_CATALOG, tmp_path, portal.base_url)
    assert done.returncode == 0, _explain(done)
    snapshots = tmp_path / "snapshots"
    assert SnapshotStore(snapshots).read("accidents_paris").height == expected["accidents_paris"]
    assert sorted(p.name.split(".")[0] for p in snapshots.glob("*.meta.json")) == ["accidents_paris"]
    status = paris.status(paris.SINGLE_CATALOG, tmp_path)
    assert status.returncode == 0, _explain(status)
    assert [line.split()[0] for line in status.stdout.splitlines()[2:] if line.strip()] == ["accidents_paris"]


# -------------------------------------------------------------------------------------------- no dataset
NOTHING_TO_DO = re.compile(r"aucun jeu de donn[ée]es|no datasets?\b", re.IGNORECASE)


def test_empty_catalog_is_accepted():
    catalog = load_catalog(paris.EMPTY_CATALOG)
    assert len(catalog) == 0 and len(catalog.territory.communes) == 20
    assert catalog.territory.name == "Ville de Paris"


@pytest.mark.parametrize("command", ["refresh", "status"])
def test_empty_catalog_command_exits_cleanly_saying_there_is_nothing(command, portal, tmp_path):
    requests_before = len(portal.requests)
    if command == "refresh":
        done = paris.refresh(paris.EMPTY_CATALOG, tmp_path, portal.base_url)
    else:
        done = paris.status(paris.EMPTY_CATALOG, tmp_path)
    assert done.returncode == 0, _explain(done)
    assert "Traceback" not in done.stderr, _explain(done)
    assert NOTHING_TO_DO.search(done.stdout + done.stderr), _explain(done)
    assert len(portal.requests) == requests_before  # nothing asked of the portal
    assert not list((tmp_path / "snapshots").glob("*.parquet"))
