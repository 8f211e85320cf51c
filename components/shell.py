"""The application shell: skip link, navbar built from the page registry, commune selector, footer.

Navigation is never a hand-written list: each page's ``register_page`` call says its name, order, access
and whether it shows in the menu; the navbar reads that.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL as ALL_IDS
from dash import Input, Output, State, callback, ctx as dash_ctx, dcc, html, no_update

from auth.access import shell_callback
from auth.session import current_auth
from auth.views import csrf_token
from components.badges import lock_icon
from components.formats import fmt_date
from components.selectors import (SHOWN, commune_defaults, commune_dropdown, merge_query, parse_commune,
                                  query_params, update_search)
from data_access.context import current

PUBLIC = "public"


def is_public(page: dict) -> bool:
    return page.get("access", PUBLIC) == PUBLIC


def has_data(page: dict, data) -> bool:
    """A dashboard declares the dataset roles it reads (``roles=``): with none of them in the catalog (or none
    with data yet) it has nothing to show, and is left out of the menu and the catalogue."""
    roles = page.get("roles")
    return not roles or any(data.has(role) for role in roles)


def nav_pages(registry: dict, data=None) -> list[dict]:
    """The pages shown in the menu, in their declared order (with ``data``: only those with data)."""
    pages = [p for p in registry.values() if p.get("nav", False) and (data is None or has_data(p, data))]
    return sorted(pages, key=lambda p: (p.get("order") if p.get("order") is not None else 99, p["name"]))


def nav_link(page: dict, search: str = "") -> dbc.NavLink:
    public = is_public(page)
    label = [page["name"]] if public else [lock_icon(), " ", page["name"],
                                           html.Span(" (accès restreint)", className="visually-hidden")]
    return dbc.NavLink(
        label, href=page["relative_path"] + search, active="exact",
        id={"type": "nav-link", "path": page["relative_path"]},
        className=f"pilote-nav-link {'is-public' if public else 'is-internal'}",
    )


def account_menu(principal) -> html.Div:
    """Sign-in link, or the signed-in user's space, administration and sign-out links."""
    if not principal.authenticated:
        return html.Div(html.A("Se connecter", href="/login", className="nav-link text-white", id="login-link"),
                        className="ms-xl-3")
    links = [dcc.Link(["Mon espace · ", html.Span(principal.name, id="user-name")], href="/espace-agents",
                      className="nav-link text-white")]
    if principal.is_admin:
        links.append(dcc.Link("Administration", href="/admin", className="nav-link text-white"))
    # Signing out is a POST with the session's CSRF token: a link would let any site sign users out.
    links.append(html.Form([dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                            html.Button("Se déconnecter", type="submit", id="logout-link",
                                        className="btn btn-link nav-link text-white p-0 p-xl-2")],
                           action="/logout", method="POST", className="d-inline"))
    return html.Div(links, className="d-flex flex-column flex-xl-row gap-xl-2 ms-xl-3")


def navbar(registry: dict, territory, principal, data=None) -> html.Header:
    return html.Header(
        dbc.Navbar(
            dbc.Container(
                [
                    dcc.Link([html.Img(src="/assets/logo.svg", alt="", height=28, className="me-2"),
                              html.Span("Pilote", className="fw-bold"),
                              html.Span(f" · {territory.name}", className="d-none d-xxl-inline small")],  # room for the links
                             href="/", id={"type": "nav-link", "path": "/"},  # carries ?commune= too
                             className="navbar-brand d-flex align-items-center text-white"),
                    dbc.NavbarToggler(html.Span("Menu", className="navbar-toggler-icon-text"), id="navbar-toggler"),
                    dbc.Collapse(
                        [
                            dbc.Nav([nav_link(p) for p in nav_pages(registry, data)], navbar=True, className="me-auto",
                                    id="main-nav"),
                            html.Div(commune_dropdown(territory), className="pilote-commune ms-xl-3 my-2 my-xl-0"),
                            account_menu(principal),
                        ],
                        id="navbar-collapse", navbar=True, is_open=False,
                    ),
                ],
                fluid=True,
            ),
            className="pilote-navbar", dark=True, expand="xl",  # seven dashboards: collapsed below 1200 px
        ),
        role="banner",
    )


def footer(data) -> html.Footer:
    public = [s for s in data.statuses("public") if s.meta.has_data]
    sources = sorted({s.spec.attribution for s in public})
    dated = [s.meta.fetched_at for s in public if s.meta.fetched_at]
    newest = max(dated) if dated else None
    return html.Footer(
        dbc.Container(
            dbc.Row(
                [
                    dbc.Col([html.H2("Sources des données", className="h6"),
                             html.Ul([html.Li(s) for s in sources], className="small mb-0")], md=6),
                    dbc.Col([
                        html.P(["Données les plus récentes : ", html.Strong(fmt_date(newest) if newest else "aucune"),
                                ". Le détail par jeu de données est sur la page d'accueil."],
                               className="small mb-1", id="footer-data-date"),
                        html.P([dcc.Link("Accessibilité : non conforme", href="/accessibilite",
                                         id={"type": "nav-link", "path": "/accessibilite"}), " · ",
                                html.A("État du service (JSON)", href="/healthz")], className="small mb-0"),
                    ], md=6),
                ]
            ),
            fluid=True,
        ),
        className="pilote-footer mt-auto", role="contentinfo",
    )


def layout() -> html.Div:
    """The page skeleton around ``dash.page_container``; built per page load so dates stay current."""
    data = current()
    return html.Div(
        [
            html.A("Aller au contenu", href="#contenu", className="pilote-skip-link"),
            navbar(dash.page_registry, data.catalog.territory, current_auth().principal(), data),
            html.Main(dbc.Container(dash.page_container, fluid="xl", className="py-3"), id="contenu", tabIndex="-1"),
            dcc.Store(id=SHOWN),  # the URL the page content was built for (components.selectors.stays)
            footer(data),
        ],
        className="pilote-shell d-flex flex-column min-vh-100",
    )


# Each time the router puts new content on screen, the shell notes the URL it was built for; the router
# receives it (app.py: routing_callback_inputs) so a page can keep its content when only its own live
# selectors changed. Clientside: nothing reaches the server.
dash.clientside_callback(
    """function (_content) {
        const query = {};
        new URLSearchParams(window.location.search).forEach(function (value, key) {
            if (value !== "") { query[key] = value; }
        });
        return {path: window.location.pathname, query: query};
    }""",
    Output(SHOWN, "data"), Input("_pages_content", "children"),
)


@callback(
    Output("_pages_location", "search"),
    Output("commune-select", "value"),
    Output({"type": "nav-link", "path": ALL_IDS}, "href"),
    Input("_pages_location", "search"),
    Input("commune-select", "value"),
    State({"type": "nav-link", "path": ALL_IDS}, "id"),
)
@shell_callback
def sync_commune(search, selected, link_ids):
    """Keeps the commune choice, the URL (?commune=) and the menu links in step.

    The URL is the single source of truth: the selector writes to it, and every menu link carries it,
    so the choice survives navigation and any view is a permalink.
    """
    territory = current().catalog.territory
    defaults = commune_defaults(territory)
    if dash_ctx.triggered_id == "commune-select":
        commune = parse_commune(selected, territory).value
        url_out, select_out = update_search(search, defaults, commune=commune), no_update
    else:
        commune = parse_commune(query_params(search).get("commune"), territory).value
        url_out, select_out = no_update, commune
    carry = merge_query("", defaults, commune=commune)
    return url_out, select_out, [link["path"] + carry for link in link_ids]


@callback(Output("navbar-collapse", "is_open"), Input("navbar-toggler", "n_clicks"),
          State("navbar-collapse", "is_open"), prevent_initial_call=True)
@shell_callback
def toggle_menu(n_clicks, is_open):
    return not is_open
