"""Layouts built for one person, kept JSON-ready in the process under what they show.

Pages built for each person (``render_cache=False``: the report forms, « Mon espace ») never enter the render
cache, so each opening built their components and serialized them: two thirds of their render. A
``KeptLayouts`` keeps each layout, JSON-ready as Dash sends it, under the plain values it is made of (the
caller names every one: what differs between two people is in the key, so a hit is the layout they would
have been built). What must differ at every render (a form's token) is put in afterwards
(``components.report_page.with_token``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from dash._utils import to_json

from data_access.lru import Lru


class KeptLayouts:
    def __init__(self, size: int = 64):
        self._kept = Lru(size)  # the layouts in use at once (agents opening the page at the same time)

    def get(self, parts, build: Callable[[], object]) -> dict:
        """The layout made of ``parts`` (plain JSON values), built by ``build`` when not kept. Never mutate it."""
        key = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
        return self._kept.get(key, lambda: json.loads(to_json(build())))
