"""/aires-de-jeux/controle — an agent reports a playground inspection from a phone: site, equipment, type of
check, worst finding, out of service and why, photos. Written to the collaborative dataset of the role
``playgrounds.inspections``; shown on /aires-de-jeux at the next render."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, callback, dcc, html
from sqlalchemy import select

from auth.models import FieldReport
from auth.session import _client, current_auth
from components.notices import unavailable
from components.report_form import PHOTOS_MAX, FormIds, answer, new_token, outputs, read_states, report_form, states
from data_access import aires_de_jeux as q
from data_access import photos as photo_files
from data_access import reports
from data_access.context import current
from data_access.snapshots import SnapshotMissing

FORM = "controle"
IDS = FormIds(FORM)
GROUPS = ["espace-public"]

dash.register_page(
    __name__, path="/aires-de-jeux/controle", name="Signaler un contrôle", title="Contrôle d'aire de jeux",
    order=56, nav=False, access=GROUPS, roles=[q.SITES, q.EQUIPMENT, q.INSPECTIONS],
    description="Saisie d'un contrôle d'aire de jeux depuis le terrain.",
)


def today(data):
    return datetime.now(ZoneInfo(data.catalog.territory.timezone)).date()


def spec_of(data):
    return data.catalog.for_role(q.INSPECTIONS)


def site_options(data) -> list[dict]:
    return [{"label": name, "value": code} for code, name in q.sites(data).select("aire_id", "nom").iter_rows()]


def equipment_options(data, site: str | None) -> list[dict]:
    pieces = q.equipment(data)
    if site:
        pieces = pieces.filter(pl.col("aire_id") == site)
    return [{"label": f"{kind} ({code})", "value": code}
            for code, kind in pieces.sort("equipement_id").select("equipement_id", "type").iter_rows()]


def last_site(data, author: str) -> str | None:
    """The site of the agent's last report: where they most likely are again."""
    with data.db.read() as s:
        values = s.scalar(select(FieldReport.values).where(FieldReport.author == author,
                                                           FieldReport.dataset == spec_of(data).key,
                                                           FieldReport.deleted_at.is_(None))
                          .order_by(FieldReport.id.desc()).limit(1))
    import json

    return json.loads(values).get("aire_id") if values else None


def defaults(data, author: str | None) -> dict:
    spec = spec_of(data)
    out = {c.name: c.default for c in reports.form_columns(spec) if c.default and c.default not in ("today", "last")}
    out["date"] = today(data).isoformat()
    if author:
        out["aire_id"] = last_site(data, author)
    return out


def layout(**_ignored):
    data = current()
    spec = spec_of(data)
    if spec is None or not data.has(q.SITES):
        return unavailable("Le formulaire de contrôle n'est pas disponible", "aucun jeu de données d'aires de jeux")
    principal = current_auth().principal()
    first = defaults(data, principal.email)
    return dbc.Container([
        dcc.Link("← Tableau de bord des aires de jeux", href="/aires-de-jeux", className="small"),
        report_form(FORM, spec, {"aire_id": site_options(data),
                                 "equipement_id": equipment_options(data, first.get("aire_id"))},
                    first, "Signaler un contrôle d'aire de jeux",
                    "Contrôle visuel, fonctionnel ou principal (NF EN 1176-7). Les champs facultatifs le disent."),
    ], className="px-0", style={"maxWidth": "36rem"})


@callback(Output(IDS.field("equipement_id"), "options"), Input(IDS.field("aire_id"), "value"),
          prevent_initial_call=True)
def equipment_of_site(site):
    data = current()
    return equipment_options(data, site if isinstance(site, str) else None)


@callback(Output(f"{IDS.field('photos')}-noms", "children"), Input(IDS.field("photos"), "filename"),
          prevent_initial_call=True)
def photo_names(names):
    if not isinstance(names, list) or not names:
        return ""
    return f"{len(names)} photo(s) choisie(s) : " + ", ".join(str(n)[:60] for n in names[:PHOTOS_MAX + 2])


def _spec_for_outputs():
    from data_access.catalog import load_catalog
    from data_access.settings import Settings

    settings = Settings.from_env()
    return load_catalog(settings.catalog_path, settings.portal_url, settings.territory_name).for_role(q.INSPECTIONS)


_SPEC = _spec_for_outputs()  # the callback's outputs and states are the catalog's fields, fixed at start


def check(data, raw: dict, uploads: list, names: list, consent: bool):
    """(values, cleaned photos), or InvalidReport naming each field at fault."""
    spec = spec_of(data)
    site = raw.get("aire_id") if isinstance(raw.get("aire_id"), str) else None
    choices = {"aire_id": set(q.sites(data)["aire_id"].to_list()),
               "equipement_id": {o["value"] for o in equipment_options(data, site)} if site else set()}
    errors, values, cleaned = {}, {}, []
    try:
        values = reports.clean(spec, raw, today(data), choices)
    except reports.InvalidReport as exc:
        errors.update(exc.errors)
    try:
        for blob in reports.decode_uploads(uploads, names, PHOTOS_MAX):
            cleaned.append(photo_files.accept(blob))
    except reports.InvalidReport as exc:
        errors.update(exc.errors)
    except photo_files.PhotoRefused as exc:
        errors["photos"] = str(exc)
    if errors:
        raise reports.InvalidReport(errors)
    site_row = q.sites(data).filter(pl.col("aire_id") == values["aire_id"]).row(0, named=True)
    located = next((p.gps for p in cleaned if p.gps), None) if consent else None
    values.update(photos=" ".join(p.sha256 for p in cleaned) or None, commune_code=site_row["commune_code"],
                  lat=located[0] if located else None, lon=located[1] if located else None)
    return values, cleaned


if _SPEC is not None:
    @callback(*outputs(FORM, _SPEC), Input(IDS.submit, "n_clicks"), *states(FORM, _SPEC), prevent_initial_call=True)
    def submit(_clicks, *values):
        data, auth = current(), current_auth()
        spec = spec_of(data)
        raw, uploads, names, consent, token = read_states(spec, values)
        try:
            reports.check_token(token)
            clean, cleaned = check(data, raw, uploads, names, consent)
            stored = reports.record(data.db, photo_files.PhotoStore(data.settings.data_dir / "photos"), spec, clean,
                                    cleaned, auth.principal().email, token, _client())
        except reports.InvalidReport as exc:
            general = exc.errors.get("_")
            return answer(spec, dbc.Alert(general or "Le contrôle n'est pas enregistré : corrigez les champs signalés "
                                          "ci-dessous. Ce que vous avez saisi est conservé.", color="danger",
                                          id=f"{FORM}-refus"), errors=exc.errors)
        except SnapshotMissing as exc:
            return answer(spec, unavailable("Le contrôle n'est pas enregistré", exc))
        report = stored.report
        said = "Contrôle enregistré" if stored.created else "Ce contrôle était déjà enregistré"
        message = dbc.Alert([html.Strong(f"{said} (n° {report.id})."), " ",
                             dcc.Link("Voir la fiche de l'aire", href=f"/aires-de-jeux?aire={clean['aire_id']}#fiche",
                                      id=f"{FORM}-lien")], color="success", id=f"{FORM}-enregistre")
        return answer(spec, message, token=new_token(), reset=defaults(data, None) | {"aire_id": clean["aire_id"]})
