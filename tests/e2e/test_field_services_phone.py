"""On a 390 px phone, as a new agent would: a fleet agent records a fill-up that /flotte counts (a lower
odometer is refused first, on its field, with what was typed kept), the nature team records a workshop that
/nature counts, and each dashboard is refused to the other group."""

from __future__ import annotations

import re

import pytest
from dash.testing import wait
from selenium.webdriver.support.ui import Select

from tests.e2e.conftest import group_agent

pytestmark = pytest.mark.e2e
WAIT = 30  # seconds: a loaded machine is slow, the wait is on a condition

_KPI_JS = """
const box = document.getElementById(arguments[0]);
if (!box) return null;
const kpi = [...box.querySelectorAll('[aria-label]')].find(e => e.getAttribute('aria-label').startsWith(arguments[1]));
return kpi ? kpi.getAttribute('aria-label') : null;
"""


@pytest.fixture(scope="module")
def fleet_agent():
    return group_agent("flotte", "Gestion du parc automobile", "Camille Flotte", "flotte.test")


@pytest.fixture(scope="module")
def nature_agent():
    return group_agent("nature", "Maison de la nature", "Sacha Nature", "nature.test")


def as_phone(pilote):
    pilote.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                  {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})


def kpi_value(pilote, box: str, label: str) -> int:
    """The whole number a key figure shows (its aria-label "label : value"), once the figures are there."""
    wait.until(lambda: pilote.driver.execute_script(_KPI_JS, box, label), WAIT)
    text = pilote.driver.execute_script(_KPI_JS, box, label).split(" : ", 1)[1]
    return int(re.sub(r"[^\d]", "", text))


def saved(pilote, form: str, said: str):
    """Waits for the form's "enregistré" message; fails with the fields' messages if it was refused."""
    try:
        pilote.duo.wait_for_contains_text(f"#{form}-message", said, timeout=WAIT)
    except Exception as exc:
        refused = pilote.driver.execute_script(
            "return [...document.querySelectorAll('[id$=\"-erreur\"]')].filter(e => e.innerText.trim())"
            ".map(e => e.id + ': ' + e.innerText.trim())")
        raise AssertionError(f"{said!r} never came; fields refused: {refused}") from exc


def no_console_errors(pilote):
    assert not [e for e in pilote.console_errors() if "favicon" not in e.get("message", "")]


def test_a_fleet_agent_records_a_fill_up_that_the_fleet_dashboard_counts(pilote, fleet_agent, tmp_path):
    driver = pilote.driver
    as_phone(pilote)
    pilote.sign_in(*fleet_agent, next_path="/flotte")
    pilote.wait_h1("Parc automobile municipal", timeout=WAIT)
    cost_before = kpi_value(pilote, "flotte-kpis", "énergie sur 12 mois")

    pilote.click("#flotte-saisir-plein")  # from the dashboard, as an agent would
    pilote.wait_h1("Saisir un plein ou une recharge", timeout=WAIT)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    submit = pilote.duo.find_element("#plein-envoyer")
    assert submit.size["height"] >= 44 and submit.size["width"] >= 300
    assert driver.find_element("css selector", "#plein-date").get_attribute("value")  # today by default
    Select(pilote.duo.find_element("#plein-vehicule_id")).select_by_value("V-002")
    pilote.duo.find_element("#plein-quantite").send_keys("41.5")
    pilote.duo.find_element("#plein-compteur_km").send_keys("3")  # lower than any real reading
    pilote.duo.find_element("#plein-cout_eur").send_keys("3210")
    pilote.click("#plein-envoyer")
    pilote.duo.wait_for_contains_text("#plein-compteur_km-erreur", "inférieur au dernier relevé", timeout=WAIT)
    # Nothing typed is lost: the agent corrects only the odometer.
    assert driver.find_element("css selector", "#plein-quantite").get_attribute("value") == "41.5"
    assert driver.find_element("css selector", "#plein-cout_eur").get_attribute("value") == "3210"
    driver.save_screenshot(str(tmp_path / "plein-refuse-390.png"))
    odometer = driver.find_element("css selector", "#plein-compteur_km")
    odometer.clear()
    odometer.send_keys("1900000")
    pilote.click("#plein-envoyer")
    saved(pilote, "plein", "Plein enregistré")
    assert pilote.text("#plein-compteur_km-erreur") == ""
    driver.save_screenshot(str(tmp_path / "plein-enregistre-390.png"))

    pilote.click("#plein-lien")
    pilote.wait_h1("Parc automobile municipal", timeout=WAIT)
    wait.until(lambda: kpi_value(pilote, "flotte-kpis", "énergie sur 12 mois") == cost_before + 3210, WAIT)

    # The next fill-up starts with the vehicle the agent last used.
    driver.get(pilote.origin + "/flotte/plein")
    pilote.wait_h1("Saisir un plein ou une recharge", timeout=WAIT)
    assert Select(pilote.duo.find_element("#plein-vehicule_id")).first_selected_option.get_attribute("value") == "V-002"

    no_console_errors(pilote)
    # Another group's dashboard is refused (the browser logs the 403 itself).
    driver.get(pilote.origin + "/nature")
    pilote.duo.wait_for_contains_text("h1", "Accès refusé", timeout=WAIT)


def test_the_nature_team_records_a_workshop_that_the_nature_dashboard_counts(pilote, nature_agent, tmp_path):
    driver = pilote.driver
    as_phone(pilote)
    pilote.sign_in(*nature_agent, next_path="/nature")
    pilote.wait_h1(timeout=WAIT)
    assert pilote.h1().startswith("Maison de la nature et de l'arbre")
    wait.until(lambda: driver.execute_script(_KPI_JS, "nature-kpis", "séances en"), WAIT)
    label = driver.execute_script(_KPI_JS, "nature-kpis", "séances en").split(" : ")[0]
    sessions_before = kpi_value(pilote, "nature-kpis", label)

    pilote.click("#nature-saisir-atelier")
    pilote.wait_h1("Enregistrer une séance d'atelier", timeout=WAIT)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    Select(pilote.duo.find_element("#atelier-theme")).select_by_value("Compostage")
    communes = Select(pilote.duo.find_element("#atelier-commune_code"))
    assert communes.first_selected_option.text == "— choisir —"  # the empty choice says so (it was blank)
    commune = [o.get_attribute("value") for o in communes.options if o.get_attribute("value")][0]
    communes.select_by_value(commune)
    pilote.duo.find_element("#atelier-capacite").send_keys("20")
    pilote.duo.find_element("#atelier-inscrits").send_keys("18")
    pilote.duo.find_element("#atelier-presents").send_keys("-2")  # a negative count: refused on its field
    pilote.click("#atelier-envoyer")
    pilote.duo.wait_for_contains_text("#atelier-presents-erreur", "doit être au moins 0", timeout=WAIT)
    assert driver.find_element("css selector", "#atelier-inscrits").get_attribute("value") == "18"
    presents = driver.find_element("css selector", "#atelier-presents")
    presents.clear()
    presents.send_keys("16")
    pilote.click("#atelier-envoyer")
    saved(pilote, "atelier", "Séance enregistrée")
    driver.save_screenshot(str(tmp_path / "atelier-enregistre-390.png"))

    # The link leads to the session's commune; the territory-wide count has one more session.
    pilote.click("#atelier-lien")
    pilote.wait_url(lambda u: f"commune={commune}" in u, timeout=WAIT, what="the session's commune")
    driver.get(pilote.origin + "/nature")
    pilote.wait_h1(timeout=WAIT)
    wait.until(lambda: kpi_value(pilote, "nature-kpis", label) == sessions_before + 1, WAIT)

    no_console_errors(pilote)
    driver.get(pilote.origin + "/flotte")
    pilote.duo.wait_for_contains_text("h1", "Accès refusé", timeout=WAIT)
