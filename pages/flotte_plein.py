"""/flotte/plein — a fleet agent records a fill-up or a charge from a phone; an odometer lower than the
vehicle's last reading is refused. Counted on /flotte at the next render."""

from __future__ import annotations

import dash
import polars as pl

from components.formats import fmt_date, fmt_int
from components.report_page import ReportPage, today
from data_access import flotte as q
from data_access.context import current

dash.register_page(__name__, path="/flotte/plein", name="Saisir un plein", title="Plein ou recharge", order=51,
                   nav=False, access=["flotte"], roles=[q.VEHICLES, q.FUEL],
                   description="Saisie d'un plein de carburant ou d'une recharge électrique.", render_cache=False)


def vehicle_options(data, _chosen=None, communes=None) -> dict:
    """The vehicles in service today, of the agent's communes (one form for both /flotte forms)."""
    fleet = q.in_service(q.vehicles(data), today(data))
    if communes is not None:
        fleet = fleet.filter(pl.col("commune_code").is_in(sorted(communes)))
    return {"vehicule_id": [{"label": f"{v} · {brand} {model} ({service})", "value": v}
                            for v, brand, model, service in fleet.select("vehicule_id", "marque", "modele", "service")
                            .iter_rows()]}


def vehicle_commune(data, values: dict) -> str | None:
    """A vehicle's report concerns the commune it is based in."""
    fleet = q.vehicles(data).filter(pl.col("vehicule_id") == values.get("vehicule_id"))
    return fleet["commune_code"][0] if fleet.height else None


def odometer_and_unit(data, values: dict, editing=None) -> dict:
    """An odometer lower than the vehicle's last reading (other than the one corrected) is refused; the unit
    follows the vehicle's energy."""
    fleet = q.vehicles(data).filter(pl.col("vehicule_id") == values["vehicule_id"])
    values["unite"] = "kWh" if fleet["energie"][0] == "Électrique" else "L"
    last = q.last_odometer(q.fuel(data), values["vehicule_id"], besides=editing)
    if last and values["compteur_km"] < last[0]:
        return {"compteur_km": f"le compteur ({fmt_int(values['compteur_km'])} km) est inférieur au dernier relevé "
                               f"({fmt_int(last[0])} km le {fmt_date(last[1])})"}
    return {}


FORM = ReportPage(
    __name__, "plein", q.FUEL, "Saisir un plein ou une recharge",
    "Litres pour un plein, kWh pour une recharge ; le compteur tel qu'affiché au tableau de bord.",
    ("/flotte", "Tableau de bord du parc"), lambda values: "/flotte", vehicle_options,
    check=odometer_and_unit, remember=("vehicule_id",), saved=("Plein enregistré", "Ce plein était déjà enregistré"),
    commune_of=vehicle_commune, commune_field="vehicule_id")


def layout(**_ignored):
    return FORM.layout(current())
