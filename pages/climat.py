"""/climat — le plan climat (PCAET) : indicateurs par axe face à leur référence et leur objectif, et le budget
climat de la commune qui le vote. Confidential indicators are read and shown only for granted users. Each part
reads its dataset role; a part the territory has no data for is left out, with a note.

Two themes (``?theme=``, components/themes.py), under the summary that holds both verdicts: the plan's
indicators (the default) and the budget climat; or ``tout``. Only the chosen one's charts are built and drawn."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, State, callback, ctx as dash_ctx, dcc, html

from auth.session import can, current_auth
from components import themes
from components.badges import demo_badge, lock_icon
from components.chart_spec import grid as chart_grid
from components.chart_card import export_context
from components.chart_spec import missing_note
from components.climate_summary import budget_block, summary_section
from components.notices import unavailable
from components.figures.climat import BUDGET_SPECS, DETAIL_SPECS
from components.formats import fmt_int, fmt_percent
from components.indicator_card import indicator_card
from components.kpi import kpi
from components.selectors import (PAGE_URL, commune_label, dropdown, fallback_notice, merge_query, page_url,
                                  parse_choice, parse_commune, update_search)
from data_access import climat as q
from data_access.context import current
from data_access.indicators import PROJECTION_POINTS, TOLERANCE
from data_access.snapshots import SnapshotMissing

SECTION = "/climat#confidentiel"
ALL_INDICATORS = "tous"
THEMES = [("plan", "Indicateurs du plan"), ("budget", "Budget climat")]
SECTION_THEMES = {"indicateurs": "plan", "detail": "plan", "budget-climat": "budget"}  # the summary's anchors

dash.register_page(
    __name__, path="/climat", name="Climat", title="Plan climat (PCAET) et budget climat", order=10, nav=True,
    access="public", sections={"confidentiel": ["elus", "climat"]},
    section_roles={"confidentiel": ["climate.indicators_internal"]},
    roles=["climate.indicators", "climate.indicators_internal", "climate.budget"],
    description="Indicateurs du plan climat face à leurs objectifs ; budget climat (tCO2e) voté et réalisé.",
)


def indicator_options(rows: pl.DataFrame) -> list[dict]:
    return [{"label": "Tous les indicateurs de l'axe", "value": ALL_INDICATORS}] + [
        {"label": f"{r['titre']} ({r['indicateur']})", "value": r["indicateur"]} for r in rows.iter_rows(named=True)]


def layout(axe=None, indicateur=None, commune=None, debut=None, fin=None, theme=None, **_ignored):
    data = current()
    territory = data.catalog.territory
    confidential = can(SECTION)
    place = parse_commune(commune, territory)
    missing = [(title, reason) for title, role in (("Indicateurs du plan climat", q.PUBLIC),
                                                   ("Budget climat", q.BUDGET)) if (reason := data.missing(role))]
    budget, note = shown_budget(data, place.value)

    def budget_part():  # built only where shown
        return budget_section(budget, data, place.value, note) if data.has(q.BUDGET) else None

    summary_title = f"Bilan du plan climat · {commune_label(place.value, territory)}"
    verdict = summary_budget(data, budget, note) if data.has(q.BUDGET) else None
    if not data.has(q.PUBLIC):
        return html.Div([html.H1("Plan climat-air-énergie et budget climat", className="h3"),
                         summary_section(summary_title, verdict, None, None, None), budget_part(),
                         missing_note(missing)])
    try:
        values = q.values(data, place.value, confidential)
    except SnapshotMissing as exc:
        return html.Div([html.H1("Plan climat", className="h3"),
                         unavailable("Les données du plan climat ne sont pas disponibles", exc)])
    axis_list = q.axes(values)
    axis = parse_choice(axe, [a for a, _ in axis_list], axis_list[0][0])
    rows = q.plan(values, axis.value)
    chosen = parse_choice(indicateur, [ALL_INDICATORS, *rows["indicateur"].to_list()], ALL_INDICATORS)
    low, high = q.year_bounds(values)
    years = [str(y) for y in range(low, high + 1)]
    first = parse_choice(debut, years, str(low))
    last = parse_choice(fin, years, str(high))
    first_year, last_year = sorted((int(first.value), int(last.value)))
    available = [t for t, _name in THEMES if t == "plan" or data.has(q.BUDGET)]
    shown = themes.pick(theme, dict(THEMES), available)
    shows = shown.shows
    # the page's own links (cards, detail) stay on « tout » when it is shown; the default theme is left out
    kept_theme = shown.kept()
    search = merge_query("", commune=place.value, axe=axis.value, theme=kept_theme)
    # every choice of the page, for the links to another theme
    choices = merge_query(search, indicateur=None if chosen.value == ALL_INDICATORS else chosen.value,
                          debut=None if first_year == low else str(first_year),
                          fin=None if last_year == high else str(last_year))

    def section_href(anchor: str) -> str:
        there = SECTION_THEMES.get(anchor)
        if there is None or shows(there) or there not in available:  # here, or nowhere: the anchor as before
            return f"#{anchor}"
        return shown.href("/climat", choices, there) + f"#{anchor}"

    notices = [fallback_notice("Commune", place, "tout le territoire"), fallback_notice("Axe", axis, "le premier axe"),
               fallback_notice("Indicateur", chosen, "tous les indicateurs de l'axe"),
               fallback_notice("Année de début", first, str(low)), fallback_notice("Année de fin", last, str(high))]
    detail_id = chosen.value if chosen.value != ALL_INDICATORS else rows["indicateur"][0]
    base = merge_query("", commune=place.value, theme=kept_theme)
    summary = summary_section(summary_title, verdict, q.headline(values), q.indicator_statuses(values),
                              lambda a, i: "/climat" + merge_query(base, axe=a, indicateur=i) + "#detail",
                              section_href)
    cards = []
    for row in rows.iter_rows(named=True) if shows("plan") else []:
        a = q.assessment(values, row)
        href = "/climat" + merge_query(search, indicateur=row["indicateur"]) + "#detail"
        cards.append(dbc.Col(indicator_card(row, a, href, selected=row["indicateur"] == detail_id), md=6, xl=4))

    return html.Div([
        page_url(),
        html.H1("Plan climat-air-énergie et budget climat", className="h3"),
        *[n for n in notices if n],
        shown.notice(),
        export_context(document="Plan climat-air-énergie et budget climat"),
        summary,
        shown.nav("/climat", choices, "Parties du plan climat"),
        dbc.Alert([demo_badge(), " Les valeurs des indicateurs et le détail du budget climat sont des données de "
                   "démonstration ; les définitions des indicateurs sont les définitions réglementaires réelles."],
                  color="light", className="small py-2") if data.provenance(q.PUBLIC).demo else None,
        *([
            selectors(axis_list, axis.value, rows, chosen.value, years, str(first_year), str(last_year)),
            dcc.Store(id="climat-defaults", data={"axe": axis_list[0][0], "debut": str(low), "fin": str(high)}),
            html.H2(f"Axe {axis.value} — {dict(axis_list)[axis.value]} · {commune_label(place.value, territory)}",
                    className="h5 mt-3", id="indicateurs"),
            dbc.Row(cards, className="g-3", id="climat-cards"),
            confidential_note(confidential),
            html.Div(detail(values, rows, detail_id, first_year, last_year, data), id="detail", className="mt-4"),
        ] if shows("plan") else []),
        budget_part() if shows("budget") else None,
        missing_note(missing),
        method_note(),
    ])


def selectors(axis_list, axis, rows, chosen, years, first, last) -> dbc.Row:
    def select(label, id_, options, value):
        return dbc.Col([dbc.Label(label, html_for=id_, className="small mb-0"),
                        dropdown(id=id_, options=options, value=value, clearable=False)], md=True)

    return dbc.Row([
        select("Axe du plan", "climat-axe", [{"label": f"{a} — {t}", "value": a} for a, t in axis_list], axis),
        select("Indicateur", "climat-indicateur", indicator_options(rows), chosen),
        dbc.Col(dbc.Row([select("De", "climat-debut", years, first), select("à", "climat-fin", years, last)],
                        className="g-2"), md=3),
    ], className="g-2 align-items-end", id="climat-selectors")


def detail(values, rows, indicateur, first, last, data):
    confidential = bool(rows.filter(pl.col("indicateur") == indicateur)["confidentiel"].any())
    spec = DETAIL_SPECS[q.INTERNAL if confidential else q.PUBLIC]
    out = chart_grid([spec], data, {"values": values, "rows": rows, "indicateur": indicateur, "first": first,
                                    "last": last})
    return out.cards[0].children if out.cards else missing_note(out.missing, note_id="detail-missing")


def confidential_note(confidential: bool):
    if confidential:
        return None
    text = ("Certains indicateurs du plan sont réservés aux élus et à la direction du climat.")
    if not current_auth().principal().authenticated:
        return html.P([lock_icon(), " ", text, " ", html.A("Se connecter", href="/login?next=/climat"), "."],
                      className="small mt-3")
    return html.P([lock_icon(), " ", text], className="small mt-3")


def shown_budget(data, commune: str):
    """(the budget climat the commune selection shows, None), or (None, the sentence saying why there is none)."""
    if not data.has(q.BUDGET):
        return None, None
    shown = q.commune_budget(data, commune)
    if shown is not None:
        return shown, None
    voter = q.budget_voter(data)
    name = voter_name(data)
    return None, [f"Pas de budget climat pour {commune_label(commune, data.catalog.territory)} : il est voté par "
                  f"{name} pour son territoire. ",
                  html.A(f"Voir celui de {name}", href="/climat" + merge_query("", commune=voter, theme="budget") + "#budget-climat")
                  if voter else None]


def voter_name(data) -> str:
    territory = data.catalog.territory
    voter = q.budget_voter(data)
    return territory.commune_name(voter) if voter else territory.name


def summary_budget(data, budget, note):
    """The budget climat's verdict for the summary: its latest known year, and who is over their own ceiling."""
    last = q.latest_result(budget) if budget is not None else None
    if budget is not None and last is None:
        note = "Aucun résultat du budget climat n'est encore connu."
    return budget_block(last, voter_name(data) if budget is not None else "",
                        q.over_ceilings(budget, last["annee"]) if last else None, note)


def budget_section(budget, data, commune: str, note=None) -> html.Section:
    last = q.latest_result(budget) if budget is not None else None
    if last is None:
        return html.Section([html.H2("Budget climat", className="h5 mt-5"),
                             html.P(note or "Aucun résultat du budget climat n'est encore connu.", className="small")],
                            id="budget-climat")
    totals = q.budget_totals(budget)
    source = data.provenance(q.BUDGET)
    voted_by = f"de {voter_name(data)}"
    reference = totals.filter(pl.col("plafond_tco2e").is_null())["annee"]  # the year before the first ceiling
    return html.Section([
        html.H2([f"Budget climat {voted_by} ", demo_badge(source.demo) if source.demo else None], className="h5 mt-5"),
        html.P("Chaque année, le conseil municipal débat des orientations en décembre, vote en février un plafond "
               "d'émissions du territoire (en tonnes équivalent CO2) et présente le résultat de l'année précédente.",
               className="small"),
        dbc.Row([
            dbc.Col(kpi(f"émissions {last['annee']} (tCO2e)", fmt_int(last["realise_tco2e"])), xs=6, md=3),
            dbc.Col(kpi(f"plafond voté {last['annee']} (tCO2e)", fmt_int(last["plafond_tco2e"])), xs=6, md=3),
            dbc.Col(kpi("écart au plafond", fmt_percent(last["ecart_pct"], 1, signed=True),
                        f"{fmt_int(last['ecart_tco2e'])} tCO2e"), xs=6, md=3),
            dbc.Col(kpi("depuis l'adoption", fmt_percent(last["evolution_depuis_adoption_pct"], 1, signed=True),
                        f"{fmt_percent(last['evolution_reference_pct'], 1, signed=True)} depuis {reference[0]}"
                        if reference.len() else None), xs=6, md=3),
        ], className="g-3 mb-3", id="budget-kpis"),
        dbc.Row(chart_grid(BUDGET_SPECS, data, {"commune": commune}).cards, className="g-3"),
    ], id="budget-climat", **{"data-commune": voter_name(data)})  # its charts' images name who votes it


def method_note() -> html.Details:
    return html.Details([
        html.Summary("Méthode de calcul", className="small"),
        html.Ul([
            html.Li("Évolution : écart de la dernière valeur à la valeur de l'année de référence, en %."),
            html.Li("Progression : 0 % à la référence, 100 % à l'objectif (négative si l'indicateur s'en éloigne)."),
            html.Li("Trajectoire : la droite de la référence à l'objectif ; « dans la trajectoire » à "
                    f"{fmt_percent(TOLERANCE * 100, 0)} de l'écart référence–objectif près."),
            html.Li(f"Projection : droite des moindres carrés sur les {PROJECTION_POINTS} dernières valeurs, "
                    "prolongée jusqu'à l'année de l'objectif ; un indicateur en deçà de la trajectoire dont la "
                    "projection atteint l'objectif reste « dans la trajectoire »."),
        ], className="small"),
    ], className="mt-4", id="methode")


@callback(
    Output(PAGE_URL, "search", allow_duplicate=True),
    Input("climat-axe", "value"), Input("climat-indicateur", "value"), Input("climat-debut", "value"),
    Input("climat-fin", "value"), State("_pages_location", "search"), State("climat-defaults", "data"),
    prevent_initial_call=True,
)
def sync_url(axe, indicateur, debut, fin, search, defaults):
    """Every choice goes to the URL (a permalink); the page is rendered again from it, on the server. The
    URL says only what differs from the page's defaults: a selector that reports its first value when it is
    drawn writes nothing, so the back button is not caught in a « /climat » → « /climat?axe=1 » loop."""
    defaults = {k: v for k, v in defaults.items() if isinstance(v, str)} if isinstance(defaults, dict) else {}
    if dash_ctx.triggered_id == "climat-axe":  # another axis: its own indicators
        return update_search(search, defaults, axe=axe, indicateur=None)
    return update_search(search, defaults, axe=axe,
                         indicateur=None if indicateur == ALL_INDICATORS else indicateur, debut=debut, fin=fin)
