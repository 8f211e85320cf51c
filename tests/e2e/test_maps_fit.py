"""Maps show everything they draw, at a desktop's width and a phone's: the browser fits each map to the box
of its outlines and points (layout.meta.bounds, components/maps.py) at the size it is drawn
(assets/plotly-template.js). At 390 px the server's zoom alone kept 4 of 65 counting points in view."""

from __future__ import annotations

import pytest
from dash.testing import wait

pytestmark = pytest.mark.e2e

# Every drawn map: how many of its points lie outside what the map shows now.
_OUT_OF_VIEW = """
return Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(gd => gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
                && gd._fullLayout.map._subplot.map && gd._fullLayout.map._subplot.map.loaded())
  .map(gd => {
    const map = gd._fullLayout.map._subplot.map, view = map.getBounds();
    let points = 0, out = 0;
    gd.data.forEach(t => (t.lat || []).forEach((lat, i) => {
        if (lat === null || t.lon[i] === null) return;
        points += 1;
        if (!view.contains([t.lon[i], lat])) out += 1;
    }));
    return {id: gd.closest('.pilote-chart-card').id, points: points, out: out, width: map.getCanvas().clientWidth,
            graph: gd.clientWidth, zoom: map.getZoom()};
  });
"""


def maps_in_view(pilote, expected: int) -> list[dict]:
    found: list[dict] = []

    def ready():
        found[:] = pilote.driver.execute_script(_OUT_OF_VIEW)
        return len(found) >= expected and all(m["out"] == 0 for m in found)

    try:
        wait.until(ready, 30)
    except Exception:  # noqa: BLE001 - the assertion below says what is out of view
        pass
    return found


@pytest.mark.parametrize("width", [1300, 390])
@pytest.mark.parametrize("path, expected", [("/mobilite", 4), ("/stationnement", 1), ("/finances?annee=2019", 1)])
def test_every_point_of_every_map_is_in_view(pilote, path, expected, width):
    pilote.resize(width)
    pilote.open(path)
    found = maps_in_view(pilote, expected)
    assert len(found) >= expected, found
    assert all(m["points"] > 0 for m in found), found
    assert [m for m in found if m["out"]] == [], f"points out of view at {width} px: {found}"
    if width == 390:
        assert all(m["width"] <= 390 for m in found), found
    # The map takes its graph's width: no colour scale down its side (a fifth of a phone's card)
    assert all(m["width"] >= 0.9 * m["graph"] for m in found), found
    assert not pilote.console_errors()
