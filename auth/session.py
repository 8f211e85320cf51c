"""Wiring of accounts into the Flask app: flask-login, cookie flags, session lifetime, the guard."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auth.access import ANONYMOUS, Policy, Principal
from auth.accounts import RateLimits, audit, granted_groups
from auth.db import Database
from auth.models import User, utcnow


@dataclass(frozen=True)
class SessionUser(UserMixin):
    """What a request knows of its signed-in user: loaded from the database on every request."""

    id: str  # "<user id>:<fingerprint of the password hash>": a password change ends other sessions
    email: str
    name: str
    groups: frozenset[str]
    is_admin: bool
    expires_at: datetime | None

    def get_id(self) -> str:
        return self.id

    @property
    def principal(self) -> Principal:
        return Principal(self.email, self.name, self.groups, self.is_admin)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


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
        server.extensions["pilote_auth"] = self
        server.session_interface = RequestSecureSessions()
        server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                             SESSION_COOKIE_NAME="pilote_session", PERMANENT_SESSION_LIFETIME=lifetime,
                             SESSION_REFRESH_EACH_REQUEST=False)
        manager = LoginManager(server)
        manager.session_protection = None  # sessions are bound to the password hash and a lifetime instead
        manager.user_loader(self._load_user)

    # -- sessions -------------------------------------------------------------------------------------
    def session_user(self, user: User) -> SessionUser:
        return SessionUser(f"{user.id}:{_fingerprint(user)}", user.email, user.name, user.group_slugs,
                           user.is_admin, user.expires_at)

    def start_session(self) -> None:
        session["login_at"] = datetime.now(timezone.utc).timestamp()

    def _load_user(self, user_id: str) -> SessionUser | None:
        try:
            ident, fingerprint = user_id.split(":", 1)
            ident = int(ident)
        except ValueError:
            return None
        login_at = session.get("login_at")
        if not isinstance(login_at, (int, float)) or \
                datetime.now(timezone.utc).timestamp() - login_at > self.lifetime.total_seconds():
            self._end_session(None, "session lifetime over")
            return None
        with self.db.session() as s:
            user = s.scalar(select(User).options(selectinload(User.groups)).where(User.id == ident))
            if user is None or fingerprint != _fingerprint(user):
                self._end_session(None, "account removed or password changed")
                return None
            if not user.may_sign_in():
                self._end_session(user.email, "account disabled" if not user.active else "account expired")
                audit(s, "session_ended", user.email, user.email, _client(),
                      "disabled" if not user.active else "expired")
                return None
            return self.session_user(user)

    @staticmethod
    def _end_session(email, reason) -> None:
        session.pop("_user_id", None)
        session.pop("login_at", None)
        g.pilote_session_ended = reason

    # -- decisions --------------------------------------------------------------------------------------
    def principal(self) -> Principal:
        user = current_user
        return user.principal if getattr(user, "is_authenticated", False) else ANONYMOUS

    def grants(self) -> dict[str, frozenset[str]]:
        # Read once per request: a grant added in /admin applies at the next request.
        if "pilote_grants" not in g:
            with self.db.session() as s:
                g.pilote_grants = granted_groups(s)
        return g.pilote_grants

    def allows(self, resource: str) -> bool:
        return self.policy.allows(self.principal(), resource)

    def audit(self, event: str, actor: str | None, target: str | None = None, detail: str = "") -> None:
        with self.db.session() as s:
            audit(s, event, actor, target, _client() if has_request_context() else None, detail)

    def refused(self, principal: Principal, resource: str, status: int) -> None:
        self.audit("refused", principal.email, resource, f"HTTP {status} {request.method} {request.path}")


def _client() -> str | None:
    return (request.remote_addr or "?")[:64] if has_request_context() else None


def current_auth() -> Auth:
    return current_app.extensions["pilote_auth"]


def can(resource: str) -> bool:
    """For layouts: may the current user see ``resource`` (a page path or ``path#section``)?"""
    return current_auth().allows(resource)


def now_naive() -> datetime:
    return utcnow()
