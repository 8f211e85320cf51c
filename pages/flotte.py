"""/flotte — municipal fleet (internal: fleet managers): inventory by service and energy, the share of low-emission
vehicles against the renewal target, energy, cost and CO2 per month and service, vehicles consuming far above
their model's ADEME reference. Agents' fill-ups and incidents (/flotte/plein, /flotte/evenement) count at the
next render."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.chart_spec import grid as chart_grid
from components.chart_spec import missing_note
from components.figures.flotte import SPECS
from components.formats import fmt_int, fmt_number, fmt_percent
from components.kpi import kpi
from components.notices import unavailable
from components.report_page import export_links
from components.selectors import fallback_notice, parse_choice
from components.tables import compact_table, data_table
from data_access import flotte as q
from data_access.context import current
from data_access.snapshots import SnapshotMissing
from data_access.territory import today

GROUPS = ["flotte"]

dash.register_page(
    __name__, path="/flotte", name="Flotte", title="Parc automobile", order=50, nav=True, access=GROUPS,
    roles=[q.VEHICLES, q.FUEL, q.INCIDENTS],
    description="Parc automobile municipal : véhicules, énergie, consommations, CO2, renouvellement.",
)


def filter_links(options: list[str], chosen: str | None, key: str, other: dict, label: str) -> html.Div:
    """Filters as links (a permalink, no callback): each keeps the other filter."""
    def href(value):
        params = {**other, key: value}
        query = "&".join(f"{k}={v}" for k, v in params.items() if v)
        return "/flotte" + (f"?{query}" if query else "")

    links = [dcc.Link("Tous", href=href(None), className="btn btn-sm me-1 mb-1 " +
                      ("btn-primary" if not chosen else "btn-outline-primary"))]
    links += [dcc.Link(o, href=href(o), className="btn btn-sm me-1 mb-1 " +
                       ("btn-primary" if o == chosen else "btn-outline-primary")) for o in options]
    return html.Div([html.Span(f"{label} : ", className="fw-semibold me-2"), *links], className="mb-2",
                    id=f"flotte-filtre-{key}")


def layout(service=None, energie=None, **_ignored):
    data = current()
    if not data.has(q.VEHICLES):
        return unavailable("Le suivi du parc automobile n'est pas disponible", "aucun jeu de données de véhicules")
    day = today(data.catalog.territory)
    try:
        fleet = q.vehicles(data)
        services, energies = sorted(set(fleet["service"].to_list())), sorted(set(fleet["energie"].to_list()))
        chosen_service = parse_choice(service, services, "") if service else None
        chosen_energy = parse_choice(energie, energies, "") if energie else None
        svc = chosen_service.value if chosen_service else None
        nrg = chosen_energy.value if chosen_energy else None
        overview = q.overview(data, svc or None, nrg or None, day)
    except SnapshotMissing as exc:
        return unavailable("Le suivi du parc automobile n'est pas disponible", exc)
    spec = data.catalog.for_role(q.VEHICLES)
    view = {"overview": overview, "target": spec.target("part_faibles_emissions"),
            "target_year": spec.target("annee_cible")}
    charts = chart_grid(SPECS, data, view)
    inventory, year = overview["inventory"], overview["year"]
    share = overview["share"]["part"][-1] if overview["share"].height else None
    return html.Div([
        html.H1("Parc automobile municipal", className="h3"),
        filter_links(services, svc, "service", {"energie": nrg}, "Service"),
        filter_links(energies, nrg, "energie", {"service": svc}, "Énergie"),
        *(fallback_notice(label, parsed, "tous") for label, parsed in (("Service", chosen_service),
                                                                        ("Énergie", chosen_energy)) if parsed),
        html.Div([dcc.Link("Saisir un plein ou une recharge", href="/flotte/plein", className="btn btn-primary btn-lg me-2 mb-2",
                           id="flotte-saisir-plein"),
                  dcc.Link("Signaler une panne ou un entretien", href="/flotte/evenement",
                           className="btn btn-outline-primary btn-lg mb-2")], className="my-2"),
        export_links(data, [q.FUEL, q.INCIDENTS]),
        dbc.Row([
            dbc.Col(kpi("véhicules en service", fmt_int(inventory.height)), xs=6, md=3),
            dbc.Col(kpi("à faibles émissions", fmt_percent(share * 100, 0) if share is not None else "–",
                        f"objectif {fmt_percent(view['target'] * 100, 0)} en {int(view['target_year'])}"
                        if view["target"] else None), xs=6, md=3),
            dbc.Col(kpi("énergie sur 12 mois", f"{fmt_int(round(year['cout_eur'].sum()))} €"), xs=6, md=3),
            dbc.Col(kpi("CO2 sur 12 mois", f"{fmt_number(year['co2_kg'].sum() / 1000, 0)} tCO2e", q.CO2_SOURCE.split(":")[0]),
                    xs=6, md=3, id="flotte-co2-kpi"),
        ], className="g-3 mb-3", id="flotte-kpis"),
        dbc.Row(charts.cards, className="g-3"),
        html.H2("Consommation au-delà de la référence", className="h5 mt-4"),
        html.P(f"Véhicules consommant au moins {fmt_number(q.FLAG_RATIO, 1)} fois la consommation de référence de leur "
               "modèle (ADEME Car Labelling, cycle WLTP mixte) sur les 12 derniers mois.", className="small"),
        data_table(overview["flagged"], {"vehicule_id": "Véhicule", "service": "Service", "energie": "Énergie",
                                         "conso_100km": "Consommation /100 km", "reference_100km": "Référence /100 km",
                                         "ratio": "Rapport"}, {"conso_100km": 1, "reference_100km": 1, "ratio": 2},
                   f"{overview['flagged'].height} véhicule(s) signalé(s)", table_id="flotte-signales"),
        html.H2("Inventaire", className="h5 mt-4"),
        compact_table(inventory.sort("service", "vehicule_id"),
                      {"vehicule_id": "Véhicule", "immatriculation": "Immatriculation", "service": "Service",
                       "categorie": "Catégorie", "marque": "Marque", "modele": "Modèle", "energie": "Énergie",
                       "critair": "Crit'Air", "mise_en_circulation": "Mise en circulation",
                       "compteur": "Compteur (km)", "conso_100km": "Conso. /100 km"},
                      {"mise_en_circulation": str, "conso_100km": 1},
                      f"Véhicules en service ({inventory.height})", table_id="flotte-inventaire"),
        html.P(f"Facteurs d'émission : {q.CO2_SOURCE}.", className="small text-body-secondary mt-2"),
        missing_note(charts.missing),
    ])
