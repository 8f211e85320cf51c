"""Browser: the commune choice lives in the URL (?commune=), survives navigation, and a URL is a permalink."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from dash.testing import wait

from app import app  # noqa: F401

pytestmark = pytest.mark.e2e

ISSY, BOULOGNE = "92040", "92012"


def _query(url: str) -> dict:
    return parse_qs(urlparse(url).query)


def _path(url: str) -> str:
    return urlparse(url).path


def test_commune_choice_survives_navigation(pilote):
    duo, driver = pilote.duo, pilote.driver
    pilote.open("/mobilite")
    pilote.wait_stations("73")

    pilote.choose_commune("Issy-les-Moulineaux")
    pilote.wait_url(lambda u: _query(u).get("commune") == [ISSY], what="?commune=92040")
    pilote.wait_stations("22")
    assert pilote.commune_shown() == "Issy-les-Moulineaux"
    # every menu link now carries the choice
    mobilite_link = duo.find_element("#main-nav a[href^='/mobilite']")
    assert _query(mobilite_link.get_attribute("href")).get("commune") == [ISSY]

    # to the catalogue through the brand link of the navbar
    pilote.click("a.navbar-brand")
    pilote.wait_url(lambda u: _path(u) == "/", what="the catalogue")
    wait.until(lambda: pilote.h1().startswith("Tableaux de bord"), 30)
    pilote.settle()
    assert _query(driver.current_url).get("commune") == [ISSY], \
        f"the brand link dropped the commune: {driver.current_url}"
    assert pilote.commune_shown() == "Issy-les-Moulineaux"

    # back to Mobilité through the navbar
    pilote.click("#main-nav a[href^='/mobilite']")
    pilote.wait_url(lambda u: _path(u) == "/mobilite", what="/mobilite")
    pilote.wait_h1("Observatoire de la mobilité")
    pilote.wait_url(lambda u: _query(u).get("commune") == [ISSY], what="?commune=92040 after navigation")
    pilote.wait_stations("22")
    assert pilote.commune_shown() == "Issy-les-Moulineaux"
    assert pilote.console_errors() == []


def test_commune_survives_navigation_through_menu_only(pilote):
    """Choice made on the catalogue page, then the navbar (no brand link involved)."""
    duo = pilote.duo
    pilote.open("/")
    pilote.choose_commune("Issy-les-Moulineaux")
    pilote.wait_url(lambda u: _query(u).get("commune") == [ISSY], what="?commune=92040 on /")
    duo.wait_for_element(f"#main-nav a[href='/mobilite?commune={ISSY}']", timeout=30)
    # the dashboard cards of the catalogue carry the choice too
    duo.wait_for_element(f"#dashboard-list a[href='/mobilite?commune={ISSY}']", timeout=30)

    pilote.click("#main-nav a[href^='/mobilite']")
    pilote.wait_url(lambda u: _path(u) == "/mobilite" and _query(u).get("commune") == [ISSY],
                    what="/mobilite?commune=92040")
    pilote.wait_stations("22")
    assert pilote.commune_shown() == "Issy-les-Moulineaux"

    # back to "tout le territoire": the parameter leaves the URL
    pilote.choose_commune("Tout le territoire")
    pilote.wait_url(lambda u: "commune" not in _query(u), what="no ?commune= for the whole territory")
    pilote.wait_stations("73")
    assert pilote.console_errors() == []


def test_permalink_selects_commune(pilote):
    pilote.open(f"/mobilite?commune={BOULOGNE}")
    pilote.wait_stations("29")
    pilote.duo.wait_for_text_to_equal("#commune-select-value", "Boulogne-Billancourt", timeout=30)
    assert _query(pilote.driver.current_url).get("commune") == [BOULOGNE]
    assert pilote.console_errors() == []


def test_unknown_commune_falls_back_with_notice(pilote):
    pilote.open("/mobilite?commune=99999")
    pilote.wait_stations("73")
    notice = pilote.duo.find_element("#contenu .alert-warning")
    assert notice.is_displayed()
    assert "inconnu" in notice.text and "99999" in notice.text
    assert pilote.commune_shown() == "Tout le territoire"
    assert pilote.console_errors() == []


def test_commune_survives_a_visit_to_the_accessibility_page(pilote):
    """The footer links (catalogue, accessibility statement) are pages too: the choice must come back with the
    user. Going through /accessibilite and back to Mobilité via the navbar keeps ?commune=."""
    duo = pilote.duo
    pilote.open(f"/mobilite?commune={ISSY}")
    pilote.wait_stations("22")
    pilote.click("footer a[href^='/accessibilite']")
    pilote.wait_url(lambda u: _path(u) == "/accessibilite", what="/accessibilite")
    pilote.wait_h1("Déclaration d'accessibilité")
    assert _query(pilote.driver.current_url).get("commune") == [ISSY], \
        f"the footer link dropped the commune: {pilote.driver.current_url}"
    pilote.click("#main-nav a[href^='/mobilite']")
    pilote.wait_url(lambda u: _path(u) == "/mobilite", what="/mobilite")
    pilote.wait_stations("22")
    assert pilote.console_errors() == []
