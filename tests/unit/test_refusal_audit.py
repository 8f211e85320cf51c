"""Refusals are audited, but a probe of many requests writes one row per caller, resource and minute."""

from sqlalchemy import func, select

from auth.access import Principal
from auth.models import AuditEvent


def test_repeated_refusals_make_one_audit_row_per_minute(monkeypatch):
    import app
    import auth.session as session

    auth = app.app.pilote_auth
    clock = [1000.0]
    monkeypatch.setattr(session, "monotonic", lambda: clock[0])
    prober = Principal("prober@example.org", "Prober")

    def rows():
        with auth.db.session() as s:
            return s.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.event == "refused", AuditEvent.actor == prober.email))

    with app.app.server.test_request_context("/_dash-update-component", method="POST"):
        for _ in range(200):
            auth.refused(prober, "/admin", 403)
        assert rows() == 1
        auth.refused(prober, "/stationnement#dsp", 403)  # another resource: its own row
        assert rows() == 2
        clock[0] += 61  # the next minute: one row, which says how many the last one stood for
        auth.refused(prober, "/admin", 403)
        assert rows() == 3
        with auth.db.session() as s:
            last = s.scalars(select(AuditEvent.detail).where(AuditEvent.actor == prober.email)
                             .order_by(AuditEvent.id.desc())).first()
        assert "+199 refus dans la minute précédente" in last
