"""/aires-de-jeux/controle — an agent reports a playground inspection from a phone: site, equipment, type of
check, worst finding, out of service and why, photos. Written to the collaborative dataset of the role
``playgrounds.inspections``; shown on /aires-de-jeux at the next render."""

from __future__ import annotations

import dash
import polars as pl

from components.report_page import ReportPage
from data_access import aires_de_jeux as q
from data_access.context import current

dash.register_page(
    __name__, path="/aires-de-jeux/controle", name="Signaler un contrôle", title="Contrôle d'aire de jeux",
    order=56, nav=False, access=["espace-public"], roles=[q.SITES, q.EQUIPMENT, q.INSPECTIONS],
    description="Saisie d'un contrôle d'aire de jeux depuis le terrain.", render_cache=False,
)


def options(data, chosen: dict, communes=None) -> dict:
    """Sites of the agent's communes, and the equipment of the chosen site (all of theirs before one is chosen)."""
    sites = q.sites(data)
    if communes is not None:
        sites = sites.filter(pl.col("commune_code").is_in(sorted(communes)))
    equipment = q.equipment(data)
    pieces = (equipment.filter(pl.col("aire_id") == chosen["aire_id"]) if chosen.get("aire_id")
              else equipment.filter(pl.col("aire_id").is_in(sites["aire_id"].to_list())))
    return {"aire_id": [{"label": name, "value": code} for code, name in sites.select("aire_id", "nom").iter_rows()],
            "equipement_id": [{"label": f"{kind} ({code})", "value": code} for code, kind in
                              pieces.sort("equipement_id").select("equipement_id", "type").iter_rows()]}


def with_commune(data, values: dict, editing=None) -> dict:
    """The report's commune is its site's (set by Pilote, not asked)."""
    site = q.sites(data).filter(pl.col("aire_id") == values["aire_id"])
    values["commune_code"] = site["commune_code"][0]
    return {}


FORM = ReportPage(
    __name__, "controle", q.INSPECTIONS, "Signaler un contrôle d'aire de jeux",
    "Contrôle visuel, fonctionnel ou principal (NF EN 1176-7). Les champs facultatifs le disent.",
    ("/aires-de-jeux", "Tableau de bord des aires de jeux"),
    lambda values: f"/aires-de-jeux?aire={values['aire_id']}#fiche", options, check=with_commune,
    remember=("aire_id",), depends={"equipement_id": "aire_id"}, saved=("Contrôle enregistré", "Ce contrôle était déjà enregistré"),
    commune_field="aire_id")


def layout(**_ignored):
    return FORM.layout(current())
