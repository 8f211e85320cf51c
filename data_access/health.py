"""``/healthz``: is the app up, and how fresh is each dataset. Metadata only, never data rows."""

from __future__ import annotations

from flask import Flask, jsonify

from data_access.snapshots import utcnow


ALL = "all"  # a scope: every dataset, with its detail (monitoring token)


def health_report(data, scope=ALL) -> dict:
    """The app's status; with a ``scope`` (the keys of the datasets the caller may know of, or ALL) each of
    those datasets' state, rows dropped at validation, notes and last error. Anonymous callers (scope None)
    get the status only: dataset names, sizes and portal errors are not theirs to read."""
    statuses = data.statuses()
    degraded = [s.spec.key for s in statuses if s.degraded]
    report = {"status": "degraded" if degraded else "ok", "time": utcnow().isoformat()}
    if scope is None:
        return report
    shown = [s for s in statuses if scope == ALL or s.spec.key in scope]
    report.update({
        "territory": data.catalog.territory.name,
        "degraded": [s.spec.key for s in shown if s.degraded],
        "datasets": {s.spec.key: s.to_json() for s in shown},
    })
    return report


def register_health(server: Flask, data, scope=lambda: None) -> None:
    """``scope()`` says which datasets the request may know of (None, a set of keys, or ALL): given by the
    app, as data_access knows nothing of accounts."""
    @server.get("/healthz")
    def healthz():
        # 200 while the app serves: a stale dataset is reported, it does not make the app "down".
        response = jsonify(health_report(data, scope()))
        response.headers["Cache-Control"] = "no-store"
        return response
