"""Accounts, groups and grants; sign-in; the guard that authorises every request.

``init_auth(app, settings)`` wires it all into a Dash app whose pages are registered.
"""

from __future__ import annotations

from datetime import timedelta

import dash
from dash import Dash
from dash._callback import GLOBAL_CALLBACK_MAP
from werkzeug.middleware.proxy_fix import ProxyFix

from auth.access import Policy, rules_from_registry
from auth.db import Database
from auth.guard import Guard, build_callback_map
from auth.limits import init_limiter
from auth.session import Auth
from auth.report_views import reports_bp
from auth.views import bp


def init_auth(app: Dash, settings) -> Auth:
    server = app.server
    if settings.behind_proxy:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1)
    db = Database(settings.database_url)
    db.migrate()
    auth = Auth(server, db, timedelta(hours=settings.session_hours))
    auth.policy = Policy(rules_from_registry(dash.page_registry), auth.grants)
    server.register_blueprint(bp)
    server.register_blueprint(reports_bp)
    init_limiter(server, settings)
    guard = Guard(app, auth.policy, auth.principal, auth.refused)
    # Fail closed at start-up: a callback that cannot be tied to a page or section stops the app here.
    build_callback_map(GLOBAL_CALLBACK_MAP, dash.page_registry)
    guard.install(lambda: app.callback_map, dash.page_registry)
    auth.guard = guard
    return auth
