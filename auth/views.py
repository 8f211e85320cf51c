"""Sign-in and sign-out pages (plain Flask: a POSTed form, CSRF token, redirect), and the 403 page."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template_string, request, session
from flask_login import current_user, login_user, logout_user
from markupsafe import escape

from auth.accounts import authenticate, home_of
from auth.limits import limiter, login_rate, too_many_sign_ins

bp = Blueprint("auth", __name__)

_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Pilote</title>
<link rel="icon" href="/assets/favicon.ico">
<link rel="stylesheet" href="/assets/bootstrap.min.css"><link rel="stylesheet" href="/assets/pilote.css">
</head>
<body>
<a class="pilote-skip-link" href="#contenu">Aller au contenu</a>
<header class="pilote-navbar navbar navbar-dark px-3" role="banner">
  <a class="navbar-brand text-white fw-bold" href="/"><img src="/assets/logo.svg" alt="" height="28" class="me-2">Pilote</a>
</header>
<main id="contenu" class="container py-4" style="max-width: 32rem" tabindex="-1">
{{ body|safe }}
</main>
</body>
</html>"""

_LOGIN = """<h1 class="h3 mb-3">Connexion</h1>
<p class="text-body-secondary">Espace réservé aux agents, élus et partenaires habilités.</p>
{% if error %}<div class="alert alert-danger" role="alert" id="login-error">{{ error }}</div>{% endif %}
<form method="post" action="/login" novalidate>
  <input type="hidden" name="csrf_token" value="{{ csrf }}">
  <input type="hidden" name="next" value="{{ next }}">
  <div class="mb-3"><label class="form-label" for="email">Adresse électronique</label>
    <input class="form-control" type="email" id="email" name="email" value="{{ email }}" autocomplete="username" required autofocus></div>
  <div class="mb-3"><label class="form-label" for="password">Mot de passe</label>
    <input class="form-control" type="password" id="password" name="password" autocomplete="current-password" required></div>
  <button class="btn btn-primary" type="submit" id="login-submit">Se connecter</button>
</form>
<p class="small mt-4"><a href="/">Revenir aux tableaux de bord publics</a></p>"""

GENERIC_ERROR = "Adresse électronique ou mot de passe incorrect."


def page(title: str, body: str, status: int = 200) -> Response:
    html = render_template_string(_PAGE, title=title, body=body)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def forbidden_page(target: dict) -> Response:
    body = (f'<h1 class="h3">Accès refusé</h1><p>Votre compte n\'a pas accès à « {escape(target["name"])} ». '
            'Demandez l\'accès à l\'administrateur de Pilote de votre direction.</p>'
            '<p><a class="btn btn-primary" href="/espace-agents">Mon espace</a> <a href="/">Catalogue</a></p>')
    return page("Accès refusé", body, 403)


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no '//' or '\\' tricks, no control characters."""
    if not target or len(target) > 2000:
        return "/"
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def csrf_token() -> str:
    token = session.get("csrf_token")
    if not token:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def _client() -> str:
    return (request.remote_addr or "?")[:64]


def _login_form(error: str | None = None, email: str = "", status: int = 200) -> Response:
    body = render_template_string(_LOGIN, error=error, email=email, csrf=csrf_token(),
                                  next=safe_next(request.values.get("next")))
    return page("Connexion", body, status)


def wait_text(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate, methods=["POST"], on_breach=too_many_sign_ins)
def login():
    if request.method == "GET":
        return _login_form()
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf_token", "")):
        return _login_form("Le formulaire a expiré : veuillez réessayer.", status=400)
    email = request.form.get("email", "")[:254]
    auth = current_app.extensions["pilote_auth"]
    # Nothing is rendered inside the transaction: rendering loads current_user, which needs the database
    # too, and SQLite's write lock is held until the block ends.
    with auth.db.session() as s:
        result = authenticate(s, email, request.form.get("password", ""), _client(), auth.limits)
        session_user = auth.open_session(s, result.user) if result.user is not None else None
        home = home_of(result.user) if result.user is not None else None
    if result.retry_after:
        response = _login_form(f"Trop de tentatives de connexion. Réessayez dans {wait_text(result.retry_after)}.",
                               email, 429)
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    if session_user is None:
        return _login_form(GENERIC_ERROR, email, 401)
    session.clear()  # a new session at sign-in: nothing from before survives (fixation)
    session.permanent = True
    login_user(session_user)
    target = safe_next(request.form.get("next"))
    if target == "/" and home and auth.allows(home):  # nowhere asked for: the group's home (an élu: /climat)
        target = home
    response = Response(status=302)
    response.headers["Location"] = target
    return response


_LOGOUT = """<h1 class="h3">Se déconnecter</h1>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{{ csrf }}">
<button class="btn btn-primary" type="submit" id="logout-submit">Se déconnecter</button></form>"""


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    # GET only shows a button: a sign-out must not be triggerable by another site's <img src=/logout>.
    if request.method == "GET":
        if not current_user.is_authenticated:
            return page("Déconnexion", '<h1 class="h3">Vous n\'êtes pas connecté(e).</h1><p><a href="/login">Se connecter</a></p>')
        return page("Déconnexion", render_template_string(_LOGOUT, csrf=csrf_token()))
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf_token", "")):
        return page("Déconnexion", '<h1 class="h3">Le formulaire a expiré.</h1><p><a href="/logout">Réessayer</a></p>', 400)
    auth = current_app.extensions["pilote_auth"]
    if current_user.is_authenticated:
        auth.audit("logout", current_user.email)
        auth.close_session(current_user.get_id())
    logout_user()
    session.clear()
    response = page("Déconnexion", '<h1 class="h3">Vous êtes déconnecté(e).</h1>'
                                   '<p><a class="btn btn-primary" href="/login">Se reconnecter</a> '
                                   '<a href="/">Tableaux de bord publics</a></p>')
    # Whatever the browser kept (dcc.Store in local storage, cached pages) goes too: shared municipal PCs.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    response.delete_cookie(current_app.config.get("SESSION_COOKIE_NAME", "session"))
    return response
