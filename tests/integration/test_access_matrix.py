"""The authorisation matrix, generated from the page registry and the callback map, checked by raw HTTP
against the real app (`python app.py`) with accounts made by the real CLI (`python -m auth`).

* The callbacks come from the running app's ``/_dash-dependencies`` (nothing is imported from the server).
* What each callback belongs to (page, section, shell) comes from an independent oracle: ``app`` imported in
  this test process, ``dash.page_registry`` and ``auth.guard.build_callback_map``.
* The expected decision comes from ``expected_status`` below, written apart from ``auth.access.decide``.
* Every callback × role is posted with the body the browser would send (built by
  ``benchmarks.dash_client`` from the layouts an administrator gets); Dash's router is posted once per
  registered page path. A new page or callback is covered without editing this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from benchmarks.dash_client import UPDATE_URL, stringify_id
from tests.integration.running_app import (Account, HttpDashClient, RunningApp, gunicorn_threads, in_days, post_login,
                                          yesterday)

GROUPS = [("mobilite", "Direction de la mobilité"), ("finances", "Direction des finances"), ("elus", "Élus")]
# A database grant (`python -m auth grant`) widening a group resource: the élus see the exploitation section.
GRANTS = {"/mobilite#exploitation": frozenset({"elus"})}


@dataclass(frozen=True)
class Role:
    name: str
    short: str  # column label of the printed matrix
    account: Account | None  # None: anonymous
    valid: bool  # a usable account (the expired partner is not: treated as anonymous)

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(self.account.groups) if self.account else frozenset()

    @property
    def admin(self) -> bool:
        return bool(self.account and self.account.admin)


ROLES = [
    Role("anonyme", "anon", None, False),
    Role("agent mobilite", "A", Account("agent.a@matrix.test", "Agent A", ("mobilite",)), True),
    Role("agent finances", "B", Account("agent.b@matrix.test", "Agent B", ("finances",)), True),
    Role("élu", "élu", Account("elu@matrix.test", "Élu", ("elus",)), True),
    Role("admin", "admin", Account("admin@matrix.test", "Admin", admin=True), True),
    Role("partenaire expiré", "exp.", Account("partenaire@matrix.test", "Partenaire", ("mobilite",), expires=in_days(30)),
         False),
]


# -- the oracle ------------------------------------------------------------------------------------------
def declared_access(resource: str, registry: dict):
    """The raw declaration of a resource in the page registry: "public", "authenticated", "admin" or groups."""
    if resource == "public":  # @shell_callback
        return "public"
    path, _, section = resource.partition("#")
    page = next(p for p in registry.values() if p["path"] == path)
    declared = page["sections"][section] if section else page.get("access", "public")
    return declared if isinstance(declared, str) else frozenset(declared)


def expected_status(role: Role, access, granted: frozenset[str] = frozenset()) -> int:
    """Public: everyone. Authenticated: any valid account. Admin: admins. Groups (declared, or granted in the
    database): members or admins. An expired partner is anonymous. Refusals: 401 when not signed in, else 403."""
    if access == "public":
        return 200
    if not role.valid:
        return 401
    if role.admin or access == "authenticated":
        return 200
    if access == "admin":
        return 403
    return 200 if role.groups & (access | granted) else 403


@pytest.fixture(scope="module")
def oracle():
    """resource of every callback (by output key) and the page registry, from `app` imported here."""
    import dash
    from dash._callback import GLOBAL_CALLBACK_MAP

    import app as app_module  # PILOTE_DATA_DIR is the tests' own tmp dir (tests/conftest.py)
    from auth.guard import build_callback_map

    callbacks = build_callback_map(app_module.app.callback_map or GLOBAL_CALLBACK_MAP, dash.page_registry)
    return callbacks, dict(dash.page_registry)


# -- the running app -------------------------------------------------------------------------------------
class RoleClient:
    """An httpx client signed in as a role. The expired partner's session cookie (taken while it was valid)
    is put back before each request, so each request tests an expired account's live session."""

    def __init__(self, role: Role, client: httpx.Client):
        self.role = role
        self.client = client
        self.saved_cookies: httpx.Cookies | None = None

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        if self.saved_cookies is not None:
            self.client.cookies = httpx.Cookies(self.saved_cookies)
        return self.client.request(method, url, **kwargs)


@pytest.fixture(scope="module", params=["app.py", "gunicorn-threads"])
def matrix_app(request, tmp_path_factory):
    """The development server, then gunicorn with 2 workers × 4 threads (render cache and guard shared by
    threads): the same decisions on both."""
    app = RunningApp.start(tmp_path_factory.mktemp("matrix-app"),
                           argv=gunicorn_threads if request.param == "gunicorn-threads" else None)
    clients: list[httpx.Client] = []
    try:
        app.create_accounts([r.account for r in ROLES if r.account], GROUPS)
        roles = {}
        for role in ROLES:
            client = app.client()
            clients.append(client)
            if role.account:
                app.login(client, role.account.email)
            roles[role.name] = RoleClient(role, client)
        # The partner signed in while valid; the CLI then ends their access (the CLI takes past dates).
        app.parallel_cli(("expire", "partenaire@matrix.test", yesterday()),
                         *[("grant", slug, resource) for resource, slugs in GRANTS.items() for slug in slugs])
        expired = roles["partenaire expiré"]
        expired.saved_cookies = httpx.Cookies(expired.client.cookies)
        yield app, roles
    finally:
        for client in clients:
            client.close()
        app.stop()


@dataclass
class Entry:
    label: str
    resource: str  # a page path, "path#section", or "public"
    body: dict


def build_entries(admin: httpx.Client, oracle) -> tuple[list[Entry], int]:
    """Router × every registered page, and every other server-side callback with a realistic body.
    Returns the entries and the number of non-router server-side callbacks."""
    resources, registry = oracle
    dash_client = HttpDashClient(admin)  # the administrator sees every page and section
    router = dash_client.router
    entries = [Entry(f"router {page['path']}", page["path"], dash_client.router_body(page["path"]))
               for page in sorted(registry.values(), key=lambda p: p["path"])]
    # Component trees of each page as an administrator's browser holds them.
    rendered = [dash_client.render(page["path"]) for page in sorted(registry.values(), key=lambda p: p["path"])]

    others = [cb for cb in dash_client.callbacks if cb.server_side and cb.key != router.key]
    for cb in others:
        assert cb.key in resources, (f"callback {cb.describe()} is served by the app but unknown to "
                                     "build_callback_map: it could not be authorised")
        body = next((b for b in (dash_client.trigger_body(cb, comps) for comps in rendered) if b), None)
        if body is None:  # not in any page an administrator sees: the spec alone, values unset
            body = {"output": cb.key,
                    "outputs": [{"id": d.id, "property": d.prop} for d in cb.outputs] if cb.multi_output
                    else {"id": cb.outputs[0].id, "property": cb.outputs[0].prop},
                    "inputs": [{"id": d.id, "property": d.clean_prop} for d in cb.inputs],
                    "changedPropIds": [f"{stringify_id(cb.inputs[0].id)}.{cb.inputs[0].clean_prop}"]}
            if cb.state:
                body["state"] = [{"id": d.id, "property": d.clean_prop} for d in cb.state]
        entries.append(Entry(f"callback {cb.describe()}", resources[cb.key], body))
    return entries, len(others)


def check_refusal(response: httpx.Response, expected: int) -> str | None:
    if response.status_code != expected:
        return f"HTTP {response.status_code}, expected {expected}"
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"refusal is not JSON ({response.headers.get('content-type')})"
    body = response.json()
    if set(body) != {"error"}:
        return f"refusal carries more than an error: {sorted(body)}"
    return None


def test_callback_matrix(matrix_app, oracle, record_property):
    app, roles = matrix_app
    resources, registry = oracle
    entries, callbacks = build_entries(roles["admin"].client, oracle)

    failures, checks, allowed = [], 0, 0
    grid = ["  " + " " * 60 + " " + " ".join(f"{r.short:>5}" for r in ROLES)]
    for entry in entries:
        access = declared_access(entry.resource, registry)
        row = []
        for role in ROLES:
            expected = expected_status(role, access, GRANTS.get(entry.resource, frozenset()))
            response = roles[role.name].request("POST", UPDATE_URL, json=entry.body)
            row.append(str(response.status_code))
            checks += 1
            where = f"{entry.label} [{entry.resource}] × {role.name}"
            if expected == 200:
                allowed += 1
                if response.status_code not in (200, 204):
                    failures.append(f"{where}: HTTP {response.status_code}, expected 200/204: {response.text[:200]}")
                elif response.status_code == 200 and "response" not in response.json():
                    failures.append(f"{where}: 200 without a Dash response")
            else:
                problem = check_refusal(response, expected)
                if problem:
                    failures.append(f"{where}: {problem}: {response.text[:200]}")
        grid.append(f"  {entry.label[:60]:60} {' '.join(f'{c:>5}' for c in row)}")

    pages = len(registry)
    print(f"\naccess matrix: {len(entries)} callbacks/pages ({pages} pages through the router + {callbacks} "
          f"callbacks) × {len(ROLES)} roles = {checks} checks ({allowed} allowed, {checks - allowed} refused)")
    print("\n".join(grid))
    record_property("access_matrix_checks", checks)
    assert not failures, "\n".join(failures)
    # Generated, not listed: every registered page and every server-side callback is in it.
    assert len(entries) >= pages + callbacks
    assert checks >= (pages + callbacks) * len(ROLES)
    # The matrix is not trivially "all public": it has refusals of both kinds.
    assert checks - allowed > 0


def test_page_matrix(matrix_app, oracle, record_property):
    """GET of each registered page per role: anonymous → /login?next=…, not granted → 403 page, else 200."""
    app, roles = matrix_app
    _, registry = oracle
    failures, checks = [], 0
    for page in sorted(registry.values(), key=lambda p: p["path"]):
        path = page["path"]
        access = declared_access(path, registry)
        for role in ROLES:
            expected = expected_status(role, access, GRANTS.get(path, frozenset()))
            response = roles[role.name].request("GET", path)
            checks += 1
            where = f"GET {path} × {role.name}"
            if expected == 401:
                location = response.headers.get("location", "")
                target = urlsplit(location)
                if response.status_code != 302 or target.path != "/login" or \
                        parse_qs(target.query).get("next") != [path] or target.netloc not in ("", "127.0.0.1"):
                    failures.append(f"{where}: HTTP {response.status_code} Location {location!r}, "
                                    f"expected 302 to /login?next={path}")
            elif expected == 403:
                if response.status_code != 403 or "Accès refusé" not in response.text:
                    failures.append(f"{where}: HTTP {response.status_code}, expected the 403 page")
            elif response.status_code != 200:
                failures.append(f"{where}: HTTP {response.status_code}, expected 200")
    print(f"\npage matrix: {len(registry)} pages × {len(ROLES)} roles = {checks} GETs")
    record_property("page_matrix_checks", checks)
    assert not failures, "\n".join(failures)
    assert checks == len(registry) * len(ROLES)


def test_expired_partner_cannot_sign_in_again(matrix_app):
    app, _ = matrix_app
    with app.client() as client:
        response = post_login(client, "partenaire@matrix.test", app.password("partenaire@matrix.test"))
        assert response.status_code == 401
        assert client.get("/espace-agents").status_code == 302


def test_matrix_oracle_knows_every_served_callback(matrix_app, oracle):
    """The callbacks the server answers for are exactly those the oracle maps (plus clientside ones)."""
    app, _ = matrix_app
    resources, _ = oracle
    with app.client() as client:
        served = client.get("/_dash-dependencies").json()
    server_side = {d["output"] for d in served if not d.get("clientside_function")}
    router = {k for k in server_side if "_pages_content.children" in k}
    assert len(router) == 1
    assert server_side - router <= set(resources), server_side - router - set(resources)
    # And nothing the oracle knows is missing from the app (the guard maps what Dash serves).
    assert set(resources) <= server_side
