"""On a 390 px phone: an agent of the playground group signs in, reports an inspection with a photo from the
form, sees "enregistré", follows the link and finds the report and its photo on the site's card."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import group_agent
from tests.integration.field_forms import jpeg

pytestmark = pytest.mark.e2e
WAIT = 30  # seconds: a loaded machine is slow, the wait is on a condition


@pytest.fixture(scope="module")
def playground_agent():
    return group_agent("espace-public", "Direction de l'espace public", "Dominique Aires", "aires.test")


def test_an_agent_reports_an_inspection_with_a_photo_from_a_phone(pilote, playground_agent, tmp_path):
    driver = pilote.driver
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    pilote.sign_in(*playground_agent, next_path="/aires-de-jeux/controle")
    pilote.wait_h1("Signaler un contrôle d'aire de jeux", timeout=WAIT)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    submit = pilote.duo.find_element("#controle-envoyer")
    assert submit.size["height"] >= 44 and submit.size["width"] >= 300  # a thumb's target

    from selenium.webdriver.support.ui import Select

    Select(pilote.duo.find_element("#controle-aire_id")).select_by_value("AJ-07")
    pilote.duo.wait_for_element("#controle-equipement_id option[value='AJ-07-E1']", timeout=WAIT)
    Select(pilote.duo.find_element("#controle-equipement_id")).select_by_value("AJ-07-E1")
    pilote.click("#controle-type_controle input[value='Fonctionnel']")
    pilote.click("#controle-gravite input[value='Mineur']")
    pilote.duo.find_element("#controle-constat").send_keys("Boulon desserré sur le portique")
    photo = tmp_path / "portique.jpg"
    photo.write_bytes(jpeg())
    driver.find_element("css selector", "#controle-photos input[type=file]").send_keys(str(photo))
    pilote.duo.wait_for_contains_text("#controle-photos-noms", "portique.jpg", timeout=WAIT)
    driver.save_screenshot(str(tmp_path / "form-390.png"))

    pilote.click("#controle-envoyer")
    pilote.duo.wait_for_contains_text("#controle-message", "Contrôle enregistré", timeout=WAIT)
    assert pilote.text("#controle-constat") == ""  # emptied for the next report
    pilote.click("#controle-lien")
    pilote.wait_url(lambda u: "aire=AJ-07" in u, timeout=WAIT, what="the site's card")
    pilote.duo.wait_for_contains_text("#fiche", "Boulon desserré sur le portique", timeout=WAIT)
    assert "Dominique Aires" not in pilote.text("#fiche") and "@aires.test" in pilote.text("#fiche")
    loaded = lambda: driver.execute_script(  # noqa: E731
        "const i = document.querySelector('#fiche img.pilote-thumb'); return i && i.complete && i.naturalWidth > 0")
    from dash.testing import wait

    wait.until(loaded, WAIT)
    driver.save_screenshot(str(tmp_path / "fiche-390.png"))
    assert not [e for e in pilote.console_errors() if "favicon" not in e.get("message", "")]
