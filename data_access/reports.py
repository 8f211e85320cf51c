"""Field reports: the rows of collaborative datasets, written by agents through Pilote's forms.

A collaborative dataset is declared in the catalog like any other (columns, role, visibility) with
``collaborative = true``; each column says how it is asked and checked (label, choices, min/max, future
dates, default). Reports live in the accounts database (``auth.models.FieldReport``); dashboards read them
through the same query layer as portal data (``DataContext.role_frame``), joined to the dataset's bundled
snapshot when it has one (its demonstration history).

* ``clean`` checks a form's values against the schema: a French message per field at fault;
* ``submit`` stores one report per idempotency token (a double tap or a retry is one record);
* ``correct`` / ``delete``: the author for 24 h, an administrator always; deletion is soft; all audited;
* ``reports_frame`` / ``version``: what the query layer reads and caches by;
* ``export_csv``: the dataset in its catalog schema, for the portal to harvest.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.accounts import audit
from auth.models import FieldReport, utcnow
from data_access.catalog import Column, Dataset

CORRECTION_WINDOW = timedelta(hours=24)  # an author may correct their own report this long
SYSTEM_COLUMNS = ("demonstration",)  # in the schema, never asked: set by Pilote
REPORT_COLUMNS = {"report_id": pl.Int64, "auteur": pl.String, "saisi_le": pl.Datetime("us"),
                  "modifie_le": pl.Datetime("us")}
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TRUE, _FALSE = {"true", "1", "oui", "on", "yes"}, {"false", "0", "non", "off", "no", ""}


class InvalidReport(ValueError):
    """Values a form cannot store: ``errors`` maps each field at fault to its French message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k} : {v}" for k, v in errors.items()))
        self.errors = errors


class ReportRefused(PermissionError):
    """A correction or deletion this user may not make (French message)."""


def form_columns(spec: Dataset) -> list[Column]:
    """The fields a form asks for, in the catalog's order."""
    return [c for c in spec.columns if c.name not in SYSTEM_COLUMNS and c.asked]


def label(column: Column) -> str:
    return column.label or column.name


def _number(value, kind: type):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        number = value
    else:
        text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        number = float(text)
    if kind is int:
        if float(number) != int(float(number)):
            raise ValueError
        return int(float(number))
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError
    return float(number)


def _bound(number: float) -> str:
    """A bound as the agent writes it: 2000000 -> "2 000 000", 0.1 -> "0,1" (not Python's "2e+06")."""
    return f"{number:,.3f}".rstrip("0").rstrip(".").replace(",", "\u202f").replace(".", ",")


def _one(column: Column, value, today: date, choices: set[str] | None):
    """The stored form of one value, or ValueError with the French reason."""
    kind = column.type
    if kind == "int" or kind == "float":
        try:
            number = _number(value, int if kind == "int" else float)
        except (TypeError, ValueError):
            raise ValueError("un nombre entier est attendu" if kind == "int" else "un nombre est attendu") from None
        if column.minimum is not None and number < column.minimum:
            raise ValueError(f"doit être au moins {_bound(column.minimum)}")
        if column.maximum is not None and number > column.maximum:
            raise ValueError(f"doit être au plus {_bound(column.maximum)}")
        return number
    if kind == "bool":
        text = str(value).strip().lower() if not isinstance(value, bool) else ("true" if value else "false")
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("oui ou non est attendu")
    if kind == "date":
        try:
            day = date.fromisoformat(str(value)[:10]) if not isinstance(value, date) else value
        except ValueError:
            raise ValueError("une date (JJ/MM/AAAA) est attendue") from None
        if not column.future and day > today:
            raise ValueError("la date ne peut pas être dans le futur")
        if day.year < 2000:
            raise ValueError("la date est trop ancienne")
        return day.isoformat()
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError("une date et une heure sont attendues") from None
        return moment.replace(tzinfo=None).isoformat()
    if not isinstance(value, (str, int, float)):
        raise ValueError("un texte est attendu")
    text = " ".join(str(value).split()) if not column.photo else str(value).strip()
    if len(text) > column.max_length:
        raise ValueError(f"{column.max_length} caractères au plus ({len(text)} saisis)")
    if column.vocabulary:
        allowed = [canonical for canonical, _ in column.vocabulary]
        if text not in allowed:
            raise ValueError(f"choisissez parmi : {', '.join(allowed)}")
    if choices is not None and text not in choices:
        raise ValueError("valeur inconnue ou non autorisée")
    return text


def clean(spec: Dataset, raw: dict, today: date, choices: dict[str, set[str]] | None = None) -> dict:
    """The values to store, checked against the schema; InvalidReport lists every field at fault. Fields
    Pilote sets itself (``form = false``) are not read from ``raw``: the caller adds them."""
    if not isinstance(raw, dict):
        raise InvalidReport({"_": "formulaire illisible"})
    choices = choices or {}
    values, errors = {}, {}
    for column in form_columns(spec):
        value = raw.get(column.name)
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            needed = column.required or (column.required_if and raw.get(column.required_if) in (True, "true", "oui"))
            if needed and column.type != "bool":
                errors[column.name] = "champ obligatoire"
            values[column.name] = False if column.type == "bool" else None
            continue
        try:
            values[column.name] = _one(column, value, today, choices.get(column.name))
        except ValueError as exc:
            errors[column.name] = str(exc)
    if errors:
        raise InvalidReport(errors)
    return values


def check_token(token) -> str:
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        raise InvalidReport({"_": "jeton de formulaire invalide : rechargez la page"})
    return token


@dataclass(frozen=True)
class Stored:
    report: FieldReport
    created: bool  # False: the token had already stored this report (a double tap, a retry)


def submit(s: Session, spec: Dataset, values: dict, author: str, token: str,
           commune_code: str | None = None, client: str | None = None) -> Stored:
    check_token(token)
    existing = s.scalar(select(FieldReport).where(FieldReport.token == token))
    if existing is not None:
        if existing.author != author or existing.dataset != spec.key:
            raise InvalidReport({"_": "jeton de formulaire déjà utilisé : rechargez la page"})
        return Stored(existing, False)
    now = utcnow()
    report = FieldReport(dataset=spec.key, token=token, values=json.dumps(values, ensure_ascii=False),
                         commune_code=commune_code, author=author, created_at=now, updated_at=now, updated_by=author,
                         revision=1)
    s.add(report)
    s.flush()
    audit(s, "report_create", author, f"{spec.key}#{report.id}", client, json.dumps(values, ensure_ascii=False))
    return Stored(report, True)


def editable(s: Session, spec: Dataset, report_id: int, actor: str, is_admin: bool, now: datetime) -> FieldReport:
    report = s.get(FieldReport, report_id)
    if report is None or report.dataset != spec.key or report.deleted_at is not None:
        raise ReportRefused("saisie introuvable")
    if not is_admin:
        if report.author != actor:
            raise ReportRefused("seul son auteur ou un administrateur peut modifier cette saisie")
        if now - report.created_at > CORRECTION_WINDOW:
            raise ReportRefused("le délai de correction de 24 h est passé : demandez à un administrateur")
    return report


def correct(s: Session, spec: Dataset, report_id: int, values: dict, actor: str, is_admin: bool = False,
            now: datetime | None = None, client: str | None = None, commune_code: str | None = None) -> FieldReport:
    now = now or utcnow()
    report = editable(s, spec, report_id, actor, is_admin, now)
    before = report.values
    report.values = json.dumps(values, ensure_ascii=False)
    if commune_code is not None:
        report.commune_code = commune_code
    report.updated_at, report.updated_by = now, actor
    report.revision += 1
    audit(s, "report_correct", actor, f"{spec.key}#{report.id}", client, f"avant : {before} ; après : {report.values}")
    return report


def delete(s: Session, spec: Dataset, report_id: int, actor: str, is_admin: bool = False,
           now: datetime | None = None, client: str | None = None) -> FieldReport:
    now = now or utcnow()
    report = editable(s, spec, report_id, actor, is_admin, now)
    report.deleted_at, report.deleted_by = now, actor
    report.updated_at, report.updated_by = now, actor
    report.revision += 1  # the version changes: dashboards drop it at once
    audit(s, "report_delete", actor, f"{spec.key}#{report.id}", client, report.values)
    return report


def recent(s: Session, spec: Dataset, actor: str, is_admin: bool = False, now: datetime | None = None,
           limit: int = 30) -> list[tuple[int, datetime, str, dict]]:
    """The reports ``actor`` may still correct, newest first: their own of the last 24 h; an administrator's
    list is the dataset's latest reports, whoever wrote them. (id, written at, author, values)."""
    now = now or utcnow()
    where = [FieldReport.dataset == spec.key, FieldReport.deleted_at.is_(None)]
    if not is_admin:
        where += [FieldReport.author == actor, FieldReport.created_at >= now - CORRECTION_WINDOW]
    rows = s.execute(select(FieldReport.id, FieldReport.created_at, FieldReport.author, FieldReport.values)
                     .where(*where).order_by(FieldReport.id.desc()).limit(limit)).all()
    return [(i, at, author, json.loads(values)) for i, at, author, values in rows]


def _version(count, last_id, revisions) -> str:
    return f"r{count}-{last_id or 0}-{revisions or 0}"


NO_REPORTS = _version(0, 0, 0)


def version(s: Session, key: str) -> str:
    """Changes whenever a report of ``key`` is added, corrected or deleted: the query cache's key."""
    return _version(*s.execute(select(func.count(), func.max(FieldReport.id), func.sum(FieldReport.revision))
                               .where(FieldReport.dataset == key)).one())


def versions(s: Session) -> dict[str, str]:
    """``version`` of every dataset that has reports, in one query (a page asks for several)."""
    rows = s.execute(select(FieldReport.dataset, func.count(), func.max(FieldReport.id), func.sum(FieldReport.revision))
                     .group_by(FieldReport.dataset)).all()
    return {dataset: _version(count, last_id, revisions) for dataset, count, last_id, revisions in rows}


def empty_frame(spec: Dataset) -> pl.DataFrame:
    return pl.DataFrame(schema={**spec.schema, **REPORT_COLUMNS})


def reports_frame(s: Session, spec: Dataset) -> pl.DataFrame:
    """The dataset's live reports, in its schema plus who wrote them and when (``demonstration`` false)."""
    rows = s.execute(select(FieldReport.id, FieldReport.values, FieldReport.author, FieldReport.created_at,
                            FieldReport.updated_at)
                     .where(FieldReport.dataset == spec.key, FieldReport.deleted_at.is_(None))
                     .order_by(FieldReport.id)).all()
    if not rows:
        return empty_frame(spec)
    records = []
    for report_id, values, author, created, updated in rows:
        record = {name: None for name in spec.schema}
        record.update({k: v for k, v in json.loads(values).items() if k in spec.schema})
        if "demonstration" in spec.schema:
            record["demonstration"] = False
        record.update(report_id=report_id, auteur=author, saisi_le=created, modifie_le=updated)
        records.append(record)
    strings = {name: pl.String for name, dtype in spec.schema.items() if dtype in (pl.Date, pl.Datetime("us"))}
    frame = pl.DataFrame(records, schema={**spec.schema, **strings, **REPORT_COLUMNS}, strict=False)
    return frame.with_columns([pl.col(n).str.to_date() if spec.schema[n] == pl.Date else pl.col(n).str.to_datetime()
                               for n in strings])


def export_csv(frame: pl.DataFrame, spec: Dataset) -> bytes:
    """UTF-8 CSV, ';'-separated, ISO dates, dot decimals: the catalog schema's columns in order, then who
    wrote each row and when; what an Opendatasoft portal harvests."""
    columns = [c.name for c in spec.columns] + [c for c in REPORT_COLUMNS if c in frame.columns]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(columns)
    for row in frame.select([c for c in columns if c in frame.columns]).iter_rows():
        writer.writerow(["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else
                                               ("true" if v is True else "false" if v is False else v)) for v in row])
    return out.getvalue().encode("utf-8")


def decode_uploads(contents: list, names: list, limit: int) -> list[bytes]:
    """dcc.Upload's data URLs as bytes; InvalidReport (on the photo field) when there are too many or one
    cannot be read."""
    import base64
    import binascii

    if len(contents) > limit:
        raise InvalidReport({"photos": f"{limit} photos au plus ({len(contents)} choisies)"})
    out = []
    for i, content in enumerate(contents):
        name = names[i] if i < len(names) and isinstance(names[i], str) else f"photo {i + 1}"
        if not isinstance(content, str) or "," not in content:
            raise InvalidReport({"photos": f"{name} : fichier illisible"})
        try:
            out.append(base64.b64decode(content.split(",", 1)[1], validate=True))
        except (binascii.Error, ValueError):
            raise InvalidReport({"photos": f"{name} : fichier illisible"}) from None
    return out


def _photo_rows(s: Session, spec: Dataset, photos: list, author: str) -> None:
    """One row per photo; the same photo sent by two reports at once is one row (insert or nothing)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from auth.models import FieldPhoto

    insert = (postgresql if s.get_bind().dialect.name == "postgresql" else sqlite).insert
    for photo in photos:
        s.execute(insert(FieldPhoto).values(sha256=photo.sha256, dataset=spec.key, width=photo.width,
                                            height=photo.height, size=len(photo.jpeg), uploaded_by=author,
                                            uploaded_at=utcnow()).on_conflict_do_nothing(index_elements=["sha256"]))


def amend(db, photo_store, spec: Dataset, report_id: int, values: dict, photos: list, actor: str,
          is_admin: bool = False, commune_code: str | None = None, client: str | None = None) -> FieldReport:
    """Correct report ``report_id`` with checked ``values`` (ReportRefused when ``actor`` may not). Without
    new photos, the report keeps its photos and their location."""
    for photo in photos:
        photo_store.save(photo)
    with db.session() as s:
        report = editable(s, spec, report_id, actor, is_admin, utcnow())
        if not photos and "photos" in values:
            before = json.loads(report.values)
            values = {**values, **{k: before.get(k) for k in ("photos", "lat", "lon") if k in values}}
        _photo_rows(s, spec, photos, actor)
        return correct(s, spec, report_id, values, actor, is_admin, client=client, commune_code=commune_code)


def record(db, photo_store, spec: Dataset, values: dict, photos: list, author: str, token: str,
           client: str | None = None, commune_code: str | None = None) -> Stored:
    """Store a checked report and its cleaned photos (``data_access.photos.Photo``) in one transaction.
    The same token twice (a double tap, two workers at once) is one record: the second finds the first."""
    from sqlalchemy.exc import IntegrityError

    for photo in photos:
        photo_store.save(photo)  # by content hash: a retry writes the same files
    try:
        with db.session() as s:
            commune_code = commune_code or values.get(spec.commune_column or "")
            stored = submit(s, spec, values, author, token, commune_code, client)
            if stored.created:
                _photo_rows(s, spec, photos, author)
            return stored
    except IntegrityError:  # another request stored this token first, between our look-up and our insert
        with db.read() as s:
            existing = s.scalar(select(FieldReport).where(FieldReport.token == token))
        if existing is None or existing.author != author:
            raise
        return Stored(existing, False)
