"""/nature/distribution — the team records equipment handed out to households (type, commune, count)."""

from __future__ import annotations

import dash

from components.report_page import ReportPage
from data_access import nature as q
from data_access.context import current
from pages.nature_atelier import commune_options

dash.register_page(__name__, path="/nature/distribution", name="Enregistrer une distribution",
                   title="Distribution d'équipements", order=62, nav=False, access=["nature"], roles=[q.DISTRIBUTIONS],
                   description="Saisie d'une distribution de composteurs ou de récupérateurs d'eau de pluie.", render_cache=False)

FORM = ReportPage(
    __name__, "distribution", q.DISTRIBUTIONS, "Enregistrer une distribution d'équipements",
    "Composteurs et récupérateurs d'eau de pluie remis aux foyers.",
    ("/nature", "Tableau de bord de la maison de la nature"), lambda values: f"/nature?commune={values['commune_code']}",
    commune_options, remember=("commune_code",),
    saved=("Distribution enregistrée", "Cette distribution était déjà enregistrée"))


def layout(**_ignored):
    return FORM.layout(current())
