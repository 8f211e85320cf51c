"""Memoised queries, keyed by the versions of the snapshots they read.

A refresh writes a new snapshot version, so every cached answer built on the old one simply stops
being asked for: no explicit invalidation, and all workers sharing the cache directory agree. The key also
holds the code's digest (data_access.code_version): a new release computes afresh.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from data_access.code_version import code_version
from data_access.reads import record

if TYPE_CHECKING:
    from data_access.context import DataContext

_MISS = object()
_EXPIRE = 7 * 24 * 3600  # old versions age out of the cache on their own


def query(*dataset_keys: str) -> Callable:
    """Decorate ``fn(ctx, *args)`` so its result is memoised per snapshot versions and arguments.

    A name with a dot is a role ("mobility.accidents"), resolved through the catalog at each call: the same
    query serves every territory, whatever its dataset keys."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(ctx: "DataContext", *args: Any) -> Any:
            keys = [ctx.key_for(name) if "." in name else name for name in dataset_keys]
            record(keys)  # hit or miss: what the caller's answer depends on
            versions = tuple((key, ctx.version(key) if key else None) for key in keys)
            cache_key = (code_version(), fn.__module__, fn.__qualname__, versions, args)
            value = ctx.cache.get(cache_key, default=_MISS)
            if value is _MISS:
                value = fn(ctx, *args)
                ctx.cache.set(cache_key, value, expire=_EXPIRE)
            return value

        wrapper.uncached = fn
        wrapper.datasets = dataset_keys
        return wrapper

    return decorate
