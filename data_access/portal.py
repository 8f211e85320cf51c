"""Client for the Opendatasoft Explore API v2.1.

Whole datasets come from ``/catalog/datasets/{id}/exports/{format}``: unlike ``/records``, exports have no
10,000-record ceiling (offset + limit), so no pagination is needed. Transient failures (429, 5xx, dropped
connections) are retried a bounded number of times with exponential backoff, honouring ``Retry-After``.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

import httpx
import polars as pl

from data_access.errors import (BadRequest, InvalidPayload, NotFound, PortalError, PortalTimeout,
                                RateLimited, ServerError, Unauthorized)

API = "/api/explore/v2.1"
USER_AGENT = "Pilote/0.1 (tableau de bord territorial)"


@dataclass(frozen=True)
class Export:
    frame: pl.DataFrame  # portal fields as they came, before mapping
    url: str
    format: str


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:  # HTTP-date form
            when = parsedate_to_datetime(value)
            return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


def _one_line(text: object, limit: int = 200) -> str:
    """Library messages may span lines; a reason shown by `status` and /healthz must not."""
    return " ".join(str(text).split())[:limit]


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
        if isinstance(body, dict):
            return str(body.get("message") or body.get("error") or body)[:300]
    except ValueError:
        pass
    return (response.text or response.reason_phrase or "")[:300].strip()


class PortalClient:
    def __init__(self, base_url: str, api_key: str | None = None, *, timeout: float = 30.0,
                 max_retries: int = 4, backoff: float = 0.5, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait  # a Retry-After longer than this is not waited for: we give up instead
        self.sleep = sleep
        headers = {"User-Agent": USER_AGENT}
        if api_key:
            headers["Authorization"] = f"Apikey {api_key}"
        self._http = httpx.Client(headers=headers, timeout=timeout, follow_redirects=True, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "PortalClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport with retries --------------------------------------------------------------------
    def _get(self, path: str, params: dict | None = None) -> httpx.Response:
        url = f"{self.base_url}{API}{path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.get(url, params=params)
                # Reading the body here turns a connection dropped mid-body into a retryable error.
                response.read()
            except httpx.TimeoutException as exc:
                error: PortalError = PortalTimeout(f"no answer within {self._http.timeout.read} s", url)
                wait = None
                cause = exc
            except httpx.TransportError as exc:
                error = ServerError(f"connection failed or body incomplete ({type(exc).__name__}: {_one_line(exc)})", url)
                wait = None
                cause = exc
            else:
                if response.status_code < 400:
                    return response
                error, retryable = self._classify(response, url)
                if not retryable:
                    raise error
                wait = _retry_after(response)
                cause = None
            if attempt > self.max_retries:
                raise error from cause
            delay = wait if wait is not None else self.backoff * 2 ** (attempt - 1)
            if delay > self.max_wait:
                raise error from cause
            self.sleep(delay)

    @staticmethod
    def _classify(response: httpx.Response, url: str) -> tuple[PortalError, bool]:
        code = response.status_code
        message = f"HTTP {code}: {_error_message(response)}"
        if code in (401, 403):
            return Unauthorized(message + " (API key missing or not granted)", url), False
        if code == 404:
            return NotFound(message, url), False
        if code == 429:
            return RateLimited(message, url), True
        if code >= 500:
            return ServerError(message, url), True
        return BadRequest(message, url), False

    # -- API ---------------------------------------------------------------------------------------
    def dataset_metadata(self, dataset_id: str) -> dict:
        response = self._get(f"/catalog/datasets/{dataset_id}")
        try:
            return response.json()
        except ValueError as exc:
            raise InvalidPayload(f"metadata is not JSON: {exc}", str(response.url)) from exc

    def export(self, dataset_id: str, formats: tuple[str, ...] = ("parquet", "json", "csv"),
               where: str | None = None) -> Export:
        """The whole dataset as a raw frame, in the first format the portal serves and we can read.

        Falls back to the next format when the portal refuses one (400) or sends an unreadable body;
        authorisation, absence, rate limiting and server errors are final for every format.
        """
        failures: list[tuple[str, PortalError | InvalidPayload]] = []
        for fmt in formats:
            params = {"limit": -1}
            if where:
                params["where"] = where
            if fmt == "csv":
                params["delimiter"] = ";"
            try:
                response = self._get(f"/catalog/datasets/{dataset_id}/exports/{fmt}", params)
                return Export(parse_export(response.content, fmt, str(response.url)), str(response.url), fmt)
            except (BadRequest, InvalidPayload) as exc:
                failures.append((fmt, exc))
        if len(failures) == 1:
            raise failures[0][1]
        # Every format failed: say why for each, as an invalid payload if any body was unreadable.
        kind = InvalidPayload if any(isinstance(e, InvalidPayload) for _, e in failures) else BadRequest
        detail = "; ".join(f"{fmt}: {exc.message}" for fmt, exc in failures)
        raise kind(f"no usable export ({detail})", failures[-1][1].url) from failures[-1][1]


def parse_export(content: bytes, fmt: str, url: str = "") -> pl.DataFrame:
    """Read an export body into a frame of portal fields; unreadable bodies raise InvalidPayload."""
    if not content:
        raise InvalidPayload(f"empty {fmt} body", url)
    try:
        if fmt == "parquet":
            return pl.read_parquet(io.BytesIO(content))
        if fmt == "json":
            records = json.loads(content)
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise InvalidPayload("JSON export is not a list of records", url)
            return pl.from_dicts(records, infer_schema_length=None) if records else pl.DataFrame()
        if fmt == "csv":
            return read_ods_csv(content)
    except InvalidPayload:
        raise
    except Exception as exc:  # polars/json raise many types for corrupt input; all mean the same here
        raise InvalidPayload(f"unreadable {fmt} body ({type(exc).__name__}: {_one_line(exc)})", url) from exc
    raise ValueError(f"unknown export format {fmt!r}")


def read_ods_csv(content: bytes | str) -> pl.DataFrame:
    """An ODS CSV export (';' delimiter, optional BOM) as all-string columns: mapping does the typing."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    return pl.read_csv(io.BytesIO(content), separator=";", infer_schema=False, quote_char='"')
