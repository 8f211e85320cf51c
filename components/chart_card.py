"""The chart card: one component for every chart of every dashboard.

It shows the title, the chart, a one-sentence text summary, the source and the data date, and offers:

- "Voir les données": a native ``<details>`` disclosure (keyboard-accessible) holding an accessible HTML
  table of exactly the figures drawn (caption, header scopes, French formats), built in the browser when it
  is first opened;
- "Télécharger les données (CSV)": the CSV of that same table, for Excel in French, made in the browser;
- "Télécharger l'image (PNG)" / "(SVG)": a print-scale image (1200 px wide at scale 3, i.e. 3600 px) with the
  title, the source and the data date drawn on it, made in the browser with ``Plotly.toImage``.

RGAA: a chart is an image that carries information, so every chart comes with a sentence saying what it
shows, generated from the same data as the figure. ``dcc.Graph`` takes no ``aria-*`` attribute, so the graph
is wrapped in a ``role="figure"`` element whose accessible name (``aria-label``) is that sentence; the sentence
is also printed under the chart. Not ``role="img"``: an image's content is presentational, and the chart's
toolbar buttons inside it would be controls nested in an image (axe ``nested-interactive``). The plot's SVG
is hidden from screen readers instead (assets/a11y.js): its tick labels read one by one say nothing.

The card carries the table once, compactly: its headers, each column's kind and every cell as shown (French
formats, made here by ``components.tables.display``), in a ``dcc.Store`` (``table_payload``). The browser
builds the HTML table from it when "Voir les données" is first opened, and the CSV when asked, by the
mapping ``csv_from_display`` (the Python reference of ``assets/chart_export.js``: the same cells as
:func:`to_csv`, which the tests check). So a page sends no table markup it may never show.

Why the exports are clientside only: the data were authorised when the page that rendered the card was
(the guard, ``auth/guard.py``), and are already in the browser. The export callbacks never reach the server,
so they send nothing new to it and need no entry in the guard's callback map (Dash registers them with
``callback`` None, which ``build_callback_map`` skips). A *server* callback defined in this module would be
refused at start-up: it belongs to no page. The JavaScript is in ``assets/chart_export.js``.

``table`` is ``(frame, columns, formats)``, or for a map the payload of ``components.maps.points_table`` (its
rows are the map's points, read from the figure in the browser: a map's table costs the page no bytes):

- ``frame``: a polars DataFrame, rows in the order to show;
- ``columns``: ``{frame column: French header}``, in display order (only these columns are shown/exported);
- ``formats``: ``{frame column: spec}`` (optional, may be ``None``), where ``spec`` is

  - an ``int``: a numeric column shown with that many decimals (``fmt_number(value, n)``); the CSV gets the
    same rounding, without thousands separator;
  - a callable ``value -> str``: the text shown, used as is in the CSV too (a text cell for Excel: prefer an
    ``int`` spec for numbers, and put the unit in the header, e.g. ``"Part (%)"`` with ``1``).

  Columns without a spec: numbers up to 3 decimals (trailing zeros dropped), dates ``dd/mm/yyyy``,
  datetimes ``dd/mm/yyyy HH:MM`` in Paris time, booleans ``oui``/``non``, anything else as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import polars as pl
from dash import MATCH, ClientsideFunction, Input, Output, State, dcc, html

from components.badges import demo_badge
from components.formats import MINUS, MISSING, NBSP, NNBSP, fmt_date, fmt_datetime, fmt_number
from components.tables import as_payload, data_table, is_missing as _is_missing, kind as _kind, table_payload
from components.theme import GRAPH_HEIGHT, lean_config, lean_figure

__all__ = ["chart_card", "to_csv", "table_payload", "csv_from_display", "data_table", "export_caption", "TableSpec",
           "export_context", "export_places"]

# (frame, {column: French header}, {column: decimals | value -> str} or None)
TableSpec = tuple[pl.DataFrame, dict[str, str], dict[str, int | Callable[[Any], str]] | None]

CSV_BOM = "\ufeff"
CSV_DELIMITER = ";"
# Spreadsheets run a cell starting with one of these as a formula ("CSV injection"): such text cells get a
# leading apostrophe, which Excel and LibreOffice hide.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Ids of the parts of a card (pattern-matching ids: one clientside callback serves every card).
CSV_STORE = "chart-csv"  # the table payload: what the table and the CSV are made of
TABLE_OPEN = "chart-table-open"  # the <summary> of "Voir les données"
TABLE_SLOT = "chart-table"
CSV_BUTTON = "chart-csv-button"
PNG_BUTTON = "chart-png-button"
SVG_BUTTON = "chart-svg-button"
CSV_DONE = "chart-csv-done"
IMAGE_DONE = "chart-image-done"


def _pid(kind: str, card_id: str) -> dict:
    return {"type": kind, "card": card_id}


# ------------------------------------------------------------------------------------------ cell formats


def _csv_cell(value, kind: str, spec) -> str:
    """The text of a CSV cell: same rounding as on screen, but made for spreadsheets."""
    if callable(spec):
        text = spec(value)
    elif _is_missing(value):
        return ""
    elif kind == "number":
        # Decimal comma, and no thousands separator: Excel (French locale) and LibreOffice read "1234,5" as a
        # number, but "1 234,5" with a (narrow) no-break space as text. Negative numbers take the ASCII
        # hyphen-minus, the only minus sign spreadsheets parse.
        text = fmt_number(value, spec if isinstance(spec, int) else None)
        return text.replace(NNBSP, "").replace(NBSP, "").replace(" ", "").replace(MINUS, "-")
    elif kind == "date":
        return fmt_date(value)
    elif kind == "datetime":
        return fmt_datetime(value).replace(" à ", " ")  # dd/mm/yyyy HH:MM, Paris time
    elif kind == "bool":
        return "oui" if value else "non"
    else:
        text = str(value)
    if text == MISSING:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(frame: pl.DataFrame, columns: dict[str, str], formats: dict | None = None) -> str:
    """The CSV text of exactly the table shown: for Excel in French.

    UTF-8 with a byte order mark (without it Excel reads the file as Windows-1252), ``;`` between cells
    (the comma is the decimal separator), CRLF line ends, the French headers on the first line, then one line
    per row in the frame's order, and nothing else (no comment or title line). Missing values are empty.
    """
    formats = formats or {}
    kinds = {name: _kind(frame.schema[name]) for name in columns}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(columns.values()))
    for row in frame.select(list(columns)).iter_rows(named=True):
        writer.writerow([_csv_cell(row[name], kinds[name], formats.get(name)) for name in columns])
    return CSV_BOM + out.getvalue()


def csv_from_display(text: str, kind: str) -> str:
    """A CSV cell from the cell shown (what ``assets/chart_export.js`` does): equal to ``to_csv``'s."""
    if text == MISSING:
        return ""
    if kind == "number":
        return text.replace(NNBSP, "").replace(NBSP, "").replace(" ", "").replace(MINUS, "-")
    if kind == "datetime":
        return text.replace(" à ", " ")
    if kind == "text" and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_from_payload(payload: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(payload["columns"])
    for row in payload["rows"]:
        writer.writerow([csv_from_display(text, kind) for text, kind in zip(row, payload["kinds"])])
    return CSV_BOM + out.getvalue()


# ------------------------------------------------------------------------------------------ the card


DEMO_TEXT = {"all": "données de démonstration", "part": "en partie des données de démonstration"}


def export_caption(source: str, data_date=None, demo: bool | str | None = False, licence: str | None = None) -> str:
    """The source line, on the card and on the exported image:
    ``Source : … · licence ODbL · données du 05/03/2026 · en partie des données de démonstration``."""
    text = f"Source : {source}"
    if licence and licence.lower() not in source.lower():
        text += f" · {licence}" if licence.lower().startswith("licence") else f" · licence {licence}"
    if data_date:
        text += f" · données du {fmt_date(data_date)}"
    demo = "all" if demo is True else (demo or None)
    if demo and DEMO_TEXT["all"] not in source.lower():  # said once, even when the source names it already
        text += f" · {DEMO_TEXT[demo]}"
    return text


def export_places(territory) -> dict:
    """What the browser's image exports name the place by (window.PILOTE_PLACES, in /_pilote/theme.js): the
    communes' names by code, the territory's name for the whole territory, and the commune a URL without
    ``?commune=`` shows."""
    from data_access.territory import ALL, default_commune

    return {"names": {ALL: territory.name, **{c.code: c.name for c in territory.communes}},
            "default": default_commune(territory)}


def export_context(commune: str | None = None, period: str | None = None, document: str | None = None) -> html.Div:
    """What a page tells its image exports beyond the commune of the URL: the place it shows when it is not
    the URL's commune, the period and the document (« Compte administratif 2019 »). Hidden; one per page."""
    data = {k: v for k, v in (("data-commune", commune), ("data-periode", period), ("data-document", document)) if v}
    return html.Div(id="pilote-contexte", hidden=True, **data)


def heading_text(title: str, demo) -> list | str:
    demo = "all" if demo is True else (demo or None)
    return [title, " ", demo_badge(demo)] if demo else title


def provenance_caption(source, data_date=None, demo=None) -> tuple[str, str | None]:
    """(the source line, the demonstration label) of a card, from a Provenance or a plain source text."""
    licence = None
    if not isinstance(source, str):  # a Provenance
        source, licence, data_date, demo = source.source, source.licence, source.data_date, source.demo
    demo = "all" if demo is True else (demo or None)
    return export_caption(source, data_date, demo, licence), demo


def chart_card(card_id: str, title: str, figure: go.Figure, summary: str, source,
               data_date=None, demo: bool | str | None = False, table: TableSpec | dict | None = None,
               level: int = 2) -> dbc.Card:
    """A chart card. ``source`` is the dataset's ``Provenance`` (source, licence, data date and demonstration
    label all come from its snapshot: ``data_access.context.DataContext.provenance``), or a plain source text
    with ``data_date`` and ``demo``. ``table`` (see the module docstring: a spec or a map's payload) adds
    "Voir les données" and the CSV download; ``level`` is the heading level of the title (2 or 3)."""
    caption, demo = provenance_caption(source, data_date, demo)
    heading = {2: html.H2, 3: html.H3}.get(level, html.H2)
    # A responsive graph fills its container, which has no height of its own: give it the figure's.
    graph_style = {"height": f"{figure.layout.height or GRAPH_HEIGHT}px"}
    summary_id = f"{card_id}-summary"

    body = [
        # dcc.Graph takes no aria-* attribute: the wrapper is the figure, named by the summary sentence.
        # (The mode bar has no camera: the card's buttons export; so the graph's config is the default one.)
        html.Div(
            dcc.Graph(id=f"{card_id}-graph", figure=lean_figure(figure), style=graph_style, responsive=True,
                      **({"config": config} if (config := lean_config()) else {})),
            role="figure", **{"aria-labelledby": summary_id}, id=f"{card_id}-image",
            className="pilote-chart-graph",
            # The graph's room is kept while its code loads (dcc.Graph's placeholder has no height): the page
            # does not grow under the reader as the charts come, and the charts drawn first are not resized.
            style={"minHeight": f"calc({graph_style['height']} + 1.75rem)"},
        ),
        html.P(summary, id=summary_id, className="small mb-0 pilote-chart-summary"),
    ]
    buttons = []
    # The exports read the title, the source line and the graph from the card itself (assets/chart_export.js):
    # nothing is sent twice.
    stores = [dcc.Store(id=_pid(IMAGE_DONE, card_id))]
    if table is not None:
        body.append(
            html.Details(
                [html.Summary("Voir les données", id=_pid(TABLE_OPEN, card_id), className="pilote-chart-data-toggle"),
                 html.Div(id=_pid(TABLE_SLOT, card_id), className="table-responsive")],
                id=f"{card_id}-data", className="pilote-chart-data mt-2",
            )
        )
        stores += [dcc.Store(id=_pid(CSV_STORE, card_id), data=as_payload(table)),
                   dcc.Store(id=_pid(CSV_DONE, card_id))]
        buttons.append(_button(CSV_BUTTON, card_id, "Télécharger les données (CSV)"))
    buttons += [_button(PNG_BUTTON, card_id, "Télécharger l'image (PNG)"),
                _button(SVG_BUTTON, card_id, "Télécharger l'image (SVG)")]

    return dbc.Card(
        [
            dbc.CardHeader(heading(heading_text(title, demo), className="h6 mb-0", id=f"{card_id}-title")),
            dbc.CardBody(body),
            dbc.CardFooter(
                [html.Span(caption, id=f"{card_id}-source", className="pilote-chart-source"),
                 html.Div(buttons, className="pilote-chart-actions", role="group",
                          **{"aria-label": f"Exporter « {title} »"}),
                 *stores],
                className="small text-body-secondary pilote-chart-footer",
            ),
        ],
        id=card_id, className="pilote-card pilote-chart-card h-100",
    )


def _button(kind: str, card_id: str, label: str) -> html.Button:
    # A small outlined button by its one class (assets/pilote.css): 42 buttons on a page, each said once.
    return html.Button(label, id=_pid(kind, card_id), className="btn pilote-chart-export")


# ------------------------------------------------------------------------------------------ clientside callbacks
# Registered once, for every card (MATCH). Clientside: nothing reaches the server (see the module docstring).

dash.clientside_callback(
    ClientsideFunction("pilote", "download_csv"),
    Output(_pid(CSV_DONE, MATCH), "data"),
    Input(_pid(CSV_BUTTON, MATCH), "n_clicks"),
    State(_pid(CSV_STORE, MATCH), "data"),
    prevent_initial_call=True,
)

dash.clientside_callback(
    ClientsideFunction("pilote", "show_table"),
    Output(_pid(TABLE_SLOT, MATCH), "children"),
    Input(_pid(TABLE_OPEN, MATCH), "n_clicks"),
    # Not triggered by the store: an opened table follows a redraw of its card in the page (chart_export.js
    # followTable), and the cards whose table is closed run nothing.
    State(_pid(CSV_STORE, MATCH), "data"),
    # Not called at load: printing reads the payloads from the stores (assets/chart_export.js, printedTable);
    # a page of 14 cards made 14 initial calls through the renderer, for nothing shown.
    prevent_initial_call=True,
)

dash.clientside_callback(
    ClientsideFunction("pilote", "download_image"),
    Output(_pid(IMAGE_DONE, MATCH), "data"),
    Input(_pid(PNG_BUTTON, MATCH), "n_clicks"),
    Input(_pid(SVG_BUTTON, MATCH), "n_clicks"),
    prevent_initial_call=True,
)
