"""/stationnement in a browser: the real-time panel refreshes on its own, without reloading the page; the
car-park choice goes to the URL."""

from urllib.parse import parse_qs, urlsplit

import polars as pl
import pytest

pytestmark = pytest.mark.e2e


def test_realtime_panel_refreshes_without_a_reload(pilote, monkeypatch):
    from app import app

    monkeypatch.setenv("PILOTE_REALTIME_SECONDS", "5")
    store = app.server.extensions["pilote_data"].store
    original, meta = store.read("parking_temps_reel"), store.meta("parking_temps_reel")
    pilote.open("/stationnement")
    assert "5 s" in pilote.text("#parking-last-update")
    pilote.driver.execute_script("window.__notReloaded = true")
    before = pilote.text("#parking-list")
    changed = original.with_columns(
        pl.when(pl.col("parking_id") == "ISSY-P02").then(pl.lit(42)).otherwise(pl.col("free_spots")).alias("free_spots"))
    try:
        store.write("parking_temps_reel", changed, source_url="test", origin="portal")  # a refresh happened
        pilote.duo.wait_for_contains_text("#parking-list", "42", timeout=30)
        assert pilote.text("#parking-list") != before
        assert pilote.driver.execute_script("return window.__notReloaded === true")  # same page, updated
    finally:
        store.write("parking_temps_reel", original, source_url=meta.source_url, origin=meta.origin,
                    fetched_at=meta.fetched_at)  # as it was, its date too
    assert "en retard" in pilote.text("#parking-realtime").lower()  # late feeds flagged, not shown full/empty
    assert not pilote.console_errors()


def test_car_park_choice_goes_to_the_url(pilote):
    pilote.open("/stationnement?parking=ISSY-P03&theme=historique")
    assert parse_qs(urlsplit(pilote.driver.current_url).query)["parking"] == ["ISSY-P03"]
    pilote.open("/stationnement?parking=NOPE&theme=historique")
    assert "inconnu" in pilote.text("#contenu")


# Counts the router's answers that replace the page content (Dash posts callbacks with fetch).
_COUNT_RENDERS = """
window.__pageRenders = 0;
const original = window.fetch;
window.fetch = function (url, options) {
    return original.apply(this, arguments).then(function (response) {
        if (options && typeof options.body === "string" && options.body.includes("_pages_content.children")) {
            response.clone().json().then(function (d) {
                if (d && d.response && d.response._pages_content) { window.__pageRenders += 1; }
            }, function () {});
        }
        return response;
    });
};
"""


def test_the_car_park_selector_redraws_its_charts_not_the_page(pilote):
    from dash.testing import wait

    pilote.open("/stationnement?theme=historique")
    driver = pilote.driver
    driver.execute_script(_COUNT_RENDERS)
    assert "l'ensemble des parkings" in pilote.text("#historique h2")
    pilote.choose("#parking-select", "Hôtel de Ville")
    pilote.duo.wait_for_contains_text("#historique h2", "Hôtel de Ville", timeout=30)
    pilote.wait_url(lambda u: "parking=ISSY-P03" in u, timeout=30, what="the car park in the URL")
    assert "Hôtel de Ville" in pilote.text("#parking-tendance-summary")
    pilote.choose("#parking-select", "Gare d'Issy Val de Seine")
    pilote.duo.wait_for_contains_text("#historique h2", "Gare d'Issy Val de Seine", timeout=30)

    driver.back()  # the previous choice comes back, through the URL, still without rebuilding the page
    pilote.wait_url(lambda u: "parking=ISSY-P03" in u, timeout=30, what="the previous car park")
    pilote.duo.wait_for_contains_text("#historique h2", "Hôtel de Ville", timeout=30)
    pilote.duo.wait_for_contains_text("#parking-select", "Hôtel de Ville", timeout=30)
    wait.until(lambda: driver.execute_script("return window.__pageRenders") == 0, 5)
    assert driver.execute_script("return window.__pageRenders") == 0  # the router never replaced the content

    # Another page, then back: a real navigation renders the page, with the car park of its URL.
    pilote.click("a.nav-link[href^='/climat']")
    pilote.wait_url(lambda u: "/climat" in u, timeout=30, what="/climat")
    pilote.duo.wait_for_element("#climat-selectors", timeout=30)
    wait.until(lambda: driver.execute_script("return window.__pageRenders") == 1, 30)  # /climat rendered
    driver.back()
    pilote.wait_url(lambda u: "/stationnement" in u and "parking=ISSY-P03" in u, timeout=30, what="/stationnement")
    pilote.duo.wait_for_contains_text("#historique h2", "Hôtel de Ville", timeout=30)
    wait.until(lambda: driver.execute_script("return window.__pageRenders") == 2, 30)  # and /stationnement again
    assert not pilote.console_errors()


# When the heading of the history section and the URL change, in the page's own clock.
_WATCH_ORDER = """
window.__order = [];
const heading = document.querySelector('#historique-titre');
new MutationObserver(() => window.__order.push('section')).observe(heading, {childList: true, subtree: true,
                                                                            characterData: true});
const push = history.pushState;
history.pushState = function () { window.__order.push('url'); return push.apply(this, arguments); };
"""


def test_the_url_follows_the_car_park_once_its_charts_are_shown(pilote):
    """A new URL wakes the router and the shell's callbacks: written at the choice, their round trip held the
    charts back. The URL is written once the section shows the new car park, and still holds the choice."""
    pilote.open("/stationnement?theme=historique")
    pilote.driver.execute_script(_WATCH_ORDER)
    pilote.choose("#parking-select", "Hôtel de Ville")
    pilote.wait_url(lambda u: "parking=ISSY-P03" in u, timeout=30, what="the car park in the URL")
    order = pilote.driver.execute_script("return window.__order")
    assert order[:1] == ["section"] and "url" in order, order
    assert "Hôtel de Ville" in pilote.text("#historique h2")


# Frames too: a frame's callbacks run just before it is painted.
_WATCH_FRAMES = _WATCH_ORDER + """
(function frame() { if (window.__order.length && window.__order[window.__order.length - 1] !== 'frame') {
    window.__order.push('frame'); } requestAnimationFrame(frame); })();
"""


def test_the_url_is_written_after_the_frame_that_paints_the_charts(pilote):
    """The callbacks a new URL sets off (the router, the shell's links) wait until the new charts are painted:
    written in the same frame, they held it back one change in three."""
    pilote.open("/stationnement?theme=historique")
    pilote.driver.execute_script(_WATCH_FRAMES)
    # Without the wait, one change in three or so already had the frame first: five changes.
    for name, parking in [("Hôtel de Ville", "ISSY-P03"), ("Gare d'Issy Val de Seine", "ISSY-P01")] * 2 + [
            ("Hôtel de Ville", "ISSY-P03")]:
        pilote.driver.execute_script("window.__order = []")
        pilote.choose("#parking-select", name)
        pilote.wait_url(lambda u: f"parking={parking}" in u, timeout=30, what="the car park in the URL")
        order = pilote.driver.execute_script("return window.__order")
        section, url = order.index("section"), order.index("url")
        assert section < url and "frame" in order[section:url], order


def test_the_themes_keep_the_car_park_and_the_back_button_goes_back(pilote):
    """Real time first; a theme link renders its theme with the URL's other parameters (the car park), and the
    back button returns to the theme before, with its car park."""
    pilote.open("/stationnement")
    pilote.duo.wait_for_element("#parking-map", timeout=30)
    assert not pilote.driver.find_elements("css selector", "#parking-select")  # the history is another theme
    pilote.click("#theme-historique")
    pilote.duo.wait_for_element("#parking-select", timeout=30)
    pilote.choose("#parking-select", "Hôtel de Ville")
    pilote.wait_url(lambda u: "parking=ISSY-P03" in u and "theme=historique" in u, timeout=30, what="the car park")
    pilote.duo.wait_for_element("#theme-comparaison a[href*='parking=ISSY-P03']", timeout=30)
    pilote.click("#theme-comparaison")
    pilote.wait_url(lambda u: "theme=comparaison" in u and "parking=ISSY-P03" in u, timeout=30, what="comparaison")
    pilote.duo.wait_for_element("#parking-comparaison .js-plotly-plot", timeout=30)
    assert not pilote.driver.find_elements("css selector", "#parking-map, #parking-select")
    pilote.driver.back()
    pilote.wait_url(lambda u: "theme=historique" in u, timeout=30, what="the history again")
    pilote.duo.wait_for_contains_text("#historique h2", "Hôtel de Ville", timeout=30)
    assert not pilote.console_errors()


# The rows of a card's opened table, and the rows built from the card's store as the renderer holds it.
_TABLE_ROWS = """
const slot = document.querySelector('#' + arguments[0] + '-data .table-responsive tbody');
const stored = window.PiloteExport.printedTable(arguments[0]);
return [slot ? slot.textContent : null, stored ? stored.querySelector('tbody').textContent : null];
"""


def test_an_opened_table_follows_the_car_park(pilote):
    """The table is built at its first opening; a car-park change redraws the card in place, and the opened
    table is rebuilt from the card's new data (no callback per card follows the stores)."""
    from dash.testing import wait

    card = "parking-tendance"
    pilote.open("/stationnement?theme=historique")
    pilote.click(f"#{card}-data summary")
    wait.until(lambda: pilote.driver.execute_script(_TABLE_ROWS, card)[0], 30)
    before, stored = pilote.driver.execute_script(_TABLE_ROWS, card)
    assert before == stored
    pilote.choose("#parking-select", "Hôtel de Ville")
    pilote.duo.wait_for_contains_text("#parking-tendance-summary", "Hôtel de Ville", timeout=30)
    wait.until(lambda: pilote.driver.execute_script(_TABLE_ROWS, card)[0] != before, 30)
    after, stored = pilote.driver.execute_script(_TABLE_ROWS, card)
    assert after == stored and stored != before  # the new car park's rows, as its CSV has them
    assert pilote.driver.execute_script(f"return document.getElementById('{card}-data').open")
    assert not pilote.console_errors()


# Holds the next answers of the history section's callback for a while, as a loaded server would.
_SLOW_ANSWERS = """
const original = window.fetch;
window.__waiting = [];
window.fetch = function (url, options) {
    const answer = original.apply(this, arguments);
    if (!(options && typeof options.body === "string" && options.body.includes("historique-titre"))) { return answer; }
    return answer.then(r => new Promise(resolve => setTimeout(() => resolve(r), 4000)));
};
new MutationObserver(() => {
    if (document.querySelector('#parking-tendance [data-pilote-waiting]')) { window.__waiting.push(performance.now()); }
}).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["data-pilote-waiting"]});
"""


def test_a_late_answer_dims_the_cards_it_updates(pilote):
    """A quarter of a second after the choice, the cards waiting for the answer are dimmed; the answer puts
    them back. The other parts of the page are not dimmed."""
    from dash.testing import wait

    pilote.open("/stationnement?theme=historique")
    driver = pilote.driver
    driver.execute_script(_SLOW_ANSWERS)
    opacity = "return getComputedStyle(document.querySelector('#parking-tendance-graph')).opacity"
    assert driver.execute_script(opacity) == "1"
    pilote.choose("#parking-select", "Hôtel de Ville")
    wait.until(lambda: driver.execute_script(opacity) == "0.55", 30)
    assert driver.execute_script("return document.querySelector('#parking-select').closest('[data-pilote-waiting]')") is None
    pilote.duo.wait_for_contains_text("#parking-tendance-summary", "Hôtel de Ville", timeout=30)
    wait.until(lambda: driver.execute_script("return document.querySelectorAll('[data-pilote-waiting]').length") == 0, 30)
    assert driver.execute_script(opacity) == "1"
    assert driver.execute_script("return window.__waiting.length") > 0
    assert not pilote.console_errors()
