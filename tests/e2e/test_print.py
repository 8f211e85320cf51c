"""Printing a dashboard (the browser's print, « Enregistrer en PDF »): A4 pages with every chart card whole and
every map drawn, without the menu, the selectors or the export buttons (assets/pilote.css @media print,
assets/print.js)."""

from __future__ import annotations

import base64
import io
import re
import unicodedata

import pytest

pytestmark = pytest.mark.e2e

_CARDS = """
return Array.from(document.querySelectorAll('.pilote-chart-card')).map(card => ({
    id: card.id,
    title: card.querySelector('h2, h3').firstChild.textContent.trim(),
    summary: (card.querySelector('.pilote-chart-summary') || {}).textContent || '',
}));
"""


def squash(text: str) -> str:
    """Spaces made plain, ligatures undone (the PDF writes « eﬀet » with U+FB00), and a name broken at its
    hyphen at the end of a line made whole (« Marnes-la- Coquette » in a narrow column)."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).replace("\u202f", " ")).strip()
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)


def print_pdf(pilote, during=None):
    """The page printed on A4 as Chromium prints it (a pypdf reader); ``during()`` runs once the page is
    prepared for printing."""
    from pypdf import PdfReader
    from selenium.webdriver.common.print_page_options import PrintOptions

    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # cm
    options.background = True
    pilote.driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")  # as the print dialog does
    if during is not None:
        during()
    pdf = base64.b64decode(pilote.driver.print_page(options))
    pilote.driver.execute_script("window.dispatchEvent(new Event('afterprint'))")
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)  # A4
    return reader


def printed(pilote) -> list[str]:
    """The text of each printed page."""
    return [squash(page.extract_text()) for page in print_pdf(pilote).pages]


@pytest.mark.parametrize("path", ["/finances?annee=2019&document=ca&theme=tout", "/climat?theme=tout"])
def test_a_dashboard_prints_as_a_report_with_whole_cards(pilote, path):
    pilote.open(path)
    pilote.settle()
    cards = pilote.driver.execute_script(_CARDS)
    assert len(cards) >= 3
    pages = printed(pilote)
    assert len(pages) >= 2
    text = " ".join(pages)
    for absent in ("Télécharger l'image", "Télécharger les données", "Aires de jeux", "Aller à"):
        assert absent not in text, absent  # export buttons, the menu and in-page links are for the screen
    for card in cards:
        title, summary = squash(card["title"]), squash(card["summary"])[:40]
        on = [i for i, page in enumerate(pages) if title[:40] in page]
        assert on, f"{card['id']}: « {title} » is not printed"
        # A card is never cut across two pages: its title and its sentence under the chart share a page.
        assert any(summary in pages[i] for i in on), f"{card['id']} is split across pages"
    # The chart is redrawn for the paper, then put back for the screen.
    assert pilote.driver.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot')).every(gd => !gd.layout.width)")
    assert not pilote.console_errors()


def test_maps_print_drawn_at_the_paper_s_width_and_the_screen_gets_them_back(pilote):
    """A map is SVG like the other charts (a WebGL canvas printed blank): it is redrawn at the paper's width
    with every point in view, and put back for the screen."""
    from dash.testing import wait

    pilote.open("/mobilite?commune=92040&theme=tout")
    pilote.settle()
    screen = pilote.maps()
    assert len(screen) >= 3 and all(m["points"] and m["outline"] for m in screen), screen
    assert not pilote.driver.find_elements("css selector", ".js-plotly-plot canvas")  # nothing raster to print
    on_paper = []

    def during():
        def redrawn():
            on_paper[:] = pilote.maps()
            return all(m["width"] <= 700 and not m["out"] for m in on_paper)
        wait.until(redrawn, 30)

    text = " ".join(squash(page.extract_text()) for page in print_pdf(pilote, during).pages)
    assert len(on_paper) == len(screen) and all(m["points"] == s["points"] for m, s in zip(on_paper, screen))
    assert "jusqu'à 7,4 kW" in text  # the charging map's legend, drawn with it
    wait.until(lambda: [m["width"] for m in pilote.maps()] == [m["width"] for m in screen], 30)
    assert not pilote.console_errors()


def test_exporter_en_pdf_names_the_page_as_it_is(pilote):
    """The link above a dashboard asks the server for this page with its selectors; pages without charts
    have none."""
    from urllib.parse import parse_qs, urlsplit

    pilote.open("/finances?annee=2019&document=ca")
    pilote.settle()
    link = pilote.driver.find_element("css selector", "#pilote-pdf")
    assert link.is_displayed() and link.text == "Exporter en PDF"
    href = urlsplit(link.get_attribute("href"))
    assert href.path == "/_pilote/rapport.pdf"
    now = urlsplit(pilote.driver.current_url)
    assert parse_qs(href.query)["page"] == [f"{now.path}?{now.query}"] and "annee=2019" in now.query
    # Ticking charts (and their tables) names them in the link; the list is the page's cards.
    pilote.click(".pilote-pdf-choice summary")
    labels = pilote.driver.find_elements("css selector", "#pilote-pdf-cartes label")
    names = [label.text.strip() for label in labels]
    assert "Où va l'argent : dépenses réelles par nature" in names
    labels[names.index("Où va l'argent : dépenses réelles par nature")].click()
    pilote.click("#pilote-pdf-tableaux input")
    from dash.testing import wait

    wait.until(lambda: "tableaux=1" in pilote.driver.find_element("css selector", "#pilote-pdf").get_attribute("href"), 30)
    query = parse_qs(urlsplit(pilote.driver.find_element("css selector", "#pilote-pdf").get_attribute("href")).query)
    assert query["graphiques"] == ["finances-depenses"] and query["tableaux"] == ["1"]
    pilote.open("/accessibilite")
    pilote.settle()
    assert not pilote.driver.find_element("css selector", "#pilote-pdf").is_displayed()


_TABLES = """
return Array.from(document.querySelectorAll('details.pilote-chart-data')).map(d => {
    const t = d.querySelector('table');
    return {id: d.id, open: d.open, built: d.hasAttribute('data-pilote-built'),
            head: t ? Array.from(t.tHead.rows[0].cells).map(c => c.textContent.trim()) : null,
            last: t ? Array.from(t.tBodies[0].rows).slice(-1)[0].cells[0].textContent.trim() : null};
});
"""


def test_every_data_table_prints_opened_or_not_and_the_screen_gets_its_state_back(pilote):
    """The browser's print cannot wait for a callback: tables never opened are built at once for the paper
    (assets/print.js, from the payload assets/chart_export.js kept), their header and last row printed; after
    printing, the disclosures are closed and empty again, as the visitor left them."""
    pilote.open("/finances?annee=2019&document=ca&theme=tout")
    pilote.settle()
    before = pilote.driver.execute_script(_TABLES)
    assert len(before) >= 4 and not any(t["open"] or t["head"] for t in before), before
    seen = {}
    pages = [squash(page.extract_text()) for page in print_pdf(
        pilote, lambda: seen.update(tables=pilote.driver.execute_script(_TABLES))).pages]
    assert [t["id"] for t in seen["tables"]] == [t["id"] for t in before]
    text = " ".join(pages)
    for table in seen["tables"]:
        assert table["open"] and table["built"] and table["head"], table
        for header in table["head"]:
            assert squash(header) in text, (table["id"], header)
        assert squash(table["last"]) in text, table  # the whole table, to its last row
    assert pilote.driver.execute_script(_TABLES) == before
    assert not pilote.driver.find_elements("css selector", ".pilote-print-table")
    assert not pilote.console_errors()
