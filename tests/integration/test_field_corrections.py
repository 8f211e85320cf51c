"""Correcting, deleting and scoping field reports over real HTTP against `python app.py`: an agent corrects
or deletes their own report from the form page (24 h), a colleague's forged request is refused and changes
nothing; a group limited to some communes reports there only (a vehicle or a playground elsewhere is refused
with a French message naming the communes, nothing stored); an administrator sets a group's communes in
/admin."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select

from auth.models import AuditEvent, FieldReport
from tests.integration.field_forms import FormClient, answered, errors, message_text, signed_in
from tests.integration.running_app import Account, HttpDashClient, RunningApp

FLEET, COLLEAGUE, ISSY_FLEET, MEUDON_PARKS, BOTH, ADMIN = (
    "flotte@example.org", "collegue@example.org", "flotte.issy@example.org", "aires.meudon@example.org",
    "deux@example.org", "admin@example.org")
ISSY, MEUDON, BOULOGNE = "92040", "92048", "92012"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp.start(tmp_path_factory.mktemp("corrections"))
    try:
        running.create_accounts(
            [Account(FLEET, "Agent flotte", groups=("flotte",)), Account(COLLEAGUE, "Collègue", groups=("flotte",)),
             Account(ISSY_FLEET, "Agent flotte Issy", groups=("flotte-issy",)),
             Account(MEUDON_PARKS, "Agent aires Meudon", groups=("espace-public-meudon",)),
             Account(BOTH, "Agent de deux groupes", groups=("flotte-issy", "flotte")),
             Account(ADMIN, "Admin", admin=True)],
            groups=[("flotte", "Flotte"), ("flotte-issy", "Flotte d'Issy"),
                    ("espace-public-meudon", "Espace public de Meudon")])
        running.cli("grant", "flotte-issy", "/flotte/plein")
        running.cli("grant", "espace-public-meudon", "/aires-de-jeux/controle")
        running.cli("communes", "flotte-issy", ISSY)
        running.cli("communes", "espace-public-meudon", MEUDON)
        yield running
    finally:
        running.stop()


def rows(app, model=FieldReport):
    engine = create_engine(f"sqlite:///{app.data_dir / 'pilote.db'}")
    with engine.connect() as conn:
        found = conn.execute(select(model)).all()
    engine.dispose()
    return found


def report(app, report_id: int):
    return next(r for r in rows(app) if r.id == report_id)


def vehicle_of(app, client, commune: str, exclude: str | None = None) -> str:
    """A vehicle in service based in ``commune`` (from the form's own options, signed in as an unlimited agent)."""
    import polars as pl

    from tests.integration.running_app import ROOT

    fleet = pl.read_parquet(next((ROOT / "data" / "snapshots").glob("flotte_vehicules-*.parquet")))
    offered = {o["value"] for o in FormClient(client, "plein", "/flotte/plein").comps.by_id["plein-vehicule_id"]
               ["props"]["options"]}
    return next(v for v in fleet.filter(pl.col("commune_code") == commune)["vehicule_id"] if v in offered and v != exclude)


def stored_id(response, form: str) -> int:
    text = message_text(response, form)
    assert "n° " in text, text
    return int(text.split("n° ")[1].split(")")[0])


def test_an_agent_corrects_then_deletes_their_report_and_a_colleague_cannot(app):
    with signed_in(app, FLEET) as phone, signed_in(app, COLLEAGUE) as other:
        form = FormClient(phone, "plein", "/flotte/plein")
        vehicle = vehicle_of(app, phone, ISSY)
        first = form.submit({"vehicule_id": vehicle, "quantite": "30", "compteur_km": 1_500_000, "cout_eur": "50"})
        report_id = stored_id(first, "plein")
        assert str(report_id) in FormClient(phone, "plein", "/flotte/plein").recent()
        assert str(report_id) not in FormClient(other, "plein", "/flotte/plein").recent()  # their own only

        loaded = form.load(report_id)
        assert answered(loaded, "plein-quantite", "value") == 30.0
        assert answered(loaded, "plein-edition", "data") == report_id
        assert "Correction de la saisie" in str(answered(loaded, "plein-edition-message"))
        assert answered(loaded, "plein-message") is None  # the last "enregistré" is no longer current
        cancelled = form.cancel()
        assert answered(cancelled, "plein-edition", "data") is None
        assert answered(cancelled, "plein-quantite", "value") is None  # a fresh form again
        assert answered(cancelled, "plein-vehicule_id", "value") == vehicle  # with the agent's last vehicle

        # A typo fixed: the odometer may go down below the reading being corrected (it is left out of the check).
        fixed = form.submit({"vehicule_id": vehicle, "quantite": "35,5", "compteur_km": 1_499_000, "cout_eur": "60"},
                            editing=report_id)
        assert "Correction enregistrée" in message_text(fixed, "plein"), errors(fixed, "plein")
        after = report(app, report_id)
        assert json.loads(after.values)["quantite"] == 35.5 and after.revision == 2
        assert len([r for r in rows(app) if r.author == FLEET]) == 1  # corrected, not added

        # The colleague forges the same requests with the agent's report number: each refused, nothing changes.
        theirs = FormClient(other, "plein", "/flotte/plein")
        assert "seul son auteur" in str(answered(theirs.load(report_id), "plein-saisies-message"))
        forged = theirs.submit({"vehicule_id": vehicle, "quantite": "99", "compteur_km": 1_600_000}, editing=report_id)
        assert "seul son auteur" in message_text(forged, "plein")
        assert "seul son auteur" in str(answered(theirs.delete(report_id), "plein-saisies-message"))
        unchanged = report(app, report_id)
        assert unchanged.revision == 2 and unchanged.deleted_at is None

        gone = form.delete(report_id)
        assert "supprimée" in str(answered(gone, "plein-saisies-message"))
        assert report(app, report_id).deleted_at is not None
        assert str(report_id) not in FormClient(phone, "plein", "/flotte/plein").recent()
        events = {(e.event, e.target) for e in rows(app, AuditEvent)}
        assert {("report_create", f"flotte_pleins#{report_id}"), ("report_correct", f"flotte_pleins#{report_id}"),
                ("report_delete", f"flotte_pleins#{report_id}")} <= events
        assert "introuvable" in str(answered(form.load(report_id), "plein-saisies-message"))  # deleted: not again


def test_an_administrator_corrects_any_report(app):
    with signed_in(app, COLLEAGUE) as phone, signed_in(app, ADMIN) as desk:
        vehicle = vehicle_of(app, phone, BOULOGNE)
        report_id = stored_id(FormClient(phone, "plein", "/flotte/plein").submit(
            {"vehicule_id": vehicle, "quantite": "20", "compteur_km": 1_700_000}), "plein")
        admin = FormClient(desk, "plein", "/flotte/plein")
        assert str(report_id) in admin.recent()
        fixed = admin.submit({"vehicule_id": vehicle, "quantite": "21", "compteur_km": 1_700_000}, editing=report_id)
        assert "Correction enregistrée" in message_text(fixed, "plein"), errors(fixed, "plein")
        corrected = report(app, report_id)
        assert corrected.updated_by == ADMIN and corrected.author == COLLEAGUE


def test_a_group_limited_to_a_commune_reports_there_only(app):
    with signed_in(app, FLEET) as unlimited, signed_in(app, ISSY_FLEET) as phone:
        issy, boulogne = vehicle_of(app, unlimited, ISSY), vehicle_of(app, unlimited, BOULOGNE)
        form = FormClient(phone, "plein", "/flotte/plein")
        offered = {o["value"] for o in form.comps.by_id["plein-vehicule_id"]["props"]["options"] if o["value"]}
        assert issy in offered and boulogne not in offered
        assert "Issy-les-Moulineaux" in str(form.comps.by_id["plein-communes"]["props"]["children"])
        before = len(rows(app))
        refused = form.submit({"vehicule_id": boulogne, "quantite": "30", "compteur_km": 1_800_000})
        message = errors(refused, "plein")["vehicule_id"]
        assert "Boulogne-Billancourt n'est pas dans vos communes (Issy-les-Moulineaux)" in message, message
        assert len(rows(app)) == before  # nothing stored
        accepted = form.submit({"vehicule_id": issy, "quantite": "30", "compteur_km": 1_800_000})
        assert "Plein enregistré" in message_text(accepted, "plein"), errors(accepted, "plein")
        assert report(app, stored_id(accepted, "plein")).commune_code == ISSY

    with signed_in(app, BOTH) as phone:  # also in an unlimited group that grants the form: everywhere
        form = FormClient(phone, "plein", "/flotte/plein")
        assert "plein-communes" not in form.comps.by_id
        ok = form.submit({"vehicule_id": boulogne, "quantite": "30", "compteur_km": 1_850_000})
        assert "Plein enregistré" in message_text(ok, "plein"), errors(ok, "plein")

    with signed_in(app, MEUDON_PARKS) as phone:  # every bundled playground is in Issy
        form = FormClient(phone, "controle", "/aires-de-jeux/controle")
        assert [o for o in form.comps.by_id["controle-aire_id"]["props"]["options"] if o["value"]] == []
        refused = form.submit({"aire_id": "AJ-03", "type_controle": "Visuel de routine", "gravite": "Aucun défaut"})
        assert "Issy-les-Moulineaux n'est pas dans vos communes (Meudon)" in errors(refused, "controle")["aire_id"]
        assert not [r for r in rows(app) if r.author == MEUDON_PARKS]


def test_the_administrator_sets_a_groups_communes_in_admin(app):
    with signed_in(app, ADMIN) as desk:
        dash = HttpDashClient(desk)
        comps = dash.render("/admin")
        cb = next(c for c in dash.callbacks if any(d.id == "admin-message" for d in c.outputs))
        comps.by_id["grant-group"]["props"]["value"] = "flotte-issy"

        def press(communes):
            form = comps.copy()
            form.by_id["group-communes"]["props"]["value"] = communes
            form.by_id["set-communes"]["props"]["n_clicks"] = 1
            body = dash.trigger_body(cb, form)
            body["changedPropIds"] = ["set-communes.n_clicks"]
            return desk.post("/_dash-update-component", json=body).json()["response"]

        unknown = press(["75056"])
        assert "commune inconnue du territoire : 75056" in str(unknown["admin-message"]["children"])
        both = press([ISSY, MEUDON])
        assert "Issy-les-Moulineaux, Meudon" in str(both["admin-message"]["children"])
        assert "Issy-les-Moulineaux, Meudon" in str(both["admin-tables"]["children"])
    with signed_in(app, ISSY_FLEET) as phone:  # at the next request
        assert "Meudon" in str(FormClient(phone, "plein", "/flotte/plein").comps.by_id["plein-communes"]["props"])
    app.cli("communes", "flotte-issy", ISSY)
    failed = app.cli("communes", "flotte-issy", "99999", check=False)
    assert failed.returncode == 1 and "commune inconnue du territoire : 99999" in failed.stderr


def test_the_dashboard_exports_its_reports_as_csv_to_its_groups_only(app):
    with signed_in(app, FLEET) as phone:
        vehicle = vehicle_of(app, phone, MEUDON)
        report_id = stored_id(FormClient(phone, "plein", "/flotte/plein").submit(
            {"vehicule_id": vehicle, "quantite": "12,5", "compteur_km": 1_950_000}), "plein")
        comps = HttpDashClient(phone).render("/flotte")
        assert comps.by_id["export-flotte_pleins"]["props"]["href"] == "/exports/flotte_pleins.csv"
        response = phone.get("/exports/flotte_pleins.csv")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        lines = response.text.splitlines()
        assert lines[0] == "vehicule_id;date;quantite;compteur_km;cout_eur;unite;demonstration;report_id;auteur;" \
                           "saisi_le;modifie_le"
        mine = [line for line in lines if f";{report_id};{FLEET};" in line]
        assert len(mine) == 1 and mine[0].startswith(f"{vehicle};") and ";12.5;1950000;" in mine[0]
        assert len(lines) > 1000  # the demonstration history comes with the reports
        assert phone.get("/exports/flotte_vehicules.csv").status_code == 404  # not a collaborative dataset
        assert phone.get("/exports/nature_ateliers.csv").status_code == 404  # another group's dataset
        assert phone.get("/exports/inconnu.csv").status_code == 404
    with signed_in(app, MEUDON_PARKS) as other:
        assert other.get("/exports/flotte_pleins.csv").status_code == 404
    with app.client() as anonymous:
        assert anonymous.get("/exports/flotte_pleins.csv").status_code == 401
