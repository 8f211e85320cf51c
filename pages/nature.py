"""/nature — Maison de la nature et de l'arbre (internal: its team and the sustainable-development direction):
workshop sessions and attendance, equipment handed out to households against the yearly goals. The team's
records (/nature/atelier, /nature/distribution) count at the next render."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import dcc, html

from components.chart_spec import grid as chart_grid
from components.chart_spec import missing_note
from components.figures.nature import SPECS
from components.formats import fmt_int, fmt_percent
from components.kpi import kpi
from components.notices import unavailable
from components.report_page import export_links
from components.selectors import fallback_notice, parse_commune
from data_access import nature as q
from data_access.context import current
from data_access.snapshots import SnapshotMissing
from data_access.territory import label as commune_label
from data_access.territory import today

dash.register_page(
    __name__, path="/nature", name="Nature", title="Maison de la nature et de l'arbre", order=60,
    nav=True, access=["nature"], roles=[q.WORKSHOPS, q.DISTRIBUTIONS],
    description="Ateliers, fréquentation, composteurs et récupérateurs d'eau distribués aux foyers.",
)


def layout(commune=None, **_ignored):
    data = current()
    territory = data.catalog.territory
    if not (data.has(q.WORKSHOPS) or data.has(q.DISTRIBUTIONS)):
        return unavailable("Le suivi de la maison de la nature n'est pas disponible", "aucun jeu de données")
    parsed = parse_commune(commune, territory)
    year = today(territory).year
    goals_spec = data.catalog.for_role(q.DISTRIBUTIONS)
    view = {"commune": parsed.value, "year": year, "goals": dict(goals_spec.targets) if goals_spec else {},
            "populations": {c.code: c.population for c in territory.communes},
            "names": {c.code: c.name for c in territory.communes}}
    figures = []
    try:
        if data.has(q.WORKSHOPS):
            sessions = q.workshops(data, parsed.value).filter(pl.col("date").dt.year() == year)
            places = sessions["capacite"].sum()
            figures += [dbc.Col(kpi(f"séances en {year}", fmt_int(sessions.height)), xs=6, md=3),
                        dbc.Col(kpi("participants", fmt_int(sessions["presents"].sum())), xs=6, md=3),
                        dbc.Col(kpi("remplissage", fmt_percent(sessions["presents"].sum() / places * 100, 0)
                                    if places else "–", "présents / places"), xs=6, md=3)]
        if data.has(q.DISTRIBUTIONS):
            handed = q.distributions(data, parsed.value).filter(pl.col("date").dt.year() == year)
            figures.append(dbc.Col(kpi(f"foyers équipés en {year}", fmt_int(handed["nombre"].sum())), xs=6, md=3))
    except SnapshotMissing as exc:
        return unavailable("Le suivi de la maison de la nature n'est pas disponible", exc)
    charts = chart_grid(SPECS, data, view)
    return html.Div([
        html.H1(f"Maison de la nature et de l'arbre — {commune_label(parsed.value, territory)}", className="h3"),
        fallback_notice("Commune", parsed, "tout le territoire"),
        html.Div([dcc.Link("Enregistrer une séance", href="/nature/atelier", className="btn btn-primary btn-lg me-2 mb-2",
                           id="nature-saisir-atelier"),
                  dcc.Link("Enregistrer une distribution", href="/nature/distribution",
                           className="btn btn-outline-primary btn-lg mb-2")], className="my-2"),
        export_links(data, [q.WORKSHOPS, q.DISTRIBUTIONS]),
        dbc.Row(figures, className="g-3 mb-3", id="nature-kpis"),
        dbc.Row(charts.cards, className="g-3"),
        missing_note(charts.missing),
    ])
