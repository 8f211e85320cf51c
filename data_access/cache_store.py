"""Where memoised query answers live: a diskcache directory by default (one host: its workers share it), or
Redis when ``PILOTE_REDIS_URL`` is set (several hosts share it).

Both answer the slice of diskcache's interface the queries use: ``get(key, default)``, ``set(key, value,
expire)``, ``clear()``, ``close()``. A cache that cannot be reached is a slower page, never an error.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from typing import Any

import diskcache

LOG = logging.getLogger("pilote.cache")


class RedisCache:
    """Values pickled under ``prefix`` + a hash of the key. The Redis server must be private to the app (as
    the cache directory is): what it holds is unpickled."""

    def __init__(self, url: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self.prefix = prefix
        self._errors = redis.RedisError
        self._warned = False

    def _key(self, key: Any) -> str:
        return self.prefix + hashlib.sha256(repr(key).encode()).hexdigest()

    def _unreachable(self, exc: Exception) -> None:
        if not self._warned:  # once per process: a down cache must not flood the log
            LOG.warning("query cache (Redis) unreachable, answers are computed without it: %s", exc)
            self._warned = True

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            raw = self.client.get(self._key(key))
        except self._errors as exc:
            self._unreachable(exc)
            return default
        return default if raw is None else pickle.loads(raw)

    def set(self, key: Any, value: Any, expire: float | None = None) -> None:
        try:
            self.client.set(self._key(key), pickle.dumps(value, pickle.HIGHEST_PROTOCOL),
                            ex=int(expire) if expire else None)
        except self._errors as exc:
            self._unreachable(exc)

    def clear(self) -> int:
        keys = list(self.client.scan_iter(match=self.prefix + "*", count=1000))
        return self.client.delete(*keys) if keys else 0

    def __len__(self) -> int:
        return sum(1 for _ in self.client.scan_iter(match=self.prefix + "*", count=1000))

    def close(self) -> None:
        self.client.close()


def open_cache(settings, namespace: str) -> "diskcache.Cache | RedisCache":
    """``namespace`` keeps territories sharing one Redis apart (their dataset keys may coincide)."""
    if settings.redis_url:
        return RedisCache(settings.redis_url, f"pilote:{namespace}:q:")
    return diskcache.Cache(str(settings.cache_dir), size_limit=2**30)
