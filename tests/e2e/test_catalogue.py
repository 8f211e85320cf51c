"""Browser: the catalogue page ``/`` lists the dashboards and the bundled datasets."""

from __future__ import annotations

import pytest

from app import app  # noqa: F401  (module-level import of the real app, as served)

pytestmark = pytest.mark.e2e


def test_catalogue_lists_bundled_datasets(pilote):
    pilote.open("/")
    duo = pilote.duo

    assert pilote.driver.execute_script("return document.documentElement.getAttribute('lang')") == "fr"

    table = duo.find_element("#dataset-table")
    assert table.is_displayed()

    velib = duo.find_element("#dataset-velib_stations")
    cells = [td.text for td in velib.find_elements("css selector", "td")]
    assert "Vélib'" in velib.find_element("css selector", "th").text
    assert cells[3] == "73", cells  # Lignes
    assert "À jour" in cells[5], cells  # État

    contours = duo.find_element("#dataset-communes_contours")
    cells = [td.text for td in contours.find_elements("css selector", "td")]
    assert cells[3] == "8", cells
    assert "À jour" in cells[5], cells

    cards = duo.find_element("#dashboard-list")
    assert "Mobilité" in cards.text
    mobilite_card = cards.find_element("css selector", "a[href^='/mobilite']")
    assert "Public" in mobilite_card.text

    assert pilote.console_errors() == []
