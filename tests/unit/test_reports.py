"""Field reports: checking a form against the catalog schema (pure), storing, correcting and deleting them on
SQLite and PostgreSQL, the frame the dashboards read, the CSV export; photos checked from their bytes."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import polars as pl
import pytest
from PIL import Image
from sqlalchemy import select

from auth.db import Database
from auth.models import AuditEvent, utcnow
from data_access import photos, reports
from tests.integration.field_forms import jpeg

TODAY = date(2026, 12, 1)
TOKEN = "t" * 24
SITES = {"aire_id": {"AJ-01", "AJ-02"}, "equipement_id": {"AJ-01-E1"}}
GOOD = {"aire_id": "AJ-01", "type_controle": "Fonctionnel", "date": "2026-11-30", "gravite": "Mineur",
        "constat": "  Boulon   desserré ", "hors_service": False}


@pytest.fixture(scope="module")
def spec(catalog):
    return catalog.for_role("playgrounds.inspections")


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.migrate()
    return database


def test_clean_keeps_what_the_schema_allows(spec):
    values = reports.clean(spec, GOOD, TODAY, SITES)
    assert values["constat"] == "Boulon desserré" and values["date"] == "2026-11-30"
    assert values["hors_service"] is False and values["equipement_id"] is None
    assert "commune_code" not in values  # set by Pilote, never read from the form


@pytest.mark.parametrize("change, field, message", [
    ({"aire_id": ""}, "aire_id", "champ obligatoire"),
    ({"aire_id": "AJ-77"}, "aire_id", "inconnue"),
    ({"date": (TODAY + timedelta(days=1)).isoformat()}, "date", "futur"),
    ({"date": "1999-12-31"}, "date", "ancienne"),
    ({"date": "31/11/2026"}, "date", "date"),
    ({"gravite": "Grave"}, "gravite", "choisissez parmi"),
    ({"hors_service": "peut-être"}, "hors_service", "oui ou non"),
    ({"hors_service": True}, "motif_hors_service", "obligatoire"),
    ({"constat": ["liste"]}, "constat", "texte"),
    ({"constat": "x" * 1001}, "constat", "1000 caractères"),
])
def test_clean_names_the_field_at_fault(spec, change, field, message):
    with pytest.raises(reports.InvalidReport) as refused:
        reports.clean(spec, {**GOOD, **change}, TODAY, SITES)
    assert message in refused.value.errors[field]


def test_numbers_in_french_and_their_bounds():
    from data_access.catalog import Column

    litres = Column("litres", "float", ("litres",), minimum=0, maximum=200)
    assert reports._one(litres, "42,5", TODAY, None) == 42.5
    for bad, said in (("-3", "au moins 0"), ("250", "au plus 200"), ("beaucoup", "nombre"), (True, "nombre")):
        with pytest.raises(ValueError, match=said):
            reports._one(litres, bad, TODAY, None)
    # Bounds are written as the agent writes numbers, not as Python prints them ("2e+06", "0.1").
    odometer = Column("compteur_km", "int", ("compteur_km",), minimum=0, maximum=2_000_000)
    with pytest.raises(ValueError, match="au plus 2\u202f000\u202f000$"):
        reports._one(odometer, "2500000", TODAY, None)
    quantity = Column("quantite", "float", ("quantite",), minimum=0.1, maximum=500)
    with pytest.raises(ValueError, match="au moins 0,1$"):
        reports._one(quantity, "0,05", TODAY, None)


def test_a_token_stores_one_report_and_is_audited(db, spec):
    values = reports.clean(spec, GOOD, TODAY, SITES)
    with db.session() as s:
        first = reports.submit(s, spec, values, "agent@example.org", TOKEN, "92040")
    with db.session() as s:
        again = reports.submit(s, spec, values, "agent@example.org", TOKEN, "92040")
    assert first.created and not again.created and again.report.id == first.report.id
    with db.session() as s, pytest.raises(reports.InvalidReport, match="déjà utilisé"):
        reports.submit(s, spec, values, "someone.else@example.org", TOKEN)
    with db.session() as s, pytest.raises(reports.InvalidReport, match="jeton"):
        reports.submit(s, spec, values, "agent@example.org", "short")
    with db.read() as s:
        assert s.scalars(select(AuditEvent.event).where(AuditEvent.event == "report_create")).all() == ["report_create"]


def test_corrections_by_the_author_for_24_hours_by_an_administrator_always(db, spec):
    values = reports.clean(spec, GOOD, TODAY, SITES)
    with db.session() as s:
        report_id = reports.submit(s, spec, values, "agent@example.org", TOKEN).report.id
    later = utcnow() + timedelta(hours=2)
    with db.session() as s:
        reports.correct(s, spec, report_id, {**values, "gravite": "Majeur"}, "agent@example.org", now=later)
    with db.session() as s, pytest.raises(reports.ReportRefused, match="auteur"):
        reports.correct(s, spec, report_id, values, "colleague@example.org", now=later)
    with db.session() as s, pytest.raises(reports.ReportRefused, match="24 h"):
        reports.correct(s, spec, report_id, values, "agent@example.org", now=utcnow() + timedelta(hours=25))
    with db.session() as s:
        reports.correct(s, spec, report_id, {**values, "gravite": "Critique"}, "admin@example.org", is_admin=True,
                        now=utcnow() + timedelta(days=30))
    with db.read() as s:
        frame = reports.reports_frame(s, spec)
        events = s.scalars(select(AuditEvent.detail).where(AuditEvent.event == "report_correct")).all()
    assert frame["gravite"].to_list() == ["Critique"] and len(events) == 2 and "Mineur" in events[0]


def test_deletion_is_soft_audited_and_drops_the_row_from_the_dashboards(db, spec):
    values = reports.clean(spec, GOOD, TODAY, SITES)
    with db.session() as s:
        report_id = reports.submit(s, spec, values, "agent@example.org", TOKEN).report.id
    with db.read() as s:
        before = reports.version(s, spec.key)
    with db.session() as s:
        reports.delete(s, spec, report_id, "agent@example.org")
    with db.read() as s:
        assert reports.reports_frame(s, spec).is_empty()
        assert reports.version(s, spec.key) != before  # the cache sees the change at once
        assert s.scalars(select(AuditEvent.event).where(AuditEvent.event == "report_delete")).all()
    with db.session() as s, pytest.raises(reports.ReportRefused, match="introuvable"):
        reports.delete(s, spec, report_id, "agent@example.org")


def test_the_frame_has_the_schema_and_who_wrote_each_row(db, spec):
    with db.session() as s:
        reports.submit(s, spec, reports.clean(spec, GOOD, TODAY, SITES) | {"commune_code": "92040"},
                       "agent@example.org", TOKEN, "92040")
    with db.read() as s:
        frame = reports.reports_frame(s, spec)
    assert frame.schema["date"] == pl.Date and frame.schema["saisi_le"] == pl.Datetime("us")
    assert frame.row(0, named=True)["auteur"] == "agent@example.org"
    assert frame["demonstration"].to_list() == [False]
    csv = reports.export_csv(frame, spec).decode()
    header, row = csv.splitlines()
    assert header.split(";")[:4] == ["aire_id", "equipement_id", "type_controle", "date"]
    assert row.startswith("AJ-01;;Fonctionnel;2026-11-30;Mineur;Boulon desserré;false;")


def test_photos_are_checked_from_their_bytes_and_lose_their_exif():
    kept = photos.accept(jpeg(3000, 2000, gps=(48.8225, 2.2678)))
    assert kept.gps == pytest.approx((48.8225, 2.2678), abs=1e-3)
    stored = Image.open(io.BytesIO(kept.jpeg))
    assert max(stored.size) == photos.LONG_SIDE and dict(stored.getexif()) == {}
    assert max(Image.open(io.BytesIO(kept.thumbnail)).size) == photos.THUMB_SIDE
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    assert photos.accept(png.getvalue()).gps is None
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    for data, said in ((b"%PDF-1.4 renamed.jpg", "pas une photo"), (gif.getvalue(), "GIF"), (b"", "vide"),
                       (jpeg(10, 10)[:200], "lisible"), (b"\xff\xd8" + b"\0" * (photos.MAX_BYTES + 1), "trop lourde")):
        with pytest.raises(photos.PhotoRefused, match=said):
            photos.accept(data)


def test_the_photo_store_writes_by_hash_and_refuses_other_names(tmp_path):
    store = photos.PhotoStore(tmp_path)
    photo = photos.accept(jpeg())
    store.save(photo)
    store.save(photo)  # a retry: same name, nothing rewritten
    assert store.read(photo.sha256) == photo.jpeg and store.read(photo.sha256, thumbnail=True) == photo.thumbnail
    for bad in ("../../secret_key", "A" * 64, photo.sha256[:-1]):
        with pytest.raises(FileNotFoundError):
            store.path(bad)


def test_recent_lists_what_each_one_may_still_correct(db, spec):
    values = reports.clean(spec, GOOD, TODAY, SITES)
    with db.session() as s:
        mine = reports.submit(s, spec, values, "agent@example.org", "a" * 24).report.id
        theirs = reports.submit(s, spec, values, "colleague@example.org", "b" * 24).report.id
    with db.read() as s:
        assert [r[0] for r in reports.recent(s, spec, "agent@example.org")] == [mine]
        assert reports.recent(s, spec, "agent@example.org", now=utcnow() + timedelta(hours=25)) == []
        assert [r[0] for r in reports.recent(s, spec, "admin@example.org", is_admin=True)] == [theirs, mine]
        assert reports.recent(s, spec, "agent@example.org")[0][3]["gravite"] == "Mineur"


def test_a_correction_without_new_photos_keeps_the_photos_and_their_place(db, spec, tmp_path):
    store = photos.PhotoStore(tmp_path)
    photo = photos.accept(jpeg())
    values = reports.clean(spec, GOOD, TODAY, SITES) | {"photos": photo.sha256, "lat": 48.82, "lon": 2.26,
                                                        "commune_code": "92040"}
    stored = reports.record(db, store, spec, values, [photo], "agent@example.org", "c" * 24)
    again = values | {"gravite": "Majeur", "photos": None, "lat": None, "lon": None}
    report = reports.amend(db, store, spec, stored.report.id, again, [], "agent@example.org")
    kept = json.loads(report.values)
    assert kept["gravite"] == "Majeur" and kept["photos"] == photo.sha256 and kept["lat"] == 48.82
    with pytest.raises(reports.ReportRefused, match="seul son auteur"):
        reports.amend(db, store, spec, stored.report.id, again, [], "colleague@example.org")
    other = photos.accept(jpeg(640, 480, gps=None))
    report = reports.amend(db, store, spec, stored.report.id, again | {"photos": other.sha256}, [other],
                           "admin@example.org", is_admin=True, commune_code="92040")
    assert json.loads(report.values)["photos"] == other.sha256 and report.revision == 3


def test_the_same_photo_sent_by_reports_at_once_is_one_row(db, spec, tmp_path):
    import threading

    from auth.models import FieldPhoto, FieldReport

    store = photos.PhotoStore(tmp_path)
    photo = photos.accept(jpeg())
    values = reports.clean(spec, GOOD, TODAY, SITES) | {"photos": photo.sha256, "commune_code": "92040"}
    start, failures = threading.Barrier(8), []

    def send(i):
        start.wait()
        try:
            reports.record(db, store, spec, values, [photo], f"agent{i}@example.org", f"{i:02d}" * 12)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            failures.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with db.read() as s:
        assert len(s.scalars(select(FieldReport)).all()) == 8
        assert len(s.scalars(select(FieldPhoto)).all()) == 1
