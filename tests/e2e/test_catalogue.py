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
    assert cells[4] == "0", cells  # Lignes écartées
    # Judged by age: a snapshot of 6 April 2026 is far older than Vélib's 5-minute cadence.
    assert "Périmé" in cells[6] and "fréquence de mise à jour prévue (5min)" in cells[6], cells  # État

    contours = duo.find_element("#dataset-communes_contours")
    cells = [td.text for td in contours.find_elements("css selector", "td")]
    assert cells[3] == "8", cells
    assert "À jour" in cells[6], cells
    demo = [td.text for td in duo.find_element("#dataset-budget_climat").find_elements("css selector", "td")]
    assert "Démonstration" in demo[6], demo

    cards = duo.find_element("#dashboard-list")
    assert "Mobilité" in cards.text
    mobilite_card = cards.find_element("css selector", "a[href^='/mobilite']")
    assert "Public" in mobilite_card.text

    assert pilote.console_errors() == []
