"""On a 390 px phone every data table reads as stacked rows, each cell with its column's name: the chart
cards' tables once opened, and the pages' own lists (checked on every page by tests/e2e/test_pages.py)."""

from __future__ import annotations

import pytest
from dash.testing import wait

pytestmark = pytest.mark.e2e

_OPEN_ALL = """
const summaries = Array.from(document.querySelectorAll('details.pilote-chart-data > summary'));
summaries.forEach(s => s.click());
return summaries.length;
"""
_BUILT = """
return Array.from(document.querySelectorAll('details.pilote-chart-data')).every(d => d.querySelector('table'));
"""


@pytest.mark.parametrize("path", ["/finances?annee=2019&theme=tout", "/mobilite?theme=tout"])
def test_opened_tables_are_stacked_rows_on_a_phone(pilote, path):
    pilote.resize(390)
    pilote.open(path)
    assert pilote.driver.execute_script(_OPEN_ALL) >= 4
    wait.until(lambda: pilote.driver.execute_script(_BUILT), 30)
    try:  # assets/a11y.js labels the cells on the next frame
        wait.until(lambda: pilote.layout_faults() == [], 30)
    except Exception:  # noqa: BLE001 - said below
        pass
    assert pilote.layout_faults() == []
    stacked = pilote.driver.execute_script(
        "return document.querySelectorAll('details.pilote-chart-data table.pilote-stack').length")
    assert stacked >= 3
    # Wide again, the same tables are tables: their header row in sight
    pilote.resize(1300)
    assert pilote.driver.execute_script(
        "const t = document.querySelector('details.pilote-chart-data table.pilote-stack');"
        "return t.tHead.getBoundingClientRect().height > 10")
    assert not pilote.console_errors()
