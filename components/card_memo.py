"""Chart cards kept between renders, each valid for the versions of the datasets it read.

A page's datasets refresh on their own schedules (Vélib' and parking every 5 minutes, accidents once a year):
the first render after a refresh rebuilds the cards that read the refreshed dataset and takes the others as
they were. A card is kept, JSON-ready, in the query cache under its spec, its view, the day, its provenance
line and the code; with it, the versions of the datasets its content read (``data_access.reads``). Viewers of
different access sets share a card: its content does not depend on who looks (the page decides what is shown).

A view carrying computed data (a frame of key figures…) is not a key: such cards are built every time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date

from dash._utils import to_json

from components.maps import Outlines
from data_access.code_version import code_version
from data_access.territory import today

log = logging.getLogger(__name__)

TTL = 7 * 24 * 3600
_UNKEYED = object()


def plain(value):
    """``value`` as plain JSON data for a key, or ``_UNKEYED`` when it holds computed data (a frame…)."""
    if isinstance(value, Outlines):
        return ["outlines", value.url] if value.url else _UNKEYED
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        items = [plain(v) for v in value]
        return _UNKEYED if any(i is _UNKEYED for i in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: plain(v) for k, v in value.items()}
        return _UNKEYED if any(i is _UNKEYED for i in items.values()) else items
    return _UNKEYED


def card_key(spec, ctx, view: dict) -> str | None:
    """Where the card of ``spec`` for ``view`` is kept, or None when the view cannot be a key."""
    view_key = plain(view)
    if view_key is _UNKEYED:
        return None
    parts = [code_version(), ctx.catalog.digest, spec.id, view_key, today(ctx.catalog.territory).isoformat(),
             repr(ctx.provenance(spec.role))]
    return "pilote-card:" + hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def kept(ctx, key: str):
    """The kept card (JSON-ready), if every dataset it read is still at the version it was built on."""
    try:
        entry = ctx.cache.get(key)
    except Exception as exc:  # noqa: BLE001 - a cache fault costs a rebuild, never the page
        log.warning("card cache unavailable: %s", exc)
        return None
    if not entry:
        return None
    reads, card = entry
    return card if all(ctx.version(k) == v for k, v in reads) else None


def keep(ctx, key: str, reads: set, card) -> dict:
    """Keep ``card`` (a component) with the versions of ``reads``; its JSON-ready form, as the page sends it."""
    ready = json.loads(to_json(card))
    try:
        ctx.cache.set(key, (tuple(sorted((k, ctx.version(k)) for k in reads)), ready), expire=TTL)
    except Exception as exc:  # noqa: BLE001
        log.warning("card cache unavailable: %s", exc)
    return ready
