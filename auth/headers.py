"""Security headers on every response, with flask-talisman (maintained, and it knows the header spellings).

The Content-Security-Policy allows scripts from this site only, plus the hashes of Dash's inline bootstrap
script (``Dash.csp_hashes``): no ``unsafe-inline`` for scripts. Styles need ``unsafe-inline``: plotly writes
style attributes and ``<style>`` elements at run time. Maps draw in web workers made from ``blob:`` URLs,
and exported images are ``data:``/``blob:`` URLs. Nothing may frame the app (``frame-ancestors 'none'``).
HSTS is sent only over HTTPS (behind the proxy, ``PILOTE_BEHIND_PROXY=1``); cookies' Secure flag is set per
request by ``auth.session`` (a plain-HTTP development server must keep working).
"""

from __future__ import annotations

from dash import Dash
from flask_talisman import Talisman

# Field forms (issue 12) may ask for the camera and the position; nothing else.
PERMISSIONS = {"geolocation": "(self)", "camera": "(self)", "microphone": "()", "payment": "()", "usb": "()"}


def csp(script_hashes: list[str]) -> dict:
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'", "blob:"],
        "child-src": ["'self'", "blob:"],
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def hash_inline_scripts(app: Dash, talisman: Talisman) -> None:
    """Allow the inline scripts Dash has now (call once Dash has set up: its pages add a title script)."""
    talisman.content_security_policy = csp(list(app.csp_hashes()))


def install_headers(app: Dash) -> Talisman:
    server = app.server
    talisman = Talisman(
        server, force_https=False, content_security_policy=csp(list(app.csp_hashes())),
        frame_options="DENY", referrer_policy="strict-origin-when-cross-origin", permissions_policy=PERMISSIONS,
        session_cookie_secure=False, strict_transport_security=True, x_content_type_options=True)

    config = app._config

    def without_versions():  # Dash tells every visitor its Python version: nobody needs it
        values = config()
        values.pop("python_version", None)
        return values

    app._config = without_versions
    return talisman
