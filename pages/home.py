"""/ — the catalogue: every dashboard (from the page registry) and every dataset (from the catalog)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.badges import data_date, demo_badge, freshness_badge, lock_icon, visibility_badge
from components.formats import fmt_int
from components.selectors import merge_query, parse_commune
from components.shell import is_public, nav_pages
from data_access.context import current

dash.register_page(__name__, path="/", name="Accueil", title="Catalogue des tableaux de bord", order=0, nav=False,
                   access="public", reads_reports=False)  # snapshots' metadata only (data_access.render_cache)


def dashboard_card(page: dict, search: str) -> dbc.Col:
    public = is_public(page)
    title = [page["name"]] if public else [lock_icon(), " ", page["name"]]
    return dbc.Col(
        dcc.Link(
            html.Div(
                [html.H3(title, className="h6 mb-1"),
                 html.P(page.get("description") or "", className="small mb-2"),
                 visibility_badge("public" if public else "internal")],
                className=f"pilote-card pilote-dashboard-card {'is-public' if public else 'is-internal'} p-3 h-100",
            ),
            href=page["relative_path"] + search, className="text-decoration-none text-reset",
        ),
        md=6, lg=4,
    )


def dataset_row(status) -> html.Tr:
    spec, meta = status.spec, status.meta
    portal_link = html.A(spec.dataset_id, href=f"{spec.portal_url}/explore/dataset/{spec.dataset_id}/",
                         rel="noopener", target="_blank")
    return html.Tr(
        [
            html.Th([spec.title, " ", demo_badge()] if spec.demo else spec.title, scope="row"),
            html.Td(visibility_badge(spec.visibility)),
            html.Td([html.Span(spec.portal_url.removeprefix("https://"), className="d-block small"), portal_link]),
            html.Td(spec.licence),
            html.Td(fmt_int(meta.rows) if meta.has_data else "–", className="text-end"),
            html.Td(fmt_int(meta.bad_rows) if meta.has_data else "–", className="text-end",
                    title="; ".join(meta.notes) or None),
            html.Td(data_date(meta.fetched_at, status.age_seconds), className="small"),
            html.Td([freshness_badge(status.state, status.reason)]
                    + ([html.Span(status.reason, className="d-block small")] if status.reason else [])),
        ],
        id=f"dataset-{spec.key}",
    )


def layout(commune=None, **_ignored):
    data = current()
    parsed = parse_commune(commune, data.catalog.territory)
    search = merge_query("", commune=parsed.value)
    pages = [p for p in nav_pages(dash.page_registry, data) if p["relative_path"] != "/"]
    statuses = data.statuses()
    empty = None
    if not any(s.meta.has_data for s in statuses):
        empty = dbc.Alert([html.Strong("Pas encore de données. "),
                           ("Le catalogue ne déclare aucun jeu de données : ajoutez-en (README, « Another territory »)."
                            if not statuses else
                            ["Lancez ", html.Code("python -m data_access refresh --all"),
                             " pour charger les jeux de données du catalogue depuis le portail."])],
                          color="info", id="no-data")
    return html.Div(
        [
            html.H1(f"Tableaux de bord — {data.catalog.territory.name}", className="h3"),
            html.P("Les tableaux publics sont ouverts à tous ; les tableaux internes (cadenas) sont réservés aux "
                   "agents et élus habilités.", className="text-body-secondary"),
            empty,
            html.H2("Tableaux de bord", className="h5 mt-4"),
            dbc.Row([dashboard_card(p, search) for p in pages], className="g-3", id="dashboard-list")
            if pages else html.P("Aucun tableau de bord : aucun jeu de données n'a encore de données.",
                                 className="small", id="dashboard-list"),
            html.H2("Jeux de données", className="h5 mt-4"),
            html.Div(
                dbc.Table(
                    [
                        html.Caption("Jeux de données utilisés, avec leur source, leur licence et leur fraîcheur"),
                        html.Thead(html.Tr([html.Th(h, scope="col") for h in (
                            "Jeu de données", "Visibilité", "Portail et identifiant", "Licence", "Lignes",
                            "Lignes écartées", "Données du", "État")])),
                        html.Tbody([dataset_row(s) for s in statuses]),
                    ],
                    hover=True, size="sm", className="align-middle", id="dataset-table",
                ),
                className="table-responsive",
            ),
        ]
    )
