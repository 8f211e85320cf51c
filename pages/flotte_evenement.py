"""/flotte/evenement — a fleet agent reports a breakdown, an accident, a maintenance or a roadworthiness test."""

from __future__ import annotations

import dash

from components.report_page import ReportPage
from data_access import flotte as q
from data_access.context import current
from pages.flotte_plein import vehicle_commune, vehicle_options

dash.register_page(__name__, path="/flotte/evenement", name="Signaler un événement", title="Panne ou entretien",
                   order=52, nav=False, access=["flotte"], roles=[q.VEHICLES, q.INCIDENTS],
                   description="Saisie d'une panne, d'un accident ou d'un entretien de véhicule.", render_cache=False)

FORM = ReportPage(
    __name__, "evenement", q.INCIDENTS, "Signaler une panne, un accident ou un entretien",
    "Le véhicule, ce qui s'est passé, combien de jours il est immobilisé.",
    ("/flotte", "Tableau de bord du parc"), lambda values: "/flotte", vehicle_options,
    remember=("vehicule_id",), saved=("Événement enregistré", "Cet événement était déjà enregistré"),
    commune_of=vehicle_commune, commune_field="vehicule_id")


def layout(**_ignored):
    return FORM.layout(current())
