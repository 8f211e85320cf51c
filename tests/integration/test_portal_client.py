"""The Explore v2.1 client against a real local HTTP server (tests/fake_portal.py on 127.0.0.1)."""

from __future__ import annotations

import time

import polars as pl
import pytest

from data_access.errors import (BadRequest, InvalidPayload, NotFound, PortalTimeout, RateLimited, ServerError,
                                Unauthorized)
from data_access.portal import API, PortalClient
from tests.fake_portal import delay, malformed_json, status, truncated, velib_records

VELIB = "velib-disponibilite-en-temps-reel"


class FakeSleep:
    """Records the waits instead of sleeping them."""

    def __init__(self):
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleep():
    return FakeSleep()


@pytest.fixture
def client_for(fake_portal, sleep):
    clients = []

    def make(api_key=None, **kw) -> PortalClient:
        kw.setdefault("timeout", 5.0)
        kw.setdefault("max_retries", 3)
        kw.setdefault("backoff", 0.5)
        client = PortalClient(fake_portal.base_url, api_key, sleep=sleep, **kw)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def exports(fake_portal, dataset_id=VELIB):
    return fake_portal.requests_to(dataset_id, "exports")


def test_normal_export_uses_parquet_export_never_records(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(30))
    export = client_for().export(VELIB, where='code_insee_commune="92040"')
    assert export.format == "parquet"
    assert export.url.startswith(f"{fake_portal.base_url}{API}/catalog/datasets/{VELIB}/exports/parquet")
    assert export.frame.height == 6  # 30 records, one commune in five
    assert set(export.frame["code_insee_commune"].to_list()) == {"92040"}
    assert export.frame.schema["capacity"] == pl.Int64
    assert export.frame.schema["coordonnees_geo"] == pl.Struct({"lon": pl.Float64, "lat": pl.Float64})
    paths = [r.path for r in fake_portal.requests]
    assert paths == [f"{API}/catalog/datasets/{VELIB}/exports/parquet"]
    assert not fake_portal.requests_to(VELIB, "records")
    assert fake_portal.requests[0].query == {"limit": "-1", "where": 'code_insee_commune="92040"'}
    assert fake_portal.requests[0].headers["User-Agent"].startswith("Pilote/")


def test_large_export_in_one_request_beyond_records_ceiling(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(25_000))
    export = client_for().export(VELIB)
    assert export.frame.height == 25_000
    assert export.frame["stationcode"].n_unique() == 25_000
    assert len(fake_portal.requests) == 1
    assert not fake_portal.requests_to(VELIB, "records")


def test_json_fallback_when_parquet_refused(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(12), formats=("json", "csv"))
    export = client_for().export(VELIB)
    assert export.format == "json"
    assert export.frame.height == 12
    assert export.frame["stationcode"].to_list()[:2] == ["10000", "10001"]
    assert [r.path.rsplit("/", 1)[-1] for r in exports(fake_portal)] == ["parquet", "json"]


def test_csv_fallback(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(7), formats=("csv",))
    export = client_for().export(VELIB)
    assert export.format == "csv"
    assert export.frame.height == 7
    assert export.frame["coordonnees_geo"][0] == "48.8, 2.25"  # ODS CSV writes geo points as "lat, lon"
    assert [r.path.rsplit("/", 1)[-1] for r in exports(fake_portal)] == ["parquet", "json", "csv"]
    assert exports(fake_portal)[-1].query["delimiter"] == ";"


def test_unauthorized_without_key_and_header_sent_with_key(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(3), api_key="s3cret")
    with pytest.raises(Unauthorized) as info:
        client_for().export(VELIB)
    assert "401" in str(info.value) and info.value.reason().startswith("unauthorised")
    assert len(fake_portal.requests) == 1  # not retried, no other format tried
    assert "Authorization" not in fake_portal.requests[0].headers

    with pytest.raises(Unauthorized):
        client_for("wrong").export(VELIB)
    assert fake_portal.requests[-1].headers["Authorization"] == "Apikey wrong"

    export = client_for("s3cret").export(VELIB)
    assert export.frame.height == 3
    assert fake_portal.requests[-1].headers["Authorization"] == "Apikey s3cret"


def test_not_found_is_not_retried(fake_portal, client_for, sleep):
    with pytest.raises(NotFound) as info:
        client_for().export("no-such-dataset")
    assert "404" in str(info.value)
    assert len(fake_portal.requests) == 1
    assert sleep.calls == []


def test_429_retry_after_is_honoured(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.fail(VELIB, status(429, retry_after=1))
    export = client_for().export(VELIB)
    assert export.frame.height == 5 and export.format == "parquet"
    assert sleep.calls == [1.0]
    assert len(exports(fake_portal)) == 2


def test_500_then_success_retries_with_backoff(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.fail(VELIB, status(500), status(502), status(503))
    export = client_for(max_retries=3, backoff=0.5).export(VELIB)
    assert export.frame.height == 5
    assert sleep.calls == [0.5, 1.0, 2.0]
    assert len(exports(fake_portal)) == 4


def test_503_forever_gives_up_after_max_retries(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.set_always(VELIB, status(503))
    with pytest.raises(ServerError) as info:
        client_for(max_retries=2, backoff=0.25).export(VELIB)
    assert "503" in str(info.value) and info.value.reason().startswith("server error")
    assert len(exports(fake_portal)) == 3  # max_retries + 1, and no other format tried
    assert sleep.calls == [0.25, 0.5]


def test_429_forever_raises_rate_limited(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.set_always(VELIB, status(429, retry_after=2))
    with pytest.raises(RateLimited):
        client_for(max_retries=2).export(VELIB)
    assert sleep.calls == [2.0, 2.0]
    assert len(exports(fake_portal)) == 3


def test_retry_after_beyond_max_wait_gives_up_at_once(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.fail(VELIB, status(429, retry_after=3600))
    with pytest.raises(RateLimited):
        client_for(max_wait=60).export(VELIB)
    assert sleep.calls == []
    assert len(exports(fake_portal)) == 1


def test_timeout_raises_portal_timeout(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.set_always(VELIB, delay(5))
    started = time.monotonic()
    with pytest.raises(PortalTimeout) as info:
        client_for(timeout=0.3, max_retries=1).export(VELIB)
    assert time.monotonic() - started < 3
    assert info.value.reason().startswith("timeout")
    assert len(exports(fake_portal)) == 2
    assert sleep.calls == [0.5]


def test_one_slow_answer_then_success(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(5))
    fake_portal.fail(VELIB, delay(5))
    export = client_for(timeout=0.3).export(VELIB)
    assert export.frame.height == 5


def test_truncated_body_is_retried(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(50))
    fake_portal.fail(VELIB, truncated())
    export = client_for().export(VELIB)
    assert export.frame.height == 50
    assert len(exports(fake_portal)) == 2
    assert sleep.calls == [0.5]


def test_truncated_body_forever_is_an_error(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(50))
    fake_portal.set_always(VELIB, truncated())
    with pytest.raises(ServerError) as info:
        client_for(max_retries=2).export(VELIB)
    assert "body incomplete" in str(info.value) and "expected" in str(info.value)
    assert len(exports(fake_portal)) == 3


def test_garbage_in_every_format_is_invalid_payload(fake_portal, client_for, sleep):
    fake_portal.add_dataset(VELIB, velib_records(20))
    fake_portal.set_always(VELIB, malformed_json())
    with pytest.raises(InvalidPayload) as info:
        client_for().export(VELIB)
    reason = info.value.reason()
    assert reason.startswith("invalid payload: no usable export")
    for cause in ("parquet: unreadable parquet body", "json: unreadable json body", "csv: unreadable csv body"):
        assert cause in reason
    assert "\n" not in reason
    # Each format was tried once: an unreadable body is not retried, the next format is.
    assert [r.path.rsplit("/", 1)[-1] for r in exports(fake_portal)] == ["parquet", "json", "csv"]
    assert sleep.calls == []


def test_every_format_refused_is_bad_request(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(3), formats=())
    with pytest.raises(BadRequest) as info:
        client_for().export(VELIB)
    assert "no usable export" in str(info.value)
    assert str(info.value).count("HTTP 400") == 3
    assert len(exports(fake_portal)) == 3


def test_malformed_json_only_export(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(20), formats=("json",))
    fake_portal.set_always(VELIB, malformed_json())
    with pytest.raises(InvalidPayload, match="json"):
        client_for().export(VELIB, formats=("json",))
    assert len(exports(fake_portal)) == 1


def test_garbage_parquet_falls_back_to_json(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(20))
    fake_portal.fail(VELIB, malformed_json())  # only the first (parquet) answer is broken
    export = client_for().export(VELIB)
    assert export.format == "json" and export.frame.height == 20


def test_dataset_metadata(fake_portal, client_for):
    fake_portal.add_dataset(VELIB, velib_records(9), title="Vélib - Disponibilité", license="ODbL")
    meta = client_for().dataset_metadata(VELIB)
    assert meta["dataset_id"] == VELIB
    assert meta["metas"]["default"]["title"] == "Vélib - Disponibilité"
    assert meta["metas"]["default"]["records_count"] == 9
    assert meta["metas"]["default"]["license"] == "ODbL"
    assert {f["name"] for f in meta["fields"]} >= {"stationcode", "capacity", "coordonnees_geo"}
    assert [r.path for r in fake_portal.requests] == [f"{API}/catalog/datasets/{VELIB}"]


def test_dataset_metadata_not_found(fake_portal, client_for):
    with pytest.raises(NotFound):
        client_for().dataset_metadata("nope")
