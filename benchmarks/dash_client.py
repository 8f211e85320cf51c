"""Replays, through Flask's test client, the callback requests the Dash renderer makes to open a page.

The renderer's protocol, as read from dash-renderer (``dash_renderer.dev.js``, ``__execute`` and ``fillVals``):

* ``GET /_dash-dependencies`` lists the callbacks: ``output`` (``id.prop``, or ``..a.x...b.y..`` for several
  outputs, with pattern-matching ids as sorted compact JSON), ``inputs``/``state`` as ``{id, property}``,
  ``prevent_initial_call``, ``clientside_function``.
* ``POST /_dash-update-component`` with ``{output, outputs, inputs, changedPropIds, parsedChangedPropsIds,
  state}``: ``outputs`` is a list for a multi-output callback, else the single entry; an ``ALL``/``ALLSMALLER``
  dependency becomes a list of ``{id, property[, value]}`` (an id is then the component's dict id); ``value``
  is absent when the prop is not set in the layout; ``state`` is absent when the callback has none.
* The answer is ``{"multi": true, "response": {id: {prop: value}}[, "sideUpdate": {...}]}``, or 204 when the
  callback raised ``PreventUpdate``.

When a page opens, ``dcc.Location`` sets ``pathname`` and ``search``, which fires Dash Pages' router
(it is ``prevent_initial_call`` but its inputs change); the layout it returns is a new chunk, whose
callbacks fire once unless ``prevent_initial_call`` (found by an input or an output in the chunk, all inputs
present); every prop a callback returns fires the callbacks that take it as input. ``PageLoad`` follows that
chain once, recording each request body, so that timed runs replay exactly the same requests.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

UPDATE_URL = "/_dash-update-component"
ROUTER_OUTPUT = ("_pages_content", "children")
LOCATION_ID = "_pages_location"
MAX_REQUESTS_PER_LOAD = 100  # a guard against a callback loop


class AppError(RuntimeError):
    """The app did not answer a request properly (a status other than 200, or 204 for a prevented update)."""


def stringify_id(id_: Any) -> str:
    """Dash's ``stringify_id``: dict ids as JSON with sorted keys and no spaces."""
    if isinstance(id_, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(id_[k])}" for k in sorted(id_)) + "}"
    return id_


def split_prop_id(text: str) -> tuple[str, str]:
    if text.startswith("{"):
        end = text.rindex("}")
        return text[: end + 1], text[end + 2:]
    id_, _, prop = text.rpartition(".")
    return id_, prop


def _parse_id(text: str) -> Any:
    return json.loads(text) if isinstance(text, str) and text.startswith("{") else text


@dataclass(frozen=True)
class Dep:
    id: Any  # a string, or a dict whose wildcard values are ["ALL"], ["MATCH"] or ["ALLSMALLER"]
    prop: str  # outputs may carry an "@hash" suffix (allow_duplicate)

    @property
    def clean_prop(self) -> str:
        return self.prop.split("@")[0]

    @property
    def is_pattern(self) -> bool:
        return isinstance(self.id, dict)

    @property
    def multi(self) -> bool:
        return self.is_pattern and any(v in (["ALL"], ["ALLSMALLER"]) for v in self.id.values())

    def match_keys(self) -> list[str]:
        return [k for k, v in self.id.items() if v == ["MATCH"]] if self.is_pattern else []


@dataclass
class Callback:
    spec: dict
    outputs: list[Dep]
    multi_output: bool
    inputs: list[Dep]
    state: list[Dep]

    @classmethod
    def from_spec(cls, spec: dict) -> "Callback":
        text = spec["output"]
        multi = text.startswith("..") and text.endswith("..")
        parts = text[2:-2].split("...") if multi else [text]
        outputs = [Dep(_parse_id(i), p) for i, p in map(split_prop_id, parts)] if text else []
        deps = lambda items: [Dep(_parse_id(d["id"]), d["property"]) for d in items]  # noqa: E731
        return cls(spec, outputs, multi, deps(spec.get("inputs", [])), deps(spec.get("state", [])))

    @property
    def key(self) -> str:
        return self.spec["output"]

    @property
    def server_side(self) -> bool:
        return not self.spec.get("clientside_function")

    @property
    def prevent_initial_call(self) -> bool:
        return bool(self.spec.get("prevent_initial_call"))

    @property
    def background(self) -> bool:
        return bool(self.spec.get("background"))

    def describe(self) -> str:
        return ", ".join(f"{stringify_id(d.id)}.{d.clean_prop}" for d in self.outputs) or "(no output)"


class Components:
    """The component tree as the renderer holds it, flattened: id string -> {"id", "props"}."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict] = {}

    def copy(self) -> "Components":
        other = Components()
        other.by_id = copy.deepcopy(self.by_id)
        return other

    def add_tree(self, node: Any) -> list[str]:
        """Registers every component with an id under ``node``; returns their id strings, in layout order."""
        found: list[str] = []
        self._walk(node, found, remove=False)
        return found

    def remove_tree(self, node: Any) -> None:
        self._walk(node, [], remove=True)

    def _walk(self, node: Any, found: list[str], remove: bool) -> None:
        if isinstance(node, list):
            for item in node:
                self._walk(item, found, remove)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and "type" in node:
                if props.get("id") is not None:
                    key = stringify_id(props["id"])
                    if remove:
                        self.by_id.pop(key, None)
                    else:
                        self.by_id[key] = {"id": props["id"], "props": props}
                        found.append(key)
                for value in props.values():
                    self._walk(value, found, remove)
            else:
                for value in node.values():
                    if isinstance(value, (dict, list)):
                        self._walk(value, found, remove)

    def resolve(self, dep: Dep, binding: dict) -> list[dict]:
        """The components a dependency designates (several for ALL/ALLSMALLER)."""
        if not dep.is_pattern:
            comp = self.by_id.get(dep.id)
            return [comp] if comp else []
        out = []
        for comp in self.by_id.values():
            cid = comp["id"]
            if not isinstance(cid, dict) or set(cid) != set(dep.id):
                continue
            ok = True
            for k, v in dep.id.items():
                if v == ["ALL"]:
                    continue
                if v == ["MATCH"]:
                    ok = k in binding and cid[k] == binding[k]
                elif v == ["ALLSMALLER"]:
                    try:
                        ok = k in binding and cid[k] < binding[k]
                    except TypeError:
                        ok = False
                else:
                    ok = cid[k] == v
                if not ok:
                    break
            if ok:
                out.append(comp)
        return out

    def set_prop(self, id_key: str, prop: str, value: Any) -> list[str]:
        """Applies a callback answer; returns the ids of the components it brought in."""
        comp = self.by_id.get(id_key)
        if comp is None:
            return []
        old = comp["props"].get(prop)
        if isinstance(old, (dict, list)):
            self.remove_tree(old)
        comp["props"][prop] = value
        return self.add_tree(value) if isinstance(value, (dict, list)) else []


@dataclass
class Call:
    """One callback request: the body as the renderer would post it."""

    callback: Callback
    body: dict
    triggers: set[str] = field(default_factory=set)  # "id.prop" of the inputs this call reads

    @property
    def key(self) -> tuple:
        return (self.callback.key, json.dumps(self.body.get("outputs"), sort_keys=True))


def _bindings(cb: Callback, comps: Components) -> list[dict]:
    """One binding per MATCH instance (a single empty binding when the callback has no MATCH)."""
    keys = sorted({k for d in cb.inputs + cb.outputs for k in d.match_keys()})
    if not keys:
        return [{}]
    seen, out = set(), []
    for dep in cb.inputs + cb.outputs:
        if not dep.match_keys():
            continue
        probe = Dep({k: (["ALL"] if v == ["MATCH"] else v) for k, v in dep.id.items()}, dep.prop)
        for comp in comps.resolve(probe, {}):
            binding = {k: comp["id"][k] for k in keys if k in comp["id"]}
            marker = json.dumps(binding, sort_keys=True)
            if marker not in seen:
                seen.add(marker)
                out.append(binding)
    return out


def build_call(cb: Callback, comps: Components, binding: dict, changed: list[str]) -> Call | None:
    """The request for one callback instance, or None when an input is missing (the renderer skips it)."""
    reads: set[str] = set()

    def values(deps: list[Dep], is_input: bool) -> list | None:
        out: list = []
        for dep in deps:
            targets = comps.resolve(dep, binding)
            entries = []
            for comp in targets:
                entry = {"id": comp["id"], "property": dep.clean_prop}
                if dep.clean_prop in comp["props"]:
                    entry["value"] = comp["props"][dep.clean_prop]
                entries.append(entry)
                if is_input:
                    reads.add(f"{stringify_id(comp['id'])}.{dep.clean_prop}")
            if dep.multi:
                out.append(entries)
            elif not entries:
                return None
            else:
                out.append(entries[0])
        return out

    inputs = values(cb.inputs, True)
    state = values(cb.state, False)
    if inputs is None or state is None:
        return None
    outputs = []
    for dep in cb.outputs:
        targets = comps.resolve(dep, binding)
        entries = [{"id": c["id"], "property": dep.prop} for c in targets]
        if dep.multi:
            outputs.append(entries)
        elif entries:
            outputs.append(entries[0])
        else:
            outputs.append({"id": dep.id if not dep.is_pattern else {**dep.id, **binding}, "property": dep.prop})
    if cb.outputs and not any(comps.resolve(d, binding) for d in cb.outputs):
        return None  # no output in the layout: nothing to update
    changed = [c for c in changed if c in reads]
    body = {
        "output": cb.key,
        "outputs": outputs if cb.multi_output else (outputs[0] if outputs else []),
        "inputs": inputs,
        "changedPropIds": changed,
        "parsedChangedPropsIds": [_parse_id(split_prop_id(c)[0]) if c.startswith("{") else c for c in changed],
    }
    if cb.state:
        body["state"] = state
    return Call(cb, body, reads)


@dataclass
class Timed:
    label: str
    status: int
    seconds: float


class DashClient:
    """The app's callbacks and shell layout, fetched once through a Flask test client."""

    def __init__(self, server) -> None:
        self.client = server.test_client()
        first = self.client.get("/")  # the first request registers Dash Pages' router callback
        if first.status_code != 200:
            raise AppError(f"GET / answered {first.status_code}")
        deps = self.get_json("/_dash-dependencies")
        self.callbacks = [Callback.from_spec(spec) for spec in deps]
        self.shell_layout = self.get_json("/_dash-layout")
        self.shell = Components()
        self.shell.add_tree(self.shell_layout)

    def get_json(self, url: str) -> Any:
        response = self.client.get(url)
        if response.status_code != 200:
            raise AppError(f"GET {url} answered {response.status_code}: {' '.join(response.get_data(as_text=True).split())[:300]}")
        return response.get_json()

    def timed_get(self, url: str) -> Timed:
        start = time.perf_counter()
        response = self.client.get(url)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise AppError(f"GET {url} answered {response.status_code}: {' '.join(response.get_data(as_text=True).split())[:300]}")
        return Timed(f"GET {url}", 200, elapsed)

    def post(self, body: dict) -> tuple[Any, float, int]:
        start = time.perf_counter()
        response = self.client.post(UPDATE_URL, json=body)
        elapsed = time.perf_counter() - start
        if response.status_code not in (200, 204):
            text = " ".join(response.get_data(as_text=True).split())
            raise AppError(f"POST {UPDATE_URL} for {body['output']!r} answered {response.status_code}: {text[:300]}")
        return (response.get_json() if response.status_code == 200 else None), elapsed, response.status_code

    def find(self, output_id: str, prop: str) -> Callback | None:
        for cb in self.callbacks:
            if any(d.id == output_id and d.clean_prop == prop for d in cb.outputs):
                return cb
        return None

    @property
    def router(self) -> Callback:
        cb = self.find(*ROUTER_OUTPUT)
        if cb is None:
            raise AppError("Dash Pages' router callback (output _pages_content.children) is not registered")
        return cb

    # -- following the renderer ---------------------------------------------------------------------

    def initial_calls(self, comps: Components, chunk: list[str], done: set, inserted: bool = False) -> list[Call]:
        """Callbacks a new layout chunk fires: an input or output in the chunk, not prevent_initial_call. A chunk
        a callback ``inserted`` (the router's page) also fires a prevent_initial_call callback with an input in
        it and no output in it (dash-renderer's getLayoutCallbacks: found by input, outputs outside the chunk),
        its inputs in the chunk as changed."""
        chunk_set = set(chunk)
        calls = []
        for cb in self.callbacks:
            if not cb.server_side or cb.background:
                continue
            for binding in _bindings(cb, comps):
                inside = [f"{stringify_id(c['id'])}.{d.clean_prop}" for d in cb.inputs
                          for c in comps.resolve(d, binding) if stringify_id(c["id"]) in chunk_set]
                outputs_inside = any(stringify_id(c["id"]) in chunk_set
                                     for d in cb.outputs for c in comps.resolve(d, binding))
                if cb.prevent_initial_call:
                    if not (inserted and inside and not outputs_inside):
                        continue
                    call = build_call(cb, comps, binding, inside)
                elif inside or outputs_inside:
                    call = build_call(cb, comps, binding, [])
                else:
                    continue
                if call is not None and call.key not in done:
                    calls.append(call)
        return calls

    def changed_calls(self, comps: Components, changed: list[str], source: Callback, done: set) -> list[Call]:
        """Callbacks fired because a prop they take as input was just set by another callback."""
        changed_set = set(changed)
        calls = []
        for cb in self.callbacks:
            if not cb.server_side or cb is source or cb.background:
                continue
            for binding in _bindings(cb, comps):
                call = build_call(cb, comps, binding, changed)
                # No "done" filter: a callback fires again whenever one of its inputs changes (the cap on
                # requests per load stops a loop between callbacks).
                if call is not None and call.body["changedPropIds"] and call.triggers & changed_set:
                    calls.append(call)
        return calls

    def follow(self, comps: Components, first: list[Call]) -> list[dict]:
        """Posts ``first`` and every callback they set off, in the renderer's order; returns the bodies posted."""
        pending: list[Call] = list(first)
        posted: list[dict] = []
        done: set = set()
        changed_all: set[str] = set()
        while pending:
            if len(posted) >= MAX_REQUESTS_PER_LOAD:
                raise AppError(f"more than {MAX_REQUESTS_PER_LOAD} callback requests for one page load (a loop?)")
            # A call waits while another pending call still has to set one of its inputs.
            outputs_pending = {
                f"{stringify_id(c['id'])}.{d.clean_prop}"
                for call in pending for d in call.callback.outputs for c in comps.resolve(d, {})
            }
            ready = next((c for c in pending if not (c.triggers & (outputs_pending - self._own_outputs(c, comps)))),
                         pending[0])
            pending.remove(ready)
            # Re-read its values now: an earlier answer may have changed them.
            # (and an input another answer set counts as changed, as the renderer merges the two triggers).
            call = ready
            if not any(d.match_keys() for d in ready.callback.inputs + ready.callback.outputs):
                changed_now = list(dict.fromkeys(ready.body["changedPropIds"] + sorted(ready.triggers & changed_all)))
                call = build_call(ready.callback, comps, {}, changed_now) or ready
            done.add(call.key)
            data, _, status = self.post(call.body)
            posted.append(call.body)
            if status != 200 or not data:
                continue
            changed, new_ids = [], []
            for part in ("response", "sideUpdate"):
                for id_key, props in (data.get(part) or {}).items():
                    for prop, value in props.items():
                        new_ids += comps.set_prop(id_key, prop, value)
                        changed.append(f"{id_key}.{prop}")
            changed_all.update(changed)
            more = self.changed_calls(comps, changed, call.callback, done)
            if new_ids:
                more += self.initial_calls(comps, new_ids, done, inserted=True)
            keys = {c.key for c in pending}
            for extra in more:
                if extra.key not in keys:
                    pending.append(extra)
                    keys.add(extra.key)
        return posted

    @staticmethod
    def _own_outputs(call: Call, comps: Components) -> set[str]:
        return {f"{stringify_id(c['id'])}.{d.clean_prop}" for d in call.callback.outputs for c in comps.resolve(d, {})}

    def page_load(self, pathname: str, search: str = "") -> list[dict]:
        """Client-side navigation to ``pathname``: the router, then the callbacks of the page it renders."""
        comps = self.shell.copy()
        location = comps.by_id.get(LOCATION_ID)
        if location is None:
            raise AppError("dash.page_container (dcc.Location _pages_location) is not in the layout")
        location["props"].update(pathname=pathname, search=search, hash="", href=f"http://localhost{pathname}{search}")
        router = build_call(self.router, comps, {}, [f"{LOCATION_ID}.pathname", f"{LOCATION_ID}.search"])
        if router is None:
            raise AppError("the router callback's inputs are not in the layout")
        return self.follow(comps, [router])

    def shell_load(self) -> list[dict]:
        """The shell's own initial callbacks (every full page load pays them; the router is not one)."""
        comps = self.shell.copy()
        location = comps.by_id.get(LOCATION_ID)
        if location is not None:  # dcc.Location has set the URL by the time the shell's callbacks fire
            location["props"].update(pathname="/", search="", hash="", href="http://localhost/")
        router_key = self.router.key
        calls = [c for c in self.initial_calls(comps, list(comps.by_id), set()) if c.callback.key != router_key]
        return self.follow(comps, calls)

    def router_body(self, pathname: str, search: str = "") -> dict:
        """The body the renderer posts to Dash's router when the browser goes to ``pathname``."""
        return self._router_call(pathname, search)[1].body

    def _router_call(self, pathname: str, search: str):
        comps = self.shell.copy()
        comps.by_id[LOCATION_ID]["props"].update(pathname=pathname, search=search, hash="",
                                                 href=f"http://localhost{pathname}{search}")
        call = build_call(self.router, comps, {}, [f"{LOCATION_ID}.pathname", f"{LOCATION_ID}.search"])
        if call is None:
            raise AssertionError("the router's inputs are not in the shell layout")
        return comps, call

    def render(self, pathname: str, search: str = "") -> Components:
        """The component tree this client's browser holds after navigating to ``pathname`` (shell + the
        layout the router returned to this client; nothing when refused)."""
        comps, call = self._router_call(pathname, search)
        response = self.client.post("/_dash-update-component", json=call.body)
        if response.status_code == 200:
            data = response.get_json()
            for part in ("response", "sideUpdate"):
                for id_key, props in (data.get(part) or {}).items():
                    for prop, value in props.items():
                        comps.set_prop(id_key, prop, value)
        return comps

    @staticmethod
    def trigger_body(cb: Callback, comps: Components) -> dict | None:
        """The body posted when the user changes the callback's first input (a button: clicked once), or
        None when its components are not in ``comps``."""
        comps = comps.copy()
        trigger = cb.inputs[0]
        targets = comps.resolve(trigger, {})
        if trigger.clean_prop == "n_clicks":
            for comp in targets:
                comp["props"]["n_clicks"] = 1
        changed = [f"{stringify_id(c['id'])}.{trigger.clean_prop}" for c in targets]
        call = build_call(cb, comps, {}, changed)
        return call.body if call is not None else None

    def replay(self, bodies: list[dict]) -> float:
        """Posts recorded bodies in order; returns the total server-side time in seconds."""
        return sum(self.post(body)[1] for body in bodies)
