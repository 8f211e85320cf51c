"""/nature/atelier — the nature house's team records a workshop session (theme, date, place, places, sign-ups,
attendance) from a phone or a desk."""

from __future__ import annotations

import dash

from components.report_page import ReportPage
from data_access import nature as q
from data_access.context import current

dash.register_page(__name__, path="/nature/atelier", name="Enregistrer une séance", title="Séance d'atelier",
                   order=61, nav=False, access=["nature"], roles=[q.WORKSHOPS],
                   description="Saisie d'une séance d'atelier de la maison de la nature.", render_cache=False)


def commune_options(data, _chosen=None, communes=None) -> dict:
    """The territory's communes, those of the agent's groups (both nature forms)."""
    return {"commune_code": [{"label": c.name, "value": c.code} for c in data.catalog.territory.communes
                             if communes is None or c.code in communes]}


def sign_ups(data, values: dict, editing=None) -> dict:
    if values["inscrits"] > 3 * values["capacite"]:
        return {"inscrits": f"{values['inscrits']} inscrits pour {values['capacite']} places : vérifiez la saisie"}
    return {}


FORM = ReportPage(
    __name__, "atelier", q.WORKSHOPS, "Enregistrer une séance d'atelier",
    "Après la séance : le nombre de places, d'inscrits et de présents.",
    ("/nature", "Tableau de bord de la maison de la nature"), lambda values: f"/nature?commune={values['commune_code']}",
    commune_options, check=sign_ups, remember=("lieu", "commune_code"),
    saved=("Séance enregistrée", "Cette séance était déjà enregistrée"))


def layout(**_ignored):
    return FORM.layout(current())
