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
    pilote.open("/finances?annee=2019")
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

    pilote.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORD})
    drawn = fully_drawn(pilote.driver, pilote.origin + "/finances?annee=2019")
    drawings = pilote.driver.execute_script("return window.__drawings")
    graphs = pilote.driver.execute_script("return document.querySelectorAll('.dash-graph').length")
    assert len({card for card, _ in drawings}) == graphs >= 8, drawings
    assert "finances-projets-carte-graph" in {card for card, _ in drawings}  # the map, drawn with its outlines
    assert drawn >= max(at for _, at in drawings), (drawn, drawings)
    wait.until(lambda: pilote.driver.execute_script(
        "return document.querySelector('#finances-projets-carte .js-plotly-plot').data[0].meta") == "pilote-outlines", 30)
