"""/finances in a browser: changing the year and the document updates the figures and the URL, and the URL
restores the view (a permalink)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.test_climat import choose

pytestmark = pytest.mark.e2e


def query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def kpi(pilote, kpi_id: str) -> str:
    return pilote.text(f"#{kpi_id} .pilote-kpi-value")


def test_year_and_document_update_figures_and_url_and_the_url_restores_them(pilote):
    pilote.open("/finances?theme=tout")  # the whole report: its evolution and execution are checked too
    pilote.duo.wait_for_element("#finances-kpi-depenses", timeout=30)
    latest = kpi(pilote, "finances-kpi-depenses")
    assert "compte administratif 2025" in pilote.text("#finances-heading")

    choose(pilote, "finances-annee", "2019")
    pilote.wait_url(lambda u: query(u).get("annee") == ["2019"], what="annee=2019 in the URL")
    assert query(pilote.driver.current_url)["theme"] == ["tout"]  # the part read is kept
    pilote.duo.wait_for_text_to_equal("#finances-heading", "Issy-les-Moulineaux — compte administratif 2019",
                                      timeout=30)
    pilote.settle()
    assert kpi(pilote, "finances-kpi-depenses") == "167,4\u00a0M€" != latest
    assert kpi(pilote, "finances-kpi-df") == "138,1\u00a0M€" and kpi(pilote, "finances-kpi-di") == "29,3\u00a0M€"
    assert "Exécution du budget 2019" in pilote.text("#finances-execution")

    pilote.click("label[for='_dbcprivate_radioitems_finances-document_input_bp']")
    pilote.wait_url(lambda u: query(u).get("document") == ["bp"], what="document=bp in the URL")
    pilote.duo.wait_for_text_to_equal("#finances-heading", "Issy-les-Moulineaux — budget primitif 2019", timeout=30)
    pilote.settle()
    voted = kpi(pilote, "finances-kpi-depenses")
    assert voted != "167,4\u00a0M€" and voted.endswith("M€")
    assert "(budget primitif)" in pilote.text("#finances-evolution")

    # The URL is a permalink: loading it again shows the same view.
    url = pilote.driver.current_url
    pilote.driver.get("about:blank")
    pilote.driver.get(url)
    pilote.wait_h1()
    pilote.duo.wait_for_text_to_equal("#finances-heading", "Issy-les-Moulineaux — budget primitif 2019", timeout=30)
    assert kpi(pilote, "finances-kpi-depenses") == voted
    assert pilote.driver.find_element("css selector", "#_dbcprivate_radioitems_finances-document_input_bp").is_selected()
    assert not pilote.console_errors()


def test_per_inhabitant_switch_goes_to_the_url(pilote):
    pilote.open("/finances?annee=2019&document=ca")
    pilote.duo.wait_for_element("#finances-kpi-depenses", timeout=30)
    pilote.click("#finances-par-habitant")
    pilote.wait_url(lambda u: query(u).get("par") == ["habitant"], what="par=habitant in the URL")
    pilote.duo.wait_for_contains_text("#finances-kpi-depenses", "€/hab.", timeout=30)
    assert query(pilote.driver.current_url)["annee"] == ["2019"]
    assert not pilote.console_errors()


def test_finance_charts_export_with_french_formats(pilote, download_dir):
    from tests.e2e.test_chart_export import wait_for_file

    pilote.open("/finances?annee=2019&document=ca")
    pilote.duo.wait_for_element("#finances-sections", timeout=30)
    pilote.settle()
    pilote.click("#finances-sections [id*='\"chart-csv-button\"']")
    lines = wait_for_file(download_dir, "finances-sections.csv").decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Section;Recettes réelles (M€);Dépenses réelles (M€);Solde (M€)"
    assert lines[1:3] == ["Fonctionnement;153,8;138,1;15,7", "Investissement;12,6;29,3;-16,7"]

    # The images say which commune, year and document they show, and are named so.
    pilote.click("#finances-depenses [id*='\"chart-svg-button\"']")
    svg = wait_for_file(download_dir, "finances_finances-depenses_issy-les-moulineaux_2019.svg",
                        timeout=30).decode("utf-8")
    assert "argent : dépenses réelles par nature" in svg.replace("&#39;", "'")
    assert "Issy-les-Moulineaux · 2019 · Compte administratif 2019" in svg
    pilote.click("#finances-sections [id*='\"chart-svg-button\"']")
    svg = wait_for_file(download_dir, "finances_finances-sections_issy-les-moulineaux_2019.svg",
                        timeout=30).decode("utf-8")
    assert "138,1" in svg and "29,3" in svg  # bar labels with a decimal comma
    assert not pilote.console_errors()
