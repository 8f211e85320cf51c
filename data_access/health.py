"""``/healthz``: is the app up, and how fresh is each dataset. Metadata only, never data rows."""

from __future__ import annotations

from flask import Flask, jsonify

from data_access.snapshots import utcnow


def health_report(data, detail: bool = True) -> dict:
    """``detail`` (signed-in users) adds rows dropped at validation, notes and the last errors."""
    statuses = data.statuses()
    datasets = {s.spec.key: s.to_json(detail) for s in statuses}
    degraded = [s.spec.key for s in statuses if s.degraded]
    return {
        "status": "degraded" if degraded else "ok",
        "time": utcnow().isoformat(),
        "territory": data.catalog.territory.name,
        "degraded": degraded,
        "datasets": datasets,
    }


def register_health(server: Flask, data, signed_in=lambda: False) -> None:
    """``signed_in()`` says whether the request comes from a signed-in user (given by the app: data_access
    knows nothing of accounts)."""
    @server.get("/healthz")
    def healthz():
        # 200 while the app serves: a stale dataset is reported, it does not make the app "down".
        response = jsonify(health_report(data, signed_in()))
        response.headers["Cache-Control"] = "no-store"
        return response
