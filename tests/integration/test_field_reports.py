"""Field reports over real HTTP against `python app.py`: an agent of the playground group reports an inspection
with a photo and the site's card shows it; a double tap is one record; bad input is refused field by field
and stores nothing; other groups and anonymous callers are refused the form, its callback and the photos."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import create_engine, func, select, text

from auth.models import FieldPhoto, FieldReport
from tests.integration.field_forms import FormClient, errors, jpeg, message_text, signed_in
from tests.integration.running_app import ROOT, Account, HttpDashClient, RunningApp

AGENT, OTHER, ADMIN = "agent.aires@example.org", "agent.mobilite@example.org", "admin@example.org"
FORM, PATH = "controle", "/aires-de-jeux/controle"
GOOD = {"aire_id": "AJ-03", "equipement_id": "AJ-03-E2", "type_controle": "Fonctionnel", "gravite": "Majeur",
        "constat": "Chaîne de balançoire usée", "hors_service": ["oui"], "motif_hors_service": "Chaîne usée"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp.start(tmp_path_factory.mktemp("reports"))
    try:
        running.create_accounts([Account(AGENT, "Agent aires", groups=("espace-public",)),
                                 Account(OTHER, "Agent mobilité", groups=("mobilite",)),
                                 Account(ADMIN, "Admin", admin=True)],
                                groups=[("espace-public", "Espace public"), ("mobilite", "Mobilité")])
        yield running
    finally:
        running.stop()


def stored(app) -> list[FieldReport]:
    engine = create_engine(f"sqlite:///{app.data_dir / 'pilote.db'}")
    with engine.connect() as conn:
        rows = conn.execute(select(FieldReport.id, FieldReport.values, FieldReport.author)).all()
    engine.dispose()
    return rows


def territory_today() -> date:
    """Today where the agents are (the catalog's time zone), not on the test machine: they differ around
    midnight, and the form's default is the territory's day."""
    from data_access.catalog import load_catalog
    from data_access.territory import today
    from tests.integration.running_app import ROOT

    return today(load_catalog(ROOT / "data" / "catalog.toml").territory)


def test_an_agent_reports_an_inspection_with_a_photo_and_the_card_shows_it(app):
    with signed_in(app, AGENT) as phone:
        form = FormClient(phone, FORM, PATH)
        assert form.comps.by_id[f"{FORM}-date"]["props"]["value"] == territory_today().isoformat()  # default: today
        response = form.submit(GOOD, photos=[jpeg()], gps=True)
        assert response.status_code == 200, response.text[:300]
        assert "Contrôle enregistré" in message_text(response) and errors(response) == {}
        report_id, values, author = stored(app)[-1]
        assert author == AGENT and '"aire_id": "AJ-03"' in values and '"lat": 48.8225' in values
        sha = next(v for v in values.split('"') if len(v) == 64)
        card = HttpDashClient(phone).render("/aires-de-jeux", "?aire=AJ-03")
        fiche = str(card.by_id["fiche"])
        assert f"'data-report': '{report_id}'" in fiche and f"/photos/{sha}/vignette" in fiche
        assert "Chaîne de balançoire usée" in fiche and AGENT in fiche
        # The equipment taken out of service today is an open finding, listed with its site, gravest first.
        still = str(card.by_id["aires-interventions"])
        assert "Constats encore ouverts" in still and "AJ-03-E2" in still
        thumb = phone.get(f"/photos/{sha}/vignette")
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
        full = Image.open(io.BytesIO(phone.get(f"/photos/{sha}").content))
        assert dict(full.getexif()) == {} and full.size == (800, 600)  # EXIF gone (maker, GPS), size kept
        assert "PhoneMaker" not in phone.get(f"/photos/{sha}").text
        # The next form remembers the agent's last site; the fields were emptied for the next report.
        again = FormClient(phone, FORM, PATH)
        assert again.comps.by_id[f"{FORM}-aire_id"]["props"]["value"] == "AJ-03"


def test_without_consent_the_photo_position_is_not_kept(app):
    with signed_in(app, AGENT) as phone:
        response = FormClient(phone, FORM, PATH).submit({**GOOD, "hors_service": []}, photos=[jpeg()], gps=False)
        assert "Contrôle enregistré" in message_text(response)
    assert '"lat": null' in stored(app)[-1][1]


def test_a_double_tap_or_a_retry_stores_one_record(app):
    with signed_in(app, AGENT) as phone:
        form = FormClient(phone, FORM, PATH)
        body = form.body({**GOOD, "gravite": "Mineur", "hors_service": []})
        before = len(stored(app))
        first, second = form.post(body), form.post(body)
        assert "Contrôle enregistré" in message_text(first)
        assert "déjà enregistré" in message_text(second)
        assert len(stored(app)) == before + 1


def test_each_opening_of_a_kept_form_has_its_own_token(app):
    """The form is kept, built, between renders (components/report_page.py): never its token. Two openings of
    the same form, alike in everything else, are two records, each retried once."""
    with signed_in(app, AGENT) as phone:
        first, second = FormClient(phone, FORM, PATH), FormClient(phone, FORM, PATH)
        assert first.token() != second.token()
        assert set(first.comps.by_id) == set(second.comps.by_id)
        before = len(stored(app))
        values = {**GOOD, "gravite": "Mineur", "hors_service": [], "constat": "Banc descellé"}
        for form in (first, second):
            body = form.body(values)
            assert "Contrôle enregistré" in message_text(form.post(body))
            assert "déjà enregistré" in message_text(form.post(body))
        assert len(stored(app)) == before + 2
        third = FormClient(phone, FORM, PATH)  # a new list of the agent's reports: built again, a new token
        assert third.token() not in {first.token(), second.token()}
        listed = lambda form: len(form.comps.by_id[f"{FORM}-saisies"]["props"]["options"])  # noqa: E731
        assert listed(third) == listed(first) + 2


@pytest.mark.parametrize("values, field, message", [
    ({"date": (date.today() + timedelta(days=3)).isoformat()}, "date", "futur"),
    ({"aire_id": "AJ-99"}, "aire_id", "inconnue"),
    ({"equipement_id": "AJ-04-E1"}, "equipement_id", "inconnue"),  # equipment of another site
    ({"motif_hors_service": ""}, "motif_hors_service", "obligatoire"),
    ({"gravite": "Catastrophique"}, "gravite", "choisissez parmi"),
    ({"type_controle": 12}, "type_controle", "choisissez parmi"),
    ({"date": "demain"}, "date", "date"),
    ({"constat": "x" * 1001}, "constat", "1000 caractères"),
    ({"aire_id": {"$ne": None}}, "aire_id", "texte"),
])
def test_bad_input_is_refused_on_its_field_and_stores_nothing(app, values, field, message):
    with signed_in(app, AGENT) as phone:
        before = len(stored(app))
        response = FormClient(phone, FORM, PATH).submit({**GOOD, **values})
        assert response.status_code == 200
        assert message in errors(response).get(field, ""), errors(response)
        body = response.json()["response"]
        assert f"{FORM}-{field}" not in body and f"{FORM}-constat" not in body  # what was typed stays as typed
        assert "Rien n'est enregistré" in message_text(response)
        assert len(stored(app)) == before


def test_files_that_are_not_photos_or_too_heavy_are_refused(app):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" * 20
    heavy = jpeg(200, 200) + b"\0" * (8 * 1024 * 1024 + 1)  # a JPEG padded past 8 MB
    with signed_in(app, AGENT) as phone:
        form = FormClient(phone, FORM, PATH)
        before = len(stored(app))
        renamed = form.submit(GOOD, photos=[pdf], names=["constat.jpg"])
        assert "pas une photo" in errors(renamed)["photos"]
        too_heavy = form.submit(GOOD, photos=[heavy])
        assert too_heavy.status_code == 200 and "trop lourde" in errors(too_heavy)["photos"]
        huge = form.post(form.body(GOOD, photos=[b"\xff\xd8" + b"\0" * (30 * 1024 * 1024)]))  # 30 MB: 40 MB body
        assert huge.status_code == 413 and "volumineuse" in huge.json()["error"]
        assert len(stored(app)) == before
        too_many = form.submit(GOOD, photos=[jpeg(64, 64)] * 5)
        assert "4 photos au plus" in errors(too_many)["photos"]


def test_other_groups_and_anonymous_callers_are_refused(app):
    with signed_in(app, AGENT) as phone:
        form = FormClient(phone, FORM, PATH)
        body = form.body({**GOOD, "hors_service": []}, photos=[jpeg()])
        assert "Contrôle enregistré" in message_text(form.post(body))
        sha = next(v for v in stored(app)[-1][1].split('"') if len(v) == 64)
    before = len(stored(app))
    with signed_in(app, OTHER) as other:
        assert other.post("/_dash-update-component", json={**body}).status_code == 403
        assert other.get(f"/photos/{sha}/vignette").status_code == 404  # as if it did not exist
        assert other.get("/aires-de-jeux").status_code == 403
        assert other.get(PATH).status_code == 403
    with app.client() as anonymous:
        assert anonymous.post("/_dash-update-component", json=body).status_code == 401
        assert anonymous.get(f"/photos/{sha}").status_code == 401
        assert anonymous.get(PATH).status_code == 302
    assert len(stored(app)) == before
    with signed_in(app, ADMIN) as admin:  # an administrator sees every dataset's photos
        assert admin.get(f"/photos/{sha}").status_code == 200


def test_the_reports_export_as_csv_in_the_catalog_schema(app):
    result = subprocess.run([sys.executable, "-m", "data_access", "export", "aires_controles"], cwd=ROOT,
                            env=app.env, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("aire_id;equipement_id;type_controle;date;gravite;constat;hors_service")
    mine = [line for line in lines if AGENT in line]
    assert mine and all(line.split(";")[12] == "false" for line in mine)  # demonstration: false
    assert any("Chaîne de balançoire usée" in line for line in mine)
    engine = create_engine(f"sqlite:///{app.data_dir / 'pilote.db'}")
    with engine.connect() as conn:
        photos = conn.execute(select(func.count()).select_from(FieldPhoto)).scalar()
        audited = conn.execute(text("SELECT count(*) FROM audit_events WHERE event = 'report_create'")).scalar()
    engine.dispose()
    assert photos >= 1 and audited == len(stored(app))
