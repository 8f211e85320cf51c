"""Browser: plotly's French locale is registered before the first graph draws (modebar titles in French),
both on a direct load of a page with graphs and after client-side navigation (plotly.js loads lazily)."""

from __future__ import annotations

import pytest

from app import app  # noqa: F401

pytestmark = pytest.mark.e2e

ENGLISH = {"Download plot as a PNG", "Download plot", "Pan", "Zoom in", "Zoom out", "Reset axes", "Autoscale",
           "Box Select", "Lasso Select", "Reset view", "Reset"}
# Every graph has these (cartesian charts and maps alike); there is no camera: the card's buttons export.
FRENCH = {"Zoom intérieur", "Zoom extérieur"}
CAMERA = {"Télécharger le graphique en fichier PNG", "Download plot as a PNG", "Download plot"}

_TITLES_JS = """
return Array.from(document.querySelectorAll(arguments[0] + ' .modebar-btn'))
    .map(b => b.getAttribute('data-title') || b.getAttribute('title'));
"""


def _check_french(pilote, graph_selector: str):
    duo = pilote.duo
    duo.wait_for_element(f"{graph_selector} .js-plotly-plot", timeout=30)
    # the modebar shows on hover; its buttons are in the DOM either way
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(pilote.driver).move_to_element(duo.find_element(graph_selector)).perform()
    duo.wait_for_element(f"{graph_selector} .modebar-btn", timeout=30)
    titles = pilote.driver.execute_script(_TITLES_JS, graph_selector)
    assert FRENCH <= set(titles), titles
    assert not CAMERA & set(titles), titles
    assert not ENGLISH & set(titles), f"English modebar titles: {sorted(ENGLISH & set(titles))}"


@pytest.mark.parametrize("graph", ["#velib-map-graph", "#velib-communes-graph"])
def test_modebar_in_french_on_direct_load(pilote, graph):
    pilote.open("/mobilite")
    _check_french(pilote, graph)
    assert pilote.console_errors() == []


def test_modebar_in_french_after_client_navigation(pilote):
    pilote.open("/")  # no graph here: plotly.js is not loaded yet
    assert not pilote.driver.execute_script("return !!(window.Plotly && window.Plotly.newPlot)")
    pilote.click("#main-nav a[href^='/mobilite']")
    pilote.wait_h1("Observatoire de la mobilité")
    pilote.settle()
    _check_french(pilote, "#velib-communes-graph")
    _check_french(pilote, "#velib-map-graph")
    assert pilote.console_errors() == []
