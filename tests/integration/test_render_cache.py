"""The render cache over real HTTP against `python app.py`: a page is built once per data version and access
set. A second view is served from the cache; viewers who may see different things never get each other's
entry; another commune or selector is another entry; a refresh, or a field report, gives the next view the
new data; answers are compressed on the wire."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys

import brotli
import pytest

from data_access.render_cache import HEADER
from tests.fake_portal import gpso_velib_records
from tests.integration.field_forms import FormClient, message_text, signed_in
from tests.integration.running_app import ROOT, Account, HttpDashClient, RunningApp, view

MEMBER, SECOND_MEMBER, OTHER, FLEET = ("mobilite@example.org", "mobilite2@example.org", "finances@example.org",
                                      "flotte@example.org")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp.start(tmp_path_factory.mktemp("render"))
    try:
        running.create_accounts([Account(MEMBER, "Agent mobilité", groups=("mobilite",)),
                                 Account(SECOND_MEMBER, "Autre agent mobilité", groups=("mobilite",)),
                                 Account(OTHER, "Agent finances", groups=("finances",)),
                                 Account(FLEET, "Agent flotte", groups=("flotte",))],
                                groups=[("mobilite", "Mobilité"), ("finances", "Finances"), ("flotte", "Flotte")])
        yield running
    finally:
        running.stop()


def bikes(text: str) -> str:
    match = re.search(r"vélos disponibles : ([^\"']+)", text)
    assert match, "no « vélos disponibles » key figure"
    return match.group(1)


def test_a_second_view_is_served_from_the_cache(app):
    with app.client() as anonymous, app.client() as another:
        first, text = view(anonymous, "/climat", "?axe=2")
        again, same = view(another, "/climat", "?axe=2")
        assert (first, again) == ("calcul", "cache") and same == text
        other_axis, text3 = view(anonymous, "/climat", "?axe=3")
        assert other_axis == "calcul" and text3 != text  # another selector: another entry
        assert view(anonymous, "/mobilite", "?commune=92040")[1] != view(anonymous, "/mobilite", "?commune=92012")[1]


def test_viewers_who_may_see_different_things_never_share_an_entry(app):
    marker = '"id": "exploitation-seuil"'  # the internal section's control
    with signed_in(app, MEMBER) as member, signed_in(app, SECOND_MEMBER) as colleague, \
            signed_in(app, OTHER) as other, app.client() as anonymous:
        how, text = view(member, "/mobilite", "?commune=92048")
        assert how == "calcul" and marker in text
        how, text = view(other, "/mobilite", "?commune=92048")  # signed in, not granted the section
        assert how == "calcul" and marker not in text
        how, text = view(anonymous, "/mobilite", "?commune=92048")
        assert how == "calcul" and marker not in text and "réservé à la direction de la mobilité" in text
        how, text = view(colleague, "/mobilite", "?commune=92048")  # the same access set: the same page
        assert how == "cache" and marker in text
        # Pages built for one person are never cached.
        assert view(member, "/espace-agents")[0] is None and view(member, "/espace-agents")[0] is None


def test_a_refresh_gives_the_next_view_the_new_data(app, fake_portal):
    with app.client() as anonymous:
        before_how, before = view(anonymous, "/mobilite")
        assert view(anonymous, "/mobilite")[0] == "cache"
        records = gpso_velib_records()
        for r in records:
            r["numbikesavailable"] += 1  # one more bike at every station
            r["duedate"] = "2026-04-06T13:05:00+02:00"
        fake_portal.add_dataset("velib-disponibilite-en-temps-reel", records)
        subprocess.run([sys.executable, "-m", "data_access", "refresh", "velib_stations", "--portal",
                        fake_portal.base_url], cwd=ROOT, env=app.env, check=True, capture_output=True, timeout=120)
        how, after = view(anonymous, "/mobilite")
        # Rendered in advance by the refresh (pilote/warm.py), with the new data.
        assert how == "cache" and bikes(after) != bikes(before)
        assert int(bikes(after).replace("\u202f", "")) == int(bikes(before).replace("\u202f", "")) + len(records)


def test_a_field_report_shows_at_the_next_view(app):
    with signed_in(app, FLEET) as phone:
        assert view(phone, "/flotte")[0] in ("calcul", "cache")
        cached_how, cached = view(phone, "/flotte")
        assert cached_how == "cache"
        view(phone, "/")
        catalogue_how, catalogue = view(phone, "/")
        assert catalogue_how == "cache"
        ok = FormClient(phone, "plein", "/flotte/plein").submit(
            {"vehicule_id": "V-001", "quantite": "40", "compteur_km": 1_900_000, "cout_eur": "4321"})
        assert "Plein enregistré" in message_text(ok, "plein")
        how, text = view(phone, "/flotte")
        assert how == "calcul" and text != cached
        # The catalogue shows datasets' metadata, not reports (reads_reports=False): its entry still holds.
        assert view(phone, "/") == ("cache", catalogue)


def test_the_html_page_is_built_once_per_url_and_the_guard_still_decides(app):
    """Dash's HTML page is kept per URL (data_access.render_cache.install_page_html): the same bytes for every
    visitor (built afresh, Dash's per-load token would differ), another URL has its own meta tags, and an
    internal page cached for a granted agent is still refused to a visitor before any cache is read."""
    with app.client() as anonymous, app.client() as another, signed_in(app, FLEET) as agent:
        first = anonymous.get("/climat?axe=2", headers={"Accept-Encoding": "br"})
        again = another.get("/climat?axe=2", headers={"Accept-Encoding": "br"})
        assert first.status_code == again.status_code == 200 and first.text == again.text
        assert again.headers["content-encoding"] == "br" and "content-security-policy" in again.headers
        assert 'content="http://127.0.0.1' in first.text and "/climat?axe=2" in first.text
        assert "/climat?axe=3" in anonymous.get("/climat?axe=3").text  # its own og:url
        assert agent.get("/flotte").status_code == 200
        refused = anonymous.get("/flotte")
        assert refused.status_code == 302 and refused.headers["location"].startswith("/login?next=")


def test_answers_are_compressed_on_the_wire(app):
    with app.client() as anonymous:
        _, plain = view(anonymous, "/stationnement")
        body = HttpDashClient(anonymous).router_body("/stationnement", "")
        for encoding, unpack in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            with anonymous.stream("POST", "/_dash-update-component", json=body,
                                  headers={"Accept-Encoding": encoding}) as response:
                packed = b"".join(response.iter_raw())  # the bytes on the wire, not decoded
            assert response.headers["content-encoding"] == encoding and response.headers[HEADER] == "cache"
            assert json.dumps(json.loads(unpack(packed)), ensure_ascii=False) == plain
            assert "Données".encode() in unpack(packed) and b"\\u00e9" not in unpack(packed)  # UTF-8, not escapes
            assert len(packed) < len(plain.encode()) / 4
        script = anonymous.get(next(re.finditer(r'src="(/_dash-component-suites/dash/dcc/[^"]+)"',
                                                anonymous.get("/").text)).group(1),
                               headers={"Accept-Encoding": "br"})
        assert script.status_code == 200 and script.headers.get("content-encoding") == "br"  # scripts too
