"""The one HTML table builder: accessible tables of data frames (caption, header scopes, French formats),
used by the chart cards' "Voir les données" and by the pages' lists."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import MATCH, ClientsideFunction, Input, Output, dcc, html

from components.formats import MISSING, fmt_date, fmt_datetime, fmt_number


def element(tag: str, children=None, **props) -> dict:
    """An html element as Dash sends it (``to_json`` of ``html.<tag>``), built without the component: a long
    table's hundreds of cells (the audit log: 700) cost a component each to build and to serialize."""
    return {"props": {"children": children, **props}, "type": tag, "namespace": "dash_html_components"}


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN
    except (TypeError, ValueError):
        return False


def kind(dtype) -> str:
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_numeric():
        return "number"
    if dtype == pl.Datetime:
        return "datetime"
    if dtype == pl.Date:
        return "date"
    return "text"


def display(value, kind: str, spec) -> str:
    """The text of a cell in the HTML table (French formats, grouped thousands, missing as an en dash)."""
    if callable(spec):
        return spec(value)
    if is_missing(value):
        return MISSING
    if kind == "number":
        return fmt_number(value, spec if isinstance(spec, int) else None)
    if kind == "date":
        return fmt_date(value)
    if kind == "datetime":
        return fmt_datetime(value)
    if kind == "bool":
        return "oui" if value else "non"
    return str(value)




def data_table(frame: pl.DataFrame, columns: dict[str, str], formats: dict | None, caption: str,
               table_id: str | None = None, max_rows: int | None = None) -> html.Div:
    """Accessible table of the figures: caption, ``th scope="col"`` headers, the first column as row
    headers (``th scope="row"``), numbers right-aligned and formatted in French. ``formats``: per column, a
    number of decimals or a ``value -> text`` function (see ``components.chart_card``). With ``max_rows``, the
    first rows only, and the caption says so."""
    formats = formats or {}
    kinds = {name: kind(frame.schema[name]) for name in columns}
    if max_rows is not None and frame.height > max_rows:
        caption = f"{caption} ({max_rows} premières lignes sur {frame.height})"
        frame = frame.head(max_rows)
    names = list(columns)

    def align(name):
        return "text-end" if kinds[name] == "number" else None

    head = html.Thead(html.Tr([html.Th(label, scope="col", className=align(name))
                               for name, label in columns.items()]))
    rows = []
    for row in frame.select(names).iter_rows(named=True):
        texts = [display(row[name], kinds[name], formats.get(name)) for name in names]
        rows.append(html.Tr([html.Th(texts[0], scope="row", className=align(names[0]))]
                            + [html.Td(text, className=align(name)) for name, text in zip(names[1:], texts[1:])]))
    body = html.Tbody(rows or [html.Tr(html.Td("Aucune ligne.", colSpan=len(names)))])
    return html.Div(
        dbc.Table([html.Caption(caption), head, body], size="sm", hover=True, className="align-middle mb-0",
                  **({"id": table_id} if table_id else {})),
        className="table-responsive",
    )


# -- tables built in the browser ---------------------------------------------------------------------------
def payload_kind(kind_: str, spec) -> str:
    """How a shown cell becomes a CSV cell: "number" (no separators, ASCII minus), "datetime" (no « à »),
    "plain" (dates, oui/non: as shown) or "text" (as shown, guarded against spreadsheet formulas)."""
    if callable(spec):
        return "text"
    return {"number": "number", "datetime": "datetime", "date": "plain", "bool": "plain"}.get(kind_, "text")


def table_payload(frame: pl.DataFrame, columns: dict[str, str], formats: dict | None = None) -> dict:
    """A table as a page sends it compactly: headers, the kind of each column, and every cell as shown (French
    formats, made here); assets/chart_export.js builds the HTML table (and the CSV) from it."""
    formats = formats or {}
    kinds = {name: kind(frame.schema[name]) for name in columns}
    rows = [[display(row[name], kinds[name], formats.get(name)) for name in columns]
            for row in frame.select(list(columns)).iter_rows(named=True)]
    return {"columns": list(columns.values()), "kinds": [payload_kind(kinds[n], formats.get(n)) for n in columns],
            "rows": rows}


def as_payload(table) -> dict:
    """A card's table as sent: a ``(frame, columns, formats)`` spec made into :func:`table_payload`, or a
    payload already (a map's :func:`components.maps.points_table`)."""
    return table if isinstance(table, dict) else table_payload(*(tuple(table) + (None,))[:3])


COMPACT_DATA, COMPACT_SLOT = "compact-table-data", "compact-table"


def compact_table(frame: pl.DataFrame, columns: dict[str, str], formats: dict | None, caption: str,
                  table_id: str) -> html.Div:
    """The same accessible table as :func:`data_table` (caption, header scopes, row headers, numbers aligned),
    for long lists: the page sends its cells once, compactly, and the browser builds the markup (a tenth of
    the bytes of a table sent as components)."""
    payload = {**table_payload(frame, columns, formats), "id": table_id, "caption": caption}
    return html.Div([dcc.Store(id={"type": COMPACT_DATA, "table": table_id}, data=payload),
                     html.Div(id={"type": COMPACT_SLOT, "table": table_id})], className="table-responsive")


# Clientside, for every compact table of every page: nothing reaches the server.
dash.clientside_callback(
    ClientsideFunction("pilote", "compact_table"),
    Output({"type": COMPACT_SLOT, "table": MATCH}, "children"),
    Input({"type": COMPACT_DATA, "table": MATCH}, "data"),
)
