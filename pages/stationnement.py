"""/stationnement — parking: real-time availability, a year of history, the delegation's key figures.

The real-time panel re-reads the ``parking_temps_reel`` snapshot every ``PILOTE_REALTIME_SECONDS`` seconds
(default 60) through a ``dcc.Interval`` and its callback below, without reloading the page. The history charts
read only the hourly and daily aggregates (``parking_horaire``, ``parking_journalier``), never the raw
observations. The delegation (DSP) section is internal: rendered only for the mobility direction.
"""

from __future__ import annotations

import os

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from auth.session import can
from components.badges import lock_icon, visibility_badge
from components.chart_card import chart_card
from components.formats import WEEKDAYS
from components.figures.stationnement import (
    comparison_figure,
    comparison_summary,
    dsp_activity_figure,
    dsp_activity_summary,
    dsp_revenue_figure,
    dsp_revenue_summary,
    fill_text,
    peak_hours_figure,
    peak_hours_summary,
    realtime_map,
    realtime_summary,
    saturation_figure,
    saturation_summary,
    trend_figure,
    trend_summary,
    week_heatmap,
    week_summary,
)
from components.formats import MISSING, fmt_age, fmt_datetime, fmt_int, fmt_number
from data_access.snapshots import utcnow
from components.kpi import kpi
from components.maps import outlines_geojson
from components.chart_spec import missing_note
from components.tables import data_table
from components.notices import reserved, unavailable
from components.notices import stale as stale_notice
from components.selectors import ALL, fallback_notice, parse_choice, update_search
from data_access import mobilite as mq
from data_access import stationnement as q
from data_access.context import current
from data_access.snapshots import SnapshotMissing

SECTION = "/stationnement#dsp"
REALTIME_COLUMNS = {"name": "Parking", "free_spots": "Places libres", "capacity": "Places contractuelles",
                    "fill_rate": "Remplissage (%)", "state": "État", "last_update": "Dernière mise à jour"}

dash.register_page(
    __name__, path="/stationnement", name="Stationnement", title="Stationnement", order=25, nav=True,
    access="public", sections={"dsp": ["mobilite"]},
    roles=["parking.realtime", "parking.hourly", "parking.daily", "parking.dsp"],
    description="Places libres en temps réel, historique d'occupation des parkings, délégation de service public.",
)


def refresh_seconds() -> int:
    """The real-time refresh interval (PILOTE_REALTIME_SECONDS, default 60, at least 5)."""
    try:
        return max(5, int(os.environ.get("PILOTE_REALTIME_SECONDS", "60")))
    except ValueError:
        return 60


def _fill_cell(value) -> str:
    return fill_text(value)


def realtime_panel(data) -> html.Div:
    """KPIs, map and list of the real-time snapshot, with the time of its last update and late feeds flagged."""
    try:
        status = q.realtime(data)
        outlines = outlines_geojson(mq.commune_outlines(data, ALL))
    except SnapshotMissing as exc:
        return unavailable("La disponibilité des parkings n'est pas disponible", exc)
    provenance = data.provenance(q.REALTIME)
    feed = data.status(data.key_for(q.REALTIME))
    time_known = bool(status.height) and bool(status["time_known"].all())
    newest = status["last_update"].max() if time_known else None
    # A real-time feed says how old it is against the clock, not "à jour".
    taken = newest or feed.meta.fetched_at
    age = (f"données du {fmt_datetime(taken)} ({fmt_age(int((utcnow() - taken).total_seconds()))})"
           if taken is not None else "date des données inconnue")
    fresh = status.filter(~pl.col("late"))
    late = status.filter(pl.col("late"))
    warning = (dbc.Alert(
        [html.Strong("Données en retard : "),
         ", ".join(f"{n} (dernière mise à jour {fmt_datetime(w)})" for n, w in late.select("name", "last_update").iter_rows()),
         ". Leur remplissage n'est pas affiché."], color="warning", className="small", id="parking-late")
        if late.height else None)
    table = status.select(list(REALTIME_COLUMNS))
    return html.Div([
        html.P([f"Dernière mise à jour du flux : {fmt_datetime(newest)}" if newest is not None else
                "Heure de mise à jour inconnue (le flux ne la donne pas)",
                f" · {age} · actualisation automatique toutes les {fmt_int(refresh_seconds())} s"],
               className="small text-body-secondary", id="parking-last-update"),
        warning,
        dbc.Row([
            dbc.Col(kpi("places libres", fmt_int(fresh["free_spots"].sum()) if fresh.height else MISSING,
                        f"sur {fmt_int(fresh['capacity'].sum())} places · {age}"), xs=6, md=3),
            dbc.Col(kpi("parkings complets", fmt_int(fresh.filter(pl.col("state") == "complet").height)), xs=6, md=3),
            dbc.Col(kpi("parkings sans retard", f"{fmt_int(fresh.height)} / {fmt_int(status.height)}"), xs=6, md=3),
            dbc.Col(kpi("données en retard", fmt_int(late.height)), xs=6, md=3),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(chart_card("parking-map", "Disponibilité des parkings", realtime_map(status, outlines),
                               realtime_summary(status), provenance,
                               table=(table, REALTIME_COLUMNS, {"fill_rate": _fill_cell})), lg=7),
            dbc.Col(html.Div([
                html.H2("Liste des parkings", className="h6"),
                _realtime_list(status, provenance.demo),
            ], className="pilote-card p-3"), lg=5),
        ], className="g-3"),
    ])


def _realtime_list(status: pl.DataFrame, demo: str | None) -> html.Div:
    note = {"all": " (données de démonstration)", "part": " (en partie des données de démonstration)"}.get(demo, "")
    return data_table(status, {"name": "Parking", "free_spots": "Libres", "capacity": "Places",
                               "fill_rate": "Remplissage", "state": "État"},
                      {"fill_rate": _fill_cell, "free_spots": lambda v: MISSING if v is None else fmt_int(v)},
                      "Places libres par parking" + note, table_id="parking-list")


@callback(Output("parking-realtime", "children"), Input("parking-interval", "n_intervals"),
          prevent_initial_call=True)
def refresh_realtime(_n):
    """Re-read the real-time snapshot (a refresh writes a new version; the memoised query follows it)."""
    return realtime_panel(current())


@callback(Output("_pages_location", "search", allow_duplicate=True), Input("parking-select", "value"),
          State("_pages_location", "search"), prevent_initial_call=True)
def parking_in_url(parking, search):
    """The car-park selector lives in the URL (``?parking=P01``): the view is a permalink."""
    return update_search(search, parking=parking_choice(parking, car_park_names(current())).value)


def car_park_names(data) -> dict[str, str]:
    """parking_id -> name, from the territory's own data (the real-time feed, else the history)."""
    if not (data.has(q.REALTIME) or data.has(q.DAILY)):
        return {}
    return dict(q.car_parks(data).select("parking_id", "name").iter_rows())


def parking_choice(raw, names: dict[str, str]):
    return parse_choice(raw, [ALL, *names], ALL)


def history_section(data, parking: str, names: dict[str, str]) -> html.Div:
    chosen = None if parking == ALL else parking
    label = "l'ensemble des parkings" if chosen is None else names[chosen]
    try:
        trend = q.cached_trend(data, chosen)
        week = q.cached_typical_week(data, chosen)
        hours = q.cached_peak_hours(data, chosen)
        saturation = q.cached_saturation_days(data)
        comparison = q.cached_comparison(data)
    except SnapshotMissing as exc:
        return unavailable("L'historique des parkings n'est pas disponible", exc)
    source = data.provenance(q.DAILY)
    period = trend["date"].drop_nulls()
    years = sorted({d.year for d in (period.min(), period.max())}) if period.len() else []
    span = "" if not years else f" {years[0]}" if len(years) == 1 else f" {years[0]}-{years[-1]}"
    week_table = week.with_columns(pl.col("weekday").map_elements(lambda d: WEEKDAYS[d - 1], return_dtype=pl.String),
                                   (pl.col("occupancy") * 100).alias("occupancy"))
    saturation_table = saturation.with_columns(pl.col("parking_id").replace_strict(names, default=pl.col("parking_id"))
                                               .alias("name"))
    percent = {"occupancy": 1, "occupancy_max": 1, "occupancy_mean": 1}
    return html.Div([
        html.H2(f"Historique d'occupation{span} — {label}", className="h5 mt-4"),
        dbc.Row([
            dbc.Col(chart_card("parking-tendance", "Occupation journalière", trend_figure(trend),
                               trend_summary(trend, label), source,
                               table=(trend.with_columns(pl.col("occupancy") * 100, pl.col("occupancy_max") * 100),
                                      {"date": "Date", "occupancy": "Occupation moyenne (%)",
                                       "occupancy_max": "Occupation maximale (%)"}, percent)), lg=12),
        ], className="g-3"),
        dbc.Row([
            dbc.Col(chart_card("parking-semaine", "Semaine type (occupation moyenne par heure)", week_heatmap(week),
                               week_summary(week, label), source,
                               table=(week_table, {"weekday": "Jour", "hour": "Heure", "occupancy": "Occupation (%)"},
                                      percent)), lg=7),
            dbc.Col(chart_card("parking-pointe", "Heures de pointe en semaine", peak_hours_figure(hours),
                               peak_hours_summary(hours, label), source,
                               table=(hours.with_columns(pl.col("occupancy") * 100),
                                      {"hour": "Heure", "occupancy": "Occupation moyenne (%)"}, percent)), lg=5),
        ], className="g-3 mt-1"),
        html.H2("Comparaison des parkings", className="h5 mt-4"),
        dbc.Row([
            dbc.Col(chart_card("parking-saturation", "Jours de saturation par parking (≥ 95 % pendant au moins 1 h)",
                               saturation_figure(saturation, names), saturation_summary(saturation, names), source,
                               table=(saturation_table, {"name": "Parking", "saturation_days": "Jours saturés",
                                                         "days": "Jours observés"}, None)), lg=5),
            dbc.Col(chart_card("parking-comparaison", "Occupation moyenne et maximale par parking",
                               comparison_figure(comparison), comparison_summary(comparison), source,
                               table=(comparison.with_columns(pl.col("occupancy_mean") * 100,
                                                              pl.col("occupancy_max") * 100),
                                      {"name": "Parking", "capacity": "Places", "occupancy_mean": "Occupation moyenne (%)",
                                       "occupancy_max": "Occupation maximale (%)", "free_mean": "Places libres (moyenne)",
                                       "saturation_days": "Jours saturés"}, {**percent, "free_mean": 1})), lg=7),
        ], className="g-3"),
    ])


def dsp_section(data):
    """Internal section of the mobility direction: rendered only for granted users."""
    if not can(SECTION):
        return reserved("Les chiffres de la délégation de service public sont réservés à la direction de la mobilité",
                        "/stationnement")
    try:
        figures = q.dsp(data)
    except SnapshotMissing as exc:
        return unavailable("Les chiffres de la délégation ne sont pas disponibles", exc)
    source = data.provenance(q.DSP)
    years = {"annee": str}
    last = figures.row(-1, named=True) if figures.height else None
    return html.Section([
        html.H2([lock_icon(), " Délégation de service public ", visibility_badge("internal")], className="h5"),
        dbc.Row([
            dbc.Col(kpi(f"recettes {last['annee']}", f"{fmt_number(last['recettes_eur'] / 1e6, 2)} M€"), xs=6, md=3),
            dbc.Col(kpi("abonnements", fmt_int(last["abonnements"])), xs=6, md=3),
            dbc.Col(kpi("taux d'occupation", f"{fmt_number(last['taux_occupation'], 1)}\u00a0%"), xs=6, md=3),
            dbc.Col(kpi("incidents", fmt_int(last["incidents"])), xs=6, md=3),
        ], className="g-3 mb-3") if last else None,
        dbc.Row([
            dbc.Col(chart_card("dsp-recettes", "Recettes de la délégation", dsp_revenue_figure(figures),
                               dsp_revenue_summary(figures), source, level=3,
                               table=(figures, {"annee": "Année", "recettes_horaires_eur": "Horaires (€ HT)",
                                                "recettes_abonnements_eur": "Abonnements (€ HT)",
                                                "recettes_eur": "Total (€ HT)", "part_horaire": "Part horaire (%)"},
                                      {**years, "recettes_horaires_eur": 0, "recettes_abonnements_eur": 0,
                                       "recettes_eur": 0, "part_horaire": 1})), lg=6),
            dbc.Col(chart_card("dsp-activite", "Abonnements, occupation et incidents", dsp_activity_figure(figures),
                               dsp_activity_summary(figures), source, level=3,
                               table=(figures, {"annee": "Année", "abonnements": "Abonnements",
                                                "taux_occupation": "Taux d'occupation (%)", "incidents": "Incidents"},
                                      {**years, "taux_occupation": 1})), lg=6),
        ], className="g-3"),
    ], className="pilote-card is-internal p-3 mt-4", id="dsp")


def layout(parking=None, **_ignored):
    data = current()
    names = car_park_names(data)
    parsed = parking_choice(parking, names)
    missing = [(title, reason) for title, role in (("Disponibilité en temps réel", q.REALTIME),
                                                   ("Historique d'occupation", q.DAILY),
                                                   ("Semaine type et heures de pointe", q.HOURLY))
               if (reason := data.missing(role))]
    history = data.has(q.DAILY) and data.has(q.HOURLY)
    options = [{"label": "Tous les parkings", "value": ALL}] + [{"label": n, "value": p} for p, n in names.items()]
    return html.Div([
        html.H1("Stationnement", className="h3"),
        fallback_notice("Parking", parsed, "tous les parkings"),
        html.Section([
            html.H2("Disponibilité en temps réel", className="h5 mt-3"),
            stale_notice(data.status(data.key_for(q.REALTIME))),
            dcc.Interval(id="parking-interval", interval=refresh_seconds() * 1000, n_intervals=0),
            html.Div(realtime_panel(data), id="parking-realtime", **{"aria-live": "polite"}),
        ], id="temps-reel") if data.has(q.REALTIME) else None,
        html.Div([
            dbc.Label("Parking", html_for="parking-select", className="mt-4 mb-1"),
            dcc.Dropdown(id="parking-select", options=options, value=parsed.value, clearable=False,
                         searchable=False, style={"maxWidth": "28rem"}),
        ]) if history else None,
        history_section(data, parsed.value, names) if history else None,
        missing_note(missing),
        dsp_section(data) if data.has(q.DSP) else None,
    ])
