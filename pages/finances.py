"""/finances — le rapport financier : d'où vient l'argent, où il va, comment les comptes évoluent et comment
la commune se compare aux communes de même taille. Public page; every choice is in the URL (a permalink).

Budget lines (SCDL schema) give the detail of one commune's documents; the OFGL aggregates give the ratios
of every commune of the territory and of the same-size average. A commune without published lines still gets its
evolution and ratios, from the OFGL aggregates, and the page says so.

One theme at a time (``?theme=``, components/themes.py): revenue and spending (the default), evolution and
execution, ratios, investment projects; or ``tout``, the whole report (to print). The year, the document and
the views apply to every theme.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, State, callback, html

from components import themes
from components.chart_card import export_context
from components.badges import demo_badge
from components.chart_spec import grid as chart_grid
from components.chart_spec import lacking as lacking_charts
from components.chart_spec import missing_note
from components.figures.finances import SPECS
from components.notices import stale as stale_notice
from components.notices import unavailable
from components.figures import finances as fig
from components.formats import fmt_int, fmt_percent, fmt_unit
from components.kpi import kpi
from components.maps import outlines_for
from components.selectors import (ALL, PAGE_URL, commune_defaults, dropdown, fallback_notice, merge_query, page_url,
                                  parse_choice, parse_commune, update_search)
from data_access import finances as q
from data_access.context import current
from data_access.snapshots import SnapshotMissing
from data_access.territory import codes, commune_for_single_budget, default_commune
from data_access.territory import names as territory_names

DOCUMENT_LABELS = {"ca": "Compte administratif (réalisé)", "bp": "Budget primitif (voté)"}
DOCUMENT_NAMES = {"ca": "compte administratif", "bp": "budget primitif"}
VIEWS = {"nature": "par nature", "fonction": "par fonction"}
PER_INHABITANT = "habitant"
# (theme id, name in the themes' links, the chart specs it draws), in the report's order
THEMES = [("budget", "Recettes et dépenses", ("money",)),
          ("evolution", "Évolution et exécution", ("evolution_lines", "evolution_ofgl", "execution")),
          ("ratios", "Ratios comparés", ("ratios", "peers")),
          ("projets", "Projets d'investissement", ("projects",))]

dash.register_page(
    __name__, path="/finances", name="Finances", title="Rapport financier", order=40, nav=True, access="public",
    roles=["finance.budget_lines", "finance.aggregates", "finance.projects"],
    description="Budget primitif et compte administratif : recettes, dépenses, évolution, ratios comparés.",
)


def offered(data, lines: pl.DataFrame) -> list[str]:
    """The themes the data allow for the commune shown: its revenue and spending need its own published lines
    (``lines``); its evolution and ratios come from the aggregates without them."""
    has_lines, has_ofgl = not lines.is_empty(), data.has(q.OFGL)
    allowed = {"budget": has_lines, "evolution": has_lines or has_ofgl, "ratios": has_ofgl,
               "projets": data.has(q.PROJECTS)}
    return [theme for theme, _name, _keys in THEMES if allowed[theme]]


def hidden_lacks(data, chosen: str) -> list[tuple[str, str]]:
    """The charts of the themes not shown that their (present) datasets cannot draw: the page's note names them
    all the same, found without building anything. An absent dataset is said once, above."""
    keys = {key for theme, _name, ks in THEMES if not themes.shows(chosen, theme) for key in ks}
    specs = {spec.id: spec for key in keys for spec in SPECS[key] if data.has(spec.role)}
    return lacking_charts(list(specs.values()), data)


def layout(commune=None, annee=None, document=None, par=None, vue=None, theme=None, **_ignored):
    data = current()
    territory = data.catalog.territory
    place = parse_commune(commune, territory)
    lacking = [(title, reason) for title, role in (("Lignes budgétaires (recettes, dépenses, exécution)", q.LINES),
                                                   ("Agrégats comparés (ratios, communes côte à côte)", q.OFGL),
                                                   ("Carte des projets d'investissement", q.PROJECTS))
               if (reason := data.missing(role))]
    has_lines, has_ofgl = data.has(q.LINES), data.has(q.OFGL)
    if not (has_lines or has_ofgl):
        return html.Div([html.H1("Rapport financier", className="h3"), missing_note(lacking)])
    # Each commune votes its own budget: for the whole territory, the commune whose lines are published.
    published = commune_for_single_budget(q.classified_lines(data).lines, territory) if has_lines else None
    code = place.value if place.value != ALL else (published or default_commune_code(territory))
    name = territory.commune_name(code) or code
    header = [html.H1("Rapport financier", className="h3"), fallback_notice("Commune", place, name)]
    if place.value == ALL:  # each commune votes its own budget: there is no territory total to show
        header.append(html.P(f"Chaque commune vote son propre budget : {name} est affichée ; choisissez une autre "
                             "commune dans le menu en haut de page.", className="small text-body-secondary",
                             id="finances-commune-hint"))
    try:
        lines = q.commune_lines(data, code) if has_lines else None
        ofgl = q.ofgl(data) if has_ofgl else None
    except SnapshotMissing as exc:
        return html.Div(header + [unavailable("Les données financières ne sont pas disponibles", exc)])
    # Populations: the aggregates' per year, else the catalog's (one figure for every year).
    population = q.populations(ofgl, code) if ofgl is not None else {}
    line_years = sorted(set(lines["annee"].to_list())) if lines is not None else []
    if not population and territory.population(code):
        population = {y: territory.population(code) for y in line_years}
    ofgl_years = sorted(population) if ofgl is not None else []
    years = [str(y) for y in sorted(set(line_years) | set(ofgl_years))]
    if not years:
        return html.Div(header + [dbc.Alert(f"Aucune donnée financière pour {name}.", color="warning"),
                                  missing_note(lacking)])
    if lines is None:
        lines = pl.DataFrame(schema={"annee": pl.Int64, "document": pl.String})  # no published lines
    ca_years = sorted(set(lines.filter(pl.col("document") == q.CA)["annee"].to_list()) or set(ofgl_years))
    default_year = str(ca_years[-1] if ca_years else years[-1])
    year_choice = parse_choice(annee, years, default_year)
    doc_choice = parse_choice(document, list(q.DOCUMENTS), "ca")
    per_choice = parse_choice(par, [PER_INHABITANT, "total"], "total")
    view_choice = parse_choice(vue, list(VIEWS), "nature")
    year, doc = int(year_choice.value), q.DOCUMENTS[doc_choice.value]
    shown_doc = DOCUMENT_NAMES[doc_choice.value]

    per = per_choice.value == PER_INHABITANT
    scale = fig.per_inhabitant(population[year]) if per and population.get(year) else fig.MILLIONS
    notices = [fallback_notice("Année", year_choice, year_choice.value),
               fallback_notice("Document", doc_choice, "le compte administratif"),
               fallback_notice("Affichage", per_choice, "les montants totaux"),
               fallback_notice("Vue", view_choice, "la vue par nature")]
    if per and not population.get(year):
        notices.append(dbc.Alert(f"Population {year} inconnue : montants totaux affichés.", color="warning",
                                 className="py-1 px-2 small"))
    bound = [key for role in (q.LINES, q.OFGL, q.PROJECTS) if (key := data.key_for(role))]
    # The page's view: what every section and chart spec of components/figures/finances.py reads.
    context = dict(data=data, code=code, name=name, year=year, doc=doc, doc_name=DOCUMENT_NAMES[doc_choice.value],
                   scale=scale, per=per, population=population, view=view_choice.value, lines=lines, ofgl=ofgl,
                   communes=territory_names(territory), territory_name=territory.name, missing=lacking)
    notices += data_warnings(data, [data.status(key) for key in bound], code, has_lines)
    available = offered(data, lines)
    shown = themes.pick(theme, {t: name for t, name, _keys in THEMES}, available, all_label="Tout le rapport")
    shows = shown.shows
    notices.append(shown.notice())
    lacking.extend(hidden_lacks(data, shown.value))

    # the theme links keep every other choice of the page (all checked above)
    defaults = {**commune_defaults(territory), "annee": default_year, "document": "ca", "par": "total",
                "vue": "nature"}
    search = merge_query("", defaults, commune=place.value, annee=year_choice.value, document=doc_choice.value,
                         par=per_choice.value, vue=view_choice.value)
    return html.Div([page_url()] + header + notices + [
        dbc.Alert([demo_badge(), " Ces données financières sont des données de démonstration au format réel "
                   "(schéma SCDL budget, agrégats OFGL, nomenclature M57), ancrées sur les chiffres publiés "
                   "(voir la notice des données)."], color="light", className="small py-2")
        if any(data.provenance(key).demo for key in bound) else None,
        selectors(years, year_choice.value, doc_choice.value, per, view_choice.value),
        shown.nav("/finances", search, "Parties du rapport financier"),
        html.H2(f"{name} — {DOCUMENT_NAMES[doc_choice.value]} {year}",
                className="h4 mt-3", id="finances-heading"),
        export_context(name, str(year), f"{shown_doc[:1].upper()}{shown_doc[1:]} {year}"),
        money_section(**context) if has_lines and shows("budget") else None,
        evolution_section(**context) if shows("evolution") else None,
        execution_section(**context) if has_lines and shows("evolution") else None,
        ratios_section(**context) if has_ofgl and shows("ratios") else None,
        projects_section(**context) if data.has(q.PROJECTS) and shows("projets") else None,
        missing_note(lacking),  # last: the sections above add the charts they could not draw
        method_note(),
    ], id="finances-page")


def default_commune_code(territory) -> str:
    """The commune shown for "tout le territoire" when no lines say which: the catalog's default, else the first."""
    chosen = default_commune(territory)
    return chosen if chosen != ALL else codes(territory)[0]


def data_warnings(data, statuses, code: str, has_lines: bool) -> list[dbc.Alert]:
    """Say when a dataset is stale (its last refresh failed) and when budget lines could not be classified."""
    warnings = [n for n in (stale_notice(status) for status in statuses) if n]
    if not has_lines:
        return warnings
    rejected = q.classified_lines(data).rejected.filter(pl.col("commune_code") == code)
    if rejected.height:
        reasons = ", ".join(f"{n} : {motif}" for motif, n in rejected.group_by("motif").len().sort("motif").iter_rows())
        warnings.append(dbc.Alert(f"{rejected.height} ligne(s) budgétaire(s) écartée(s) faute de pouvoir les classer "
                                  f"({reasons}) : les totaux ne les comptent pas.", color="warning", className="small",
                                  id="finances-rejected"))
    return warnings


def selectors(years: list[str], year: str, document: str, per: bool, view: str) -> dbc.Row:
    return dbc.Row([
        dbc.Col([dbc.Label("Année", html_for="finances-annee", className="small mb-0"),
                 dropdown(id="finances-annee", options=years, value=year, clearable=False, searchable=False)],
                xs=6, md=2),
        dbc.Col([dbc.Label("Document budgétaire", html_for="finances-document", className="small mb-0 d-block"),
                 dbc.RadioItems(id="finances-document", value=document, inline=True,
                                options=[{"label": label, "value": key} for key, label in DOCUMENT_LABELS.items()])],
                xs=12, md=5),
        dbc.Col([dbc.Label("Répartition", html_for="finances-vue", className="small mb-0 d-block"),
                 dbc.RadioItems(id="finances-vue", value=view, inline=True,
                                options=[{"label": label, "value": key} for key, label in VIEWS.items()])],
                xs=6, md=3),
        dbc.Col(dbc.Switch(id="finances-par-habitant", label="Montants par habitant", value=per,
                           className="mb-1"), xs=6, md=2),
    ], className="g-2 align-items-end pilote-card p-2", id="finances-selectors")


def _no_lines(name: str, doc: str, year: int) -> dbc.Alert:
    return dbc.Alert(f"Pas de lignes budgétaires publiées pour {name} ({doc} {year}) : le détail des recettes et "
                     "des dépenses n'est disponible que pour les documents publiés au format SCDL. L'évolution et "
                     "les ratios viennent des agrégats OFGL.", color="info", className="small",
                     id="finances-no-lines")


def charts(key: str, data, context) -> list:
    """The cards of SPECS[key] (what cannot be drawn goes to the page's note)."""
    out = chart_grid(SPECS[key], data, context)
    context["missing"].extend(out.missing)
    return out.cards


def money_section(data, name, year, doc, scale, lines, **context):
    real = q.real_lines(lines, year, doc)
    if real.is_empty():
        return html.Section([html.H2("D'où vient l'argent, où va l'argent", className="h5 mt-3"),
                             _no_lines(name, doc, year)], id="finances-argent")
    totals = q.totals(real)
    spending, revenue = totals[(q.F, q.DEP)] + totals[(q.I, q.DEP)], totals[(q.F, q.REC)] + totals[(q.I, q.REC)]
    cards = charts("money", data, dict(context, name=name, year=year, doc=doc, scale=scale, lines=lines))
    return html.Section([
        html.H2("D'où vient l'argent, où va l'argent", className="h5 mt-3"),
        dbc.Row([
            dbc.Col(kpi("dépenses réelles", scale.text(spending), id="finances-kpi-depenses"), xs=6, md=3),
            dbc.Col(kpi("dont fonctionnement", scale.text(totals[(q.F, q.DEP)]), id="finances-kpi-df"), xs=6, md=3),
            dbc.Col(kpi("dont investissement", scale.text(totals[(q.I, q.DEP)]), id="finances-kpi-di"), xs=6, md=3),
            dbc.Col(kpi("recettes réelles", scale.text(revenue),
                        f"épargne brute : {scale.text(totals[(q.F, q.REC)] - totals[(q.F, q.DEP)])}",
                        id="finances-kpi-recettes"), xs=6, md=3),
        ], className="g-3 mb-3", id="finances-kpis"),
        html.P("Opérations réelles seulement : les opérations d'ordre (amortissements, virement entre sections) ne "
               "font ni encaissement ni décaissement et sont exclues, comme dans les analyses financières. Les "
               "dépenses d'investissement comprennent le remboursement du capital de la dette.",
               className="small text-body-secondary"),
        dbc.Row(cards[:2], className="g-3"),
        dbc.Row(cards[2:], className="g-3 mt-1"),
    ], id="finances-argent")


def evolution_section(data, lines, doc, ofgl, **context):
    from_lines = not lines.filter(pl.col("document") == doc).is_empty()
    if not from_lines and ofgl is None:
        return None
    cards = charts("evolution_lines" if from_lines else "evolution_ofgl", data,
                   dict(context, lines=lines, doc=doc, ofgl=ofgl))
    return html.Section([html.H2("Évolution", className="h5 mt-4"), *cards], id="finances-evolution-section")


def execution_section(data, name, year, lines, **context):
    if q.execution(lines, year).is_empty():
        body = dbc.Alert(f"Pas de compte administratif {year} publié pour {name} : le taux d'exécution ne se "
                         "calcule qu'une fois les comptes arrêtés.", color="info", className="small")
    else:
        body = dbc.Row(charts("execution", data, dict(context, name=name, year=year, lines=lines)), className="g-3")
    return html.Section([
        html.H2("Budget voté et budget réalisé", className="h5 mt-4"),
        html.P("Taux d'exécution : réalisations du compte administratif / crédits votés de l'année (budget primitif "
               "et décisions modificatives).", className="small text-body-secondary"),
        body,
    ], id="finances-execution-section")


def ratios_section(data, code, name, year, population, ofgl, **context):
    stratum_key, stratum_name = q.stratum_of(ofgl, code)
    heading = html.H2("Ratios financiers comparés aux communes de même taille", className="h5 mt-4")
    if stratum_key is None:
        return html.Section([heading, dbc.Alert(f"Pas de moyenne de strate publiée pour {name}.", color="info",
                                                className="small")], id="finances-ratios")
    comparison = q.comparison(ofgl, code, stratum_key, year)
    if comparison["commune"].is_null().all():
        return html.Section([heading, dbc.Alert(f"Pas de comptes {year} dans les agrégats OFGL pour {name}.",
                                                color="info", className="small")], id="finances-ratios")
    return html.Section([
        heading,
        html.P([f"Comptes {year} (agrégats OFGL, budget principal) · population : {fmt_int(population.get(year))} habitants · "
                f"comparaison : {stratum_name}. Survolez un ratio pour sa définition ; le glossaire est plus bas."],
               className="small text-body-secondary"),
        ratio_list(comparison, name),
        *charts("ratios", data, dict(context, code=code, name=name, year=year, comparison=comparison)),
        glossary(),
        html.Div(charts("peers", data, dict(context, code=code, year=year, ofgl=ofgl)), className="mt-3"),
    ], id="finances-ratios")


def _ratio_text(value, unit: str) -> str:
    if unit == "%":
        return fmt_percent(value, 1)
    return fmt_unit(value, "ans" if unit == "années" else unit, 1 if unit == "années" else 0)


def ratio_list(comparison: pl.DataFrame, name: str) -> html.Div:
    """One row per ratio; the name carries its definition (hover, and for screen readers the abbr title)."""
    head = html.Thead(html.Tr([html.Th("Ratio", scope="col"), html.Th(name, scope="col", className="text-end"),
                               html.Th("Moyenne de la strate", scope="col", className="text-end"),
                               html.Th("Écart", scope="col", className="text-end"),
                               html.Th("Référence", scope="col")]))
    rows = []
    for r in comparison.iter_rows(named=True):
        rows.append(html.Tr([
            html.Th(html.Abbr(r["ratio"], title=r["definition"]), scope="row", className="fw-normal"),
            html.Td(_ratio_text(r["commune"], r["unite"]) if r["commune"] is not None else
                    "non applicable" if r["strate"] is not None else "–", className="text-end"),
            html.Td(_ratio_text(r["strate"], r["unite"]), className="text-end"),
            html.Td(fmt_percent(r["ecart_pct"], 0, signed=True), className="text-end"),
            html.Td(r["reference"], className="small"),
        ], id=f"ratio-{r['cle']}"))
    return html.Div(dbc.Table([html.Caption("Ratios financiers et moyenne des communes de même taille"), head,
                               html.Tbody(rows)], size="sm", hover=True, className="align-middle"),
                    className="table-responsive", id="finances-ratio-table")


def glossary() -> html.Details:
    terms = [(label, definition) for _, label, _, definition, _ in q.RATIO_DEFINITIONS]
    terms += [("Opérations réelles / d'ordre", "Les opérations réelles donnent lieu à encaissement ou décaissement ; "
               "les opérations d'ordre (amortissements, virements entre sections) sont des écritures internes."),
              ("Budget primitif / compte administratif", "Le budget primitif prévoit et autorise les recettes et les "
               "dépenses de l'année ; le compte administratif retrace ce qui a été réellement réalisé."),
              ("Strate", "Communes de la même tranche de population (OFGL) ; la moyenne est par habitant.")]
    return html.Details([
        html.Summary("Glossaire des ratios", className="small"),
        html.Dl([item for term, definition in terms for item in (html.Dt(term), html.Dd(definition))],
                className="small mt-2"),
        html.P(q.RATIO_8_NOTE, className="small text-body-secondary"),
    ], className="mt-2", id="finances-glossary")


def projects_section(data, code, name, year, **context):
    heading = html.H2("Carte des projets d'investissement", className="h5 mt-4")
    if q.projects(data, code, year).is_empty():
        return html.Section([heading, dbc.Alert(f"Aucun projet d'investissement localisé pour {name} en {year}.",
                                                color="info", className="small")], id="finances-projets")
    outlines = outlines_for(data, code)
    return html.Section([heading, *charts("projects", data, dict(context, code=code, year=year, outlines=outlines))],
                        id="finances-projets")


def method_note() -> html.Details:
    return html.Details([
        html.Summary("Méthode et sources", className="small"),
        html.Ul([
            html.Li("Lignes budgétaires au schéma SCDL « budget » (data.gouv.fr) : nature (compte M57), fonction, "
                    "section, opération réelle ou d'ordre, recette ou dépense ; libellés et arborescence des "
                    "fonctions de la nomenclature M57 officielle."),
            html.Li("Budget primitif : crédits votés ; compte administratif : réalisations."),
            html.Li("Ratios : agrégats OFGL (Observatoire des finances et de la gestion publique locales) des "
                    "comptes du budget principal, pour la commune et pour la moyenne de sa strate de population, "
                    "calculés de la même façon des deux côtés. Les ratios 7° à 11° de l'article R2313-1 du CGCT ne "
                    "s'appliquent qu'aux communes de 10 000 habitants et plus."),
        ], className="small"),
    ], className="mt-4")


@callback(
    Output(PAGE_URL, "search", allow_duplicate=True),
    Input("finances-annee", "value"), Input("finances-document", "value"), Input("finances-par-habitant", "value"),
    Input("finances-vue", "value"), State("_pages_location", "search"),
    prevent_initial_call=True,
)
def sync_url(annee, document, per, vue, search):
    """Every choice goes to the URL (a permalink); the page is rendered again from it, on the server."""
    return update_search(search, annee=parse_choice(annee, [str(y) for y in range(1990, 2100)], "").value or None,
                         document=parse_choice(document, list(q.DOCUMENTS), "ca").value,
                         par=PER_INHABITANT if per is True else None,
                         vue=parse_choice(vue, list(VIEWS), "nature").value)
