"""Wiring of accounts into the Flask app: flask-login, cookie flags, session lifetime, the guard."""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic

from flask import Flask, current_app, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from auth.access import ANONYMOUS, Policy, Principal
from auth.accounts import RateLimits, audit, granted_groups
from auth.db import Database
from auth.models import User, UserSession, utcnow


@dataclass(frozen=True)
class SessionUser(UserMixin):
    """What a request knows of its signed-in user: loaded from the database on every request."""

    id: str  # the session token (the cookie holds it; the database only its hash)
    email: str
    name: str
    groups: frozenset[str]
    is_admin: bool
    expires_at: datetime | None
    scopes: tuple = ()  # (group, communes) of its groups limited to some communes

    def get_id(self) -> str:
        return self.id

    @property
    def principal(self) -> Principal:
        return Principal(self.email, self.name, self.groups, self.is_admin, self.scopes)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RequestSecureSessions(SecureCookieSessionInterface):
    """The session cookie is marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (has_request_context() and request.is_secure)


class Auth:
    def __init__(self, server: Flask, db: Database, lifetime: timedelta, limits: RateLimits = RateLimits()):
        self.server = server
        self.db = db
        self.lifetime = lifetime
        self.limits = limits
        self.policy: Policy | None = None
        self._refusals: dict[tuple, tuple[float, int]] = {}  # (caller, resource, status) -> (window start, count)
        self._refusals_lock = threading.Lock()
        server.extensions["pilote_auth"] = self
        server.session_interface = RequestSecureSessions()
        server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                             SESSION_COOKIE_NAME="pilote_session", PERMANENT_SESSION_LIFETIME=lifetime,
                             SESSION_REFRESH_EACH_REQUEST=False)
        manager = LoginManager(server)
        manager.session_protection = None  # server-side sessions (below) do better than its IP/UA hash
        manager.user_loader(self._load_user)

    # -- sessions -------------------------------------------------------------------------------------
    # The cookie carries a random token; the database keeps its hash, the user and the start time. So
    # signing out, disabling an account or changing its password ends sessions on the server, even
    # for a cookie copied elsewhere, and the lifetime is enforced here, not by the browser.
    def open_session(self, s, user: User) -> SessionUser:
        # Sessions past their lifetime that nobody came back with are purged here: a sign-in is frequent
        # enough, and it already writes.
        s.execute(delete(UserSession).where(UserSession.created_at < utcnow() - self.lifetime))
        token = secrets.token_urlsafe(32)
        s.add(UserSession(id=_hash(token), user_id=user.id, created_at=utcnow(), client=_client()))
        return SessionUser(token, user.email, user.name, user.group_slugs, user.is_admin, user.expires_at,
                               user.group_scopes)

    def close_session(self, token: str | None) -> None:
        if token:
            with self.db.session() as s:
                s.execute(delete(UserSession).where(UserSession.id == _hash(token)))

    def _load_user(self, token: str) -> SessionUser | None:
        with self.db.read() as s:  # on every request: a read that never waits for writers
            row = s.get(UserSession, _hash(token))
            if row is None:
                g.pilote_session_ended = "unknown or closed session"
                return None
            user = s.scalar(select(User).options(selectinload(User.groups)).where(User.id == row.user_id))
            reason = ("session lifetime over" if utcnow() - row.created_at > self.lifetime
                      else "account disabled" if not user.active
                      else "account expired" if user.is_expired() else None)
            if not reason:
                return SessionUser(token, user.email, user.name, user.group_slugs, user.is_admin, user.expires_at,
                               user.group_scopes)
            email = user.email
        with self.db.session() as s:  # the rare write: end the session, say why
            s.execute(delete(UserSession).where(UserSession.id == _hash(token)))
            audit(s, "session_ended", email, email, _client(), reason)
        g.pilote_session_ended = reason
        return None

    # -- decisions --------------------------------------------------------------------------------------
    def principal(self) -> Principal:
        user = current_user
        return user.principal if getattr(user, "is_authenticated", False) else ANONYMOUS

    def grants(self) -> dict[str, frozenset[str]]:
        # Read once per request: a grant added in /admin applies at the next request.
        if "pilote_grants" not in g:
            with self.db.read() as s:
                g.pilote_grants = granted_groups(s)
        return g.pilote_grants

    def allows(self, resource: str) -> bool:
        return self.policy.allows(self.principal(), resource)

    def audit(self, event: str, actor: str | None, target: str | None = None, detail: str = "") -> None:
        with self.db.session() as s:
            audit(s, event, actor, target, _client() if has_request_context() else None, detail)

    def refused(self, principal: Principal, resource: str, status: int) -> None:
        """One audit row per caller, resource and status per minute, saying how many refusals it stands for:
        a probe of thousands of requests must not write thousands of rows."""
        key = (principal.email or _client(), resource, status)
        now = monotonic()
        with self._refusals_lock:
            first, count = self._refusals.get(key, (None, 0))
            if first is not None and now - first < REFUSAL_WINDOW:
                self._refusals[key] = (first, count + 1)
                return
            self._refusals = {k: v for k, v in self._refusals.items() if now - v[0] < REFUSAL_WINDOW}
            self._refusals[key] = (now, 1)
        earlier = f" (+{count - 1} refus dans la minute précédente)" if count > 1 else ""
        self.audit("refused", principal.email, resource, f"HTTP {status} {request.method} {request.path}{earlier}")


REFUSAL_WINDOW = 60.0  # seconds: refusals of one caller and resource make one audit row per window


def _client() -> str | None:
    return (request.remote_addr or "?")[:64] if has_request_context() else None


def current_auth() -> Auth:
    return current_app.extensions["pilote_auth"]


def can(resource: str) -> bool:
    """For layouts: may the current user see ``resource`` (a page path or ``path#section``)?"""
    return current_auth().allows(resource)

