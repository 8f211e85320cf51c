"""A flat ceiling on sign-in posts per client address, counted by flask-limiter: in Redis when
``PILOTE_REDIS_URL`` is set (every host counts together), in each worker's memory otherwise.

It sits above the growing delays of ``auth.accounts.RateLimits`` (read from the audit table, shared by all
hosts through the database), which do the fine work: per account, per address, and the distributed attack
on one account. This one only stops a flood from one address before any password is checked.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter

from auth.access import ANONYMOUS


def _client_key() -> str:
    return request.remote_addr or "?"  # behind PILOTE_BEHIND_PROXY=1, ProxyFix has set it from the proxy


limiter = Limiter(key_func=_client_key, strategy="moving-window", key_prefix="pilote")


def login_rate() -> str:
    return current_app.config["PILOTE_LOGIN_RATE"]


def too_many_sign_ins(request_limit):
    """The sign-in form again, status 429 and Retry-After; audited like other refusals (one row a minute)."""
    from auth.views import wait_text, _login_form

    wait = max(1, math.ceil(request_limit.reset_at - time.time()))
    current_app.extensions["pilote_auth"].refused(ANONYMOUS, "/login", 429)
    response = _login_form(f"Trop de tentatives de connexion depuis cette adresse. Réessayez dans {wait_text(wait)}.",
                           request.form.get("email", "")[:254], 429)
    response.headers["Retry-After"] = str(wait)
    return response


def init_limiter(server: Flask, settings) -> None:
    server.config.update(
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_SWALLOW_ERRORS=True,  # Redis down: sign-in still works, on the audit table's delays alone
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        PILOTE_LOGIN_RATE=settings.login_rate,
    )
    limiter.init_app(server)
