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


def on_the_form(pilote, agent):
    """A 390 px phone, signed in as ``agent``, on the inspection form."""
    pilote.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                  {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    pilote.sign_in(*agent, next_path="/aires-de-jeux/controle")
    pilote.wait_h1("Signaler un contrôle d'aire de jeux", timeout=WAIT)


def test_an_agent_reports_an_inspection_with_a_photo_from_a_phone(pilote, playground_agent, tmp_path):
    driver = pilote.driver
    on_the_form(pilote, playground_agent)
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


def test_an_agent_corrects_then_deletes_their_report_from_the_phone(pilote, playground_agent, tmp_path):
    from selenium.webdriver.support.ui import Select
    from dash.testing import wait

    driver = pilote.driver
    on_the_form(pilote, playground_agent)
    Select(pilote.duo.find_element("#controle-aire_id")).select_by_value("AJ-05")
    pilote.duo.find_element("#controle-constat").send_keys("Sol souple décollé")
    pilote.click("#controle-envoyer")
    pilote.duo.wait_for_contains_text("#controle-message", "Contrôle enregistré", timeout=WAIT)
    number = pilote.text("#controle-enregistre").split("n° ")[1].split(")")[0]

    # The new report is offered for correction at once (the list is refreshed by the answer).
    pilote.duo.wait_for_element(f"#controle-saisies option[value='{number}']", timeout=WAIT)
    Select(pilote.duo.find_element("#controle-saisies")).select_by_value(number)
    pilote.click("#controle-corriger")
    pilote.duo.wait_for_contains_text("#controle-edition-message", f"Correction de la saisie n° {number}", timeout=WAIT)
    wait.until(lambda: driver.find_element("css selector", "#controle-constat").get_attribute("value")
               == "Sol souple décollé", WAIT)
    # The form is brought into view with the banner on top: the list was at the bottom of the screen.
    wait.until(lambda: 0 <= driver.execute_script(
        "return document.getElementById('controle-edition-message').getBoundingClientRect().top") < 200, WAIT)
    driver.save_screenshot(str(tmp_path / "correction-start-390.png"))
    pilote.click("#controle-gravite input[value='Majeur']")
    driver.save_screenshot(str(tmp_path / "correction-390.png"))
    pilote.click("#controle-envoyer")
    pilote.duo.wait_for_contains_text("#controle-message", f"Correction enregistrée (n° {number})", timeout=WAIT)
    assert pilote.text("#controle-edition-message") == ""  # back to a new report

    pilote.driver.get(pilote.origin + "/aires-de-jeux?aire=AJ-05")
    pilote.duo.wait_for_contains_text("#fiche", "Sol souple décollé", timeout=WAIT)
    assert "Majeur" in pilote.text("#fiche")

    pilote.driver.get(pilote.origin + "/aires-de-jeux/controle")
    pilote.duo.wait_for_element(f"#controle-saisies option[value='{number}']", timeout=WAIT)
    Select(pilote.duo.find_element("#controle-saisies")).select_by_value(number)
    driver.save_screenshot(str(tmp_path / "list-390.png"))
    pilote.click("#controle-supprimer button")
    wait.until(lambda: _alert(driver), WAIT)
    driver.switch_to.alert.accept()  # the confirmation asked before deleting
    pilote.duo.wait_for_contains_text("#controle-saisies-message", f"Saisie n° {number} supprimée", timeout=WAIT)
    assert not driver.find_elements("css selector", f"#controle-saisies option[value='{number}']")
    pilote.driver.get(pilote.origin + "/aires-de-jeux?aire=AJ-05")
    pilote.duo.wait_for_element("#fiche", timeout=WAIT)
    assert "Sol souple décollé" not in pilote.text("#fiche")
    assert not [e for e in pilote.console_errors() if "favicon" not in e.get("message", "")]


def _alert(driver) -> bool:
    try:
        driver.switch_to.alert
        return True
    except Exception:  # NoAlertPresentException until the dialog opens
        return False
