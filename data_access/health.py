"""``/healthz``: is the app up, and how fresh is each dataset. Metadata only, never data rows."""

from __future__ import annotations

from flask import Flask, jsonify

from data_access.snapshots import utcnow


def health_report(data) -> dict:
    datasets = {s.spec.key: s.to_json() for s in data.statuses()}
    degraded = [key for key, d in datasets.items() if d["state"] != "fresh"]
    return {
        "status": "degraded" if degraded else "ok",
        "time": utcnow().isoformat(),
        "territory": data.catalog.territory.name,
        "degraded": degraded,
        "datasets": datasets,
    }


def register_health(server: Flask, data) -> None:
    @server.get("/healthz")
    def healthz():
        # 200 while the app serves: a stale dataset is reported, it does not make the app "down".
        response = jsonify(health_report(data))
        response.headers["Cache-Control"] = "no-store"
        return response
