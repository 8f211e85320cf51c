"""Browser: every page of the registry (so a new page is covered without touching this file), the 404,
and the Vélib' page's graphs and KPIs. No console error anywhere; at 1300 and 390 px, no page scrolls sideways,
no legend covers an axis label, and axe-core finds no serious or critical WCAG violation, anonymous and signed
in (RGAA)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import dash
import pytest

from app import app  # noqa: F401  (fills dash.page_registry)

pytestmark = pytest.mark.e2e

NOT_FOUND_H1 = "Page introuvable"
# Views a page's default URL does not show, checked like pages: every theme of the observatory on one page
# (components/themes.py; its default shows the first theme's charts only).
VIEWS = {"/mobilite": ["/mobilite?theme=tout"], "/stationnement": ["/stationnement?theme=tout"],
         "/finances": ["/finances?theme=tout"], "/climat": ["/climat?theme=tout"]}


def is_public(page: dict) -> bool:
    return page.get("access", "public") == "public"


def _page_params():
    params = []
    for module, page in sorted(dash.page_registry.items(), key=lambda kv: kv[1]["relative_path"]):
        if page.get("path_template"):
            # A page with path variables declares a real example (register_page(..., example_path=...)).
            assert page.get("example_path"), f"{module}: declare example_path= for {page['path_template']}"
            page = {**page, "relative_path": page["example_path"]}
        params.append(pytest.param(page, id=page["relative_path"]))
        params += [pytest.param({**page, "relative_path": view}, id=view)
                   for view in VIEWS.get(page["relative_path"], [])]
    # a path that no page declares: Dash Pages shows the not_found_404 module's layout
    params.append(pytest.param({"relative_path": "/nexiste-pas", "module": "<unknown>", "title": NOT_FOUND_H1},
                               id="/nexiste-pas"))
    return params


def test_registry_is_not_empty():
    """The pages this suite was written against are still registered (the list grows, never silently shrinks)."""
    paths = {p["relative_path"] for p in dash.page_registry.values()}
    assert {"/", "/mobilite", "/accessibilite"} <= paths, paths


@pytest.mark.parametrize("page", _page_params())
def test_page_loads_without_console_errors(pilote, page, request):
    path = page["relative_path"]
    if not is_public(page):
        # anonymous: sent to the login form, which remembers where to come back
        pilote.driver.get(pilote.origin + path)
        pilote.wait_url(lambda u: urlparse(u).path == "/login", what=f"{path} -> /login")
        assert parse_qs(urlparse(pilote.driver.current_url).query).get("next") == [path]
        assert pilote.duo.find_element("h1").text == "Connexion"
        assert pilote.console_errors() == [], f"{path}: console errors on the login redirect"
        # signed in (as an administrator, who sees everything): the page itself
        pilote.sign_in(*request.getfixturevalue("admin_account"), next_path=path)
        pilote.wait_url(lambda u: urlparse(u).path == path, what=path)
        pilote.duo.wait_for_element(pilote.duo.dash_entry_locator, timeout=30)
        pilote.wait_h1()
        pilote.settle()
    else:
        pilote.open(path)

    h1 = pilote.h1()
    assert h1, f"{path}: no H1"
    is_404 = page["module"] in ("<unknown>",) or page["module"].endswith("not_found_404")
    if is_404:
        assert h1 == NOT_FOUND_H1
    else:
        assert h1 != NOT_FOUND_H1, f"{path} ({page['module']}) shows the 404 page"
    assert page["title"] in pilote.driver.title, f"{path}: <title> is {pilote.driver.title!r}"
    # one H1 per page (RGAA 9.1)
    assert len(pilote.driver.find_elements("css selector", "h1")) == 1

    assert pilote.console_errors() == [], f"{path}: console errors"
    # Wide, a laptop, a phone: nothing scrolls sideways, no legend over axis labels; at 1300 and 390 px, axe-core
    # finds no serious or critical WCAG violation (RGAA).
    assert pilote.layout_faults() == [], f"{path} at {pilote.driver.get_window_size()['width']} px"
    for width in (1300, 390):
        pilote.resize(width)
        assert pilote.layout_faults() == [], f"{path} at {width} px"
        assert pilote.axe_violations() == [], f"{path} at {width} px"


def test_public_pages_signed_in_have_no_serious_accessibility_violation(pilote, admin_account):
    """The public pages as an administrator sees them (their internal sections too), at 1300 and 390 px: axe-core
    finds no serious or critical WCAG violation. Anonymous visits and internal pages are checked above."""
    public = [p["relative_path"] for p in dash.page_registry.values()
              if is_public(p) and not p.get("path_template") and not p["module"].endswith("not_found_404")]
    assert "/climat" in public and "/finances" in public
    public += [view for path in public for view in VIEWS.get(path, [])]
    pilote.sign_in(*admin_account, next_path="/")
    found = {}
    for path in public:
        pilote.driver.set_window_size(1300, 900)
        pilote.open(path)
        for width in (1300, 390):
            pilote.resize(width)
            if violations := pilote.axe_violations():
                found[f"{path} at {width} px"] = violations
    assert found == {}


def test_mobilite_graphs_and_kpis(pilote):
    pilote.open("/mobilite")
    duo = pilote.duo
    duo.wait_for_element("#velib-map-graph .js-plotly-plot", timeout=30)
    duo.wait_for_element("#velib-communes-graph .js-plotly-plot", timeout=30)
    # the map really drew: its stations in SVG (no WebGL canvas), bars for the chart
    pilote.settle()
    assert len(pilote.driver.find_elements("css selector", "#velib-map-graph .scattergeo .point")) == 73
    assert not pilote.driver.find_elements("css selector", "#velib-map-graph canvas")
    assert pilote.driver.find_elements("css selector", "#velib-communes-graph .barlayer .point")
    pilote.wait_stations("73")
    assert pilote.commune_shown() == "Tout le territoire"
    assert "tout le territoire" in duo.find_element("#contenu h2").text
    assert pilote.console_errors() == []


# The outlines a map names by URL, as drawn: (the URL named, the points of its outline trace, the number of
# times the page fetched that URL).
_OUTLINES = """
const gd = document.querySelector(arguments[0] + " .js-plotly-plot");
const outline = gd && gd._fullLayout && gd.data.find(t => t.meta === "pilote-outlines");
if (!outline) { return null; }
const url = gd.layout.meta.outlines;
const fetched = performance.getEntriesByType("resource").filter(e => e.name.endsWith(url)).length;
return [url, outline.lon.filter(v => v !== null).length, fetched];
"""


def test_maps_fetch_the_outlines_once_and_draw_them(pilote):
    """The maps of /mobilite name the communes' outlines by URL instead of carrying them; the browser fetches
    that URL once for the four maps and draws the outlines under each map's points (its caching is tested
    over HTTP)."""
    from dash.testing import wait

    from components.maps import outlines_for

    pilote.open("/mobilite?commune=92040&theme=tout")
    issy = outlines_for(app.server.extensions["pilote_data"], "92040")
    polygons = [polygon for f in issy["features"] for polygon in
                ([f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"])]
    vertices = sum(len(ring) for polygon in polygons for ring in polygon)  # Issy's, every ring of it
    assert vertices > 10
    for graph in ("#velib-map-graph", "#irve-carte-graph", "#accidents-carte-graph", "#trafic-carte-graph"):
        pilote.duo.wait_for_element(f"{graph} .js-plotly-plot", timeout=30)
        url, drawn, fetched = wait.until(lambda: pilote.driver.execute_script(_OUTLINES, graph), 30)
        assert url.startswith("/_pilote/contours.geojson?commune=92040"), url
        assert drawn == vertices and fetched == 1, (graph, drawn, fetched)
    assert pilote.console_errors() == []


def test_console_errors_are_captured(pilote):
    """The "no console errors" assertions above are not vacuous: a console.error does reach get_logs()."""
    pilote.open("/")
    pilote.driver.execute_script("console.error('pilote-e2e-canary')")
    errors = pilote.console_errors()
    assert any("pilote-e2e-canary" in e["message"] and e["level"] == "SEVERE" for e in errors), errors
