"""Browser: the chart card's "Voir les données" table, CSV download and PNG/SVG exports, on /mobilite's
"Vélos disponibles par commune" card (public page; the card gets the per-commune table from the page)."""

from __future__ import annotations

import io
import re
import struct
import time
from pathlib import Path

import pytest
from dash.testing import wait

from app import app  # noqa: F401

pytestmark = pytest.mark.e2e

CARD = "#velib-communes"
COMMUNES = 7  # the GPSO communes with Vélib' stations in the bundled snapshot
HEADER = ["Commune", "Stations", "Capacité (places)", "Vélos mécaniques", "Vélos électriques"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_TABLE_JS = """
const table = document.querySelector(arguments[0] + ' details table');
if (!table) return null;
return {
    caption: table.caption ? table.caption.innerText.trim() : null,
    head: Array.from(table.tHead.rows[0].cells).map(c => [c.innerText.trim(), c.getAttribute('scope')]),
    rows: Array.from(table.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.innerText.trim())),
    open: table.closest('details').open,
    visible: table.checkVisibility(),
};
"""


def button(kind: str) -> str:
    # A pattern-matching id is rendered as JSON: {"card":"velib-communes","type":"chart-csv-button"}
    return f"{CARD} [id*='\"{kind}\"']"


def wait_for_file(folder: Path, name: str, timeout: float = 30) -> bytes:
    """The downloaded file, once Chromium has finished writing it (no .crdownload left, size stable)."""
    path = folder / name
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        if path.exists() and not list(folder.glob("*.crdownload")):
            size = path.stat().st_size
            if size > 0 and size == last:
                return path.read_bytes()
            last = size
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded to {folder} (found: {sorted(p.name for p in folder.iterdir())})")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk, which PNG requires right after the signature."""
    assert data[:8] == PNG_SIGNATURE, data[:16]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def test_voir_les_donnees_csv_and_png(pilote, download_dir):
    pilote.open("/mobilite")
    duo = pilote.duo

    # "Voir les données": closed at first, opened like a user would, shows the figures of the chart
    assert duo.find_element(f"{CARD} details summary").text.strip() == "Voir les données"
    assert pilote.driver.execute_script(_TABLE_JS, CARD) is None  # no table markup until it is opened
    pilote.click(f"{CARD} details summary")
    wait.until(lambda: pilote.driver.execute_script(_TABLE_JS, CARD) is not None, 30)  # built in the browser
    table = pilote.driver.execute_script(_TABLE_JS, CARD)
    assert table["open"] and table["visible"]
    assert table["caption"] == "Vélos disponibles par commune"
    assert [h for h, _ in table["head"]] == HEADER
    assert {scope for _, scope in table["head"]} == {"col"}
    assert len(table["rows"]) == COMMUNES
    assert all(len(row) == len(HEADER) for row in table["rows"])
    assert "Boulogne-Billancourt" in [row[0] for row in table["rows"]]

    # CSV: exactly the rows of the table, for Excel in French
    pilote.click(button("chart-csv-button"))
    data = wait_for_file(download_dir, "velib-communes.csv")
    assert data.startswith(b"\xef\xbb\xbf"), data[:8]
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[-1] == ""  # a final line end, then nothing (no comment or total line)
    lines = lines[:-1]
    assert lines[0].split(";") == HEADER
    rows = [line.split(";") for line in lines[1:]]
    assert len(rows) == COMMUNES
    # same rows in the same order as on screen; numbers without thousands separators (U+202F in the table)
    assert [r[0] for r in rows] == [r[0] for r in table["rows"]]
    for shown, exported in zip(table["rows"], rows):
        for cell_shown, cell_csv in zip(shown[1:], exported[1:]):
            assert cell_csv.isdigit(), exported
            assert cell_shown.replace("\u202f", "") == cell_csv
    # (these figures are counts: no decimals here; the decimal comma is covered by tests/unit/test_chart_card.py)

    # PNG at print scale: an A4 width of 900 CSS px x 4. Named page_card_place_year (no period on a bar
    # chart of counts: the data's year).
    source = pilote.text(f"{CARD} #velib-communes-source")
    assert source.startswith("Source : ") and "données du " in source
    year = source.split("données du ")[1][6:10]
    name = f"mobilite_velib-communes_grand-paris-seine-ouest_{year}"
    pilote.click(button("chart-png-button"))
    png = wait_for_file(download_dir, f"{name}.png", timeout=30)
    width, height = png_size(png)
    assert width == 3600
    assert height >= 1500  # 480 CSS px at least

    # SVG: the title, the place, the source with the data date and the export date are on the image
    pilote.click(button("chart-svg-button"))
    svg = wait_for_file(download_dir, f"{name}.svg", timeout=30).decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    assert "Vélos disponibles par commune" in svg and "Grand Paris Seine Ouest" in svg
    assert _xml(source) in svg or source in svg, source
    assert re.search(r"exporté le \d\d/\d\d/20\d\d", svg)
    assert_readable_on_a4(svg)

    # the chart on screen is unchanged, and nothing went wrong
    assert pilote.driver.execute_script(
        "const gd = document.querySelector('#velib-communes-graph .js-plotly-plot');"
        "return [gd.layout.width || null, (gd.layout.title && gd.layout.title.text) || null,"
        "        document.querySelectorAll('#velib-communes-graph .annotation').length];") == [None, None, 0]
    assert pilote.console_errors() == []


def assert_readable_on_a4(svg: str) -> None:
    """Every text of the image at least 9 pt once the image spans an A4 page's 595 pt."""
    width = float(re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg).group(1))
    sizes = [float(v) for v in re.findall(r"font-size:\s*([\d.]+)px", svg)]
    assert sizes, "no text in the image"
    assert min(sizes) * 595 / width >= 9, (min(sizes), width)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")


def test_every_csv_of_a_page_is_the_servers_reference(pilote, download_dir):
    """On /finances (decimals, negative numbers, percentages, long labels), each card's CSV made in the browser
    is character for character chart_card.csv_from_payload of the payload the server sent (itself to_csv's text, tested
    in tests/unit/test_chart_card.py), and its table shows the cells as sent."""
    import json

    from benchmarks.dash_client import DashClient
    from components.chart_card import csv_from_payload

    comps = DashClient(app.server).render("/finances", "?theme=tout")
    payloads = {c["id"]["card"]: c["props"]["data"] for c in comps.by_id.values()
                if isinstance(c["id"], dict) and c["id"].get("type") == "chart-csv"}
    assert len(payloads) >= 4
    pilote.open("/finances?theme=tout")
    for card, payload in payloads.items():
        selector = f"#{card}"
        # Some cards sit in closed disclosures of the page: a script click reaches them all.
        js_click = "document.querySelector(arguments[0]).click()"
        pilote.driver.execute_script(js_click, f"{selector} details.pilote-chart-data summary")  # (maps have theirs)
        wait.until(lambda: pilote.driver.execute_script(_TABLE_JS, selector) is not None, 30)
        shown = pilote.driver.execute_script(_TABLE_JS, selector)
        assert shown["rows"] == [[cell.strip() for cell in row] for row in payload["rows"]] or \
            (not payload["rows"] and shown["rows"] == [["Aucune ligne."]]), card
        made = pilote.driver.execute_script("return window.dash_clientside.pilote.csv_text(arguments[0])", payload)
        assert made == csv_from_payload(payload), (card, json.dumps(payload)[:300])
    # And one through the button, as a file (Chrome allows one download without a user's own click).
    first = next(iter(payloads))
    pilote.click(f"#{first} [id*='\"chart-csv-button\"']")
    assert wait_for_file(download_dir, f"{first}.csv").decode("utf-8") == csv_from_payload(payloads[first])
    assert pilote.console_errors() == []


def test_figures_come_without_the_template_and_are_drawn_with_it(pilote):
    """The template is sent once (/_pilote/theme.js), not in every figure; each graph is drawn with it."""
    from components.theme import default_template_json

    comps = served("/finances")
    figures = [c["props"]["figure"] for c in comps.by_id.values() if "figure" in c["props"]]
    assert figures and all("template" not in (f.get("layout") or {}) for f in figures)
    pilote.open("/finances")
    font = default_template_json()["layout"]["font"]["family"]
    drawn = pilote.driver.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => g.layout.template"
        " && g.layout.template.layout && g.layout.template.layout.font && g.layout.template.layout.font.family)")
    assert len(drawn) == len(figures) and set(drawn) == {font}
    assert pilote.console_errors() == []


def test_graphs_get_the_default_config_once(pilote):
    """The graphs' default config (French, no logo, no cloud button, no camera…) is sent once with the
    template; a card's graph sends none of its own, and is drawn with it."""
    from components.theme import GRAPH_CONFIG

    comps = served("/finances")
    sent = {c["id"]: c["props"].get("config") for c in comps.by_id.values() if "figure" in c["props"]}
    assert sent and all(config is None for config in sent.values()), sent
    pilote.open("/finances")
    used = pilote.driver.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => [g.parentNode.id || g.id,"
        " g._context.locale, g._context.displaylogo, g._context.showSendToCloud, g._context.scrollZoom,"
        " g._context.toImageButtonOptions, g._context.modeBarButtonsToRemove])")
    assert len(used) == len(sent)
    for _, locale, logo, cloud, zoom, image, removed in used:
        assert (locale, logo, cloud, zoom) == ("fr", False, False, False)
        assert image == GRAPH_CONFIG["toImageButtonOptions"]
        assert {"lasso2d", "sendChartToCloud", "toImage"} <= set(removed)  # the card's buttons export
    assert pilote.console_errors() == []


def served(path: str):
    from benchmarks.dash_client import DashClient

    return DashClient(app.server).render(path)


def test_a_map_whose_outlines_come_by_url_exports_as_png(pilote, download_dir):
    """The map image is made from the page's map, whose outlines the browser fetched by URL
    (components.maps.outlines_url): the PNG is written whole, with the outlines drawn in it (a tinted
    commune, not a blank image)."""
    pilote.open("/mobilite?commune=92040&theme=bornes")
    pilote.duo.wait_for_element("#irve-carte-graph .js-plotly-plot", timeout=30)
    pilote.click("#irve-carte [id*='\"chart-png-button\"']")
    year = pilote.text("#irve-carte-source").split("données du ")[1][6:10]
    png = wait_for_file(download_dir, f"mobilite_irve-carte_issy-les-moulineaux_{year}.png", timeout=60)
    width, height = png_size(png)
    assert width == 3600 and height >= 1000
    from PIL import Image

    pixels = list(Image.open(io.BytesIO(png)).convert("RGB").get_flattened_data())
    tinted = sum(1 for r, g, b in pixels if abs(r - 240) <= 3 and abs(g - 245) <= 3 and abs(b - 246) <= 3)
    assert tinted > len(pixels) // 100, tinted  # the commune's tint (rgba(11,85,99,0.06) over white) is drawn
    assert pilote.console_errors() == []


@pytest.mark.parametrize("card, search", [("velib-map", ""), ("trafic-carte", "?theme=trafic"),
                                          ("accidents-carte", "?theme=accidentalite")])
def test_a_map_has_the_table_and_csv_of_its_points(pilote, download_dir, card, search):
    """A map's card offers the table of every point drawn (a keyboard and screen-reader alternative) and its
    CSV: made in the browser from the figure's points, equal to components.maps.point_rows, the Python
    reference, and the page sends no second copy of the points."""
    from benchmarks.dash_client import DashClient, stringify_id
    from components.chart_card import csv_from_payload, export_places
    from components.maps import point_rows

    comps = DashClient(app.server).render("/mobilite", search)
    figure = comps.by_id[f"{card}-graph"]["props"]["figure"]
    payload = comps.by_id[stringify_id({"type": "chart-csv", "card": card})]["props"]["data"]
    assert "rows" not in payload  # the rows are the figure's points
    territory = app.server.extensions["pilote_data"].catalog.territory
    rows = point_rows(figure, payload, export_places(territory)["names"])
    points = sum(len(t.get("lat") or []) for t in figure["data"])
    assert len(rows) == points >= 50, (card, len(rows), points)
    assert all(len(row) == len(payload["columns"]) for row in rows)
    assert all(row[payload["columns"].index("Commune")] != "92040" for row in rows)  # names, not codes

    pilote.open("/mobilite" + search)
    pilote.click(f"#{card} details.pilote-chart-data summary")
    wait.until(lambda: pilote.driver.execute_script(_TABLE_JS, f"#{card}") is not None, 30)
    shown = pilote.driver.execute_script(_TABLE_JS, f"#{card}")
    assert [h for h, _ in shown["head"]] == payload["columns"]
    assert shown["rows"] == [[cell.strip() for cell in row] for row in rows]
    pilote.click(f"#{card} [id*='\"chart-csv-button\"']")
    assert wait_for_file(download_dir, f"{card}.csv").decode("utf-8") == csv_from_payload({**payload, "rows": rows})
    assert pilote.console_errors() == []

