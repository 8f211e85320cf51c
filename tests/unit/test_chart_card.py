"""The shared chart card: CSV text for Excel in French, the component tree, clientside-only exports."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from dash import dcc, html

from auth.guard import build_callback_map
from components.chart_card import chart_card, csv_from_payload, export_caption, table_payload, to_csv
from components.formats import MINUS, NBSP, NNBSP, fmt_percent

ROOT = Path(__file__).resolve().parents[2]

COLUMNS = {"commune": "Commune", "day": "Date", "bikes": "Vélos", "share": "Part électrique (%)",
           "rate": "Taux"}


@pytest.fixture
def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "commune": ["Issy-les-Moulineaux", "Boulogne-Billancourt", "Ville-d'Avray", None],
            "day": [dt.date(2026, 3, 5), dt.date(2025, 12, 31), None, dt.date(2026, 1, 1)],
            "bikes": [1234567, 0, None, -42],
            "share": [12.345, 0.1 + 0.2, None, -1.25],
            "rate": [0.5, 2.0, 1234.5678, None],
            "hidden": ["not", "in", "the", "export"],
        },
        schema_overrides={"bikes": pl.Int64},
    )


# ------------------------------------------------------------------------------------------ to_csv


def test_to_csv_exact_text(frame):
    text = to_csv(frame, COLUMNS, {"share": 1})
    assert text == (
        "\ufeff"
        "Commune;Date;Vélos;Part électrique (%);Taux\r\n"
        "Issy-les-Moulineaux;05/03/2026;1234567;12,3;0,5\r\n"
        "Boulogne-Billancourt;31/12/2025;0;0,3;2\r\n"
        "Ville-d'Avray;;;;1234,568\r\n"
        ";01/01/2026;-42;-1,3;\r\n"
    )


def test_to_csv_is_for_excel_in_french(frame):
    text = to_csv(frame, COLUMNS, {"share": 1})
    assert text.startswith("\ufeff") and text.count("\ufeff") == 1  # UTF-8 BOM once, when encoded
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    for bad in (NNBSP, NBSP, MINUS, "\u2013"):  # no grouping spaces, real minus or en dash in cells
        assert bad not in text
    lines = text[1:].split("\r\n")
    assert lines[-1] == "" and all(line.count(";") == len(COLUMNS) - 1 for line in lines[:-1])
    assert "hidden" not in text and "export" not in text  # only the columns shown


def test_to_csv_keeps_row_order_and_header_order(frame):
    reordered = {"rate": "Taux", "commune": "Commune"}
    text = to_csv(frame.reverse(), reordered, None)
    assert text[1:].split("\r\n")[:3] == ["Taux;Commune", ";", "1234,568;Ville-d'Avray"]


def test_to_csv_quotes_and_defuses_formulas():
    frame = pl.DataFrame({"name": ['Le "Grand" Paris; Ouest', "=HYPERLINK(1)", "@x", "+1"], "n": [1.5, 2, 3, 4]})
    text = to_csv(frame, {"name": "Nom", "n": "N"})
    assert text[1:].split("\r\n")[1:5] == ['"Le ""Grand"" Paris; Ouest";1,5', "'=HYPERLINK(1);2", "'@x;3", "'+1;4"]


def test_to_csv_callable_formats_and_datetimes():
    frame = pl.DataFrame({"when": [dt.datetime(2026, 3, 5, 13, 5)], "ok": [True], "p": [12.5]})
    text = to_csv(frame, {"when": "Horodatage", "ok": "En service", "p": "Part"}, {"p": fmt_percent})
    # naive datetimes are UTC, shown in Paris time; a callable's text is kept as shown
    assert text == f"\ufeffHorodatage;En service;Part\r\n05/03/2026 14:05;oui;12,5{NBSP}%\r\n"


def test_to_csv_empty_frame_has_the_header_only(frame):
    assert to_csv(frame.clear(), {"commune": "Commune", "bikes": "Vélos"}) == "\ufeffCommune;Vélos\r\n"


# ------------------------------------------------------------------------------------------ the card


def walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "_type"):
            yield from walk(child)


def find(card, kind, **props):
    return [c for c in walk(card) if isinstance(c, kind)
            and all(getattr(c, k, None) == v for k, v in props.items())]


def text(component) -> str:
    children = getattr(component, "children", component)
    if children is None:
        return ""
    if isinstance(children, str):
        return children
    if isinstance(children, (list, tuple)):
        return "".join(text(c) for c in children)
    return text(children)


def figure(height=300):
    return go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"), layout={"height": height})


@pytest.fixture
def card(frame):
    return chart_card("test-card", "Vélos par commune", figure(), "Boulogne a le plus de vélos.",
                      "Vélib' Métropole", dt.date(2026, 4, 6), table=(frame, COLUMNS, {"share": 1}))


def test_card_title_graph_and_summary(card):
    assert [text(h) for h in find(card, html.H2)] == ["Vélos par commune"]
    (graph,) = find(card, dcc.Graph)
    assert graph.id == "test-card-graph"
    # Only what differs from GRAPH_CONFIG (French, no logo…: sent once with the template, tested in the browser):
    # nothing, the mode bar has no camera to name a file for (the card's buttons export).
    assert "config" not in graph.to_plotly_json()["props"]
    assert graph.style == {"height": "300px"}
    (summary,) = find(card, html.P, id="test-card-summary")
    assert summary.children == "Boulogne a le plus de vélos."
    # RGAA: the graph is a figure named by the summary (not an image: its toolbar's buttons are inside)
    (image,) = [c for c in find(card, html.Div) if getattr(c, "role", None) == "figure"]
    assert image.children is graph
    assert image.to_plotly_json()["props"]["aria-labelledby"] == "test-card-summary"  # the sentence, sent once


def test_card_heading_level_and_default_height():
    card = chart_card("c", "Titre", go.Figure(), "Résumé.", "Source", level=3)
    assert [text(h) for h in find(card, html.H3)] == ["Titre"] and not find(card, html.H2)
    assert find(card, dcc.Graph)[0].style == {"height": "400px"}


def test_card_source_line(card):
    (source,) = find(card, html.Span, id="test-card-source")
    assert source.children == "Source : Vélib' Métropole · données du 06/04/2026"
    assert export_caption("X") == "Source : X"
    assert export_caption("X", "2026-03-05", demo=True) == "Source : X · données du 05/03/2026 · données de démonstration"


def test_card_voir_les_donnees_is_built_when_opened(card):
    (details,) = find(card, html.Details)
    assert details.id == "test-card-data" and not getattr(details, "open", None)  # closed at first
    (summary,) = find(details, html.Summary)
    assert text(summary) == "Voir les données" and summary.id == {"type": "chart-table-open", "card": "test-card"}
    assert not find(card, html.Table)  # no table markup until the browser builds it (assets/chart_export.js)
    (slot,) = [c for c in walk(details) if getattr(c, "id", None) == {"type": "chart-table", "card": "test-card"}]
    assert slot.children is None


def test_card_table_payload_is_every_cell_as_shown(card, frame):
    stores = {c.id["type"]: c for c in find(card, dcc.Store)}
    payload = stores["chart-csv"].data
    assert payload == table_payload(frame, COLUMNS, {"share": 1})
    assert payload["columns"] == list(COLUMNS.values())
    assert payload["kinds"] == ["text", "plain", "number", "number", "number"]
    assert payload["rows"][0] == ["Issy-les-Moulineaux", "05/03/2026", f"1{NNBSP}234{NNBSP}567", "12,3", "0,5"]
    assert payload["rows"][2] == ["Ville-d'Avray", "–", "–", "–", f"1{NNBSP}234,568"]
    assert payload["rows"][3][2] == f"{MINUS}42"
    assert [r[0] for r in payload["rows"]] == ["Issy-les-Moulineaux", "Boulogne-Billancourt", "Ville-d'Avray", "–"]


@pytest.mark.parametrize("columns, formats, rows", [
    (COLUMNS, {"share": 1}, None),
    ({"name": "Nom", "n": "N"}, None,
     {"name": ['Le "Grand" Paris; Ouest', "=HYPERLINK(1)", "@x", "+1", "–", None, "a\nb"],
      "n": [1.5, 2, 3, -4, 5, None, 1e7]}),
    ({"when": "Horodatage", "ok": "En service", "p": "Part"}, {"p": fmt_percent},
     {"when": [dt.datetime(2026, 3, 5, 13, 5), None], "ok": [True, None], "p": [12.5, None]}),
])
def test_the_csv_made_from_the_shown_cells_is_to_csvs(frame, columns, formats, rows):
    """csv_from_payload (the reference of the browser's CSV) gives exactly to_csv's text."""
    data = frame if rows is None else pl.DataFrame(rows)
    assert csv_from_payload(table_payload(data, columns, formats)) == to_csv(data, columns, formats)


def test_card_csv_store_and_buttons(card, frame):
    stores = {c.id["type"]: c for c in find(card, dcc.Store)}
    assert stores["chart-csv"].id == {"type": "chart-csv", "card": "test-card"}
    # What the exports read comes from the card itself, sent once: the title, the source line, the graph.
    assert set(stores) == {"chart-csv", "chart-csv-done", "chart-image-done"}
    by_id = {c.id: c for c in walk(card) if isinstance(getattr(c, "id", None), str)}
    assert text(by_id["test-card-title"]) == "Vélos par commune" and "test-card-graph" in by_id
    assert by_id["test-card-source"].children == "Source : Vélib' Métropole · données du 06/04/2026"
    buttons = {b.id["type"]: text(b) for b in walk(card) if isinstance(getattr(b, "id", None), dict)
               and b.id["type"].endswith("-button")}
    assert buttons == {"chart-csv-button": "Télécharger les données (CSV)",
                       "chart-png-button": "Télécharger l'image (PNG)",
                       "chart-svg-button": "Télécharger l'image (SVG)"}
    assert all(b.id["card"] == "test-card" for b in walk(card) if isinstance(getattr(b, "id", None), dict))


def test_card_without_table_has_image_exports_only():
    card = chart_card("c", "Titre", go.Figure(), "Résumé.", "Source")
    assert not find(card, html.Details) and not find(card, html.Table)
    types = {c.id["type"] for c in walk(card) if isinstance(getattr(c, "id", None), dict)}
    assert types == {"chart-image-done", "chart-png-button", "chart-svg-button"}


def test_demo_badge_and_demo_on_the_image():
    card = chart_card("c", "Titre", go.Figure(), "Résumé.", "Générateur", demo=True)
    (heading,) = find(card, html.H2)
    assert "Données de démonstration" in text(heading)
    (source,) = [c for c in walk(card) if getattr(c, "id", None) == "c-source"]  # the line drawn under the image
    assert source.children.endswith("données de démonstration")
    assert "Données de démonstration" not in text(find(chart_card("c", "T", go.Figure(), "R.", "S"), html.H2)[0])
    named = export_caption("GPSO — données de démonstration ; schéma IRVE", demo=True)
    assert named.count("démonstration") == 1 and named.startswith("Source : GPSO — données de démonstration")


# ------------------------------------------------------------------------------------------ callbacks


def test_exports_are_clientside_callbacks_the_guard_does_not_map():
    from dash._callback import GLOBAL_CALLBACK_LIST, GLOBAL_CALLBACK_MAP

    import app as pilote  # noqa: F401  (registers the pages and their cards)

    # Dash moves global callbacks into the app at its first request: look in both places, so the test
    # does not depend on whether another test has already sent a request.
    callback_list = GLOBAL_CALLBACK_LIST + pilote.app._callback_list
    callback_map = {**GLOBAL_CALLBACK_MAP, **pilote.app.callback_map}
    # The card's own callbacks (a page's callback may rewrite a card's props: it belongs to its page).
    ours = {c["output"]: c for c in callback_list if "chart-" in c["output"] and c.get("clientside_function")}
    assert {o.split('"type":"')[1].split('"')[0] for o in ours} == {"chart-csv-done", "chart-image-done", "chart-table"}
    assert {c["clientside_function"]["function_name"] for c in ours.values()} == {"download_csv", "download_image",
                                                                                   "show_table"}
    assert all(c["clientside_function"]["namespace"] == "pilote" for c in ours.values())
    # None is called at load: the downloads and the table wait for a click (printing reads the stores)
    assert {c["clientside_function"]["function_name"]: c["prevent_initial_call"] for c in ours.values()} == {
        "download_csv": True, "download_image": True, "show_table": True}
    entries = {k: v for k, v in callback_map.items() if k in ours}
    assert len(entries) == 3 and all(v.get("callback") is None for v in entries.values())
    # a server callback outside a page module would raise CallbackMapError here
    assert build_callback_map(entries, {}) == {}


def test_clientside_functions_are_defined_in_assets():
    js = (ROOT / "assets" / "chart_export.js").read_text(encoding="utf-8")
    assert "window.dash_clientside.pilote" in js
    for name in ("download_csv", "download_image", "show_table", "compact_table"):
        assert re.search(rf"\b{name}\s*:\s*function\b", js), name
    assert "scale: format === \"png\" ? SCALE : 1" in js and "var SCALE = 4;" in js
    assert "var IMAGE_WIDTH = 900;" in js and "var MIN_FONT = 14;" in js and 'locale: "fr"' in js and 'layout.separators = ", "' in js


def test_a_compact_table_sends_its_cells_once(frame):
    from components.tables import compact_table

    table = compact_table(frame, COLUMNS, {"share": 1}, "Vélos par commune", "liste")
    store, slot = table.children
    assert store.id == {"type": "compact-table-data", "table": "liste"} and slot.id == {"type": "compact-table",
                                                                                         "table": "liste"}
    assert store.data == {**table_payload(frame, COLUMNS, {"share": 1}), "id": "liste", "caption": "Vélos par commune"}
    assert not find(table, html.Table)  # the markup is the browser's


def test_the_graph_s_room_is_kept_while_its_code_loads():
    """dcc.Graph's placeholder, while plotly.js loads, has no height: the figure wrapper keeps the graph's
    height (and its toolbar's row), so the page does not grow under the reader as the charts come."""
    tall = go.Figure().update_layout(height=460)
    (wrapper,) = [c for c in walk(chart_card("c", "Titre", tall, "Résumé.", "Source"))
                  if getattr(c, "id", None) == "c-image"]
    assert wrapper.style == {"minHeight": "calc(460px + 1.75rem)"}
    (graph,) = [c for c in walk(wrapper) if getattr(c, "id", None) == "c-graph"]
    assert graph.style == {"height": "460px"}
