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


def test_ended_sessions_are_purged_at_the_next_sign_in():
    from datetime import timedelta

    import app
    from auth.accounts import create_user
    from auth.models import User, UserSession, utcnow

    auth = app.app.pilote_auth
    with auth.db.session() as s:
        user = create_user(s, "purge@example.org", "Purge", "a-long-enough-password")[0]
        s.flush()
        s.add(UserSession(id="old" * 10, user_id=user.id, created_at=utcnow() - auth.lifetime - timedelta(hours=1)))
        s.add(UserSession(id="new" * 10, user_id=user.id, created_at=utcnow()))
    with app.app.server.test_request_context("/login", method="POST"):
        with auth.db.session() as s:
            auth.open_session(s, s.scalar(select(User).where(User.email == "purge@example.org")))
        with auth.db.session() as s:
            ids = set(s.scalars(select(UserSession.id)))
    assert "old" * 10 not in ids and "new" * 10 in ids
