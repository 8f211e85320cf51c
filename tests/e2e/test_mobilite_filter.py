"""Cross-filtering: clicking a commune's bar filters the whole page, through the URL."""

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.e2e

# The click as plotly reports it to dcc.Graph (the event a real click on the bar emits). A synthetic mouse
# click on the SVG is unreliable in headless Chromium; this still goes through dcc.Graph, the callback,
# the guard, the URL and the page re-render.
CLICK_BAR = """
const gd = document.querySelector('#velib-communes-graph .js-plotly-plot');
const trace = gd.data[0], i = trace.y.indexOf(arguments[0]);
gd.emit('plotly_click', {points: [{curveNumber: 0, pointNumber: i, pointIndex: i, x: trace.x[i], y: trace.y[i],
                                   customdata: trace.customdata[i], data: trace, fullData: gd._fullData[0]}]});
return trace.customdata[i];
"""


def test_clicking_a_commune_bar_filters_the_page(pilote):
    pilote.open("/mobilite")
    assert pilote.stations() == "73"
    code = pilote.driver.execute_script(CLICK_BAR, "Vanves")
    assert code == "92075"
    pilote.wait_url(lambda u: parse_qs(urlsplit(u).query).get("commune") == ["92075"], what="commune=92075")
    pilote.wait_stations("7")  # Vanves has 7 stations
    assert pilote.commune_shown() == "Vanves"  # the navbar selector follows the URL
    assert not pilote.console_errors()


CLICK_STATION = """
const gd = document.querySelector('#velib-map-graph .js-plotly-plot');
const trace = gd.data[gd.data.length - 1], i = trace.customdata.findIndex(row => row[0] === arguments[0]);
gd.emit('plotly_click', {points: [{curveNumber: gd.data.length - 1, pointNumber: i, pointIndex: i,
                                   lat: trace.lat[i], lon: trace.lon[i], customdata: trace.customdata[i]}]});
return trace.customdata[i][0];  // a station's row: [commune code, its table cells…]
"""


def test_clicking_a_station_on_the_map_filters_the_page(pilote):
    pilote.open("/mobilite")
    assert pilote.driver.execute_script(CLICK_STATION, "92048") == "92048"  # a station in Meudon
    pilote.wait_url(lambda u: parse_qs(urlsplit(u).query).get("commune") == ["92048"], what="commune=92048")
    pilote.wait_stations("5")  # Meudon has 5 stations
    assert pilote.commune_shown() == "Meudon"
