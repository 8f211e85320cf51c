"""/climat in a browser: choosing an axis and an indicator updates the cards, the chart and the URL; the URL
restores the view."""

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.e2e


def query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def choose(pilote, dropdown_id: str, label_start: str):
    """Dash 4 dcc.Dropdown: a button opening a list of .dash-dropdown-option."""
    pilote.click(f"#{dropdown_id}")
    pilote.duo.wait_for_element(".dash-dropdown-options", timeout=30)
    options = pilote.driver.find_elements("css selector", ".dash-dropdown-options .dash-dropdown-option")
    labels = [o.text for o in options]
    match = [i for i, text in enumerate(labels) if text.startswith(label_start)]
    assert match, f"{label_start!r} not among {labels}"
    options[match[0]].click()


def cards(pilote) -> list[str]:
    return pilote.driver.execute_script(
        "return [...document.querySelectorAll('#climat-cards .pilote-indicator-card')].map(e => e.id)")


def test_axis_and_indicator_choice_updates_cards_chart_and_url(pilote):
    pilote.open("/climat")
    first_axis = cards(pilote)
    assert "indicateur-cae_1.a" in first_axis
    assert "Émissions de gaz à effet de serre" in pilote.text("#climat-detail")

    choose(pilote, "climat-axe", "3 —")
    pilote.wait_url(lambda u: query(u).get("axe") == ["3"], what="axe=3 in the URL")
    pilote.duo.wait_for_element("#indicateur-cae_3\\.a", timeout=30)
    assert cards(pilote) != first_axis and "indicateur-cae_1.a" not in cards(pilote)

    choose(pilote, "climat-indicateur", "Production")
    pilote.wait_url(lambda u: "indicateur" in query(u), what="the indicator in the URL")
    chosen = query(pilote.driver.current_url)["indicateur"][0]
    pilote.settle()
    card_title = pilote.text(f"#indicateur-{chosen.replace('.', chr(92) + '.')} h3")
    detail_title = pilote.text("#climat-detail h2")
    assert card_title and detail_title.startswith(card_title), (card_title, detail_title)

    # The URL is a permalink: loading it again shows the same view.
    url = pilote.driver.current_url
    pilote.driver.get("about:blank")
    pilote.driver.get(url)
    pilote.wait_h1()
    pilote.settle()
    assert pilote.text("#climat-detail h2") == detail_title
    assert query(pilote.driver.current_url)["axe"] == ["3"]
    assert pilote.text("#climat-axe-value" if pilote.driver.find_elements("css selector", "#climat-axe-value")
                       else "#climat-axe").startswith("3 —")
    assert not pilote.console_errors()


def test_unknown_values_fall_back_with_a_notice(pilote):
    pilote.open("/climat?axe=99&indicateur=nope&debut=1900")
    text = pilote.text("#contenu")
    assert "Axe « 99 » inconnu" in text and "Indicateur « nope » inconnu" in text
    assert "indicateur-cae_1.a" in cards(pilote)  # the default view


def test_budget_climat_section_shows_the_published_figures(pilote):
    pilote.open("/climat")
    pilote.click("#theme-budget")  # the summary's theme links: the budget climat is the second theme
    pilote.wait_url(lambda u: "theme=budget" in u, timeout=30, what="the budget climat")
    pilote.duo.wait_for_element("#budget-kpis", timeout=30)
    kpis = pilote.text("#budget-kpis")
    assert "102 650" in kpis.replace("\u202f", " ").replace("\u00a0", " ")  # 2025 (demonstration)
    summary = pilote.text("#budget-plafond-summary")
    assert "sous le plafond" in summary and "depuis l'adoption" in summary
    assert "Données de démonstration" in pilote.text("#budget-climat")


def test_detail_data_table_and_csv_have_the_shown_rows(pilote, download_dir):
    from dash.testing import wait

    from tests.e2e.test_chart_export import wait_for_file

    pilote.open("/climat?axe=1&indicateur=cae_1.a&debut=2018&fin=2024")
    pilote.click("#climat-detail details summary")
    # Built in the browser after the click (a clientside callback): waited for, as a slow machine needs.
    read_rows = "return [...document.querySelectorAll('#climat-detail details tbody tr')].map(r => r.innerText)"
    wait.until(lambda: pilote.driver.execute_script(read_rows), 30)
    rows = pilote.driver.execute_script(read_rows)
    assert [r.split("\t")[0] for r in rows] == [str(y) for y in range(2018, 2025)]  # the years shown
    pilote.click("#climat-detail [id*='\"chart-csv-button\"']")
    text = wait_for_file(download_dir, "climat-detail.csv").decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "Année;Résultat (kteq CO2);Objectif (kteq CO2)"
    assert [line.split(";")[0] for line in lines[1:]] == [str(y) for y in range(2018, 2025)]
    assert all("," in line.split(";")[1] for line in lines[1:])  # French decimal comma


def test_an_elu_on_a_phone_reads_the_budget_verdict_on_the_first_screen(pilote):
    """390 px: the verdict in words is on the first screen, above the selectors; each status count opens its
    indicators, each a link to its detail; a commune that votes no budget climat is told so plainly."""
    pilote.driver.set_window_size(390, 844)
    pilote.open("/climat")
    verdict = pilote.driver.find_element("css selector", "#bilan-verdict")
    text = verdict.text.replace("\u202f", " ").replace("\u00a0", " ")
    assert text == "Budget climat 2025 : sous le plafond de 7 582 tCO2e"
    inner_height = pilote.driver.execute_script("return window.innerHeight")
    assert pilote.driver.execute_script("return arguments[0].getBoundingClientRect().bottom", verdict) <= inner_height
    assert "alert-success" in pilote.driver.find_element("css selector", "#bilan-budget").get_attribute("class")
    assert "secteur Déchets" in pilote.text("#bilan-depassements") and "secteur Tertiaire" in pilote.text("#bilan-depassements")
    assert "2030" in pilote.text("#bilan-projection")

    pilote.click("#statut-en-retard summary")
    links = pilote.driver.find_elements("css selector", "#statut-en-retard li a")
    assert links and all("#detail" in a.get_attribute("href") for a in links)
    wanted = links[0].get_attribute("href")
    links[0].click()
    pilote.wait_url(lambda u: u == wanted, what="the indicator's detail")
    pilote.settle()
    chosen = query(wanted)["indicateur"][0]
    card = f"#indicateur-{chosen.replace('.', chr(92) + '.')}"
    assert pilote.text("#climat-detail h2").startswith(pilote.text(f"{card} h3"))  # its axis, its detail

    pilote.open("/climat?commune=92012&theme=budget")  # Boulogne-Billancourt votes none
    note = pilote.text("#bilan-budget")
    assert "Pas de budget climat pour Boulogne-Billancourt" in note and "Issy-les-Moulineaux" in note
    assert not pilote.driver.find_elements("css selector", "#budget-kpis")
    assert not pilote.console_errors()
