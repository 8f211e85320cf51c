"""The query cache in Redis (PILOTE_REDIS_URL), on a real Redis server; diskcache otherwise."""

from __future__ import annotations

import dataclasses

import diskcache
import polars as pl

from data_access.cache_store import RedisCache, open_cache
from data_access.settings import Settings
from tests.services import free_port


def test_values_round_trip_and_expire_per_territory(redis_server):
    url = redis_server.url()
    gpso, other = RedisCache(url, "pilote:aaaa:q:"), RedisCache(url, "pilote:bbbb:q:")
    frame = pl.DataFrame({"commune": ["92040", "92012"], "velos": [12, 7]})
    key = ("data_access.mobilite", "velib_stations", (("velib_stations", "v1"),), ("92040",))
    gpso.set(key, frame, expire=3600)
    assert gpso.get(key).equals(frame)
    assert other.get(key, "absent") == "absent"  # another territory sharing the server sees nothing of it
    other.set(key, "autre", expire=3600)
    assert 0 < gpso.client.ttl(gpso._key(key)) <= 3600
    assert gpso.clear() == 1 and gpso.get(key) is None and other.get(key) == "autre"


def test_an_unreachable_redis_is_a_slower_page_not_an_error(caplog):
    down = RedisCache(f"redis://127.0.0.1:{free_port()}/1", "pilote:x:q:")
    with caplog.at_level("WARNING", logger="pilote.cache"):
        assert down.get(("k",), "computed") == "computed"
        down.set(("k",), 1, expire=10)
        down.get(("k",))
    assert caplog.text.count("unreachable") == 1  # said once, not at every query


def test_the_setting_chooses_the_store(tmp_path, redis_server):
    settings = Settings.from_env()
    local = open_cache(dataclasses.replace(settings, cache_dir=tmp_path / "cache", redis_url=None), "t")
    shared = open_cache(dataclasses.replace(settings, redis_url=redis_server.url()), "t")
    assert isinstance(local, diskcache.Cache) and isinstance(shared, RedisCache)
    assert shared.prefix == "pilote:t:q:"
    local.close()
    shared.close()
