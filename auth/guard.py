"""The request guard: every request is authorised on the server, before Dash or any view sees it.

Dash answers any POST to ``/_dash-update-component``, whatever page the browser is on. So callbacks are
mapped, once, by their output ids, to the resource (page or section) whose module defines them; a request
is authorised by the callback it targets, never by a pathname or page id that the browser sends. The one
callback that turns a pathname into content, Dash's page router, is authorised by the page it would render.
"""

from __future__ import annotations

import inspect
import logging
import threading
from urllib.parse import quote

from dash import Dash, strip_relative_path
from dash._pages import _path_to_page
from flask import Response, g, jsonify, redirect, request

from auth.access import ALLOW, UNAUTHENTICATED, Policy
from auth.gate import MAX_BODY, UPLOAD_BODY, Refused, check_shape, parse_body, peek_output, router_pathname

log = logging.getLogger(__name__)

ROUTER = "<router>"
_OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/static/")
_OPEN_PATHS = {"/login", "/logout", "/healthz", "/_dash-layout", "/_dash-dependencies", "/_reload-hash",
               "/favicon.ico", "/robots.txt"}


class CallbackMapError(RuntimeError):
    """A callback could not be tied to a page or section: the app refuses to start (fail closed)."""


def callback_resource(output: str, fn, registry: dict) -> str:
    """The resource a callback belongs to, from where it is defined."""
    if "_pages_content.children" in output:
        return ROUTER
    original = inspect.unwrap(fn)
    explicit = getattr(fn, "_pilote_resource", None) or getattr(original, "_pilote_resource", None)
    if explicit:
        return explicit
    page = registry.get(original.__module__)
    if page is None:
        raise CallbackMapError(
            f"callback {original.__module__}.{original.__qualname__} (output {output}) is neither in a page "
            "module nor marked @shell_callback: say who may call it")
    section = getattr(fn, "_pilote_section", None) or getattr(original, "_pilote_section", None)
    if section and section not in (page.get("sections") or {}):
        raise CallbackMapError(f"{original.__qualname__}: section {section!r} is not declared by {page['path']}")
    return f"{page['path']}#{section}" if section else page["path"]


def build_callback_map(callbacks: dict, registry: dict) -> dict[str, str]:
    """output key (as the browser posts it) -> resource."""
    return {output: callback_resource(output, entry["callback"], registry) for output, entry in callbacks.items()
            if entry.get("callback") is not None}


Shape = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]  # declared (inputs, state)


def declared_shapes(callbacks: dict) -> dict[str, Shape]:
    """output key -> the (id, property) of its inputs and state, in declared order."""
    def pairs(items):
        return tuple((str(i["id"]), i["property"]) for i in items or [])

    return {output: (pairs(entry.get("inputs")), pairs(entry.get("state"))) for output, entry in callbacks.items()}


def _matches(sent, declared: tuple[tuple[str, str], ...]) -> bool:
    """The posted inputs (or state) are exactly the declared ones, in order: Dash passes them to the
    callback by position, so a decoy entry must not let a guard read one value and Dash use another."""
    if not isinstance(sent, list) or len(sent) != len(declared):
        return False
    for item, (cid, prop) in zip(sent, declared):
        if cid.startswith("{"):  # pattern-matching id: one or a list of concrete components
            items = item if isinstance(item, list) else [item]
            if not all(isinstance(x, dict) and isinstance(x.get("id"), dict) and x.get("property") == prop
                       for x in items):
                return False
        elif not isinstance(item, dict) or item.get("id") != cid or item.get("property") != prop:
            return False
    return True


def page_for_path(pathname: str) -> dict | None:
    """The page Dash's router renders for ``pathname`` (same normalisation as the router), or None."""
    try:
        page, _ = _path_to_page(strip_relative_path(pathname) or "")
    except Exception:  # noqa: BLE001 - Dash raises on paths it cannot make relative: no page
        return None
    return page or None


def _refuse_json(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


class Guard:
    def __init__(self, app: Dash, policy: Policy, principal: callable, refused: callable):
        self.app = app
        self.policy = policy
        self.principal = principal  # () -> Principal of the current request
        self.refused = refused  # (principal, resource, status) -> None, for the audit log
        self.callback_map: dict[str, str] = {}
        self.shapes: dict[str, Shape] = {}
        self.upload_outputs: frozenset[str] = frozenset()
        self._callbacks = None
        self._registry: dict = {}
        self._building = threading.Lock()

    def install(self, callbacks: callable, registry: dict) -> None:
        """Guard every request. ``callbacks()`` gives Dash's callback map once Dash has registered all
        callbacks (its router and ``dash.callback`` ones join the app when Dash sets up: ``build`` then)."""
        self._callbacks, self._registry = callbacks, registry

        def guard():
            if not self.callback_map:  # an app whose factory did not call build(): once, under the lock
                with self._building:
                    if not self.callback_map:
                        self.build()
            return self.check()

        self.app.server.before_request(guard)

    def build(self) -> None:
        """Map every callback to its resource, and record its declared shape (once Dash has set up)."""
        callbacks = self._callbacks()
        shapes, mapping = declared_shapes(callbacks), build_callback_map(callbacks, self._registry)
        self.upload_outputs = frozenset(output for output, (inputs, state) in shapes.items()
                                        if any(prop == "contents" for _, prop in inputs + state))
        self.shapes, self.callback_map = shapes, mapping  # shapes first: a reader of the map finds its shape

    # -- decisions -----------------------------------------------------------------------------------
    def _decide(self, resource: str) -> int:
        principal = self.principal()
        status = self.policy.decide(principal, resource)
        if status != ALLOW:
            self.refused(principal, resource, status)
        return status

    def check(self):
        path = request.path
        if path in _OPEN_PATHS or path.startswith(_OPEN_PREFIXES):
            return None
        if path == "/_dash-update-component":
            return self._check_callback()
        if path.startswith("/_dash"):
            return None  # Dash's own static endpoints; callbacks are the only data endpoint
        return self._check_page(path)

    def _check_page(self, path: str):
        page = page_for_path(path)
        if page is None:
            return None  # Dash renders its 404 page: public
        status = self._decide(page["path"])
        if status == ALLOW:
            return None
        if status == UNAUTHENTICATED:
            target = path + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
            return redirect(f"/login?next={quote(target, safe='')}", code=302)
        from auth.views import forbidden_page

        return forbidden_page(page)

    def _check_callback(self):
        if request.method != "POST":
            return _refuse_json(405, "méthode non autorisée")
        if not request.is_json:  # also keeps cross-site HTML forms out (they cannot send JSON)
            return _refuse_json(415, "requête JSON attendue")
        raw = request.get_data(cache=True)
        limit, peeked = MAX_BODY, None
        if len(raw) > MAX_BODY:  # only a photo upload is that large: authorised before it is parsed
            peeked = peek_output(raw)
            if peeked in self.upload_outputs:
                status = self._decide(self.callback_map[peeked])
                if status != ALLOW:
                    return _refuse_json(401 if status == UNAUTHENTICATED else 403, "accès refusé")
                limit = UPLOAD_BODY
        try:
            body = parse_body(raw, limit)
            if limit != MAX_BODY and body["output"] != peeked:
                raise Refused("requête de callback invalide")
            check_shape(body)
        except Refused as exc:
            log.info("callback request refused: %s", exc)
            return _refuse_json(413 if "volumineuse" in str(exc) else 400, str(exc))
        request._cached_json = (body, body)  # Dash reads the body we checked, not a second parse
        output = body["output"]
        resource = self.callback_map.get(output)
        if resource is None:
            return _refuse_json(400, "callback inconnu")
        inputs, state = self.shapes[output]
        well_formed = _matches(body.get("inputs"), inputs) and _matches(body.get("state", []), state)
        if resource == ROUTER:  # the page asked for is read from the inputs: they must be sound first
            if not well_formed:
                return _refuse_json(400, "requête de navigation invalide")
            resource = self._router_resource(body, inputs)
            if resource is None:
                return _refuse_json(400, "requête de navigation invalide")
        g.pilote_resource = resource
        status = self._decide(resource)
        if status == UNAUTHENTICATED:
            return _refuse_json(401, "authentification requise")
        if status != ALLOW:
            return _refuse_json(403, "accès refusé")
        if not well_formed:
            return _refuse_json(400, "entrées du callback invalides")
        return None

    @staticmethod
    def _router_resource(body: dict, declared) -> str | None:
        """The page Dash's router would render for the posted pathname: that page is what is asked for.
        The pathname is read at its declared position, as Dash reads it (the shape was checked)."""
        position = declared.index(("_pages_location", "pathname"))
        pathname = router_pathname(body["inputs"][position].get("value"))
        if pathname is None:
            return None
        page = page_for_path(pathname)
        return page["path"] if page else PUBLIC_404


PUBLIC_404 = "/404"
