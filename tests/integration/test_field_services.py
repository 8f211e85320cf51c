"""/flotte and /nature over real HTTP: a fleet agent records a fill-up that /flotte counts (an odometer lower
than the last reading is refused), the nature team records a workshop and a distribution that /nature counts;
each dashboard and form is refused to other groups."""

from __future__ import annotations

import re

import pytest

from tests.integration.field_forms import FormClient, errors, message_text, signed_in
from tests.integration.running_app import Account, HttpDashClient, RunningApp

FLEET, NATURE, PLAYGROUNDS = "flotte@example.org", "nature@example.org", "aires@example.org"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp.start(tmp_path_factory.mktemp("services"))
    try:
        running.create_accounts([Account(FLEET, "Agent flotte", groups=("flotte",)),
                                 Account(NATURE, "Animatrice nature", groups=("nature",)),
                                 Account(PLAYGROUNDS, "Agent aires", groups=("espace-public",))],
                                groups=[("flotte", "Flotte"), ("nature", "Nature"), ("espace-public", "Espace public")])
        yield running
    finally:
        running.stop()


def kpi(comps, container: str, label: str) -> str:
    """The value of the key figure whose label starts with ``label`` (from its aria-label "label : value")."""
    match = re.search(r"'aria-label': '" + re.escape(label) + r"[^:']* : ([^']*)'", str(comps.by_id[container]))
    assert match, f"no key figure {label!r} in {container}"
    return match.group(1)


def test_a_fill_up_is_counted_and_a_lower_odometer_refused(app):
    with signed_in(app, FLEET) as phone:
        dash = HttpDashClient(phone)
        energy_before = kpi(dash.render("/flotte"), "flotte-kpis", "énergie sur 12 mois")
        form = FormClient(phone, "plein", "/flotte/plein")
        lower = form.submit({"vehicule_id": "V-001", "quantite": "42,5", "compteur_km": 1000, "cout_eur": "80"})
        assert "inférieur au dernier relevé" in errors(lower, "plein")["compteur_km"]
        for bad, field in (({"quantite": "-2"}, "quantite"), ({"compteur_km": "beaucoup"}, "compteur_km"),
                           ({"vehicule_id": "V-999"}, "vehicule_id")):
            response = form.submit({"vehicule_id": "V-001", "quantite": "40", "compteur_km": 10_000_000 // 10,
                                    "cout_eur": "", **bad})
            assert field in errors(response, "plein"), (bad, errors(response, "plein"))
        ok = form.submit({"vehicule_id": "V-001", "quantite": "42,5", "compteur_km": 1_900_000, "cout_eur": "5000"})
        assert "Plein enregistré" in message_text(ok, "plein"), message_text(ok, "plein")
        energy_after = kpi(dash.render("/flotte"), "flotte-kpis", "énergie sur 12 mois")
        assert energy_after != energy_before  # the 5,000 € fill-up is counted at the next render
        again = FormClient(phone, "plein", "/flotte/plein")  # the last vehicle used comes first
        assert again.comps.by_id["plein-vehicule_id"]["props"]["value"] == "V-001"
        incident = FormClient(phone, "evenement", "/flotte/evenement").submit(
            {"vehicule_id": "V-002", "type_evenement": "Panne", "jours_immobilisation": 3, "description": "Démarreur"})
        assert "Événement enregistré" in message_text(incident, "evenement")


def test_the_nature_team_records_a_session_and_a_distribution(app):
    with signed_in(app, NATURE) as desk:
        dash = HttpDashClient(desk)
        before = kpi(dash.render("/nature"), "nature-kpis", "séances en")
        session = FormClient(desk, "atelier", "/nature/atelier").submit(
            {"theme": "Compostage", "commune_code": "92040", "capacite": 20, "inscrits": 18, "presents": 15})
        assert "Séance enregistrée" in message_text(session, "atelier"), errors(session, "atelier")
        after = kpi(dash.render("/nature"), "nature-kpis", "séances en")
        assert int(after.replace("\u202f", "")) == int(before.replace("\u202f", "")) + 1
        wrong = FormClient(desk, "distribution", "/nature/distribution").submit(
            {"type_equipement": "Lombricomposteur", "commune_code": "75056", "nombre": 0})
        assert set(errors(wrong, "distribution")) == {"commune_code", "nombre"}
        handed = FormClient(desk, "distribution", "/nature/distribution").submit(
            {"type_equipement": "Lombricomposteur", "commune_code": "92040", "nombre": 12})
        assert "Distribution enregistrée" in message_text(handed, "distribution")


@pytest.mark.parametrize("email, path", [(PLAYGROUNDS, "/flotte"), (PLAYGROUNDS, "/flotte/plein"),
                                         (NATURE, "/flotte/evenement"), (FLEET, "/nature"),
                                         (FLEET, "/nature/atelier"), (NATURE, "/aires-de-jeux")])
def test_each_dashboard_and_form_is_refused_to_other_groups(app, email, path):
    with signed_in(app, email) as client:
        assert client.get(path).status_code == 403
    with app.client() as anonymous:
        assert anonymous.get(path).status_code == 302
