"""Maps show everything they draw and fill their plot, at a desktop's width and a phone's: the server frames
the outlines and points (layout.geo's ranges, components/maps.py) and the browser widens that box to the
shape of the plot it is drawn in (assets/plotly-template.js). At 390 px a zoom fixed on the server kept 4 of
65 counting points in view; a box of another shape than the plot left blank bands and cut the outlines."""

from __future__ import annotations

import pytest
from dash.testing import wait

pytestmark = pytest.mark.e2e


def filled(m: dict) -> bool:
    return abs(m["fill"][0] - 1) <= 0.02 and abs(m["fill"][1] - 1) <= 0.02


def maps_in_view(pilote, expected: int) -> list[dict]:
    found: list[dict] = []

    def ready():
        found[:] = pilote.maps()
        return len(found) >= expected and all(m["out"] == 0 and filled(m) for m in found)

    try:
        wait.until(ready, 30)
    except Exception:  # noqa: BLE001 - the assertion below says what is out of view
        pass
    return found


@pytest.mark.parametrize("width", [1300, 390])
@pytest.mark.parametrize("path, expected", [("/mobilite?theme=tout", 4), ("/stationnement", 1), ("/finances?annee=2019&theme=projets", 1)])
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
    # and its whole plot: the box shown has the plot's shape (no blank band, no outline cut short of the edge)
    assert all(filled(m) for m in found), found
    assert all(m["outline"] > 0 for m in found), found  # the communes are drawn under the points
    assert not pilote.console_errors()
