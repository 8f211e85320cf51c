"""/aires-de-jeux — playgrounds (internal: the public-space direction): what is overdue first, the map of sites
by state, findings by month, equipment out of service, how long findings take to be lifted, and each site's card with its latest inspections and
photos. Agents' reports (/aires-de-jeux/controle) appear here at the next render."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import dcc, html

from components.chart_spec import grid as chart_grid
from components.chart_spec import missing_note
from components.figures.aires_de_jeux import SPECS
from components.formats import fmt_date, fmt_int
from components.kpi import kpi
from components.maps import outlines_for
from components.notices import stale, unavailable
from components.report_page import export_links
from components.selectors import fallback_notice, parse_choice, parse_commune
from components.tables import data_table
from data_access import aires_de_jeux as q
from data_access.context import current
from data_access.snapshots import SnapshotMissing
from data_access.territory import label as commune_label
from data_access.territory import today

GROUPS = ["espace-public"]

dash.register_page(
    __name__, path="/aires-de-jeux", name="Aires de jeux", title="Aires de jeux", order=55, nav=True,
    access=GROUPS, roles=[q.SITES, q.EQUIPMENT, q.INSPECTIONS],
    description="Contrôles des aires de jeux (NF EN 1176-7), constats, équipements hors service, photos.",
)


def kpis(overview: dict, equipment: pl.DataFrame) -> dbc.Row:
    due, sites = overview["due"], overview["sites"]
    late = due.filter(pl.col("retard") > 0)
    return dbc.Row([
        dbc.Col(kpi("aires de jeux", fmt_int(sites.height)), xs=6, md=3),
        dbc.Col(kpi("équipements", fmt_int(equipment.filter(pl.col("aire_id").is_in(sites["aire_id"].to_list())).height)),
                xs=6, md=3),
        dbc.Col(kpi("contrôles en retard", fmt_int(late.height), f"sur {fmt_int(late['aire_id'].n_unique())} aire(s)"),
                xs=6, md=3),
        dbc.Col(kpi("équipements hors service", fmt_int(overview["out"].height)), xs=6, md=3),
    ], className="g-3 mb-3", id="aires-kpis")


def short_name(column: str = "nom") -> pl.Expr:
    """"Aire de jeux du Square Jules Ferry" -> "Square Jules Ferry": tables fit a phone's width."""
    return pl.col(column).str.replace(r"^(?i:aire de jeux)\s+(du |de la |des |de l')?", "")


def overdue_table(due: pl.DataFrame) -> html.Div:
    late = due.filter(pl.col("retard") > 0).with_columns(short_name(),
        pl.when(pl.col("dernier").is_null()).then(pl.lit("jamais")).otherwise(pl.col("retard").cast(pl.String) + " j")
        .alias("retard_texte"))
    if late.is_empty():
        return html.P("Aucun contrôle en retard.", id="aires-retards")
    return html.Div(data_table(late, {"nom": "Aire", "type_controle": "Contrôle", "dernier": "Dernier",
                                      "retard_texte": "Retard"}, {"dernier": fmt_date},
                               "Contrôles en retard, du plus en retard au moins en retard", max_rows=50),
                    id="aires-retards")


def out_table(out: pl.DataFrame, sites: pl.DataFrame) -> html.Div:
    if out.is_empty():
        return html.P("Aucun équipement hors service.", id="aires-hors-service")
    named = out.join(sites.select("aire_id", "nom"), on="aire_id", how="left").with_columns(short_name())
    return html.Div(data_table(named, {"nom": "Aire", "equipement_id": "Équipement", "date": "Depuis le",
                                       "motif_hors_service": "Motif"}, {"date": fmt_date},
                               "Équipements mis hors service et pas encore remis en service"), id="aires-hors-service")


def interventions(overview: dict, sites: pl.DataFrame) -> html.Div:
    """How long findings take to be lifted (the repair or the equipment put back, seen at the next check),
    gravest first, and the findings still open, oldest first."""
    summary, delays = overview["delays_by_severity"], overview["delays"]
    if summary.is_empty():
        return html.P("Aucun constat sur la période.", id="aires-interventions")
    grave = delays.filter(pl.col("gravite").is_in(["Majeur", "Critique"]) & pl.col("delai_jours").is_not_null())
    said = (f"Un constat majeur ou critique est levé en {fmt_int(grave['delai_jours'].median())} jours (médiane, "
            f"{fmt_int(grave.height)} constats levés)." if grave.height else "Aucun constat majeur ou critique levé.")
    still = (delays.filter(pl.col("leve_le").is_null())
             .join(sites.select("aire_id", "nom"), on="aire_id", how="inner").with_columns(short_name())
             .sort(q.gravest_first(), pl.col("date")))
    return html.Div([
        html.P(said + " Un constat est levé par le contrôle suivant du même équipement (ou de l'aire) sans défaut "
               "ni mise hors service.", className="small"),
        data_table(summary, {"gravite": "Gravité", "constats": "Constats", "leves": "Levés",
                             "delai_median": "Délai médian (jours)", "ouverts": "Encore ouverts",
                             "plus_ancien": "Plus ancien ouvert (jours)"},
                   {"delai_median": 0, "plus_ancien": 0}, "Délai de levée des constats, par gravité"),
        data_table(still, {"nom": "Aire", "equipement_id": "Équipement", "gravite": "Gravité", "date": "Constaté le",
                           "ouvert_depuis": "Ouvert depuis (jours)"}, {"date": fmt_date},
                   "Constats encore ouverts, du plus grave au moins grave puis du plus ancien", max_rows=30)
        if still.height else html.P("Aucun constat encore ouvert."),
    ], id="aires-interventions")


def photo_strip(photos: str | None) -> list:
    return [html.A(html.Img(src=f"/photos/{sha}/vignette", alt="Photo du contrôle", className="pilote-thumb me-2 mb-2"),
                   href=f"/photos/{sha}", target="_blank") for sha in (photos or "").split() if sha]


def site_card(site: dict, checks: pl.DataFrame, equipment: pl.DataFrame) -> html.Section:
    mine = checks.filter(pl.col("aire_id") == site["aire_id"]).head(8)
    pieces = equipment.filter(pl.col("aire_id") == site["aire_id"])
    ages = (f"{site['age_min']} à {site['age_max']} ans" if site.get("age_min") is not None else "âges non renseignés")
    items = []
    for row in mine.iter_rows(named=True):
        who = f"saisi par {row['auteur']}" if row.get("auteur") else "historique de démonstration"
        items.append(html.Li([
            html.Strong(f"{fmt_date(row['date'])} — {row['type_controle']} : {row['gravite']}"),
            f" · {row['constat']}" if row.get("constat") else "",
            html.Span(" · hors service", className="text-danger fw-semibold") if row.get("hors_service") else "",
            html.Div(who, className="small text-body-secondary"),
            html.Div(photo_strip(row.get("photos"))) if row.get("photos") else None,
        ], className="mb-2", **{"data-report": str(row.get("report_id") or "")}))
    return html.Section([
        html.H2(site["nom"], className="h5"),
        html.P([site.get("adresse") or "", " · ", ages, " · ", f"{pieces.height} équipement(s) : ",
                ", ".join(sorted(set(pieces["type"].to_list())))], className="small"),
        html.H3("Derniers contrôles", className="h6"),
        html.Ul(items, className="list-unstyled mb-0") if items else html.P("Aucun contrôle."),
    ], className="pilote-card p-3 mt-3", id="fiche")


def layout(commune=None, aire=None, **_ignored):
    data = current()
    territory = data.catalog.territory
    if not data.has(q.SITES) or not data.has(q.INSPECTIONS):
        return unavailable("Le suivi des aires de jeux n'est pas disponible", "aucun jeu de données d'aires de jeux")
    parsed = parse_commune(commune, territory)
    day = today(territory)
    try:
        overview = q.overview(data, parsed.value, day)
        equipment = q.equipment(data) if data.has(q.EQUIPMENT) else pl.DataFrame(schema={"aire_id": pl.String,
                                                                                          "type": pl.String})
        outlines = outlines_for(data, parsed.value)
    except SnapshotMissing as exc:
        return unavailable("Le suivi des aires de jeux n'est pas disponible", exc)
    sites = overview["sites"]
    codes = sites["aire_id"].to_list()
    chosen = parse_choice(aire, codes, codes[0]) if codes else None
    view = {"overview": overview, "outlines": outlines, "commune": parsed.value}
    charts = chart_grid(SPECS, data, view)
    return html.Div([
        html.H1(f"Aires de jeux — {commune_label(parsed.value, territory)}", className="h3"),
        fallback_notice("Commune", parsed, "tout le territoire"),
        stale(data.status(data.key_for(q.INSPECTIONS))),
        dcc.Link("Signaler un contrôle", href="/aires-de-jeux/controle", className="btn btn-primary btn-lg mb-3",
                 id="aires-signaler"),
        export_links(data, [q.INSPECTIONS]),
        kpis(overview, equipment),
        html.H2("À faire", className="h5"),
        overdue_table(overview["due"]),
        dbc.Row(charts.cards, className="g-3 mt-2"),
        html.H2("Équipements hors service", className="h5 mt-4"),
        out_table(overview["out"], sites),
        html.H2("Interventions : délai de levée des constats", className="h5 mt-4"),
        interventions(overview, sites),
        html.Div([
            dbc.Label("Fiche d'une aire", html_for="aires-choix", className="fw-semibold mt-4"),
            html.Div([dcc.Link(name, href=f"/aires-de-jeux?aire={code}#fiche",
                               className="btn btn-sm me-1 mb-1 " + ("btn-primary" if chosen and code == chosen.value
                                                                     else "btn-outline-primary"))
                      for code, name in sites.select("aire_id", "nom").iter_rows()], id="aires-choix"),
            fallback_notice("Aire", chosen, sites["nom"][0]) if chosen else None,
            site_card(sites.filter(pl.col("aire_id") == chosen.value).row(0, named=True), overview["checks"], equipment)
            if chosen else None,
        ]),
        missing_note(charts.missing),
    ])
