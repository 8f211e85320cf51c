"""/mobilite — observatoire de la mobilité: bike share, charge points, Crit'Air, traffic counts, accidents.

The page is a list of themes, each a section of chart specs (``components/figures/mobilite.py``) reading a
dataset role; one theme is shown at a time (``?theme=``, components/themes.py), or all of them. A theme whose
role the territory's catalog does not bind (or has no data yet) is left out, with a note."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from auth.access import section
from auth.session import can
from components import themes
from components.badges import lock_icon, visibility_badge
from components.chart_spec import lacking, missing_note
from components.chart_spec import section as chart_section
from components.figures.mobilite import SPECS
from components.formats import fmt_int, fmt_percent
from components.kpi import kpi
from components.maps import outlines_for
from components.notices import reserved
from components.selectors import (PAGE_URL, commune_defaults, commune_label, fallback_notice, merge_query, page_url,
                                  parse_choice, parse_commune, update_search)
from components.tables import data_table
from data_access import mobilite as q
from data_access.context import current
from data_access.territory import names as territory_names

SECTION = "/mobilite#exploitation"
THRESHOLDS = ["0", "2", "5"]

dash.register_page(
    __name__, path="/mobilite", name="Mobilité", title="Observatoire de la mobilité", order=20, nav=True,
    access="public", sections={"exploitation": ["mobilite"]},
    section_roles={"exploitation": ["mobility.bikeshare"]},
    roles=["mobility.bikeshare", "mobility.charging", "mobility.critair", "mobility.traffic_counts",
           "mobility.traffic_arcs", "mobility.accidents"],
    description="Vélib', bornes de recharge, Crit'Air, comptages routiers, accidents.",
)


def attention_table(data, commune: str, threshold: int):
    frame = q.stations_needing_attention(q.velib_stations(data, commune), threshold)
    frame = frame.with_columns(pl.col("commune_code").replace_strict(territory_names(data.catalog.territory),
                                                                     default=pl.col("commune_code")))
    return data_table(
        frame, {"name": "Station", "commune_code": "Commune", "issue": "Motif", "bikes_available": "Vélos",
                "docks_available": "Bornettes libres", "capacity": "Capacité"}, None,
        f"{frame.height} station(s) à surveiller (seuil : {threshold})", table_id="exploitation-table", max_rows=500)


def velib_kpis(data, commune: str):
    """Key figures of the bike-share stations (the chart specs draw the rest)."""
    figures = q.velib_summary(q.velib_stations(data, commune))
    return dbc.Row([
        dbc.Col(kpi("stations", fmt_int(figures["stations"]), f"{fmt_int(figures['out_of_service'])} hors service"),
                xs=6, md=3),
        dbc.Col(kpi("places (capacité)", fmt_int(figures["capacity"])), xs=6, md=3),
        dbc.Col(kpi("vélos disponibles", fmt_int(figures["bikes"]),
                    f"dont {fmt_percent(figures['ebike_share'], 0)} électriques"
                    if figures["ebike_share"] is not None else None), xs=6, md=3),
        dbc.Col(kpi("bornettes libres", fmt_int(figures["docks"])), xs=6, md=3),
    ], className="g-3 mb-3", id="velib-kpis")


# (theme id, heading, specs key, name in the themes' links): the page is this list; a theme without data is
# left out, with a note.
SECTIONS = [
    ("velib", "Vélib'", "velib", "Vélib'"),
    ("bornes", "Bornes de recharge", "charging", "Bornes de recharge"),
    ("critair", "Parc automobile par vignette Crit'Air", "critair", "Crit'Air"),
    ("trafic", "Comptages routiers", "traffic", "Comptages routiers"),
    ("accidentalite", "Accidentalité", "accidents", "Accidentalité"),
]


def exploitation_section(data, commune: str, seuil):
    """Internal section of the mobility direction: rendered only for granted users (checked here, and its
    callback is guarded on its own)."""
    if not can(SECTION):
        return reserved("Le suivi d'exploitation est réservé à la direction de la mobilité", "/mobilite")
    threshold = parse_choice(seuil, THRESHOLDS, "2").value
    return html.Section(
        [
            html.H2([lock_icon(), " Suivi d'exploitation Vélib' ", visibility_badge("internal")], className="h5"),
            # A group of native radios named by its legend (Dash 4's dcc.RadioItems is an unnamed list of
            # options, each nesting its radio: axe aria-input-field-name and nested-interactive).
            html.Fieldset([
                html.Legend("Seuil d'alerte (vélos ou bornettes libres)", className="form-label fs-6 mb-1"),
                dbc.RadioItems(id="exploitation-seuil", options=[{"label": t, "value": t} for t in THRESHOLDS],
                               value=threshold, inline=True),
            ]),
            dcc.Store(id="exploitation-commune", data=commune),
            html.Div(attention_table(data, commune, int(threshold)), id="exploitation-content", className="mt-2"),
        ],
        className="pilote-card is-internal p-3 mt-4", id="exploitation",
    )


def click_to_filter(click, search):
    """Clicking a commune's bar, or a point on a map, filters the whole page on that commune (in the URL, like
    the navbar selector, which follows)."""
    try:
        code = click["points"][0]["customdata"]
        code = code[0] if isinstance(code, list) and code else code  # a map's point: [commune code, cells…]
    except (TypeError, KeyError, IndexError):
        return dash.no_update
    territory = current().catalog.territory
    commune = parse_commune(code, territory)
    if commune.rejected or not isinstance(code, str):  # clickData comes from the browser: only a known commune
        return dash.no_update
    return update_search(search, commune_defaults(territory), commune=commune.value)


# One callback per clickable graph: a callback fires only when all its inputs are on the page, and a section
# may be absent (its dataset missing).
for _graph in ("velib-communes-graph", "velib-map-graph", "irve-carte-graph", "accidents-carte-graph"):
    callback(Output(PAGE_URL, "search", allow_duplicate=True), Input(_graph, "clickData"),
             State("_pages_location", "search"), prevent_initial_call=True)(click_to_filter)


@callback(Output(PAGE_URL, "search", allow_duplicate=True), Input("exploitation-seuil", "value"),
          State("_pages_location", "search"), prevent_initial_call=True)
@section("exploitation")
def seuil_in_url(seuil, search):
    """The threshold is a selector like the others: in the URL, so the view is a permalink."""
    return update_search(search, {"seuil": "2"}, seuil=parse_choice(seuil, THRESHOLDS, "2").value)


@callback(Output("exploitation-content", "children"), Input("exploitation-seuil", "value"),
          State("exploitation-commune", "data"), prevent_initial_call=True)
@section("exploitation")
def update_exploitation(seuil, commune):
    data = current()
    threshold = parse_choice(seuil, THRESHOLDS, "2").value
    return attention_table(data, parse_commune(commune, data.catalog.territory).value, int(threshold))


def layout(commune=None, seuil=None, theme=None, **_ignored):
    data = current()
    territory = data.catalog.territory
    parsed = parse_commune(commune, territory)
    label = commune_label(parsed.value, territory)
    view = {"commune": parsed.value, "label": label,
            "outlines": outlines_for(data, parsed.value)}
    lacks = {key: lacking(SPECS[key], data) for _theme, _heading, key, _name in SECTIONS}  # nothing built
    # the themes with at least one chart the data allow, in the page's order
    available = [theme for theme, _heading, key, _name in SECTIONS if len(lacks[key]) < len(SPECS[key])]
    shown = themes.pick(theme, {t: name for t, _heading, _key, name in SECTIONS}, available)
    missing: list = []
    sections = []
    for section_id, heading, key, _name in SECTIONS:
        if not shown.shows(section_id):  # not built: what it lacks is said all the same
            missing += lacks[key]
            continue
        kpis = (lambda: [velib_kpis(data, parsed.value)]) if key == "velib" else None  # station figures first
        sections.append(chart_section(f"{heading} — {label}", SPECS[key], data, view, missing,
                                      section_id=section_id, before=kpis))
    if not available:
        sections.append(html.P("Aucune donnée de mobilité pour ce territoire.", className="mt-3", id="mobilite-vide"))
    search = merge_query("", commune_defaults(territory), commune=parsed.value)
    search = merge_query(search, {"seuil": "2"}, seuil=parse_choice(seuil, THRESHOLDS, "2").value)
    return html.Div([
        page_url(),
        html.H1("Observatoire de la mobilité", className="h3"),
        fallback_notice("Commune", parsed, "tout le territoire"),
        shown.notice(),
        shown.nav("/mobilite", search, "Thèmes de l'observatoire"),
        *sections,
        missing_note(missing),
        exploitation_section(data, parsed.value, seuil)
        if data.has(q.BIKESHARE) and shown.shows("velib") else None,
    ])
