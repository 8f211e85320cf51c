"""Charts declared once: a spec names the dataset role it reads, the canonical columns it needs, its query, its
figure builder, its summary sentence and its table. Pages are grids of specs; the card takes the source,
licence, data date and demonstration label from the dataset's snapshot (``DataContext.provenance``).

A spec whose role has no dataset in the catalog (or no data yet, or lacks a column it needs) is left out, and
the page lists what it lacks in one short note (:func:`missing_note`): one missing dataset never blanks a page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Output, html

from components import card_memo
from components.chart_card import CSV_STORE, chart_card, heading_text, provenance_caption
from components.tables import as_payload
from components.theme import lean_figure
from data_access.reads import recording
from data_access.snapshots import SnapshotMissing

log = logging.getLogger(__name__)

Text = str | Callable[[Any, dict], str]


@dataclass(frozen=True)
class ChartSpec:
    id: str
    title: Text  # a text, or (data, view) -> text (periods come from the data)
    role: str
    query: Callable[[Any, dict], Any]  # (DataContext, view) -> what the figure draws (a memoised query)
    figure: Callable[[Any, dict], Any]  # (data, view) -> go.Figure
    summary: Callable[[Any, dict], str]  # (data, view) -> one sentence (RGAA)
    columns: tuple[str, ...] = ()  # canonical columns the chart needs
    table: Callable[[Any, dict], tuple] | None = None  # (data, view) -> (frame, columns, formats)
    width: int = 12  # Bootstrap columns from the lg breakpoint
    level: int = 2


@dataclass
class Grid:
    """A rendered set of specs: the cards shown, and what was left out and why."""
    cards: list = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (chart title, reason)


def _text(value: Text, data, view: dict) -> str:
    return value(data, view) if callable(value) else value


def content(spec: ChartSpec, ctx, view: dict) -> tuple[str, Any, str, tuple | None]:
    """What a card shows for ``view``: (title, figure, sentence, table spec or None). Raises what the query or
    the builders raise."""
    data = spec.query(ctx, view)
    return (_text(spec.title, data, view), spec.figure(data, view), spec.summary(data, view),
            spec.table(data, view) if spec.table else None)


def _name(spec: ChartSpec) -> str:
    return spec.title if isinstance(spec.title, str) else spec.id


def lacking(specs, ctx) -> list[tuple[str, str]]:
    """(chart title, reason) of each spec the data do not allow, found without building anything."""
    return [(_name(spec), reason) for spec in specs if (reason := ctx.missing(spec.role, spec.columns))]


def render(spec: ChartSpec, ctx, view: dict, grid: Grid) -> None:
    """Add the card of ``spec`` to ``grid``, or its reason for being absent."""
    reason = ctx.missing(spec.role, spec.columns)
    title = _name(spec)
    if reason:
        grid.missing.append((title, reason))
        return
    key = card_memo.card_key(spec, ctx, view)
    found = card_memo.kept(ctx, key) if key else None
    if found is not None:
        grid.cards.append(found)
        return
    try:
        with recording() as reads:
            title, figure, summary, table = content(spec, ctx, view)
        card = chart_card(spec.id, title, figure, summary, ctx.provenance(spec.role), table=table, level=spec.level)
    except SnapshotMissing as exc:
        grid.missing.append((title, str(exc)))
        return
    except Exception:  # noqa: BLE001 - one broken chart must not take the page down; the log says why
        log.exception("chart %s failed", spec.id)
        grid.missing.append((title, "erreur lors de la préparation du graphique (voir le journal du serveur)"))
        return
    column = dbc.Col(card, lg=spec.width)
    grid.cards.append(card_memo.keep(ctx, key, reads, column) if key else column)


# -- redrawing cards in place -------------------------------------------------------------------------
# A selector that changes a section's data updates its cards' props (figure, sentence, title, table): the
# browser redraws each graph with Plotly.react instead of mounting new ones.

def in_place_outputs(specs) -> list[Output]:
    """The props of the cards of ``specs`` a selector rewrites, in the order of :func:`in_place_values`."""
    out = []
    for spec in specs:
        out += [Output(f"{spec.id}-graph", "figure"), Output(f"{spec.id}-summary", "children"),
                Output(f"{spec.id}-title", "children")]  # (the graph is named by its sentence: aria-labelledby)
        if spec.table is not None:
            out.append(Output({"type": CSV_STORE, "card": spec.id}, "data"))
    return out


def in_place_values(specs, ctx, view: dict) -> list:
    """The new values of :func:`in_place_outputs`. A chart that cannot be drawn for this view says why in its
    place (an empty figure, the reason as its sentence): the previous figures never stay under a new title."""
    values = []
    for spec in specs:
        try:
            title, figure, summary, table = content(spec, ctx, view)
            table = as_payload(table) if table is not None else None
        except Exception as exc:  # noqa: BLE001 - said in the card; the log has the details
            if not isinstance(exc, SnapshotMissing):
                log.exception("chart %s failed", spec.id)
            reason = exc if isinstance(exc, SnapshotMissing) else "erreur lors de la préparation du graphique"
            title = spec.title if isinstance(spec.title, str) else spec.id
            figure, summary = go.Figure(), f"Graphique indisponible : {reason}."
            table = {"columns": [], "kinds": [], "rows": []} if spec.table else None
        _caption, demo = provenance_caption(ctx.provenance(spec.role))  # the source line does not change with the view
        values += [lean_figure(figure), summary, heading_text(title, demo)]
        if spec.table is not None:
            values.append(table)
    return values


def grid(specs, ctx, view: dict) -> Grid:
    out = Grid()
    for spec in specs:
        render(spec, ctx, view, out)
    return out


def section(heading: str, specs, ctx, view: dict, missing: list, section_id: str | None = None,
            before: Callable[[], list] | None = None):
    """A heading, the dataset's stale notice, ``before()`` (key figures…) and the row of its charts; None (and
    its charts added to ``missing``) when none can be shown."""
    from components.notices import stale

    out = grid(specs, ctx, view)
    missing.extend(out.missing)
    if not out.cards:
        return None
    notice = stale(ctx.status(ctx.key_for(specs[0].role)))
    return html.Section([html.H2(heading, className="h5 mt-4", id=f"{section_id}-titre" if section_id else None),
                         notice, *(before() if before else []), dbc.Row(out.cards, className="g-3")], id=section_id)


def missing_note(missing: list[tuple[str, str]], note_id: str = "missing-data"):
    """One short note: the charts this page cannot show with the territory's data, and why."""
    if not missing:
        return None
    return html.Details(
        [html.Summary(f"{len(missing)} graphique(s) non affiché(s) faute de données", className="small"),
         html.Ul([html.Li([html.Strong(title), " : ", reason]) for title, reason in missing], className="small mb-0")],
        className="pilote-missing mt-4", id=note_id)
