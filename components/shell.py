"""The application shell: skip link, navbar built from the page registry, commune selector, footer.

Navigation is never a hand-written list: each page's ``register_page`` call says its name, order, access
and whether it shows in the menu; the navbar reads that.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL as ALL_IDS
from dash import Input, Output, State, callback, dcc, html

from auth.access import shell_callback
from auth.session import current_auth
from auth.views import csrf_token
from components.badges import lock_icon
from components.formats import fmt_date
from components.selectors import SHOWN, commune_dropdown
from data_access.context import current
from data_access.territory import default_commune
from pilote.pdf import ROUTE as PDF_ROUTE

PUBLIC = "public"
COMMUNE_DEFAULT = "commune-default"  # the commune a URL without ?commune= shows


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


def account_menu(principal, wide: str = "xl"):
    """Sign-in link, or the signed-in user's menu (their space, the administration, signing out) under their
    name: one entry in the navbar, which has seven dashboards already. ``wide``: the breakpoint from which the
    navbar is expanded."""
    if not principal.authenticated:
        return html.Div(html.A("Se connecter", href="/login", className="nav-link text-white", id="login-link"),
                        className=f"ms-{wide}-3")
    items = [dbc.DropdownMenuItem("Mon espace", href="/espace-agents")]
    if principal.is_admin:
        items.append(dbc.DropdownMenuItem("Administration", href="/admin"))
    # Signing out is a POST with the session's CSRF token: a link would let any site sign users out.
    items += [dbc.DropdownMenuItem(divider=True),
              html.Form([dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                         html.Button("Se déconnecter", type="submit", id="logout-link", className="dropdown-item")],
                        action="/logout", method="POST", className="m-0")]
    label = [html.Span("Compte de ", className="visually-hidden"),
             html.Span(principal.name, id="user-name", className="pilote-user-name")]
    return dbc.DropdownMenu(items, label=label, id="account-menu", in_navbar=True, align_end=True, color="link",
                            toggle_class_name="nav-link text-white text-decoration-none", class_name=f"ms-{wide}-3")


def navbar(registry: dict, territory, principal, data=None) -> html.Header:
    # Seven dashboards fit in a line from 1200 px; with an account's links too, from 1400 px (a signed-in
    # navbar at 1300 px was 1450 px wide). Below, the menu is collapsed behind « Menu ».
    wide = "xxl" if principal.authenticated else "xl"
    return html.Header(
        dbc.Navbar(
            dbc.Container(
                [
                    dcc.Link([html.Img(src="/assets/logo.svg", alt="", height=28, className="me-2"),
                              html.Span("Pilote", className="fw-bold"),
                              # the territory's name where the links leave room for it (pilote.css)
                              html.Span(f" · {territory.name}", className="pilote-brand-place small")
                              if wide == "xl" else None],
                             href="/", id={"type": "nav-link", "path": "/"},  # carries ?commune= too
                             className="navbar-brand d-flex align-items-center text-white"),
                    # Bootstrap's toggler, written here: dbc.NavbarToggler names it "Toggle navigation" over the
                    # word « Menu » shown (axe label-content-name-mismatch). Its name is what it shows.
                    html.Button(html.Span("Menu", className="navbar-toggler-icon-text"), id="navbar-toggler",
                                type="button", className="navbar-toggler", n_clicks=0,
                                **{"aria-controls": "navbar-collapse"}),
                    dbc.Collapse(
                        [
                            dbc.Nav([nav_link(p) for p in nav_pages(registry, data)], navbar=True, className="me-auto",
                                    id="main-nav"),
                            html.Div(commune_dropdown(territory), className=f"pilote-commune ms-{wide}-3 my-2 my-{wide}-0"),
                            account_menu(principal, wide),
                        ],
                        id="navbar-collapse", navbar=True, is_open=False,
                    ),
                ],
                fluid=True,
            ),
            className="pilote-navbar", dark=True, expand=wide,
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


def pdf_bar() -> html.Div:
    """« Exporter en PDF » above a dashboard's content: the page as it is (its URL's selectors), made on the
    server (pilote/pdf.py). Shown on pages with charts; its link follows the URL (below)."""
    choice = html.Details([
        html.Summary("Choisir les graphiques", className="small"),
        # dbc's checklists: native checkboxes with their labels (Dash 4's dcc.Checklist nests each box in an
        # option role, axe nested-interactive).
        dbc.Checklist(id="pilote-pdf-cartes", options=[], value=[], className="small mt-1"),
        dbc.Checklist(id="pilote-pdf-tableaux", options=[{"label": "avec leurs tableaux de données", "value": "1"}],
                      value=[], className="small mt-1"),
        html.P("Aucun coché : tous les graphiques de la page.", className="small text-body-secondary mb-0"),
    ], className="pilote-pdf-choice text-start d-inline-block me-2 align-top")
    return html.Div([choice, html.A("Exporter en PDF", id="pilote-pdf", href=PDF_ROUTE, rel="nofollow",
                                    className="btn btn-sm btn-outline-secondary",
                                    title="Cette page, en A4, telle qu'affichée")],
                    id="pilote-pdf-bar", hidden=True, className="text-end mb-2")  # no d-flex: it beats hidden


def layout() -> html.Div:
    """The page skeleton around ``dash.page_container``; built per page load so dates stay current."""
    data = current()
    return html.Div(
        [
            html.A("Aller au contenu", href="#contenu", className="pilote-skip-link"),
            navbar(dash.page_registry, data.catalog.territory, current_auth().principal(), data),
            html.Main(dbc.Container([pdf_bar(), dash.page_container], fluid="xl", className="py-3"), id="contenu",
                      tabIndex="-1"),
            dcc.Store(id=SHOWN),  # the URL the page content was built for (components.selectors.stays)
            dcc.Store(id=COMMUNE_DEFAULT, data=default_commune(data.catalog.territory)),
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


# The PDF link names the page as it is now (a selector writes the URL without new content) and is shown where
# there are charts to print.
dash.clientside_callback(
    """function (content, _search, ticked, tables) {
        // The page's chart cards, from the content's props (React may not have drawn the new page yet).
        const cards = [];
        const text = (node) => typeof node === "string" ? node : Array.isArray(node) ? (typeof node[0] === "string" ? node[0] : "")
            : (node && node.props ? text(node.props.children) : "");
        (function walk(node) {
            if (Array.isArray(node)) { node.forEach(walk); return; }
            if (!node || typeof node !== "object" || !node.props) { return; }
            const p = node.props;
            if (typeof p.className === "string" && p.className.indexOf("pilote-chart-card") >= 0 && p.id) {
                const header = (Array.isArray(p.children) ? p.children : [p.children])[0];
                cards.push({label: text(header) || p.id, value: p.id});
                return;
            }
            walk(p.children);
        })(content);
        const ids = cards.map(c => c.value);
        const kept = (ticked || []).filter(id => ids.indexOf(id) >= 0);
        const params = new URLSearchParams({page: window.location.pathname + window.location.search});
        if (kept.length) { params.set("graphiques", kept.join(",")); }
        if ((tables || []).length) { params.set("tableaux", "1"); }
        return ["%s?" + params.toString(), !cards.length, cards];
    }""" % PDF_ROUTE,
    Output("pilote-pdf", "href"), Output("pilote-pdf-bar", "hidden"), Output("pilote-pdf-cartes", "options"),
    Input("_pages_content", "children"), Input("_pages_location", "search"), Input("pilote-pdf-cartes", "value"),
    Input("pilote-pdf-tableaux", "value"),
)


# Keeps the commune choice, the URL (?commune=) and the menu links in step. The URL is the single source of
# truth: the selector writes to it, and every menu link carries it, so the choice survives navigation and
# any view is a permalink. Clientside: it runs on every page view, and needs nothing from the server but
# the valid codes (the selector's options) and the default (COMMUNE_DEFAULT); the same rules as
# components.selectors.parse_commune and merge_query (a value left out of the URL when it is the default,
# an unknown one read as the default: the page says so).
dash.clientside_callback(
    """function (search, selected, options, fallback, links) {
        const noUpdate = window.dash_clientside.no_update;
        const fromSelector = (window.dash_clientside.callback_context.triggered || [])
            .some(function (t) { return t.prop_id === "commune-select.value"; });
        const valid = (options || []).map(function (o) { return o.value; });
        let commune, urlOut = noUpdate, selectOut = noUpdate;
        if (fromSelector) {
            commune = valid.indexOf(selected) >= 0 ? selected : fallback;
            const params = new URLSearchParams(search || "");
            if (commune === fallback) { params.delete("commune"); } else { params.set("commune", commune); }
            const next = params.toString() ? "?" + params.toString() : "";
            if (next !== (search || "")) { urlOut = next; }
        } else {
            const asked = new URLSearchParams(search || "").get("commune");
            commune = valid.indexOf(asked) >= 0 ? asked : fallback;
            selectOut = commune;
        }
        const carry = commune === fallback ? "" : "?commune=" + encodeURIComponent(commune);
        return [urlOut, selectOut, (links || []).map(function (link) { return link.path + carry; })];
    }""",
    Output("_pages_location", "search"),
    Output("commune-select", "value"),
    Output({"type": "nav-link", "path": ALL_IDS}, "href"),
    Input("_pages_location", "search"),
    Input("commune-select", "value"),
    State("commune-select", "options"),
    State(COMMUNE_DEFAULT, "data"),
    State({"type": "nav-link", "path": ALL_IDS}, "id"),
)


@callback(Output("navbar-collapse", "is_open"), Input("navbar-toggler", "n_clicks"),
          State("navbar-collapse", "is_open"), prevent_initial_call=True)
@shell_callback
def toggle_menu(n_clicks, is_open):
    return not is_open
