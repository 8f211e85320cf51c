"""A small thread-safe LRU kept in the process: the last ``size`` entries used, the oldest dropped first.

For what each process keeps for itself (Dash's HTML page per URL, a form's option lists, layouts built for one
person): a dict and a lock, not a cache service, because the entries are cheap to rebuild and the same in
every process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

_ABSENT = object()


class Lru:
    def __init__(self, size: int):
        self.size = size
        self._kept: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def find(self, key: Hashable, default=None):
        """The entry under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            found = self._kept.get(key, _ABSENT)
            if found is _ABSENT:
                return default
            self._kept.move_to_end(key)
            return found

    def keep(self, key: Hashable, value) -> None:
        with self._lock:
            self._kept[key] = value
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def get(self, key: Hashable, build: Callable[[], object]):
        """The entry under ``key``, built by ``build`` (outside the lock) and kept when there is none."""
        found = self.find(key, _ABSENT)
        if found is _ABSENT:
            found = build()
            self.keep(key, found)
        return found
