"""Rendered pages kept per data version and access set: a page is built once, not once per visitor.

The answer of Dash's page router (the page's whole component tree, as JSON) depends only on what the
request asks (pathname, query), the data the page reads, the day, and what the viewer may see. So it is
cached under a key of

* the page and the router's inputs as posted (every selector of the URL);
* the versions of the datasets the page declares (``roles`` and ``section_roles`` of ``register_page``; every
  dataset when it does not say, none for ``roles=[]``): a refresh or a new field report gives a new key, nothing is invalidated
  (a page showing datasets' metadata only declares ``reads_reports=False``: reports do not change it);
* the viewer's *access set*: signed in or not, administrator or not, and every resource they may see. Two
  viewers share an entry only if they may see exactly the same things, so an internal section never reaches
  a public entry;
* the territory's date, and entries live ``TTL`` seconds (the pages say how old data is);
* the ``PILOTE_*`` settings of the process (a page may read one at render, e.g. the real-time interval);
* the code's digest and the catalog's (as the process read it): a new release or an edited catalog renders afresh.

Pages built for one person (forms with their author's reports, « Mon espace ») declare ``render_cache=False``.
A page whose answer also depends on something else says so with ``render_cache=<function>``: what it returns
(e.g. /admin: its viewer and the accounts database's revision) is added to the key, and None builds the page
without keeping it. A page whose answer holds only until a moment (an account expiring) calls ``keep_for``.
A page callback whose answer, like a page's, depends only on what it is sent and the page's data (a selector
redrawing its section) is marked ``@answer_cache`` and kept the same way. The answer is also kept compressed
(brotli, gzip) for the clients that accept it.
The cache is the query cache's store (diskcache, or Redis when configured), shared by the workers.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import time

import brotli
import dash
from flask import Flask, Response, g, has_app_context, request

from data_access.code_version import code_version
from data_access.lru import Lru

log = logging.getLogger(__name__)

TTL = 600  # seconds
ROUTER_OUTPUT = "_pages_content.children"
HEADER = "X-Pilote-Rendu"  # "cache" or "calcul": what served the page (benchmarks and tests read it)
PAGE_HTML_ENTRIES = 512  # per process: a few KB each, the oldest dropped first
ENCODINGS = {"br": lambda body: brotli.compress(body, quality=5), "gzip": lambda body: gzip.compress(body, 6)}


def answer_cache(fn):
    """Mark a page callback whose answer depends only on its inputs, the page's datasets and the viewer's access
    (apply under ``@callback``): it is kept like a page."""
    fn._pilote_answer_cache = True
    return fn


def cached_outputs(callback_maps) -> frozenset[str]:
    """The output keys of the callbacks marked ``@answer_cache``."""
    import inspect

    out = set()
    for callbacks in callback_maps:
        for output, entry in callbacks.items():
            fn = entry.get("callback")
            if fn is not None and getattr(inspect.unwrap(fn), "_pilote_answer_cache", False):
                out.add(output)
    return frozenset(out)


def page_datasets(page: dict, data) -> list[str]:
    """The dataset keys a page reads (all of them when it does not say)."""
    if "roles" not in page:  # a page that does not say what it reads: everything
        return sorted(d.key for d in data.catalog)
    roles = list(page.get("roles") or [])  # roles=[]: a page that reads no dataset
    for section_roles in (page.get("section_roles") or {}).values():
        roles += list(section_roles)
    return sorted({key for key in (data.key_for(role) for role in roles) if key})


def access_set(auth, principal) -> list:
    allowed = [r for r in auth.policy.resources() if auth.policy.allows(principal, r)]
    return [principal.authenticated, principal.is_admin, allowed]


# Settings that change no page: how the portal is fetched, credentials, the sign-in ceiling, PDF workers. Left
# out of the key so that the refresh's warm-up (cron, perhaps without the web server's secrets) and the workers
# agree (pilote/warm.py).
_NOT_RENDERED = ("PILOTE_PORTAL_", "PILOTE_REPORT_", "PILOTE_SECRET_KEY", "PILOTE_URL", "PILOTE_LOGIN_RATE",
                 "PILOTE_PDF_AT_ONCE", "PILOTE_CHROMIUM")


def settings_fingerprint() -> str:
    shown = sorted((k, v) for k, v in os.environ.items() if k.startswith("PILOTE_") and not k.startswith(_NOT_RENDERED))
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def keep_for(seconds: float) -> None:
    """Said by a page while it renders: what it shows holds ``seconds`` from now at most (less than ``TTL``)."""
    if has_app_context():  # outside a request (a script, a test) nothing is kept
        # as a moment: the rest of the render does not push it later
        g.pilote_render_until = min(time.time() + seconds, g.get("pilote_render_until", float("inf")))


def render_key(page: dict, body: dict, data, auth, principal, today: str, keys: list[str] | None = None,
               extra=None) -> str:
    # A page that shows datasets' metadata only (the catalogue: rows, dates, state) says reads_reports=False:
    # its key leaves out the agents' reports, and a visitor's page view reads nothing from the database.
    version = data.version if page.get("reads_reports", True) else data.store.version
    versions = [(key, version(key)) for key in (keys if keys is not None else page_datasets(page, data))]
    parts = [page["path"], body.get("output"), body.get("inputs"), body.get("state") or [],
             access_set(auth, principal), versions, today, settings_fingerprint(), code_version(),
             data.catalog.digest, extra]
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"pilote-render:{digest}"


def utf8_json(raw: bytes) -> bytes:
    """Dash's answer as plain UTF-8 JSON, the same value: plotly's encoder writes every accented letter, French
    space, ``/`` and ``<`` as a 6-byte ``\\uXXXX`` (dates, units, hover ``<br>``: a tenth of a French page). Those
    escapes guard JSON written inside HTML; this answer is only ever ``application/json`` with ``nosniff``, read
    by Dash's ``fetch``. Paid once per build."""
    return json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":")).encode()


def _accepted(header: str) -> str | None:
    offered = {part.split(";")[0].strip().lower() for part in header.split(",")}
    return next((name for name in ENCODINGS if name in offered), None)


def _store(cache, key: str, body: bytes, deadline: float | None = None) -> None:
    """Keep ``body`` for ``TTL`` seconds, or until ``deadline`` (epoch seconds) when the page said so
    (``keep_for``): such an entry holds its deadline, which its compressed copies keep too."""
    if deadline is None:
        cache.set(key, body, expire=TTL)
        return
    left = deadline - time.time()
    if left >= 1:  # whole seconds: what the stores expire by (Redis)
        cache.set(key, (body, deadline), expire=min(TTL, left))


def _body(entry) -> tuple[bytes | None, float | None]:
    """A kept entry's body (None once past its deadline) and its deadline."""
    if isinstance(entry, tuple):
        body, deadline = entry
        return (body if time.time() < deadline else None), deadline
    return entry, None


def _answer(cache, key: str, min_size: int) -> Response | None:
    """The kept answer of ``key``, compressed for a client that accepts it, or None. The compressed copy is read
    first: a hit then reads one small entry, not the whole answer too."""
    encoding = _accepted(request.headers.get("Accept-Encoding", ""))
    packed = _body(cache.get(f"{key}:{encoding}"))[0] if encoding else None
    if packed is None:
        body, deadline = _body(cache.get(key))
        if body is None:
            return None
        if encoding and len(body) >= min_size:  # the same threshold as flask-compress (COMPRESS_MIN_SIZE)
            packed = ENCODINGS[encoding](body)
            _store(cache, f"{key}:{encoding}", packed, deadline)
    response = Response(packed if packed is not None else body, mimetype="application/json")
    if packed is not None:
        response.headers["Content-Encoding"] = encoding  # flask-compress leaves it as is
    response.headers["Vary"] = "Accept-Encoding"
    response.headers[HEADER] = "cache"
    return response


def install(server: Flask, data, auth, app=None) -> None:
    """Serve router requests, and those of callbacks marked ``@answer_cache``, from the cache (after the guard
    authorised them), and store what was built."""
    from dash._callback import GLOBAL_CALLBACK_MAP

    from data_access.territory import today

    by_path, marked, datasets = {}, [], {}

    def page_of(resource: str) -> dict | None:
        if not by_path:
            by_path.update({p["path"]: p for p in dash.page_registry.values()})
        return by_path.get(resource.split("#")[0])  # a section's callback: its page's data and key

    def kept(output: str) -> bool:
        if ROUTER_OUTPUT in output:
            return True
        if not marked:  # once Dash has set up (app.py warms up before serving)
            marked.append(cached_outputs([GLOBAL_CALLBACK_MAP, getattr(app, "callback_map", {}) or {}]))
        return output in marked[0]

    @server.before_request
    def serve_cached():
        if request.path != "/_dash-update-component" or request.method != "POST":
            return None
        body = getattr(request, "_cached_json", (None,))[0]  # the guard's parsed, checked body
        if not isinstance(body, dict) or not kept(str(body.get("output", ""))):
            return None
        page = page_of(getattr(g, "pilote_resource", "") or "")
        rule = page.get("render_cache", True) if page is not None else False
        if rule is False:
            return None
        try:
            extra = rule() if callable(rule) else None
            if callable(rule) and extra is None:  # the page cannot say what its answer depends on now: built
                return None
            if page["path"] not in datasets:  # the registry and the catalog are fixed once the app runs
                datasets[page["path"]] = page_datasets(page, data)
            key = render_key(page, body, data, auth, auth.principal(), today(data.catalog.territory).isoformat(),
                             datasets[page["path"]], extra)
            cached = _answer(data.cache, key, server.config.get("COMPRESS_MIN_SIZE", 500))
        except Exception as exc:  # noqa: BLE001 - a cache fault must not cost the page: build it
            log.warning("render cache unavailable: %s", exc)
            return None
        if cached is not None:
            return cached
        g.pilote_render_key = key
        return None

    @server.after_request
    def store_built(response: Response) -> Response:
        key = g.pop("pilote_render_key", None)
        until = g.pop("pilote_render_until", None)
        if key and response.status_code == 200 and response.mimetype == "application/json" \
                and "Content-Encoding" not in response.headers:
            try:
                body = utf8_json(response.get_data())
                response.set_data(body)
                _store(data.cache, key, body, until)
            except Exception as exc:  # noqa: BLE001
                log.warning("render cache unavailable: %s", exc)
            response.headers[HEADER] = "calcul"
        return response


def install_page_html(app: dash.Dash, min_size: int) -> None:
    """Dash's HTML page (scripts, styles, the page's meta tags) depends only on the URL: it is built once per
    URL and kept compressed in each process, instead of for every page view. The guard has authorised the
    request before the view runs. Dash also puts a fresh ``end_id`` in each page, read only by background
    callbacks: the app must have none (checked here), or the cache would make them shareable."""
    from dash._callback import GLOBAL_CALLBACK_MAP

    callbacks = {**GLOBAL_CALLBACK_MAP, **(getattr(app, "callback_map", {}) or {})}
    background = [output for output, entry in callbacks.items() if entry.get("background") or entry.get("long")]
    if background:
        raise RuntimeError(f"background callbacks need Dash's per-page end_id: {background[:3]}")
    build, kept = app.index, Lru(PAGE_HTML_ENTRIES)

    def index(*args, **kwargs):
        encoding = _accepted(request.headers.get("Accept-Encoding", ""))
        key = (request.url, encoding)
        entry = kept.find(key)
        if entry is None:
            html = build(*args, **kwargs)
            if not isinstance(html, str):  # a redirect or an error page of Dash's: as it is
                return html
            body = html.encode()
            packed = bool(encoding) and len(body) >= min_size
            entry = (ENCODINGS[encoding](body) if packed else body, packed)
            kept.keep(key, entry)
        response = Response(entry[0], mimetype="text/html")
        if entry[1]:  # compressed: flask-compress leaves it as is
            response.headers["Content-Encoding"] = encoding
        response.headers["Vary"] = "Accept-Encoding"
        return response

    app.index = index
