"""Fast checks of the fake ODS portal itself, so tests built on it rest on known behaviour."""

from __future__ import annotations

import io
import threading

import httpx
import polars as pl
import pytest

from tests.fake_portal import (
    FakePortal,
    delay,
    fake_portal,  # noqa: F401 - pytest fixture
    malformed_json,
    renamed_field,
    status,
    truncated,
    velib_records,
    wrong_type,
)

VELIB = "velib-disponibilite-en-temps-reel"


def export_url(portal: FakePortal, dataset_id: str, fmt: str) -> str:
    return f"{portal.base_url}/api/explore/v2.1/catalog/datasets/{dataset_id}/exports/{fmt}"


def test_json_export_returns_all_records_beyond_records_ceiling(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(25_000))
    r = httpx.get(export_url(fake_portal, VELIB, "json"), params={"limit": -1})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert len(data) == 25_000
    assert data[0]["coordonnees_geo"].keys() == {"lon", "lat"}
    assert fake_portal.requests[-1].query == {"limit": "-1"}


def test_metadata_describes_fields(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(3))
    r = httpx.get(f"{fake_portal.base_url}/api/explore/v2.1/catalog/datasets/{VELIB}")
    meta = r.json()
    assert meta["dataset_id"] == VELIB and meta["metas"]["default"]["records_count"] == 3
    types = {f["name"]: f["type"] for f in meta["fields"]}
    assert types["coordonnees_geo"] == "geo_point_2d"
    assert types["capacity"] == "int" and types["duedate"] == "datetime" and types["is_installed"] == "text"


def test_csv_export_parses_with_polars(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(50))
    r = httpx.get(export_url(fake_portal, VELIB, "csv"))
    assert r.headers["content-type"].startswith("text/csv")
    df = pl.read_csv(io.BytesIO(r.content), separator=";", schema_overrides={"stationcode": pl.String})
    assert df.height == 50
    assert df["stationcode"][0] == "10000"
    lat, lon = (float(x) for x in df["coordonnees_geo"][0].split(","))  # "lat, lon"
    assert 48 < lat < 49 and 2 < lon < 3


def test_parquet_export_parses_with_polars(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(50))
    r = httpx.get(export_url(fake_portal, VELIB, "parquet"))
    df = pl.read_parquet(io.BytesIO(r.content))
    assert df.height == 50
    assert df.schema["coordonnees_geo"] == pl.Struct({"lon": pl.Float64, "lat": pl.Float64})
    assert df.schema["capacity"] == pl.Int64


def test_where_equality_or_and_limit(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(100))
    r = httpx.get(export_url(fake_portal, VELIB, "json"),
                  params={"where": 'code_insee_commune="92040" OR code_insee_commune="92075"'})
    assert {rec["code_insee_commune"] for rec in r.json()} == {"92040", "92075"}
    assert len(r.json()) == 40
    assert len(httpx.get(export_url(fake_portal, VELIB, "json"), params={"limit": 7}).json()) == 7


def test_parquet_can_be_unsupported(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(5), formats=("json", "csv"))
    r = httpx.get(export_url(fake_portal, VELIB, "parquet"))
    assert r.status_code == 400 and "error_code" in r.json()


def test_private_dataset_needs_api_key(fake_portal):
    fake_portal.add_dataset("flotte", [{"immat": "AB-123-CD", "energie": "électrique"}], api_key="s3cret")
    url = export_url(fake_portal, "flotte", "json")
    anonymous = httpx.get(url)
    assert anonymous.status_code == 401 and anonymous.json()["error_code"]
    assert httpx.get(url, headers={"Authorization": "Apikey wrong"}).status_code == 401
    ok = httpx.get(url, headers={"Authorization": "Apikey s3cret"})
    assert ok.status_code == 200 and ok.json()[0]["energie"] == "électrique"
    assert fake_portal.requests[-1].headers["Authorization"] == "Apikey s3cret"


def test_unknown_dataset_and_path_are_404(fake_portal):
    assert httpx.get(export_url(fake_portal, "nope", "json")).status_code == 404
    assert httpx.get(f"{fake_portal.base_url}/elsewhere").status_code == 404


def test_queued_faults_are_consumed_in_order(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.fail(VELIB, status(503), status(429, retry_after=1), status(500))
    url = export_url(fake_portal, VELIB, "json")
    with httpx.Client() as client:
        codes = []
        for _ in range(4):
            r = client.get(url)
            codes.append(r.status_code)
            if r.status_code == 429:
                assert r.headers["Retry-After"] == "1"
                assert r.json()["error_code"] == "TooManyRequests"
        assert codes == [503, 429, 500, 200]
    assert len(fake_portal.requests_to(VELIB, "exports")) == 4


def test_set_always_until_cleared(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.set_always(VELIB, status(503))
    assert [httpx.get(export_url(fake_portal, VELIB, "json")).status_code for _ in range(3)] == [503] * 3
    fake_portal.set_always(VELIB, None)
    assert httpx.get(export_url(fake_portal, VELIB, "json")).status_code == 200


def test_truncated_body_makes_httpx_raise(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(200))
    fake_portal.fail(VELIB, truncated())
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(export_url(fake_portal, VELIB, "json"))
    assert len(httpx.get(export_url(fake_portal, VELIB, "json")).json()) == 200


def test_malformed_bodies(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(20))
    fake_portal.fail(VELIB, malformed_json(), malformed_json())
    r = httpx.get(export_url(fake_portal, VELIB, "json"))
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    with pytest.raises(Exception):  # noqa: B017 - polars raises its own ComputeError/OSError variants
        pl.read_parquet(io.BytesIO(httpx.get(export_url(fake_portal, VELIB, "parquet")).content))


def test_schema_drift_faults(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.fail(VELIB, renamed_field("numbikesavailable", "nb_velos"), wrong_type("capacity", "beaucoup"))
    renamed = httpx.get(export_url(fake_portal, VELIB, "json")).json()
    assert "nb_velos" in renamed[0] and "numbikesavailable" not in renamed[0]
    df = pl.read_parquet(io.BytesIO(httpx.get(export_url(fake_portal, VELIB, "parquet")).content))
    assert df.schema["capacity"] == pl.String and df["capacity"].unique().to_list() == ["beaucoup"]


def test_delay_triggers_client_timeout(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.fail(VELIB, delay(2))
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(export_url(fake_portal, VELIB, "json"), timeout=0.2)
    assert httpx.get(export_url(fake_portal, VELIB, "json"), timeout=5).status_code == 200


def test_records_endpoint_refuses_deep_pagination(fake_portal):
    fake_portal.add_dataset(VELIB, velib_records(10_100))
    url = f"{fake_portal.base_url}/api/explore/v2.1/catalog/datasets/{VELIB}/records"
    ok = httpx.get(url, params={"limit": 100, "offset": 9_900})
    assert ok.status_code == 200 and ok.json()["total_count"] == 10_100 and len(ok.json()["results"]) == 100
    refused = httpx.get(url, params={"limit": 100, "offset": 9_950})
    assert refused.status_code == 400 and refused.json()["error_code"] == "InvalidRESTParameterError"


def test_stop_is_clean_with_open_keepalive_and_pending_delay():
    before = set(threading.enumerate())
    portal = FakePortal().start()
    portal.add_dataset(VELIB, velib_records(5))
    client = httpx.Client()
    assert client.get(export_url(portal, VELIB, "json")).status_code == 200  # leaves an idle keep-alive
    portal.fail(VELIB, delay(30))
    worker = threading.Thread(target=lambda: pytest.raises(httpx.HTTPError, client.get,
                                                           export_url(portal, VELIB, "json"), timeout=10))
    worker.start()
    while not portal.requests_to(VELIB, "exports")[1:]:
        threading.Event().wait(0.01)
    portal.stop()
    worker.join(timeout=5)
    client.close()
    assert not worker.is_alive()
    assert set(threading.enumerate()) <= before
