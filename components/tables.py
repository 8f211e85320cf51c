"""Accessible HTML tables from data frames (caption, header scopes, French number formats)."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
import polars as pl
from dash import html

from components.formats import fmt_number


def frame_table(frame: pl.DataFrame, columns: dict[str, str], caption: str, table_id: str | None = None,
                formats: dict[str, Callable] | None = None, max_rows: int = 500) -> html.Div:
    """``columns`` maps frame column -> French header; numbers are right-aligned and formatted."""
    formats = formats or {}
    numeric = {c for c in columns if frame.schema[c].is_numeric()}
    shown = frame.head(max_rows)

    def cell(name, value):
        text = formats[name](value) if name in formats else (fmt_number(value) if name in numeric else
                                                              ("–" if value is None else str(value)))
        return html.Td(text, className="text-end" if name in numeric else None)

    body = [html.Tr([cell(name, row[name]) for name in columns]) for row in shown.iter_rows(named=True)]
    note = (f" ({max_rows} premières lignes sur {frame.height})" if frame.height > max_rows else "")
    return html.Div(
        dbc.Table(
            [html.Caption(caption + note),
             html.Thead(html.Tr([html.Th(label, scope="col", className="text-end" if name in numeric else None)
                                 for name, label in columns.items()])),
             html.Tbody(body or [html.Tr(html.Td("Aucune ligne.", colSpan=len(columns)))])],
            size="sm", hover=True, className="align-middle mb-0", **({"id": table_id} if table_id else {}),
        ),
        className="table-responsive",
    )
