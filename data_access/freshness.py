"""Is a dataset "à jour"? Judged by the age of the data served against the dataset's ``refresh_every``.

A dataset is fresh while its age is under ``refresh_every`` plus a tolerance: half the cadence, and at
least ``GRACE_MINUTES`` (a 5-minute feed fetched by cron at 10:00 is still fresh at 10:09, not at 10:11).
Beyond that, or when the latest refresh failed, it is stale ("périmé"): the last good data is served.
Demonstration and reference data are never fetched, so their age says nothing: they have states of their own.
"""

from __future__ import annotations

from datetime import datetime

TOLERANCE = 0.5  # share of refresh_every added before a dataset counts as too old
GRACE_MINUTES = 5

FRESH, STALE, FAILED, MISSING, DEMO, REFERENCE = "fresh", "stale", "failed", "missing", "demo", "reference"
REPORTS = "reports"  # a collaborative dataset: agents' reports, current at every render
DEGRADED = frozenset({STALE, FAILED, MISSING})  # what /healthz, status and the catalogue flag

LABELS = {
    FRESH: "À jour",
    STALE: "Périmé",
    FAILED: "En échec",
    MISSING: "Pas encore de données",
    DEMO: "Démonstration",
    REFERENCE: "Référence",
    REPORTS: "Saisies des agents",
}


def max_age_seconds(refresh_minutes: int) -> int:
    return int(60 * (refresh_minutes + max(refresh_minutes * TOLERANCE, GRACE_MINUTES)))


def judge(spec, meta, now: datetime) -> tuple[str, str | None]:
    """(state, reason): reason says why a dataset is not fresh, in French, or None."""
    if spec.collaborative:
        return REPORTS, None
    if not meta.has_data:
        if meta.last_error:
            return FAILED, f"aucune donnée : {meta.last_error}"
        return MISSING, "pas encore de données — lancez `python -m data_access refresh`"
    if spec.demo:
        return DEMO, None
    if spec.bundled_only:
        return REFERENCE, None
    if meta.last_error:
        return STALE, f"la dernière mise à jour a échoué : {meta.last_error}"
    age = meta.age_seconds(now)
    if age is not None and age > max_age_seconds(spec.refresh_minutes):
        return STALE, f"données plus anciennes que la fréquence de mise à jour prévue ({spec.refresh_every})"
    return FRESH, None
