"""A long list sent compactly and built in the browser (components.tables.compact_table): /flotte's vehicle
inventory is the same accessible table as one sent as components: caption, column headers, row headers,
numbers right-aligned, every vehicle in service."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import group_agent

pytestmark = pytest.mark.e2e

_TABLE = """
const t = document.querySelector('#flotte-inventaire');
if (!t) return null;
return {caption: t.caption.innerText, head: Array.from(t.tHead.rows[0].cells).map(c => [c.innerText, c.scope]),
        rows: Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => [c.tagName, c.scope, c.className, c.innerText]))};
"""


def test_the_fleet_inventory_is_built_in_the_browser(pilote):
    from dash.testing import wait

    pilote.sign_in(*group_agent("flotte", "Gestion du parc automobile", "Camille Parc", "flotte.test"),
                   next_path="/flotte")
    pilote.wait_h1("Parc automobile municipal", timeout=30)
    wait.until(lambda: pilote.driver.execute_script(_TABLE) is not None, 30)
    table = pilote.driver.execute_script(_TABLE)
    count = int(re.search(r"\((\d+)\)", table["caption"]).group(1))
    assert count > 50 and len(table["rows"]) == count  # every vehicle in service
    assert table["head"][0] == ["Véhicule", "col"] and all(scope == "col" for _, scope in table["head"])
    first = table["rows"][0]
    assert first[0][:2] == ["TH", "row"] and first[0][3].startswith("V-")
    odometer = [h for h, _ in table["head"]].index("Compteur (km)")
    assert all("text-end" in row[odometer][2] for row in table["rows"])  # numbers right-aligned
    assert not pilote.console_errors()
