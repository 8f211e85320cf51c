"""Sessions, grants, audit and writes on both databases Pilote supports: a SQLite file and a real PostgreSQL
server (the ``database_url`` fixture runs each test on both)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import Flask, g
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from auth import accounts
from auth.access import Principal
from auth.accounts import (AccountError, add_group, add_member, create_user, grant, granted_groups, revoke, set_active,
                           set_communes)
from auth.db import Database, engine_url
from auth.models import AuditEvent, Group, User, UserSession, utcnow
from auth.session import Auth, _hash

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def db(database_url, monkeypatch):
    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))
    database = Database(database_url)
    database.migrate()
    return database


@pytest.fixture
def auth(db):
    server = Flask(__name__)
    server.secret_key = "test"
    return Auth(server, db, timedelta(hours=8))


def sign_in(auth: Auth, email: str):
    with auth.server.test_request_context("/login", method="POST", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        with auth.db.session() as s:
            return auth.open_session(s, s.scalar(select(User).where(User.email == email)))


def load(auth: Auth, token: str):
    with auth.server.test_request_context("/"):
        user = auth._load_user(token)
        return user, g.get("pilote_session_ended")


def test_a_session_opens_loads_and_closes(db, auth):
    with db.session() as s:
        add_group(s, "agents-voirie", "Agents voirie")
        create_user(s, "agent@example.org", "Agent", PASSWORD, ["agents-voirie"])
    session_user = sign_in(auth, "agent@example.org")
    loaded, _ = load(auth, session_user.id)
    assert loaded.email == "agent@example.org" and loaded.groups == {"agents-voirie"}
    with db.read() as s:  # only the token's hash is stored
        assert s.scalars(select(UserSession.id)).all() == [_hash(session_user.id)]
    auth.close_session(session_user.id)
    assert load(auth, session_user.id) == (None, "unknown or closed session")


def test_a_session_past_its_lifetime_or_of_a_disabled_account_ends_and_says_why(db, auth):
    with db.session() as s:
        create_user(s, "elu@example.org", "Élu", PASSWORD)
        create_user(s, "partenaire@example.org", "Partenaire", PASSWORD)
    old = sign_in(auth, "elu@example.org")
    with db.session() as s:
        s.get(UserSession, _hash(old.id)).created_at = utcnow() - timedelta(hours=9)
    assert load(auth, old.id) == (None, "session lifetime over")
    other = sign_in(auth, "partenaire@example.org")
    with db.session() as s:
        set_active(s, "partenaire@example.org", False, actor="admin@example.org")
    assert load(auth, other.id)[0] is None  # disabling ended it on the server
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(UserSession)) == 0
        reasons = s.scalars(select(AuditEvent.detail).where(AuditEvent.event == "session_ended")).all()
    assert "session lifetime over" in reasons


def test_ended_sessions_are_purged_at_the_next_sign_in(db, auth):
    with db.session() as s:
        user = create_user(s, "purge@example.org", "Purge", PASSWORD)[0]
        s.flush()
        s.add(UserSession(id="old" * 10, user_id=user.id, created_at=utcnow() - timedelta(hours=9)))
    sign_in(auth, "purge@example.org")
    with db.read() as s:
        assert "old" * 10 not in set(s.scalars(select(UserSession.id)))
        assert s.scalar(select(func.count()).select_from(UserSession)) == 1


def test_grants_and_memberships_round_trip(db):
    with db.session() as s:
        add_group(s, "elus", "Élus")
        create_user(s, "elu@example.org", "Élu", PASSWORD)
        add_member(s, "elu@example.org", "elus", actor="admin@example.org")
        grant(s, "elus", "/finances", actor="admin@example.org")
        grant(s, "elus", "/stationnement#dsp", actor="admin@example.org")
    with db.read() as s:
        assert granted_groups(s) == {"/finances": frozenset({"elus"}), "/stationnement#dsp": frozenset({"elus"})}
    with db.session() as s:
        revoke(s, "elus", "/finances", actor="admin@example.org")
    with db.read() as s:
        assert granted_groups(s) == {"/stationnement#dsp": frozenset({"elus"})}
        details = s.scalars(select(AuditEvent.detail).where(AuditEvent.event == "admin_change")).all()
    assert {"grant /finances", "grant /stationnement#dsp", "revoke /finances", "add to group elus"} <= set(details)


def test_a_groups_communes_are_checked_stored_audited_and_reach_the_session(db, auth):
    known = {"92040": "Issy-les-Moulineaux", "92048": "Meudon"}
    with db.session() as s:
        add_group(s, "aires-issy", "Aires d'Issy")
        create_user(s, "a@example.org", "Agent", PASSWORD, ["aires-issy"])
        with pytest.raises(AccountError, match="commune inconnue du territoire : 75056"):
            set_communes(s, "aires-issy", ["75056"], known=known)
        set_communes(s, "aires-issy", ["92048", " 92040 ", "92040"], known=known, actor="admin@example.org")
    with db.read() as s:
        group = s.scalar(select(Group).where(Group.slug == "aires-issy"))
        assert group.communes == "92040 92048" and group.commune_codes == {"92040", "92048"}
        user = s.scalar(select(User).where(User.email == "a@example.org"))
        assert user.group_scopes == (("aires-issy", frozenset({"92040", "92048"})),)
        assert "communes=92040 92048" in s.scalars(select(AuditEvent.detail)).all()
    loaded, _ = load(auth, sign_in(auth, "a@example.org").id)
    assert loaded.principal.scopes == (("aires-issy", frozenset({"92040", "92048"})),)  # each request reads it
    with db.session() as s:
        set_communes(s, "aires-issy", [], known=known)  # the whole territory again
    with db.read() as s:
        assert s.scalar(select(User).where(User.email == "a@example.org")).group_scopes == ()


def test_texts_longer_than_their_column_are_refused_with_a_message(db):
    """PostgreSQL enforces column sizes (SQLite does not): the same clear refusal on both, before the database."""
    with db.session() as s:
        with pytest.raises(accounts.AccountError, match="200 caractères"):
            add_group(s, "long", "N" * 201)
        with pytest.raises(accounts.AccountError, match="200 caractères"):
            add_group(s, "long", "Nom", direction="D" * 201)
        with pytest.raises(accounts.AccountError, match="200 caractères"):
            create_user(s, "long@example.org", "N" * 201, PASSWORD)
    with db.session() as s:
        add_group(s, "elus", "Élus")
    with db.session() as s:
        with pytest.raises(accounts.AccountError, match="200 caractères"):
            grant(s, "elus", "/" + "a" * 300)
    with db.read() as s:
        assert s.scalars(select(Group.slug)).all() == ["elus"] and granted_groups(s) == {}


def test_a_duplicate_is_refused_by_the_database_and_stores_nothing(db):
    with db.session() as s:
        add_group(s, "elus", "Élus")
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(Group(slug="autre", name="Autre", direction=""))
            s.add(Group(slug="elus", name="Doublon", direction=""))  # the unique index refuses the whole write
    with db.read() as s:
        assert s.scalars(select(Group.slug)).all() == ["elus"]


def test_audit_rows_keep_long_probe_values_without_failing(db, auth):
    """A probe's path or address longer than its column: PostgreSQL would refuse the row (SQLite keeps it);
    the audit cuts it to size instead of turning the refusal into an error."""
    long_path = "/" + "a" * 5000
    with auth.server.test_request_context(long_path, method="POST", environ_base={"REMOTE_ADDR": "f" * 300}):
        auth.refused(Principal("x" * 300 + "@example.org", "Long"), long_path, 404)
    with db.read() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.event == "refused")).one()
        assert (len(row.target), len(row.actor), len(row.client)) == (254, 254, 64)


def test_repeated_refusals_make_one_audit_row_per_minute(db, auth, monkeypatch):
    import auth.session as session

    clock = [1000.0]
    monkeypatch.setattr(session, "monotonic", lambda: clock[0])
    prober = Principal("prober@example.org", "Prober")
    with auth.server.test_request_context("/_dash-update-component", method="POST"):
        for _ in range(200):
            auth.refused(prober, "/admin", 403)
        clock[0] += 61
        auth.refused(prober, "/admin", 403)
    with db.read() as s:
        details = s.scalars(select(AuditEvent.detail).where(AuditEvent.event == "refused")
                            .order_by(AuditEvent.id)).all()
    assert len(details) == 2 and "+199 refus dans la minute précédente" in details[1]


def test_concurrent_writers_all_store_their_rows(db):
    """8 threads x 10 groups, each in its own transaction: every one stored (SQLite queues the writers on its
    lock; PostgreSQL writes them side by side)."""
    errors = []

    def writer(i: int) -> None:
        for k in range(10):
            try:
                with db.session() as s:
                    add_group(s, f"g{i}-{k}", f"Groupe {i}-{k}", actor=f"admin{i}@example.org")
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Group)) == 80


def test_urls_name_the_installed_postgresql_driver():
    assert engine_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert engine_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert engine_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert engine_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_every_write_to_the_accounts_raises_their_revision(db, auth):
    """/admin is kept under the accounts' revision (pages/admin.py): each kind of write to what it shows raises
    it, in the write's own transaction; a write to sessions only (not shown) leaves it."""
    writes = [
        lambda s: create_user(s, "partenaire@example.org", "Partenaire", PASSWORD),
        lambda s: add_group(s, "voirie", "Voirie"),
        lambda s: add_member(s, "partenaire@example.org", "voirie"),
        lambda s: accounts.remove_member(s, "partenaire@example.org", "voirie"),
        lambda s: grant(s, "voirie", "/flotte"),
        lambda s: revoke(s, "voirie", "/flotte"),
        lambda s: set_communes(s, "voirie", ["92040"]),
        lambda s: accounts.set_home(s, "voirie", "/climat"),
        lambda s: accounts.set_expiry(s, "partenaire@example.org", "2031-01-31"),
        lambda s: set_active(s, "partenaire@example.org", False),
        lambda s: accounts.set_password(s, "partenaire@example.org", PASSWORD + "-2"),
        lambda s: accounts.audit(s, "login_failed", None, "quelqu.un@example.org"),
    ]
    partner = select(User).where(User.email == "partenaire@example.org")

    def join_directly(s):
        group = s.scalar(select(Group).where(Group.slug == "voirie"))
        group.members.append(s.scalar(partner))

    unaudited = [  # writes that add no audit row (a script, a future code path): the rows themselves count
        lambda s: setattr(s.scalar(partner), "name", "Partenaire renommé"), join_directly,
        lambda s: s.execute(update(User).where(User.email == "partenaire@example.org").values(name="Bulk"))]
    seen = [db.revision()]
    for write in writes[:2] + unaudited[:1] + writes[2:4] + unaudited[1:] + writes[4:]:  # (joined after removed)
        with db.read() as s:
            events = s.scalar(select(func.count()).select_from(AuditEvent))
        with db.session() as s:
            write(s)
        seen.append(db.revision())
        if write in unaudited:
            with db.read() as s:
                assert s.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert all(later > earlier for earlier, later in zip(seen, seen[1:])), seen
    with db.session() as s:  # a session opened and closed: nothing /admin shows
        user = s.scalar(select(User).where(User.email == "partenaire@example.org"))
        s.add(UserSession(id=_hash("jeton"), user_id=user.id, created_at=utcnow()))
    auth.close_session("jeton")
    assert db.revision() == seen[-1]
    # A write that fails is rolled back with its raise: the page kept under the old revision still holds.
    with pytest.raises(AccountError), db.session() as s:
        add_group(s, "voirie", "Encore la voirie")
    assert db.revision() == seen[-1]


def test_without_its_counter_the_accounts_have_no_revision(db):
    """A database whose counter row is missing (restored from an old dump, edited by hand) has no revision:
    /admin is then built at every view rather than kept under a revision nothing raises."""
    from auth.models import Revision

    with db.session() as s:
        s.execute(delete(Revision))
    assert db.revision() is None
    with db.session() as s:
        add_group(s, "voirie", "Voirie")  # a write still succeeds
    assert db.revision() is None


def test_the_revision_is_raised_last_so_writers_never_deadlock_on_it(postgres, monkeypatch):
    """On PostgreSQL, a transaction holding the counter's lock must wait on no other row. A sign-in purges
    expired sessions after its audit row; another request ends one of those sessions, then audits it. Raised
    at the flush, the counter made them wait on each other (DeadlockDetected, the sign-in lost); raised as each
    commits, one waits for the other and both are stored."""
    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))
    db = Database(postgres.new_database())
    db.migrate()
    with db.session() as s:
        create_user(s, "u@example.org", "U", PASSWORD)
        create_user(s, "v@example.org", "V", PASSWORD)
    with db.session() as s:
        user = s.scalar(select(User).where(User.email == "u@example.org"))
        s.add(UserSession(id="S", user_id=user.id, created_at=utcnow() - timedelta(days=30)))
    ended, audited, out = threading.Event(), threading.Event(), {}
    before = db.revision()

    def end_session():  # auth.session._load_user: an expired session ended, then audited
        try:
            with db.session() as s:
                s.execute(delete(UserSession).where(UserSession.id == "S"))
                ended.set()
                audited.wait(10)
                time.sleep(0.3)  # the sign-in below is now waiting on the session row
                accounts.audit(s, "session_ended", "u@example.org", "u@example.org", None, "session lifetime over")
            out["ended"] = "ok"
        except Exception as exc:  # noqa: BLE001
            out["ended"] = repr(exc)

    def sign_in():  # auth.views: the account's row and its audit row, then open_session's purge
        ended.wait(10)
        try:
            with db.session() as s:
                user = s.scalar(select(User).where(User.email == "v@example.org"))
                user.last_login_at = utcnow()
                accounts.audit(s, "login", "v@example.org", "v@example.org", None)
                s.flush()  # as the purge's autoflush does
                audited.set()
                s.execute(delete(UserSession).where(UserSession.created_at < utcnow() - timedelta(days=7)))
            out["signed_in"] = "ok"
        except Exception as exc:  # noqa: BLE001
            out["signed_in"] = repr(exc)

    threads = [threading.Thread(target=end_session), threading.Thread(target=sign_in)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert out == {"ended": "ok", "signed_in": "ok"}
    assert db.revision() == before + 2
