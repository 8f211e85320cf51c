"""Refreshing a dataset: portal export → mapping → validation → atomic snapshot swap.

Any failure leaves the last good snapshot in place and records why in its metadata.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from data_access.catalog import Catalog, Dataset
from data_access.errors import DataError, ValidationFailed
from data_access.mapping import map_frame
from data_access.portal import PortalClient
from data_access.snapshots import SnapshotStore
from data_access.validation import drop_exact_duplicates, validate

log = logging.getLogger(__name__)

ClientFactory = Callable[[str, str | None], PortalClient]  # (base_url, api_key) -> client


@dataclass(frozen=True)
class Outcome:
    key: str
    ok: bool
    rows: int
    bad_rows: int
    seconds: float
    message: str  # "73 rows (json)" or the one-line reason of the failure


def client_factory_from(settings) -> ClientFactory:
    """Portal clients with the timeout, retries and backoff of ``settings`` (PILOTE_PORTAL_*)."""
    def factory(base_url: str, api_key: str | None) -> PortalClient:
        return PortalClient(base_url, api_key, timeout=settings.portal_timeout,
                            max_retries=settings.portal_retries, backoff=settings.portal_backoff)
    return factory


def territory_where(spec: Dataset, codes: frozenset[str]) -> str | None:
    """ODSQL filter asking the portal for the territory's communes only."""
    if not spec.portal_commune_field:
        return None
    return " OR ".join(f'{spec.portal_commune_field}="{code}"' for code in sorted(codes))


def refresh_dataset(spec: Dataset, catalog: Catalog, store: SnapshotStore, *, api_key: str | None = None,
                    portal_url: str | None = None, client_factory: ClientFactory | None = None) -> Outcome:
    started = time.monotonic()
    codes = catalog.territory.codes
    factory = client_factory or (lambda url, key: PortalClient(url, key))
    # The API key goes to internal datasets only: public ones may live on other portals.
    key = api_key if spec.visibility == "internal" else None
    try:
        with factory(portal_url or spec.portal_url, key) as client:
            export = client.export(spec.dataset_id, spec.formats, where=territory_where(spec, codes))
        if export.frame.height == 0:  # said plainly, rather than as "missing fields" of a column-less frame
            raise ValidationFailed(f"empty export: the portal sent 0 records ({export.format})", export.url)
        mapped = map_frame(export.frame, spec, codes, bbox=catalog.territory.bbox)
        notes = [f"{mapped.bad_count} bad rows dropped: " + "; ".join(
            f"row {b.row + 1} {b.column}={b.value!r}" for b in mapped.bad_rows[:5])] if mapped.bad_count else []
        notes += mapped.notes
        frame, copies = drop_exact_duplicates(mapped.frame)
        if copies:
            notes.append(f"{copies} identical duplicate row(s) dropped")
        meta = store.write(spec.key, frame, source_url=export.url, origin="portal",
                           schema_hash=spec.schema_hash, bad_rows=mapped.bad_count + copies, notes=notes,
                           territory=catalog.territory.identity, dataset=spec.identity,
                           check=lambda frame: validate(frame, spec, codes))
    except DataError as exc:
        reason = exc.reason()
    except Exception as exc:  # noqa: BLE001 - an unexpected bug must not take the last good data with it
        log.exception("refresh of %s failed unexpectedly", spec.key)
        reason = f"unexpected error: {type(exc).__name__}: {exc}"
    else:
        message = f"{meta.rows} rows ({export.format})" + (f", {mapped.bad_count} bad rows dropped" if mapped.bad_count else "")
        log.info("refreshed %s: %s", spec.key, message)
        return Outcome(spec.key, True, meta.rows, mapped.bad_count, time.monotonic() - started, message)
    log.warning("refresh of %s failed: %s", spec.key, reason)
    meta = store.record_failure(spec.key, reason)
    return Outcome(spec.key, False, meta.rows, 0, time.monotonic() - started, reason)
