"""Another territory, tried as a new user would: a catalog for Ville de Paris (tests/territories/paris), its
real exports served by the test Explore v2.1 portal, `python -m data_access refresh --all --portal …`, then
`python app.py` on that catalog and every page opened in a real headless Chromium.

The sections of its datasets must be there with the figures of the source rows; the others absent, with the
note that says what is missing; no console error, no 500, and no word of the bundled territory on any page.
Also: a territory with a single dataset, and one with none (the app starts and says what to do).
"""

from __future__ import annotations

import re

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from components.formats import fmt_int
from data_access.catalog import load_catalog
from tests.e2e.conftest import pytest_setup_options
from tests.fake_portal import FakePortal
from tests.integration.running_app import ROOT, RunningApp
from tests.territories import paris

pytestmark = pytest.mark.e2e

GPSO = load_catalog(ROOT / "data" / "catalog.toml").territory
GPSO_WORDS = sorted({GPSO.name, "GPSO", "Issy", "Seine Ouest", *(c.name for c in GPSO.communes)})
PAGES = ["/", "/mobilite", "/mobilite?commune=75115", "/climat", "/stationnement", "/finances", "/accessibilite",
         "/login"]
WAIT = 60  # seconds: a slow, shared machine


def _browser():
    options = pytest_setup_options()
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


_SETTLED = """
const graphs = document.querySelectorAll('.dash-graph').length;
const plotted = document.querySelectorAll('.dash-graph .js-plotly-plot').length;
const h1 = document.querySelector('#contenu h1');
return document.readyState === 'complete' && !!h1 && h1.innerText.trim() !== ''
    && !document.querySelector('[data-dash-is-loading="true"]') && graphs === plotted;
"""


class Visit:
    def __init__(self, driver, base_url):
        self.driver, self.base_url = driver, base_url

    def open(self, path: str) -> str:
        self.driver.get(self.base_url + path)
        WebDriverWait(self.driver, WAIT, poll_frequency=0.2).until(lambda d: d.execute_script(_SETTLED))
        return self.driver.execute_script("return document.body.innerText")

    def ids(self, selector: str = "[id]") -> set[str]:
        return set(self.driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.id)", selector))

    def text(self, selector: str) -> str:
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : ''", selector)

    def console_errors(self) -> list[dict]:
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]


def _start(tmp_path, catalog, portal=None) -> RunningApp:
    data_dir = tmp_path / "data"
    if portal is not None:
        done = paris.refresh(catalog, data_dir, portal.base_url)
        assert done.returncode == 0, done.stdout + done.stderr
    return RunningApp.start(tmp_path, PILOTE_CATALOG=str(catalog))


@pytest.fixture(scope="module")
def paris_app(tmp_path_factory):
    portal = FakePortal().start()
    try:
        expected = paris.serve(portal)
        app = _start(tmp_path_factory.mktemp("paris"), paris.PARIS_CATALOG, portal)
    finally:
        portal.stop()  # the app reads its snapshots: the portal is needed for the refresh only
    driver = _browser()
    try:
        yield Visit(driver, app.base_url), app, expected
    finally:
        driver.quit()
        app.stop()


def _no_gpso(text: str, path: str):
    found = [w for w in GPSO_WORDS if re.search(rf"\b{re.escape(w)}\b", text)]
    assert not found, f"{path} shows words of the bundled territory: {found}"


def test_every_page_answers_and_says_nothing_of_the_bundled_territory(paris_app):
    visit, app, _ = paris_app
    for path in PAGES:
        assert httpx.get(app.base_url + path, timeout=30).status_code == 200, path
        text = visit.open(path)
        _no_gpso(text, path)
        assert "Ville de Paris" in text or path == "/login", path
    assert visit.console_errors() == []
    assert "Traceback" not in app.log_tail()


def test_the_catalogue_lists_only_the_dashboards_its_data_allow(paris_app):
    visit, _, _ = paris_app
    visit.open("/")
    menu = visit.text("#main-nav")
    assert "Mobilité" in menu
    for absent in ("Climat", "Stationnement", "Finances"):
        assert absent not in menu and absent not in visit.text("#dashboard-list")
    datasets = visit.ids("#dataset-table tbody tr")
    assert datasets == {f"dataset-{k}" for k in ("irve_paris", "accidents_paris", "comptages_paris", "arcs_paris")}
    for key in ("irve_paris", "accidents_paris", "comptages_paris", "arcs_paris"):
        assert "À jour" in visit.text(f"#dataset-{key}"), key  # just refreshed: fresh by age


def test_mobility_shows_its_sections_with_the_source_figures(paris_app):
    visit, _, expected = paris_app
    visit.open("/mobilite?theme=tout")
    ids = visit.ids()
    assert {"bornes", "accidentalite", "trafic"} <= ids
    assert not {"velib", "critair", "velib-kpis", "exploitation"} & ids  # no bike-share nor Crit'Air data
    note = visit.text("#missing-data")
    assert "Vélib'" in note and "Crit'Air" in note and "catégorie d'usager" in note and "aucun jeu de données" in note
    points = expected["irve_charge_points"]
    assert f"Carte des {fmt_int(points)} points de recharge" in visit.text("#irve-carte-summary")
    assert f"{fmt_int(expected['accidents_paris'])} accidents corporels localisés" in visit.text(
        "#accidents-carte-summary")
    assert "(2024)" in visit.text("#accidents-carte")  # the period comes from the data
    assert "1 point(s) de comptage" in visit.text("#trafic-jour-summary")
    assert "Source : " in visit.text("#irve-carte-source") and "ODbL" in visit.text("#irve-carte-source")
    assert "démonstration" not in visit.text("#irve-carte")  # real data is not labelled as generated


def test_the_commune_filter_uses_the_territory_communes(paris_app):
    visit, _, expected = paris_app
    visit.open("/mobilite?commune=" + expected["irve_commune_with_most_points"])
    summary = visit.text("#irve-carte-summary")
    assert f"{fmt_int(expected['irve_points_in_that_commune'])} points de recharge" in summary
    assert "Paris 15e" in summary


def test_pages_without_data_say_what_is_missing(paris_app):
    visit, _, _ = paris_app
    for path, what in (("/climat", "Indicateurs du plan climat"), ("/stationnement", "Disponibilité en temps réel"),
                       ("/finances", "Lignes budgétaires")):
        visit.open(path)
        assert what in visit.text("#missing-data"), path


@pytest.mark.parametrize("which", ["single", "empty"])
def test_a_territory_with_one_dataset_or_none(tmp_path, which):
    catalog = paris.SINGLE_CATALOG if which == "single" else paris.EMPTY_CATALOG
    portal = FakePortal().start() if which == "single" else None
    try:
        if portal:
            paris.serve(portal)
        app = _start(tmp_path, catalog, portal)
    finally:
        if portal:
            portal.stop()
    driver = _browser()
    try:
        visit = Visit(driver, app.base_url)
        text = visit.open("/")
        _no_gpso(text, "/")
        if which == "empty":
            assert "Pas encore de données" in text and "ne déclare aucun jeu de données" in text
            assert visit.text("#main-nav").strip() == ""
        else:
            assert visit.text("#main-nav").strip() == "Mobilité"
            text = visit.open("/mobilite")
            assert visit.ids() >= {"accidentalite"} and "bornes" not in visit.ids()
        for path in ("/mobilite", "/climat", "/stationnement", "/finances"):
            assert httpx.get(app.base_url + path, timeout=30).status_code == 200
            _no_gpso(visit.open(path), path)
        assert visit.console_errors() == []
    finally:
        driver.quit()
        app.stop()


def test_a_new_territory_starts_empty_and_says_what_to_run(tmp_path):
    """The Paris catalog reuses no GPSO key, but a data directory of another territory must never receive the
    bundled snapshots: before any refresh, it has nothing and says how to get data."""
    app = RunningApp.start(tmp_path, PILOTE_CATALOG=str(paris.PARIS_CATALOG), PILOTE_HEALTH_TOKEN="t")
    try:
        report = httpx.get(app.base_url + "/healthz", headers={"Authorization": "Bearer t"}, timeout=30).json()
        assert {d["state"] for d in report["datasets"].values()} == {"missing"}
        assert not list((app.data_dir / "snapshots").glob("*.parquet"))
        page = httpx.get(app.base_url + "/", timeout=30)
        assert page.status_code == 200
    finally:
        app.stop()
