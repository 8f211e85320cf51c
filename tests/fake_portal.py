"""A local fake of the Opendatasoft Explore API v2.1 subset Pilote uses, for tests.

Standard library HTTP server (plus polars to build Parquet exports), bound to 127.0.0.1 on a free port,
served from a background thread. Datasets are registered in memory; faults can be queued per dataset to
reproduce what a real portal does on a bad day (5xx, 429 with Retry-After, slow answers, cut connections,
broken bodies, schema drift).

Usage::

    with FakePortal() as portal:
        portal.add_dataset("velib-disponibilite-en-temps-reel", records)
        portal.fail("velib-disponibilite-en-temps-reel", status(503), status(429, retry_after=1))
        ... client.get(f"{portal.base_url}/api/explore/v2.1/catalog/datasets/<id>/exports/json")

or the function-scoped pytest fixture ``fake_portal`` defined at the bottom of this module.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable
from urllib.parse import parse_qs, unquote, urlsplit

import polars as pl
import pytest

API_PREFIX = "/api/explore/v2.1"
ALL_FORMATS = ("json", "csv", "parquet")
RECORDS_ENDPOINT_MAX_LIMIT = 100  # real portal: -1 <= limit <= 100 on /records
RECORDS_ENDPOINT_WINDOW = 10_000  # real portal: offset + limit <= 10000 on /records

# error_code values modelled on what ODS answers; the default body of a status() fault.
_ERROR_CODES = {
    400: ("InvalidRESTParameterError", "Invalid value for an API parameter."),
    401: ("AuthenticationRequired", "Authentication required: use an API key."),
    403: ("Forbidden", "You do not have access to this resource."),
    404: ("NotFound", "Resource not found."),
    429: ("TooManyRequests", "Too many requests on the domain. Please retry later."),
    500: ("InternalServerError", "An unexpected error occurred."),
    502: ("BadGateway", "Bad gateway."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable."),
    504: ("GatewayTimeout", "Gateway timeout."),
}


# --------------------------------------------------------------------------------------------------- faults
@dataclass(frozen=True)
class Fault:
    """One way of answering badly. Build with the factory functions below rather than directly."""

    kind: str  # status | delay | truncated | malformed_json | renamed_field | wrong_type
    code: int = 200
    retry_after: float | None = None
    body: Any = None
    seconds: float = 0.0
    old: str = ""
    new: str = ""
    field: str = ""
    value: Any = None


def status(code: int, retry_after: float | None = None, body: Any = None) -> Fault:
    """Answer `code`. body: None (ODS-style JSON error), a dict (JSON), or str/bytes (sent as-is)."""
    return Fault("status", code=code, retry_after=retry_after, body=body)


def delay(seconds: float) -> Fault:
    """Sleep before answering normally; interrupted by FakePortal.stop() so tests never hang."""
    return Fault("delay", seconds=seconds)


def truncated() -> Fault:
    """Announce the full Content-Length, send half the body, close the connection."""
    return Fault("truncated")


def malformed_json() -> Fault:
    """200 with the right Content-Type but an unparsable body (garbage bytes for csv/parquet)."""
    return Fault("malformed_json")


def renamed_field(old: str, new: str) -> Fault:
    """Schema drift on the portal: field `old` is now called `new` (metadata included)."""
    return Fault("renamed_field", old=old, new=new)


def wrong_type(field_name: str, value: Any) -> Fault:
    """Every record carries `value` (e.g. "beaucoup") in `field_name`."""
    return Fault("wrong_type", field=field_name, value=value)


# ------------------------------------------------------------------------------------------------ datasets
@dataclass
class RequestLog:
    method: str
    path: str
    query: dict[str, str | list[str]]  # parse_qs, single values flattened to a str
    headers: dict[str, str]


@dataclass
class _Dataset:
    dataset_id: str
    records: list[dict]
    fields: list[dict]
    api_key: str | None
    formats: tuple[str, ...]
    title: str
    modified: str
    license: str
    faults: deque = field(default_factory=deque)
    always: Fault | None = None
    honour_where: bool = True


def _infer_type(value: Any) -> str:
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, dict) and {"lon", "lat"} <= value.keys():
        return "geo_point_2d"
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return "date"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", value):
            return "datetime"
    return "text"


def infer_fields(records: list[dict]) -> list[dict]:
    """ODS field descriptions from the records: first non-null value decides the type."""
    names: dict[str, str] = {}
    for record in records:
        for name, value in record.items():
            if names.get(name) is None:
                names[name] = None if value is None else _infer_type(value)
    return [
        {"name": n, "label": n.replace("_", " ").capitalize(), "type": t or "text", "description": None,
         "annotations": {}}
        for n, t in names.items()
    ]


_WHERE_CLAUSE = re.compile(r"""\s*`?(\w+)`?\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?)\s*""")


def _parse_where(where: str) -> list[tuple[str, str]] | None:
    """Tiny ODSQL subset: `a="x" OR a='y' OR b=3`. Anything else -> None (filter ignored)."""
    clauses = []
    for part in re.split(r"\s+or\s+", where.strip(), flags=re.IGNORECASE):
        m = _WHERE_CLAUSE.fullmatch(part)
        if not m:
            return None
        raw = m.group(2)
        clauses.append((m.group(1), raw[1:-1] if raw[0] in "\"'" else raw))
    return clauses


def _matches(record: dict, clauses: list[tuple[str, str]]) -> bool:
    return any(_scalar_text(record.get(name)) == value for name, value in clauses)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------------------------- encoders
def _csv_cell(value: Any) -> str:
    if isinstance(value, dict) and {"lon", "lat"} <= value.keys():
        return f"{value['lat']}, {value['lon']}"  # ODS writes geo_point_2d as "lat, lon"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return _scalar_text(value)


def _encode_csv(records: list[dict], fields: list[dict]) -> bytes:
    names = [f["name"] for f in fields]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(names)
    for record in records:
        writer.writerow([_csv_cell(record.get(n)) for n in names])
    return out.getvalue().encode("utf-8")


_POLARS_TYPES = {
    "int": pl.Int64,
    "double": pl.Float64,
    "boolean": pl.Boolean,
    "text": pl.String,
    "geo_point_2d": pl.Struct({"lon": pl.Float64, "lat": pl.Float64}),
}


def _parquet_column(name: str, ods_type: str, values: list) -> pl.Series:
    """Typed column when the values fit the declared type, else a string column (as drift would give)."""
    try:
        if ods_type == "date":
            return pl.Series(name, values, dtype=pl.String).str.to_date("%Y-%m-%d")
        if ods_type == "datetime":
            return pl.Series(name, values, dtype=pl.String).str.to_datetime(time_zone="UTC")
        return pl.Series(name, values, dtype=_POLARS_TYPES.get(ods_type, pl.String), strict=True)
    except Exception:  # noqa: BLE001 - any mismatch: degrade to text, like a portal re-typing a field
        return pl.Series(name, [None if v is None else _csv_cell(v) for v in values], dtype=pl.String)


def _encode_parquet(records: list[dict], fields: list[dict]) -> bytes:
    columns = [
        _parquet_column(f["name"], f.get("type", "text"), [r.get(f["name"]) for r in records]) for f in fields
    ]
    out = io.BytesIO()
    pl.DataFrame(columns).write_parquet(out)
    return out.getvalue()


def _ods_error(code: int, message: str | None = None, error_code: str | None = None) -> dict:
    default_code, default_message = _ERROR_CODES.get(code, ("HTTPError", f"HTTP {code}"))
    return {"error_code": error_code or default_code, "message": message or default_message}


# ---------------------------------------------------------------------------------------------------- server
class _Server(ThreadingHTTPServer):
    # Non-daemon handler threads are tracked and joined by server_close(): nothing leaks past stop().
    daemon_threads = False
    block_on_close = True
    portal: "FakePortal"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive like a real portal; stop() cuts idle connections

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def setup(self) -> None:
        super().setup()
        self.server.portal._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.portal._track(self.connection, add=False)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        try:
            self.server.portal._handle(self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # client gave up (e.g. its timeout fired during a delay)

    def _other_method(self) -> None:
        self.server.portal._log(self)
        self.send_json(405, _ods_error(405, "Only the GET method is supported.", "MethodNotAllowed"))

    do_POST = do_PUT = do_DELETE = do_PATCH = _other_method  # noqa: N815

    # -- response helpers
    def send_body(self, code: int, body: bytes, content_type: str, extra: dict | None = None,
                  content_length: int | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def send_json(self, code: int, payload: Any, extra: dict | None = None) -> None:
        self.send_body(code, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                       "application/json; charset=utf-8", extra)


_DATASET_PATH = re.compile(
    re.escape(API_PREFIX) + r"/catalog/datasets/(?P<id>[^/]+)(?:/(?P<sub>exports|records)(?:/(?P<fmt>[^/]+))?)?/?"
)
_CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/octet-stream",
}


class FakePortal:
    """An in-memory ODS portal served over real HTTP on 127.0.0.1."""

    def __init__(self) -> None:
        self.requests: list[RequestLog] = []
        self._datasets: dict[str, _Dataset] = {}
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle
    def start(self) -> "FakePortal":
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.portal = self
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-portal", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a delay() fault
        self._server.shutdown()
        with self._lock:
            open_connections = list(self._connections)
        for conn in open_connections:  # idle keep-alive connections would block server_close()'s join
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "FakePortal":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuration
    def add_dataset(self, dataset_id: str, records: list[dict], fields: list[dict] | None = None,
                    api_key: str | None = None, formats: Iterable[str] = ALL_FORMATS, *,
                    title: str | None = None, modified: str = "2026-03-05T06:00:00+00:00",
                    license: str = "Licence Ouverte v2.0 (Etalab)", honour_where: bool = True) -> None:  # noqa: A002
        """Register (or replace) a dataset. api_key set -> private: requests need `Authorization: Apikey <key>`.

        honour_where=False: the `where` filter is ignored, as by a portal whose field differs from the catalog's.
        """
        ds = _Dataset(
            dataset_id=dataset_id,
            records=[dict(r) for r in records],
            fields=[dict(f) for f in fields] if fields is not None else infer_fields(records),
            api_key=api_key,
            formats=tuple(formats),
            title=title or dataset_id.replace("-", " ").capitalize(),
            modified=modified,
            license=license,
            honour_where=honour_where,
        )
        with self._lock:
            self._datasets[dataset_id] = ds

    def fail(self, dataset_id: str, *faults: Fault) -> None:
        """Queue faults, consumed one per request to the dataset's exports endpoint."""
        with self._lock:
            self._datasets[dataset_id].faults.extend(faults)

    def set_always(self, dataset_id: str, fault: Fault | None) -> None:
        """Serve `fault` on every request to the dataset (metadata, exports, records); None clears it."""
        with self._lock:
            self._datasets[dataset_id].always = fault

    def requests_to(self, dataset_id: str, sub: str | None = None) -> list[RequestLog]:
        """Logged requests for one dataset; sub = "exports" / "records" / "" (metadata) narrows it."""
        prefix = f"{API_PREFIX}/catalog/datasets/{dataset_id}"
        with self._lock:
            logged = list(self.requests)
        out = []
        for r in logged:
            m = _DATASET_PATH.fullmatch(r.path)
            if m and unquote(m.group("id")) == dataset_id and r.path.startswith(prefix):
                if sub is None or (m.group("sub") or "") == sub:
                    out.append(r)
        return out

    # -- request handling (runs in handler threads)
    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def _log(self, h: _Handler) -> tuple[str, dict]:
        split = urlsplit(h.path)
        query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(RequestLog(h.command, split.path, query, dict(h.headers.items())))
        return split.path, query

    def _handle(self, h: _Handler) -> None:
        path, query = self._log(h)
        m = _DATASET_PATH.fullmatch(path)
        if not m or (m.group("sub") == "exports") != (m.group("fmt") is not None):
            return h.send_json(404, _ods_error(404, f"Unknown path: {path}"))
        dataset_id, sub, fmt = unquote(m.group("id")), m.group("sub"), m.group("fmt")
        with self._lock:
            ds = self._datasets.get(dataset_id)
            if ds is not None:
                records, fields = list(ds.records), [dict(f) for f in ds.fields]
        if ds is None:
            return h.send_json(404, _ods_error(404, f"Unknown dataset: {dataset_id}", "UnknownDatasetError"))
        if ds.api_key is not None and h.headers.get("Authorization", "") != f"Apikey {ds.api_key}":
            # Auth is checked before faults: a rejected request does not consume a queued fault.
            return h.send_json(401, _ods_error(401))

        fault = self._next_fault(ds, consume_queue=(sub == "exports"))
        if fault is not None and fault.kind == "status":
            return self._send_status_fault(h, fault)
        if fault is not None and fault.kind == "delay":
            if self._stopping.wait(fault.seconds):
                h.close_connection = True
                return
        if fault is not None and fault.kind in ("renamed_field", "wrong_type"):
            records, fields = _apply_data_fault(fault, records, fields)

        if sub is None:
            code, body, ctype = 200, self._metadata(ds, records, fields), _CONTENT_TYPES["json"]
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        elif sub == "records":
            code, body, ctype = self._records_endpoint(records, fields, query)
        else:
            code, body, ctype = self._export(ds, fmt, records, fields, query)

        if fault is not None and code == 200:
            if fault.kind == "truncated":
                h.close_connection = True
                return h.send_body(200, body[: len(body) // 2], ctype, content_length=len(body))
            if fault.kind == "malformed_json":
                body = _malformed(fmt or "json", body)
        h.send_body(code, body, ctype)

    def _next_fault(self, ds: _Dataset, consume_queue: bool) -> Fault | None:
        with self._lock:
            if ds.always is not None:
                return ds.always
            if consume_queue and ds.faults:
                return ds.faults.popleft()
        return None

    @staticmethod
    def _send_status_fault(h: _Handler, fault: Fault) -> None:
        extra = {}
        if fault.retry_after is not None:
            ra = fault.retry_after
            extra["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
        body = fault.body
        if body is None or isinstance(body, (dict, list)):
            payload = _ods_error(fault.code) if body is None else body
            return h.send_json(fault.code, payload, extra)
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        ctype = "text/html; charset=utf-8" if raw.lstrip().startswith(b"<") else "text/plain; charset=utf-8"
        h.send_body(fault.code, raw, ctype, extra)

    @staticmethod
    def _metadata(ds: _Dataset, records: list[dict], fields: list[dict]) -> dict:
        return {
            "dataset_id": ds.dataset_id,
            "dataset_uid": f"da_{abs(hash(ds.dataset_id)) % 10**6:06d}",
            "has_records": bool(records),
            "data_visible": True,
            "features": ["analyze", "geo"] if any(f.get("type") == "geo_point_2d" for f in fields) else ["analyze"],
            "metas": {
                "default": {
                    "title": ds.title,
                    "records_count": len(records),
                    "modified": ds.modified,
                    "data_processed": ds.modified,
                    "license": ds.license,
                    "publisher": "Fake portal",
                    "language": "fr",
                    "timezone": "Europe/Paris",
                }
            },
            "fields": fields,
        }

    @staticmethod
    def _filter(records: list[dict], query: dict, honour_where: bool = True) -> list[dict]:
        where = query.get("where") if honour_where else None
        clauses = _parse_where(where) if isinstance(where, str) and where.strip() else None
        return [r for r in records if _matches(r, clauses)] if clauses else records

    def _records_endpoint(self, records: list[dict], fields: list[dict], query: dict) -> tuple[int, bytes, str]:
        """The paginated endpoint, with the real 10,000-record window (Pilote must not depend on it)."""
        try:
            limit = int(query.get("limit", 10))
            offset = int(query.get("offset", 0))
        except (TypeError, ValueError):
            return 400, _json_bytes(_ods_error(400)), _CONTENT_TYPES["json"]
        if not -1 <= limit <= RECORDS_ENDPOINT_MAX_LIMIT:
            msg = (f"Invalid value for limit API parameter: {limit} was found but "
                   f"-1 <= limit <= {RECORDS_ENDPOINT_MAX_LIMIT} is expected.")
            return 400, _json_bytes(_ods_error(400, msg)), _CONTENT_TYPES["json"]
        effective = RECORDS_ENDPOINT_MAX_LIMIT if limit == -1 else limit
        if offset < 0 or offset + effective > RECORDS_ENDPOINT_WINDOW:
            msg = (f"Invalid value for offset API parameter: offset + limit = {offset + effective} was found but "
                   f"offset + limit <= {RECORDS_ENDPOINT_WINDOW} is expected.")
            return 400, _json_bytes(_ods_error(400, msg)), _CONTENT_TYPES["json"]
        selected = self._filter(records, query)
        payload = {"total_count": len(selected), "results": selected[offset: offset + effective]}
        return 200, _json_bytes(payload), _CONTENT_TYPES["json"]

    def _export(self, ds: _Dataset, fmt: str, records: list[dict], fields: list[dict],
                query: dict) -> tuple[int, bytes, str]:
        if fmt not in ALL_FORMATS:
            return 400, _json_bytes(_ods_error(400, f"Unknown export format: {fmt}", "UnknownExportFormat")), \
                _CONTENT_TYPES["json"]
        if fmt not in ds.formats:
            msg = f"The export format '{fmt}' is not available for this dataset."
            return 400, _json_bytes(_ods_error(400, msg, "InvalidExportFormat")), _CONTENT_TYPES["json"]
        selected = self._filter(records, query, ds.honour_where)
        limit = query.get("limit", "-1")
        try:
            limit = int(limit)
        except (TypeError, ValueError):
            return 400, _json_bytes(_ods_error(400, f"Invalid value for limit API parameter: {limit}")), \
                _CONTENT_TYPES["json"]
        if limit >= 0:
            selected = selected[:limit]
        if fmt == "json":
            body = _json_bytes(selected)
        elif fmt == "csv":
            body = _encode_csv(selected, fields)
        else:
            body = _encode_parquet(selected, fields)
        return 200, body, _CONTENT_TYPES[fmt]


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _apply_data_fault(fault: Fault, records: list[dict], fields: list[dict]) -> tuple[list[dict], list[dict]]:
    if fault.kind == "renamed_field":
        records = [{(fault.new if k == fault.old else k): v for k, v in r.items()} for r in records]
        for f in fields:
            if f["name"] == fault.old:
                f["name"] = fault.new
        return records, fields
    records = [{**r, fault.field: fault.value} for r in records]
    # The metadata follows the data, as when a portal administrator re-types a field.
    for f in fields:
        if f["name"] == fault.field:
            f["type"] = _infer_type(fault.value) if fault.value is not None else f["type"]
    if fault.field not in {f["name"] for f in fields}:
        fields.append({"name": fault.field, "label": fault.field, "type": _infer_type(fault.value)})
    return records, fields


def _malformed(fmt: str, body: bytes) -> bytes:
    if fmt == "parquet":
        # Parquet magic but no valid footer: readers fail on it.
        return b"PAR1" + bytes(range(256)) * 4 + b"\x00\x00"
    if fmt == "csv":
        return b"\xff\xfe\x00\x9c garbage;\x00\x01\x02\r\n\x80\x81"  # not UTF-8
    # A proper prefix of a JSON array/object is never valid JSON (it lacks the closing bracket).
    return body[: max(1, len(body) // 2)]


# ------------------------------------------------------------------------------------------------ sample data
_ARRONDISSEMENTS = [("Paris", "75056"), ("Issy-les-Moulineaux", "92040"), ("Boulogne-Billancourt", "92012"),
                    ("Vanves", "92075"), ("Meudon", "92048")]


def velib_records(n: int) -> list[dict]:
    """`n` deterministic records shaped like the real Vélib' availability dataset."""
    out = []
    for i in range(n):
        commune, insee = _ARRONDISSEMENTS[i % len(_ARRONDISSEMENTS)]
        capacity = 20 + i % 40
        mechanical, ebike = i % 11, i % 7
        docks = max(capacity - mechanical - ebike, 0)
        installed = i % 50 != 0
        out.append({
            "stationcode": str(10000 + i),
            "name": f"Station {i} - Rue de test",
            "is_installed": "OUI" if installed else "NON",
            "capacity": capacity,
            "numdocksavailable": docks,
            "numbikesavailable": mechanical + ebike,
            "mechanical": mechanical,
            "ebike": ebike,
            "is_renting": "OUI" if installed else "NON",
            "is_returning": "OUI" if installed else "NON",
            "duedate": f"2026-03-05T{8 + i % 10:02d}:{i % 60:02d}:00+00:00",
            "coordonnees_geo": {"lon": round(2.25 + (i % 997) * 0.0002, 6),
                                "lat": round(48.80 + (i % 991) * 0.0001, 6)},
            "nom_arrondissement_communes": commune,
            "code_insee_commune": insee,
        })
    return out


_GPSO_CSV = Path(__file__).resolve().parent.parent / "data" / "sources" / "velib-disponibilite-en-temps-reel_gpso_2026-04-06.csv"
# Label of the ODS label export -> API field name, and how to type its value.
_VELIB_LABELS = {
    "Identifiant station": ("stationcode", str),
    "Nom station": ("name", str),
    "Station en fonctionnement": ("is_installed", str),
    "Capacité de la station": ("capacity", int),
    "Nombre bornettes libres": ("numdocksavailable", int),
    "Nombre total vélos disponibles": ("numbikesavailable", int),
    "Vélos mécaniques disponibles": ("mechanical", int),
    "Vélos électriques disponibles": ("ebike", int),
    "Borne de paiement disponible": ("is_renting", str),
    "Retour vélib possible": ("is_returning", str),
    "Actualisation de la donnée": ("duedate", str),
    "Coordonnées géographiques": ("coordonnees_geo", None),
    "Nom communes équipées": ("nom_arrondissement_communes", str),
    "Code INSEE communes équipées": ("code_insee_commune", str),
}


def gpso_velib_records() -> list[dict]:
    """The 73 real GPSO Vélib' stations of data/sources, as the API (not the label export) names and types them."""
    text = _GPSO_CSV.read_text(encoding="utf-8-sig")
    out = []
    for row in csv.DictReader(io.StringIO(text), delimiter=";"):
        record = {}
        for label, (name, kind) in _VELIB_LABELS.items():
            value = row[label]
            if kind is None:  # "lat, lon" -> geo_point_2d {lon, lat}
                lat, lon = (float(part) for part in value.split(","))
                record[name] = {"lon": lon, "lat": lat}
            else:
                record[name] = kind(value) if value != "" else None
        out.append(record)
    return out


# ---------------------------------------------------------------------------------------------------- fixture
@pytest.fixture
def fake_portal():
    """A started FakePortal, stopped after the test."""
    portal = FakePortal().start()
    try:
        yield portal
    finally:
        portal.stop()


__all__ = [
    "FakePortal", "Fault", "RequestLog", "delay", "fake_portal", "gpso_velib_records", "infer_fields", "malformed_json",
    "renamed_field", "status", "truncated", "velib_records", "wrong_type",
]
