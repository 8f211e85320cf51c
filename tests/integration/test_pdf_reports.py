"""Reports as PDF over real HTTP (/_pilote/rapport.pdf) and from the CLI (python -m pilote report): A4 pages
numbered, a cover line naming territory, place, period, document, export date and permalink, every chart of
the page; authorised like the page; only what the requester may see."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from data.demo.pcaet import generate
from data_access.catalog import load_catalog
from data_access.settings import DEFAULT_CATALOG
from pilote.pdf import today_text
from tests.integration.running_app import ROOT, Account, RunningApp

ELU, AGENT = "elu@pdf.test", "agent@pdf.test"
CONFIDENTIAL = generate()[1]
TIMEZONE = load_catalog(DEFAULT_CATALOG).territory.timezone
TODAY = datetime.now(ZoneInfo(TIMEZONE)).strftime("%d/%m/%Y")  # the territory's day, not the machine's


def test_the_export_date_is_the_territorys_day():
    # UTC+14 and UTC-11: 25 hours apart, never the same date.
    assert today_text("Pacific/Kiritimati") != today_text("Pacific/Pago_Pago")
    assert today_text(TIMEZONE) == TODAY


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    app = RunningApp.start(tmp_path_factory.mktemp("pdf"))
    try:
        app.create_accounts([Account(ELU, "Élu", ("elus",)), Account(AGENT, "Agent", ("mobilite",))],
                            groups=[("elus", "Élus"), ("mobilite", "Mobilité")])
        yield app
    finally:
        app.stop()


def pages_of(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:  # A4
        assert abs(float(page.mediabox.width) - 595.3) < 2 and abs(float(page.mediabox.height) - 841.9) < 2
    return [re.sub(r"\s+", " ", unicodedata.normalize("NFKC", p.extract_text()).replace("\u202f", " "))
            for p in reader.pages]


def get_pdf(client, page: str, **params):
    return client.get("/_pilote/rapport.pdf", params={"page": page, **params}, timeout=180)


def test_a_finance_report_is_a_numbered_a4_document_with_its_cover_and_every_chart(served):
    with served.client() as visitor:
        answer = get_pdf(visitor, "/finances?annee=2019&theme=tout")  # the whole report
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'attachment; filename="pilote-finances-2019-tout.pdf"'  # the part is named
    pages = pages_of(answer.content)
    assert len(pages) >= 3
    cover = pages[0]
    for said in ("Grand Paris Seine Ouest", "Issy-les-Moulineaux", "Compte administratif 2019", f"édité le {TODAY}",
                 "/finances?annee=2019&theme=tout", "Rapport financier"):
        assert said in cover, said
    text = " ".join(pages)
    for title in ("D'où vient l'argent : recettes réelles par nature", "Où va l'argent : dépenses réelles par nature",
                  "Fonctionnement et investissement", "Ratios financiers comparés aux communes de même taille"):
        assert title in text, title
    assert "Source :" in text and "Télécharger" not in text and "Exporter en PDF" not in text
    assert "Montant (M€)" not in text  # no data table unless asked for (the browser's print has them all)
    assert all(f"page {i} / {len(pages)}" in page for i, page in enumerate(pages, 1))  # numbered


def test_the_report_is_authorised_like_its_page(served):
    with served.client() as visitor:
        refused = get_pdf(visitor, "/flotte")
        assert refused.status_code == 302 and refused.headers["location"].startswith("/login?next=")
        assert get_pdf(visitor, "https://ailleurs.example/climat").status_code == 400
        assert get_pdf(visitor, "/nulle-part").status_code == 404
        assert get_pdf(visitor, "/climat", graphiques="<script>").status_code == 400
    with served.client() as agent:
        served.login(agent, AGENT)
        assert get_pdf(agent, "/flotte").status_code == 403


def test_a_visitors_climate_report_holds_no_confidential_indicator_an_elus_does(served):
    titles = sorted(set(CONFIDENTIAL["titre"]))
    axis = sorted(set(CONFIDENTIAL["axe"]))[0]
    with served.client() as visitor:
        text = " ".join(pages_of(get_pdf(visitor, f"/climat?axe={axis}").content))
    assert "Budget climat 2025 : sous le plafond de 7 582 tCO2e" in text  # the verdict first
    assert not [t for t in titles if t in text]
    with served.client() as elu:
        served.login(elu, ELU)
        text = " ".join(pages_of(get_pdf(elu, f"/climat?axe={axis}").content))
    assert [t for t in titles if t in text]


def test_ticked_charts_only_and_the_cli_makes_the_same_report(served, tmp_path):
    with served.client() as visitor:
        answer = get_pdf(visitor, "/finances?annee=2019", graphiques="finances-depenses", tableaux="1")
    text = " ".join(pages_of(answer.content))
    assert "Où va l'argent : dépenses réelles par nature" in text
    assert "D'où vient l'argent : recettes réelles par nature" not in text  # not ticked
    assert "Charges de personnel et frais assimilés" in text and "Montant (M€)" in text  # its data table
    out = tmp_path / "rapport.pdf"
    env = {**os.environ, "PILOTE_URL": served.base_url, "PILOTE_REPORT_EMAIL": ELU,
           "PILOTE_REPORT_PASSWORD": served.password(ELU)}
    done = subprocess.run([sys.executable, "-m", "pilote", "report", "/finances?annee=2019", "--out", str(out),
                           "--graphiques", "finances-depenses", "--tableaux"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert pages_of(out.read_bytes()) == pages_of(answer.content)  # the same pages, the same text
    failed = subprocess.run([sys.executable, "-m", "pilote", "report", "/flotte", "--out", str(tmp_path / "x.pdf")],
                            cwd=ROOT, env={**os.environ, "PILOTE_URL": served.base_url}, capture_output=True,
                            text=True, timeout=120)
    assert failed.returncode == 2 and "demande un compte" in failed.stderr and not (tmp_path / "x.pdf").exists()


def test_maps_are_printed_drawn_as_vector_graphics(served):
    """Maps are SVG (components/maps.py): printed as drawn, like the other charts, with their legends, and
    no picture in their place (a WebGL map printed blank and had to be replaced by its image)."""
    with served.client() as visitor:
        answer = get_pdf(visitor, "/mobilite?commune=92040&theme=tout")
    assert answer.status_code == 200
    pages = PdfReader(io.BytesIO(answer.content)).pages
    pictures = [image.image.size for page in pages for image in page.images if image.image.size[0] >= 300]
    assert pictures == []  # (the logo and icons are small images)
    text = " ".join(page.extract_text() for page in pages)
    for legend in ("jusqu'à 7,4 kW", "plus de 100 kW", "Blessé léger"):  # the charging and accident maps'
        assert legend in text, legend
