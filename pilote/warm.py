"""Pages rendered at the refresh, so that no visitor waits for them after one.

A refresh gives a dataset a new version, and every page reading it a new render key: the first viewer after
it would pay the page's whole build (figures, queries: 50–170 ms on this 2-core machine). The refresh
already knows which datasets changed, and it runs in the background (cron), so it renders those pages itself
into the shared cache (diskcache directory or Redis), as the workers would have:

* as a visitor, every public page reading a refreshed dataset: the page a visitor opens next is a cache hit;
* as the service account of ``PILOTE_REPORT_EMAIL``/``PILOTE_REPORT_PASSWORD`` when one is set (an
  administrator, or a member of the groups whose pages should be ready), its pages too. The cards it builds
  are shared with every viewer (``components.card_memo``: a card's content does not depend on who looks), so
  the first agent of any other group after a refresh only assembles the page from kept cards.

Each page is opened at its default view (no query), as the menu links do. The requests go through the app
itself (Flask's test client: guard, render cache, the Dash router), in the process that refreshed; the keys
match the workers' when the process runs with the app's settings (``render_cache.settings_fingerprint``
leaves out those that change no page, such as the portal's or the service account's).
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass

import dash

from data_access.render_cache import HEADER, ROUTER_OUTPUT, page_datasets


VISITOR = "visiteur"  # the viewer without an account: public pages only


@dataclass(frozen=True)
class Warmed:
    path: str
    viewer: str  # "visiteur" or the service account's address
    ms: float
    status: int
    served_by: str  # "calcul" (built now), "cache" (already there) or "" (refused, failed)


def pages_reading(keys: set[str] | None, data) -> list[dict]:
    """The registered pages kept by the render cache that read one of ``keys`` (every such page for None)."""
    out = []
    for page in dash.page_registry.values():
        if page.get("render_cache", True) is False or page["path"] == "/404":
            continue
        read = set(page_datasets(page, data))
        if read and (keys is None or read & keys):
            out.append(page)
    return sorted(out, key=lambda p: p.get("order") or 0)


def router_body(dependencies: list[dict], pathname: str, search: str = "") -> dict:
    """The router request the browser sends when it opens ``pathname``: the callback whose outputs include the
    page content, its Location inputs, and its states as the renderer sends props unset in the layout."""
    spec = next(d for d in dependencies if ROUTER_OUTPUT in d["output"])
    values = {"pathname": pathname, "search": search, "hash": ""}
    inputs = [{"id": i["id"], "property": i["property"], "value": values.get(i["property"])} for i in spec["inputs"]]
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in spec["output"].strip(".").split("...")]
    changed = [f"{i['id']}.{i['property']}" for i in spec["inputs"]]
    body = {"output": spec["output"], "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "changedPropIds": changed, "parsedChangedPropsIds": changed}
    if spec.get("state"):
        body["state"] = [{"id": s["id"], "property": s["property"]} for s in spec["state"]]
    return body


def sign_in(client, email: str, password: str) -> bool:
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if token is None:
        return False
    answer = client.post("/login", data={"csrf_token": token.group(1), "email": email, "password": password})
    return answer.status_code == 302


def viewers(server, email: str | None = None, password: str | None = None) -> list[tuple[str, object]]:
    """(name, client) of the visitor and, when given, of the service account signed in (client None when its
    sign-in was refused)."""
    out = [(VISITOR, server.test_client())]
    if email and password:
        account = server.test_client()
        out.append((email, account if sign_in(account, email, password) else None))
    return out


def warm(server, keys: set[str] | None, clients: list[tuple[str, object]]) -> list[Warmed]:
    """Opens each page reading ``keys`` for each viewer of ``clients`` (the visitor: its public pages only);
    each answer is kept by the render cache as a worker's would be, and its compressed copy too (asked a
    second time with ``br``, as browsers ask)."""
    pages = pages_reading(keys, server.extensions["pilote_data"])
    out = []
    for viewer, client in clients:
        if client is None:
            out.append(Warmed("/login", viewer, 0.0, 401, ""))
            continue
        client.get("/")  # Dash registers its page router at the first request
        dependencies = client.get("/_dash-dependencies").get_json()
        for page in pages:
            if viewer == VISITOR and page.get("access", "public") != "public":
                continue
            body = json.dumps(router_body(dependencies, page["path"]))
            start = time.perf_counter()
            answer = client.post("/_dash-update-component", data=body, content_type="application/json")
            ms = (time.perf_counter() - start) * 1000
            if answer.status_code == 200:
                client.post("/_dash-update-component", data=body, content_type="application/json",
                            headers={"Accept-Encoding": "br"})
            out.append(Warmed(page["path"], viewer, ms, answer.status_code,
                              answer.headers.get(HEADER, "") if answer.status_code == 200 else ""))
    return out


def describe(warmed: list[Warmed]) -> str:
    """What a warm-up did, for the command's output: the pages rendered, then each one that was refused."""
    built = [w for w in warmed if w.status == 200]
    lines = [f"{len(built)} page view(s) rendered in advance ({sum(w.ms for w in built) / 1000:.1f} s): "
             + ", ".join(f"{w.path} ({w.viewer})" for w in built)]
    lines += [f"  {w.path} for {w.viewer}: HTTP {w.status}, not rendered in advance" for w in warmed if w.status != 200]
    return "\n".join(lines)


def warm_app(keys: set[str] | None) -> list[Warmed]:
    """The commands' warm-up: builds the app as a worker would (same environment) and warms the pages reading
    ``keys`` (every page for None: after a release, whose code digest makes every kept page new)."""
    import app as pilote_app  # the app as a worker builds it: only when a command warms

    server = pilote_app.server
    return warm(server, keys, viewers(server, os.environ.get("PILOTE_REPORT_EMAIL"),
                                      os.environ.get("PILOTE_REPORT_PASSWORD")))
