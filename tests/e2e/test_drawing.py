"""How a page's charts are drawn (assets/plotly-template.js) and how the browser benchmark sees it: a graph
resized at the size it has is not drawn again, and "fully drawn" (benchmarks/browser.py) waits for the
last graph of the page, a map with its outlines included."""

from __future__ import annotations

import pytest
from dash.testing import wait

pytestmark = pytest.mark.e2e

# Every graph's drawings, as plotly.js is asked for them (under assets/plotly-template.js): when each ended.
_RECORD = """
window.__drawings = [];
window.PilotePlotlyHooks = (window.PilotePlotlyHooks || []).concat([function (P) {
    const react = P.react;
    P.react = function (gd) {
        const drawn = react.apply(this, arguments);
        Promise.resolve(drawn).then(() => window.__drawings.push([gd.parentElement.id, performance.now()]));
        return drawn;
    };
}]);
"""

_REDRAWS = """
const done = arguments[arguments.length - 1], gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
let redraws = 0;
const count = () => { redraws += 1; };
gd.on('plotly_afterplot', count);
Plotly.Plots.resize(gd).then(() => { gd.removeListener('plotly_afterplot', count); done([redraws, gd._fullLayout.height]); });
"""


def test_a_graph_resized_at_its_size_is_not_drawn_again(pilote):
    """dcc.Graph resizes each graph after its first drawing and whenever its box may have changed; at the same
    size that was a 100 ms timer and a relayout per graph, 14 on /mobilite, after the page had drawn."""
    pilote.open("/finances?annee=2019&theme=evolution")
    pilote.driver.set_script_timeout(30)
    redraws, height = pilote.driver.execute_async_script(_REDRAWS, "#finances-evolution")
    assert redraws == 0 and height > 100
    # A new size is drawn at that size (a phone's graph grown for its legend: assets/plotly-template.js)
    pilote.driver.execute_script(
        "document.querySelector('#finances-evolution .dash-graph').style.height = arguments[0] + 'px'", height + 60)
    redraws, grown = pilote.driver.execute_async_script(_REDRAWS, "#finances-evolution")
    assert redraws >= 1 and grown == height + 60
    assert not pilote.console_errors()


def test_fully_drawn_waits_for_the_last_graph(pilote):
    """The browser benchmark's "fully drawn" came before any graph was drawn: a graph whose code was still
    loading had no plot, and was not counted. It now comes after the last graph's drawing, a map's with its
    outlines fetched."""
    from benchmarks.browser import fully_drawn

    removed = _with_script(pilote.driver, _RECORD)
    try:
        drawn = fully_drawn(pilote.driver, pilote.origin + "/finances?annee=2019&theme=tout")
        drawings = pilote.driver.execute_script("return window.__drawings")
    finally:
        removed()
    graphs = pilote.driver.execute_script("return document.querySelectorAll('.dash-graph').length")
    assert len({card for card, _ in drawings}) == graphs >= 8, drawings
    assert "finances-projets-carte-graph" in {card for card, _ in drawings}  # the map, drawn with its outlines
    assert drawn >= max(at for _, at in drawings), (drawn, drawings)
    wait.until(lambda: pilote.driver.execute_script(
        "return document.querySelector('#finances-projets-carte .js-plotly-plot').data[0].meta") == "pilote-outlines", 30)


# Out-of-sight graphs wait for an idle moment (assets/plotly-lazy.js): with none, they wait for the reader.
_NO_IDLE = "window.requestIdleCallback = function () { return 0; };"

# Each graph's first drawing as plotly.js is asked for it (under assets/plotly-lazy.js), by graph id: when it
# started, and when it ended.
_STARTS = """
window.__starts = {};
window.__ends = {};
window.PilotePlotlyHooks = (window.PilotePlotlyHooks || []).concat([function (P) {
    const react = P.react;
    P.react = function (gd) {
        const card = gd.parentElement.id;
        if (!(card in window.__starts)) window.__starts[card] = performance.now();
        const drawn = react.apply(this, arguments);
        Promise.resolve(drawn).then(() => { if (!(card in window.__ends)) window.__ends[card] = performance.now(); });
        return drawn;
    };
}]);
"""

# Each graph of the page: its id, drawn or not, and where it is from the top of the page (the window at the top).
_GRAPHS = """
return Array.from(document.querySelectorAll('.dash-graph')).map(graph => {
    const gd = graph.querySelector('.js-plotly-plot');
    return [graph.id, !!(gd && gd._fullLayout), graph.getBoundingClientRect().top + window.scrollY, window.innerHeight];
});
"""


def _with_script(driver, source: str):
    """``source`` run before every page of this browser until the returned function is called."""
    added = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
    return lambda: driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument",
                                          {"identifier": added["identifier"]})


def test_the_first_screen_is_drawn_before_the_graphs_below_it(pilote):
    """/mobilite's every theme has 14 charts, a screen shows 3 or 4: drawing them all before the first screen
    was ready took half of a page view. The graphs in sight are drawn first; those out of sight start only
    after."""
    driver = pilote.driver
    removed = _with_script(driver, _STARTS)
    try:
        pilote.open("/mobilite?theme=tout")
        graphs = driver.execute_script(_GRAPHS)
        starts, ends = driver.execute_script("return [window.__starts, window.__ends]")
    finally:
        removed()
    seen = [card for card, _, top, height in graphs if top < height]
    below = [card for card, _, top, height in graphs if top > 1.5 * height]
    assert seen and len(below) >= 6, graphs
    assert set(starts) == {card for card, *_ in graphs}  # all drawn in the end
    # Without the wait, every graph mounted in one go starts drawing before any has finished.
    first_screen_drawn = min(ends[card] for card in seen)
    assert all(starts[card] > first_screen_drawn for card in below), (starts, ends)
    assert not pilote.console_errors()


def test_a_graph_out_of_sight_is_drawn_when_it_comes_near_and_all_for_printing(pilote):
    driver = pilote.driver
    removed = _with_script(driver, _NO_IDLE)
    try:
        pilote.duo.wait_for_page(pilote.origin + "/mobilite?theme=tout", timeout=30)
        pilote.wait_h1()
        wait.until(lambda: all(drawn for _, drawn, top, height in driver.execute_script(_GRAPHS) if top < height), 30)
        graphs = driver.execute_script(_GRAPHS)
        below = [card for card, _, top, height in graphs if top > 1.5 * height]
        assert len(below) >= 6 and not any(drawn for card, drawn, *_ in graphs if card in below), graphs
        # Scrolled to: drawn (and what lies within half a screen of it)
        target = below[0]
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'center', behavior: 'instant'})",
                              target)
        wait.until(lambda: dict((c, d) for c, d, *_ in driver.execute_script(_GRAPHS))[target], 30)
        assert not all(drawn for _, drawn, *_ in driver.execute_script(_GRAPHS))  # the bottom still waits
        # Printing: every graph drawn first, then laid out for the paper (assets/print.js)
        driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
        wait.until(lambda: all(drawn for _, drawn, *_ in driver.execute_script(_GRAPHS)), 30)
        wait.until(lambda: driver.execute_script(
            "return Array.from(document.querySelectorAll('.dash-graph .js-plotly-plot')).every(gd => gd._fullLayout.width === 700)"), 30)
        driver.execute_script("window.dispatchEvent(new Event('afterprint'))")
        pilote.resize(1400, 1000)  # every graph back at its screen width
    finally:
        removed()
    assert not pilote.console_errors()


# Every relayout asked of plotly.js, by graph.
_RELAYOUTS = """
window.__relayouts = [];
const relayout = Plotly.relayout;
Plotly.relayout = function (gd, update) {
    window.__relayouts.push([gd.parentElement.id, JSON.stringify(update)]);
    return relayout.apply(this, arguments);
};
"""


def test_a_narrow_graph_redrawn_keeps_its_thinned_ticks_without_a_second_drawing(pilote):
    """The peak-hours chart of /stationnement sits in half a row: its 24 hours are labelled every other one
    (assets/plotly-template.js, tickSteps). Each car-park change drew all 24 labels, then relayouted the axis to
    thin them again: 15-20 ms of a 140 ms redraw, and a round of relayoutData through Dash."""
    pilote.open("/stationnement?theme=historique")
    driver = pilote.driver
    step = "return document.querySelector('#parking-pointe .js-plotly-plot')._fullLayout.xaxis.ticklabelstep"
    thinned = driver.execute_script(step)
    assert thinned > 1
    driver.execute_script(_RELAYOUTS)
    for name in ("Hôtel de Ville", "Gare d'Issy Val de Seine"):
        pilote.choose("#parking-select", name)
        pilote.duo.wait_for_contains_text("#parking-pointe-summary", name, timeout=30)
        pilote.settle()
        assert driver.execute_script(step) == thinned
    relayouts = driver.execute_script("return window.__relayouts")
    assert not [r for r in relayouts if "ticklabelstep" in r[1]], relayouts
    assert not pilote.console_errors()


# Each graph's second drawings by plotly.js's automargin (its counter of them, plotly.js's
# _redrawFromAutoMarginCount, set on the graph's full layout each time its axes' labels asked for more room).
_REDRAWS_FOR_ROOM = """
window.__redraws = {};
(function () {
    const counts = new WeakMap();
    Object.defineProperty(Object.prototype, '_redrawFromAutoMarginCount', {
        configurable: true,
        get() { return counts.get(this) || 0; },
        set(value) {
            if (value > (counts.get(this) || 0)) {
                const gd = Array.from(document.querySelectorAll('.js-plotly-plot')).find(g => g._fullLayout === this);
                const card = gd ? gd.parentElement.id : '?';
                window.__redraws[card] = (window.__redraws[card] || 0) + 1;
            }
            counts.set(this, value);
        },
    });
})();
"""

_MARGINS = """
return Object.fromEntries(Array.from(document.querySelectorAll('.dash-graph .js-plotly-plot'))
    .map(gd => [gd.parentElement.id, gd._fullLayout._size.l]));
"""
_KEPT = "return JSON.parse(localStorage.getItem('pilote.margins.v1') || '{}')"


def _leave_for_storage(pilote):
    """Leaves the page, which writes the room it measured last as it goes (pagehide: assets/plotly-margins.js),
    for a document of the app's origin that draws nothing: there the browser's storage may be read and changed
    with nothing written over it."""
    pilote.driver.get(pilote.origin + "/_pilote/theme.js")


def test_a_chart_whose_margins_were_kept_is_drawn_once(pilote):
    """plotly.js measures an axis' labels only once it has drawn them, and draws the whole chart again when they
    need more room than the template's margins: the room the axes took is kept (assets/plotly-margins.js), on
    the graph and in the browser, so the next drawing starts with it: one pass instead of two, the same room."""
    from benchmarks.browser import fully_drawn

    driver, url, card = pilote.driver, pilote.origin + "/finances?annee=2019&theme=tout", "finances-sections-graph"
    pilote.open("/finances?annee=2019&theme=tout")
    wait.until(lambda: any(f"|{card}|" in k for k in driver.execute_script(_KEPT)), 30)  # written once a second
    _leave_for_storage(pilote)
    driver.execute_script("localStorage.clear()")  # a browser that never drew these charts
    removed = _with_script(driver, _REDRAWS_FOR_ROOM)
    try:
        fully_drawn(driver, url)
        first, margins = driver.execute_script("return window.__redraws"), driver.execute_script(_MARGINS)
        wait.until(lambda: any(f"|{card}|" in k for k in driver.execute_script(_KEPT)), 30)
        kept = driver.execute_script(_KEPT)
        fully_drawn(driver, url)
        again, margins_again = driver.execute_script("return window.__redraws"), driver.execute_script(_MARGINS)
    finally:
        removed()
    assert first.get(card) == 1 and margins[card] > 60, (first, margins)  # the template's 48 px were too few
    key = next(k for k in kept if f"|{card}|" in k)
    # kept: the labels' room without plotly.js's 12 px pad, by page, graph and width; no data
    assert key.startswith("/finances|") and set(kept[key]) == set("lrtb") and kept[key]["l"] + 12 >= margins[card] - 1
    assert len(first) >= 5 and not again, (first, again)  # every chart that needed room: drawn once
    # The labels have the room they had (plotly.js's pad is the smallest margin when under 12 px: a chart whose
    # own left margin was 8 px keeps 4 px more once that side is wider).
    assert margins_again[card] == margins[card] and all(0 <= margins_again[c] - margins[c] <= 4 for c in margins)
    assert not pilote.console_errors()


def test_the_room_measured_last_is_kept_when_the_reader_leaves_at_once(pilote):
    """The rooms a page measures are written once a second, for all its graphs at once: a reader leaving sooner
    (a link, a reload) leaves them behind all the same."""
    driver, card = pilote.driver, "finances-sections-graph"
    pilote.open("/finances?annee=2019")
    wait.until(lambda: any(f"|{card}|" in k for k in driver.execute_script(_KEPT)), 30)
    assert driver.execute_script(  # measured again (a redrawing), the second's wait starts
        "localStorage.clear(); const gd = document.querySelector(arguments[0]);"
        "return Plotly.react(gd, gd.data, gd.layout).then(() => !localStorage.getItem('pilote.margins.v1'));",
        f"#{card} .js-plotly-plot")
    _leave_for_storage(pilote)
    assert any(f"|{card}|" in k for k in driver.execute_script(_KEPT)), driver.execute_script(_KEPT)


_MARGIN_RELAYOUTS = """
window.__narrowed = [];
window.PilotePlotlyHooks = (window.PilotePlotlyHooks || []).concat([function (P) {
    const relayout = P.relayout;
    P.relayout = function (gd, update) {
        if (update && typeof update === 'object' && 'margin.l' in update) window.__narrowed.push([gd.parentElement.id, update['margin.l']]);
        return relayout.apply(this, arguments);
    };
}]);
"""


def test_a_kept_margin_wider_than_the_labels_need_is_narrowed_and_a_narrower_one_grows(pilote):
    """Kept margins are a starting point: the axes' automargin stays on, so labels needing more room get it,
    and room the labels no longer need (another year's figures, a font of this browser) is given back."""
    driver, card = pilote.driver, "finances-sections-graph"
    pilote.open("/finances?annee=2019")
    need = driver.execute_script(_MARGINS)[card]
    wait.until(lambda: any(f"|{card}|" in k for k in driver.execute_script(_KEPT)), 30)  # written once a second
    kept = driver.execute_script(_KEPT)
    key = next(k for k in kept if f"|{card}|" in k)
    removed = _with_script(driver, _MARGIN_RELAYOUTS + _REDRAWS_FOR_ROOM)
    try:
        for wrong, narrowed, redrawn in ((kept[key]["l"] + 150, [[card, need]], None), (40, [], 1)):
            _leave_for_storage(pilote)
            driver.execute_script("const all = JSON.parse(localStorage.getItem('pilote.margins.v1'));"
                                  "all[arguments[0]].l = arguments[1];"
                                  "localStorage.setItem('pilote.margins.v1', JSON.stringify(all));", key, wrong)
            pilote.open("/finances?annee=2019")
            wait.until(lambda: driver.execute_script(_MARGINS)[card] == need, 30)
            assert [n for n in driver.execute_script("return window.__narrowed") if n[0] == card] == narrowed
            assert driver.execute_script("return window.__redraws").get(card) == redrawn
            wait.until(lambda: driver.execute_script(_KEPT)[key]["l"] == kept[key]["l"], 30)  # kept as measured
    finally:
        removed()
    assert not pilote.console_errors()
