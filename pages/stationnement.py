"""/stationnement — parking: real-time availability, a year of history, the delegation's key figures.

One theme at a time (``?theme=``, components/themes.py): Temps réel (the default), Historique (the car-park
selector and its charts), Comparaison, Délégation; or ``tout``. Only the chosen theme is built and drawn.

The car-park selector is a *live* parameter: choosing one writes ``?parking=`` to the URL (in the browser; a
permalink; the back button goes back to the previous choice) but does not rebuild the page: the router leaves the content as it is
(``components.selectors.stays``) and ``redraw_history`` below redraws the history section's cards in place.

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

from auth.session import can, current_auth
from components import themes
from components.badges import lock_icon, visibility_badge
from components.chart_card import chart_card
from components.figures.stationnement import fill_text, realtime_map, realtime_summary
from components.formats import MISSING, fmt_age, fmt_datetime, fmt_int, fmt_number
from data_access.snapshots import utcnow
from components.kpi import kpi
from components.maps import outlines_for
from components.chart_spec import grid as chart_grid
from components.chart_spec import in_place_outputs, in_place_values
from components.chart_spec import lacking, missing_note
from components.chart_spec import section as chart_section
from components.figures.stationnement import SPECS
from components.tables import data_table
from components.notices import reserved, unavailable
from components.notices import stale as stale_notice
from components.selectors import (ALL, PAGE_URL, commune_defaults, dropdown, fallback_notice, merge_query, page_url,
                                  parse_choice, parse_commune, stays)
from data_access import stationnement as q
from data_access.context import current
from data_access.render_cache import answer_cache
from data_access.snapshots import SnapshotMissing

SECTION = "/stationnement#dsp"
PATH = "/stationnement"
LIVE = ("parking",)  # redrawn in place by the page's callbacks, not by the router
REALTIME_COLUMNS = {"name": "Parking", "free_spots": "Places libres", "capacity": "Places contractuelles",
                    "fill_rate": "Remplissage (%)", "state": "État", "last_update": "Dernière mise à jour"}

dash.register_page(
    __name__, path="/stationnement", name="Stationnement", title="Stationnement", order=25, nav=True,
    access="public", sections={"dsp": ["mobilite"]},
    section_roles={"dsp": ["parking.dsp"]},
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
        outlines = outlines_for(data, ALL)
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


# The selector and the URL follow each other in the browser (no request): the selector writes ?parking= (a
# permalink; "all" is the default, left out), and the back and forward buttons move the selector. The value is
# checked on the server when it is used (redraw_history, layout).
# The URL is written once the section shows the new car park (its heading is redrawn with the charts), not at
# the choice: a new URL wakes the router and the shell's callbacks, whose round trip held the charts back
# (the redraw took 260-350 ms instead of 190-230, benchmarks/peers/interaction.py). And it is written after
# the frame that paints them: the five callbacks the new URL sets off (the router, the shell's links) ran
# before that frame one change in three, 15 ms of a 100 ms redraw.
dash.clientside_callback(
    """function (_heading, parking, search) {
        const params = new URLSearchParams(search || "");
        if (!parking || parking === "%(all)s") { params.delete("parking"); } else { params.set("parking", parking); }
        const next = params.toString() ? "?" + params.toString() : "";
        if (next === (search || "")) { return window.dash_clientside.no_update; }
        if (document.visibilityState === "hidden") { return next; }  // no frames in a hidden tab: nothing to paint
        return new Promise(function (resolve) {  // a frame's callbacks run before its paint, a task after it
            window.requestAnimationFrame(function () { setTimeout(function () { resolve(next); }, 0); });
        });
    }""" % {"all": ALL},
    Output(PAGE_URL, "search", allow_duplicate=True), Input("historique-titre", "children"),
    State("parking-select", "value"), State("_pages_location", "search"), prevent_initial_call=True,
)
dash.clientside_callback(
    """function (search, shown) {
        const wanted = new URLSearchParams(search || "").get("parking") || "%(all)s";
        return wanted === shown ? window.dash_clientside.no_update : wanted;
    }""" % {"all": ALL},
    Output("parking-select", "value"), Input("_pages_location", "search"), State("parking-select", "value"),
    prevent_initial_call=True,
)


@callback(Output("historique-titre", "children"), *in_place_outputs(SPECS["history"]),
          Input("parking-select", "value"), prevent_initial_call=True)
@answer_cache
def redraw_history(parking):
    """The history section's cards for the chosen car park, redrawn in place (figures, sentences, titles,
    tables): what depends on the selector, nothing else."""
    data = current()
    names = car_park_names(data)
    view = history_view(parking_choice(parking, names).value, names)
    return (history_heading(data, view), *in_place_values(SPECS["history"], data, view))


def car_park_names(data) -> dict[str, str]:
    """parking_id -> name, from the territory's own data (the real-time feed, else the history)."""
    if not (data.has(q.REALTIME) or data.has(q.DAILY)):
        return {}
    return dict(q.car_parks(data).select("parking_id", "name").iter_rows())


def parking_choice(raw, names: dict[str, str]):
    return parse_choice(raw, [ALL, *names], ALL)


def history_view(parking: str, names: dict[str, str]) -> dict:
    chosen = None if parking == ALL else parking
    return {"parking": chosen, "label": "l'ensemble des parkings" if chosen is None else names[chosen], "names": names}


def history_heading(data, view: dict) -> str:
    span = ""
    if data.has(q.DAILY):  # the period comes from the data
        days = q.cached_trend(data, view["parking"])["date"].drop_nulls()
        years = sorted({days.min().year, days.max().year}) if days.len() else []
        span = "" if not years else f" {years[0]}" if len(years) == 1 else f" {years[0]}-{years[-1]}"
    return f"Historique d'occupation{span} — {view['label']}"


def history_section(data, parking: str, names: dict[str, str], missing: list):
    """The year of history of the chosen car park (trend, typical week, peak hours): what the selector redraws."""
    view = history_view(parking, names)
    return chart_section(history_heading(data, view), SPECS["history"], data, view, missing, section_id="historique")


def comparison_section(data, names: dict[str, str], missing: list):
    """Every car park side by side: the same whatever the selector says."""
    return chart_section("Comparaison des parkings", SPECS["comparison"], data, {"parking": None, "names": names},
                         missing, section_id="comparaison")


def dsp_section(data):
    """Internal section of the mobility direction: rendered only for granted users."""
    if not can(SECTION):
        return reserved("Les chiffres de la délégation de service public sont réservés à la direction de la mobilité",
                        "/stationnement")
    try:
        figures = q.dsp(data)
    except SnapshotMissing as exc:
        return unavailable("Les chiffres de la délégation ne sont pas disponibles", exc)
    charts = chart_grid(SPECS["dsp"], data, {})
    last = figures.row(-1, named=True) if figures.height else None
    return html.Section([
        html.H2([lock_icon(), " Délégation de service public ", visibility_badge("internal")], className="h5"),
        dbc.Row([
            dbc.Col(kpi(f"recettes {last['annee']}", f"{fmt_number(last['recettes_eur'] / 1e6, 2)} M€"), xs=6, md=3),
            dbc.Col(kpi("abonnements", fmt_int(last["abonnements"])), xs=6, md=3),
            dbc.Col(kpi("taux d'occupation", f"{fmt_number(last['taux_occupation'], 1)}\u00a0%"), xs=6, md=3),
            dbc.Col(kpi("incidents", fmt_int(last["incidents"])), xs=6, md=3),
        ], className="g-3 mb-3") if last else None,
        dbc.Row(charts.cards, className="g-3"),
        missing_note(charts.missing, note_id="dsp-missing"),
    ], className="pilote-card is-internal p-3 mt-4", id="dsp")


# (theme id, name in the themes' links), in the page's order: the first the data allow is the default.
THEMES = [("temps-reel", "Temps réel"), ("historique", "Historique"), ("comparaison", "Comparaison"),
          ("delegation", "Délégation")]


def offered(data, lacks: dict[str, list]) -> list[str]:
    """The themes this territory's data (and this viewer) allow. The delegation is offered to those granted it
    and to visitors, who are told to sign in; a signed-in user not granted it would find it empty."""
    allowed = {"temps-reel": data.has(q.REALTIME),
               "historique": len(lacks["history"]) < len(SPECS["history"]),
               "comparaison": len(lacks["comparison"]) < len(SPECS["comparison"]),
               "delegation": data.has(q.DSP) and (can(SECTION) or not current_auth().principal().authenticated)}
    return [theme for theme, _name in THEMES if allowed[theme]]


def realtime_section(data) -> html.Section:
    return html.Section([
        html.H2("Disponibilité en temps réel", className="h5 mt-3"),
        stale_notice(data.status(data.key_for(q.REALTIME))),
        dcc.Interval(id="parking-interval", interval=refresh_seconds() * 1000, n_intervals=0),
        html.Div(realtime_panel(data), id="parking-realtime", **{"aria-live": "polite"}),
    ], id="temps-reel")


def history_block(data, parsed, names: dict[str, str], missing: list) -> list:
    """The car-park selector (when a history chart can be shown) and the history it redraws."""
    history = history_section(data, parsed.value, names, missing)
    options = [{"label": "Tous les parkings", "value": ALL}] + [{"label": n, "value": p} for p, n in names.items()]
    return [
        fallback_notice("Parking", parsed, "tous les parkings"),
        html.Div([
            dbc.Label("Parking", html_for="parking-select", className="mt-4 mb-1"),
            dropdown(id="parking-select", options=options, value=parsed.value, clearable=False,
                     searchable=False, style={"maxWidth": "28rem"}),
        ]) if history else None,
        html.Div(history, id="parking-history"),
    ]


def layout(parking=None, shown=None, theme=None, **query):
    asked = {**query, **({"parking": parking} if parking else {}), **({"theme": theme} if theme else {})}
    if stays(shown, PATH, asked, LIVE):
        return dash.no_update  # only the car park changed: redraw_history does it
    data = current()
    names = car_park_names(data)
    parsed = parking_choice(parking, names)
    lacks = {key: lacking(SPECS[key], data) for key in ("history", "comparison")}  # nothing built
    available = offered(data, lacks)
    # (not ``shown``: the router's argument of that name is the URL the content was built for)
    theme_shown = themes.pick(theme, dict(THEMES), available)
    shows = theme_shown.shows

    missing = [("Disponibilité en temps réel", reason)] if (reason := data.missing(q.REALTIME)) else []
    history = comparison = None
    if shows("historique"):
        history = history_block(data, parsed, names, missing)
    else:  # not built: what it lacks is said all the same
        missing.extend(lacks["history"])
    if shows("comparaison"):
        comparison = comparison_section(data, names, missing)
    else:
        missing.extend(lacks["comparison"])
    # the theme links keep the commune (carried by every link of the site) and the car park
    territory = data.catalog.territory
    search = merge_query("", commune_defaults(territory), commune=parse_commune(query.get("commune"), territory).value,
                         parking=parsed.value)
    return html.Div([
        page_url(),
        html.H1("Stationnement", className="h3"),
        theme_shown.notice(),
        theme_shown.nav(PATH, search, "Thèmes du stationnement"),
        realtime_section(data) if data.has(q.REALTIME) and shows("temps-reel") else None,
        *(history or []),
        comparison,
        missing_note(missing),
        dsp_section(data) if data.has(q.DSP) and shows("delegation") else None,
        html.P("Aucune donnée de stationnement pour ce territoire.", className="mt-3", id="stationnement-vide")
        if not available else None,
    ])
