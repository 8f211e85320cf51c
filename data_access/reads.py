"""Which datasets a piece of rendering read: what a memoised chart card is valid for.

Every read goes through a memoised query (``data_access.cache.query``, which declares its datasets) or the
context's ``frame``; both record the dataset keys here while a :func:`recording` block is open. A card kept
with the versions of what it read is still right as long as those versions are: a refresh of another dataset
of the page does not rebuild it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_READS: ContextVar[set | None] = ContextVar("pilote_reads", default=None)


def record(keys: Iterable[str | None]) -> None:
    reads = _READS.get()
    if reads is not None:
        reads.update(k for k in keys if k)


@contextmanager
def recording() -> Iterator[set]:
    """The dataset keys read inside the block (nested blocks: the outer one sees the inner reads too)."""
    outer, reads = _READS.get(), set()
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)
        if outer is not None:
            outer.update(reads)
