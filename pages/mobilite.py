"""/mobilite — observatoire de la mobilité (Vélib' section; later issues add the others)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from auth.access import section
from auth.session import can, current_auth
from components.badges import lock_icon, visibility_badge
from components.chart_card import chart_card
from components.figures.mobilite import (accidents_calendar_figure, accidents_calendar_summary, accidents_figure,
                                        accidents_summary, accidents_users_figure, accidents_users_summary,
                                        arcs_map_summary, critair_figure, critair_summary, points_map,
                                        daily_flow_figure, daily_flow_summary, profile_heatmap, profile_summary,
                                        traffic_states_figure, traffic_states_summary,
                                        irve_growth_figure, irve_growth_summary, irve_map, irve_map_summary,
                                        irve_power_figure, irve_power_summary,
                                        velib_by_commune_bar, velib_by_commune_summary, velib_map, velib_map_summary)
from components.formats import fmt_int, fmt_percent
from components.kpi import kpi
from components.maps import outlines_geojson
from components.selectors import ALL, commune_label, fallback_notice, merge_query, parse_choice, parse_commune
from components.tables import frame_table
from data_access import mobilite as q
from data_access.context import current
from data_access.snapshots import SnapshotMissing

SECTION = "/mobilite#exploitation"
# "Voir les données" and CSV of the per-commune chart: the figures it draws, largest capacity first.
COMMUNE_COLUMNS = {"commune": "Commune", "stations": "Stations", "capacity": "Capacité (places)",
                   "mechanical": "Vélos mécaniques", "ebike": "Vélos électriques"}
THRESHOLDS = ["0", "2", "5"]

dash.register_page(
    __name__, path="/mobilite", name="Mobilité", title="Observatoire de la mobilité", order=20, nav=True,
    access="public", sections={"exploitation": ["mobilite"]},
    datasets=["velib_stations", "communes_contours", "irve_points", "critair_vehicules", "accidents",
              "comptages_horaires", "comptages_arcs"],
    description="Vélib', bornes de recharge, Crit'Air, comptages routiers, accidents.",
)


def attention_table(data, commune: str, threshold: int):
    frame = q.stations_needing_attention(q.velib_stations(data, commune), threshold)
    names = {c.code: c.name for c in data.catalog.territory.communes}
    frame = frame.with_columns(pl.col("commune_code").replace_strict(names, default=pl.col("commune_code")))
    return frame_table(
        frame, {"name": "Station", "commune_code": "Commune", "issue": "Motif", "bikes_available": "Vélos",
                "docks_available": "Bornettes libres", "capacity": "Capacité"},
        f"{frame.height} station(s) à surveiller (seuil : {threshold})", table_id="exploitation-table")


def observatory_sections(data, commune: str, label: str, outlines: dict) -> html.Div:
    """Charge points, Crit'Air and accidents: one row of chart cards each (demonstration data, labelled)."""
    def when(key):
        return data.status(key).meta.fetched_at

    def source(key):
        return data.catalog[key].attribution

    try:
        points = q.irve_points(data, commune)
        shares = q.critair(data, commune)
        crashes = q.accidents(data, commune)
    except SnapshotMissing as exc:
        return dbc.Alert(f"Données de mobilité indisponibles : {exc}", color="danger")
    growth, classes = q.irve_growth(points), q.irve_power_classes(points)
    by_year = q.accidents_by_year_severity(crashes)
    calendar, by_user = q.accidents_by_month_hour(crashes), q.accidents_by_user(crashes)
    years = {"annee": str}
    return html.Div([
        html.H2(f"Bornes de recharge — {label}", className="h5 mt-4"),
        dbc.Row([
            dbc.Col(chart_card("irve-carte", "Carte des points de recharge", irve_map(points, outlines),
                               irve_map_summary(points, label), source("irve_points"), when("irve_points"),
                               demo=True, table=(q.irve_plugs(points), {"prise": "Type de prise",
                                                                        "points": "Points équipés"}, None)), lg=12),
            dbc.Col(chart_card("irve-croissance", "Points de recharge ouverts et en service", irve_growth_figure(growth),
                               irve_growth_summary(growth), source("irve_points"), when("irve_points"), demo=True,
                               table=(growth, {"annee": "Année", "ouverts": "Ouverts dans l'année",
                                               "en_service": "En service en fin d'année"}, years)), lg=7),
            dbc.Col(chart_card("irve-puissance", "Points de recharge par puissance", irve_power_figure(classes),
                               irve_power_summary(classes), source("irve_points"), when("irve_points"), demo=True,
                               table=(classes, {"classe": "Puissance", "points": "Points"}, None)), lg=5),
        ], className="g-3"),
        html.H2(f"Parc automobile par vignette Crit'Air — {label}", className="h5 mt-4"),
        chart_card("critair", "Répartition du parc par vignette Crit'Air", critair_figure(shares),
                   critair_summary(shares), source("critair_vehicules"), when("critair_vehicules"), demo=True,
                   table=(shares.select("annee", "classe", "vehicules", "part"),
                          {"annee": "Année", "classe": "Vignette", "vehicules": "Véhicules", "part": "Part (%)"},
                          {"annee": str, "part": 1})),
        html.H2(f"Comptages routiers — {label}", className="h5 mt-4"),
        traffic_row(data, commune, outlines),
        html.H2(f"Accidentalité — {label}", className="h5 mt-4"),
        dbc.Row([
            dbc.Col(chart_card("accidents", "Accidents corporels par gravité", accidents_figure(by_year),
                               accidents_summary(by_year), source("accidents"), when("accidents"), demo=True,
                               table=(by_year, {"annee": "Année", "gravite": "Gravité", "accidents": "Accidents"},
                                      years)), lg=6),
            dbc.Col(chart_card("accidents-carte", "Carte des accidents", points_map(
                crashes.filter(pl.col("lat").is_not_null()), outlines,
                [f"{d:%d/%m/%Y} · {g} · {u}" for d, g, u in crashes.filter(pl.col("lat").is_not_null())
                 .select("date", "gravite", "categorie_usager").iter_rows()], "Accidents", "#b02a37"),
                f"Carte des {crashes.height} accidents corporels recensés pour {label} (2020-2024).",
                source("accidents"), when("accidents"), demo=True), lg=6),
            dbc.Col(chart_card("accidents-calendrier", "Accidents par mois et par heure",
                               accidents_calendar_figure(calendar["month"], calendar["hour"]),
                               accidents_calendar_summary(calendar["month"], calendar["hour"]), source("accidents"),
                               when("accidents"), demo=True,
                               table=(calendar["month"].select("mois_nom", "accidents"),
                                      {"mois_nom": "Mois", "accidents": "Accidents"}, None)), lg=7),
            dbc.Col(chart_card("accidents-usagers", "Accidents par catégorie d'usager",
                               accidents_users_figure(by_user), accidents_users_summary(by_user), source("accidents"),
                               when("accidents"), demo=True,
                               table=(by_user, {"categorie_usager": "Usager", "accidents": "Accidents"}, None)), lg=5),
        ], className="g-3"),
    ])


def traffic_row(data, commune: str, outlines: dict) -> dbc.Row:
    t = q.traffic(data, commune)
    arcs = q.counting_arcs(data, commune).filter(pl.col("lat").is_not_null())
    source, when = data.catalog["comptages_horaires"].attribution, data.status("comptages_horaires").meta.fetched_at
    daily, profile, states = t["daily"], t["profile"], t["states"]
    return dbc.Row([
        dbc.Col(chart_card("trafic-jour", "Débit journalier moyen, mois par mois", daily_flow_figure(daily),
                           daily_flow_summary(daily), source, when, demo=True,
                           table=(daily.select("libelle", "mois", "vehicules_par_jour", "jours"),
                                  {"libelle": "Point de comptage", "mois": "Mois",
                                   "vehicules_par_jour": "Véhicules par jour (moyenne)", "jours": "Jours comptés"},
                                  {"mois": lambda d: d.strftime("%m/%Y"), "vehicules_par_jour": 0})), lg=12),
        dbc.Col(chart_card("trafic-semaine", "Semaine type : débit moyen par heure", profile_heatmap(profile),
                           profile_summary(profile), source, when, demo=True, table=(
                               wide := q.profile_table(profile),
                               {c: ("Jour" if c == "jour_semaine" else c) for c in wide.columns},
                               {c: 0 for c in wide.columns if c != "jour_semaine"})), lg=7),
        dbc.Col(chart_card("trafic-etats", "État du trafic", traffic_states_figure(states),
                           traffic_states_summary(states), source, when, demo=True,
                           table=(states.select("libelle", "etat_trafic", "heures", "part"),
                                  {"libelle": "Point de comptage", "etat_trafic": "État", "heures": "Heures",
                                   "part": "Part (%)"}, {"part": 1})), lg=5),
        dbc.Col(chart_card("trafic-carte", "Carte des points de comptage", points_map(
            arcs, outlines, [f"<b>{lab}</b> ({'démonstration' if demo else 'comptage réel, Paris'})"
                             for lab, demo in arcs.select("libelle", "demonstration").iter_rows()],
            "Points de comptage", "#0b5563"),
            arcs_map_summary(arcs), data.catalog["comptages_arcs"].attribution,
            data.status("comptages_arcs").meta.fetched_at, demo=True), lg=12),
    ], className="g-3")


def exploitation_section(data, commune: str, seuil):
    """Internal section of the mobility direction: rendered only for granted users (checked here, and its
    callback is guarded on its own)."""
    if not can(SECTION):
        if current_auth().principal().authenticated:
            return None
        return html.P([lock_icon(), " Le suivi d'exploitation est réservé à la direction de la mobilité : ",
                       html.A("se connecter", href="/login?next=/mobilite"), "."], className="small mt-4")
    threshold = parse_choice(seuil, THRESHOLDS, "2").value
    return html.Section(
        [
            html.H2([lock_icon(), " Suivi d'exploitation Vélib' ", visibility_badge("internal")], className="h5"),
            dbc.Label("Seuil d'alerte (vélos ou bornettes libres)", html_for="exploitation-seuil"),
            dcc.RadioItems(id="exploitation-seuil", options=[{"label": f" {t}", "value": t} for t in THRESHOLDS],
                           value=threshold, inline=True, inputClassName="me-1", labelClassName="me-3"),
            dcc.Store(id="exploitation-commune", data=commune),
            html.Div(attention_table(data, commune, int(threshold)), id="exploitation-content", className="mt-2"),
        ],
        className="pilote-card is-internal p-3 mt-4", id="exploitation",
    )


@callback(Output("_pages_location", "search", allow_duplicate=True), Input("velib-communes-graph", "clickData"),
          Input("velib-map-graph", "clickData"), Input("irve-carte-graph", "clickData"),
          State("_pages_location", "search"), prevent_initial_call=True)
def click_to_filter(bar_click, map_click, irve_click, search):
    """Clicking a commune's bar, or a station on the map, filters the whole page on that commune (in the URL,
    like the navbar selector, which follows)."""
    click = {"velib-communes-graph": bar_click, "velib-map-graph": map_click,
             "irve-carte-graph": irve_click}.get(dash.ctx.triggered_id)
    try:
        code = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        return dash.no_update
    commune = parse_commune(code, current().catalog.territory)
    if commune.rejected:  # clickData comes from the browser: only a known commune is taken
        return dash.no_update
    new = merge_query(search, commune=commune.value)
    return new if new != (search or "") else dash.no_update


@callback(Output("_pages_location", "search", allow_duplicate=True), Input("exploitation-seuil", "value"),
          State("_pages_location", "search"), prevent_initial_call=True)
@section("exploitation")
def seuil_in_url(seuil, search):
    """The threshold is a selector like the others: in the URL, so the view is a permalink."""
    new = merge_query(search, seuil=parse_choice(seuil, THRESHOLDS, "2").value)
    return new if new != (search or "") else dash.no_update


@callback(Output("exploitation-content", "children"), Input("exploitation-seuil", "value"),
          State("exploitation-commune", "data"), prevent_initial_call=True)
@section("exploitation")
def update_exploitation(seuil, commune):
    data = current()
    threshold = parse_choice(seuil, THRESHOLDS, "2").value
    return attention_table(data, parse_commune(commune, data.catalog.territory).value, int(threshold))


def layout(commune=None, seuil=None, **_ignored):
    data = current()
    territory = data.catalog.territory
    parsed = parse_commune(commune, territory)
    label = commune_label(parsed.value, territory)
    header = [html.H1("Observatoire de la mobilité", className="h3"),
              fallback_notice("Commune", parsed, "tout le territoire")]
    try:
        stations = q.velib_stations(data, parsed.value)
        outlines = outlines_geojson(q.commune_outlines(data, parsed.value))
    except SnapshotMissing as exc:
        return html.Div(header + [dbc.Alert(f"Les données Vélib' ne sont pas disponibles : {exc}", color="danger")])
    status = data.status("velib_stations")
    figures = q.velib_summary(stations)
    table = q.velib_commune_table(data)
    if parsed.value != ALL:
        table = table.filter(table["commune_code"] == parsed.value)
    stale = (dbc.Alert("La dernière mise à jour des données Vélib' a échoué : les dernières données valides sont "
                       "affichées.", color="warning", className="small") if status.state == "stale" else None)
    source = data.catalog["velib_stations"].attribution
    return html.Div(
        header + [
            stale,
            html.H2(f"Vélib' — {label}", className="h5 mt-3"),
            dbc.Row(
                [
                    dbc.Col(kpi("stations", fmt_int(figures["stations"]),
                                f"{fmt_int(figures['out_of_service'])} hors service"), xs=6, md=3),
                    dbc.Col(kpi("places (capacité)", fmt_int(figures["capacity"])), xs=6, md=3),
                    dbc.Col(kpi("vélos disponibles", fmt_int(figures["bikes"]),
                                f"dont {fmt_percent(figures['ebike_share'], 0)} électriques"
                                if figures["ebike_share"] is not None else None), xs=6, md=3),
                    dbc.Col(kpi("bornettes libres", fmt_int(figures["docks"])), xs=6, md=3),
                ],
                className="g-3 mb-3", id="velib-kpis",
            ),
            dbc.Row(
                [
                    dbc.Col(chart_card("velib-map", "Stations Vélib'", velib_map(stations, outlines),
                                       velib_map_summary(figures, label), source, status.meta.fetched_at), lg=7),
                    dbc.Col(chart_card("velib-communes", "Vélos disponibles par commune",
                                       velib_by_commune_bar(table), velib_by_commune_summary(table), source,
                                       status.meta.fetched_at, table=(table, COMMUNE_COLUMNS, None)), lg=5),
                ],
                className="g-3",
            ),
            observatory_sections(data, parsed.value, label, outlines),
            exploitation_section(data, parsed.value, seuil),
        ]
    )
