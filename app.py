"""Pilote: the Dash application.

``create_app()`` builds the app from settings (environment variables ``PILOTE_*``); the module-level
``app`` and ``server`` serve ``python app.py`` (development) and ``gunicorn app:server`` (production).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from dash import Dash, State
from dash.exceptions import CallbackException, DependencyException
from flask import Flask, jsonify, request
from flask_compress import Compress

from auth import init_auth
from auth.headers import hash_inline_scripts, install_headers
from auth.visibility import health_scope
from components import shell
from components.chart_card import export_places
from components.maps import OUTLINES_ROUTE, outlines_for, outlines_version
from components.selectors import SHOWN, parse_commune
from components.theme import GRAPH_CONFIG, OUTLINE_STYLE, default_template_json, register_template
from data_access import render_cache
from data_access.context import DataContext
from data_access.health import register_health
from data_access.settings import Settings
from pilote import pdf as pdf_report
from pilote import revalidation

ROOT = Path(__file__).resolve().parent
FOR_GOOD = "public, max-age=31536000, immutable"  # for URLs that change with their content
log = logging.getLogger("pilote")


def _outputs_mismatch(exc):
    log.info("callback request refused: outputs do not match the callback (%s)", str(exc).splitlines()[0][:120])
    return jsonify(error="sorties demandées incompatibles avec le callback"), 400


def create_app(settings: Settings | None = None) -> Dash:
    settings = settings or Settings.from_env()
    data = DataContext(settings)
    seeded = data.seed_bundled()
    if seeded:
        log.info("installed bundled snapshots: %s", ", ".join(seeded))
    register_template()

    server = Flask(__name__)
    # MAX_CONTENT_LENGTH: a larger body is refused (413) before anything reads it.
    server.config.update(SECRET_KEY=settings.resolve_secret_key(), JSON_SORT_KEYS=False,
                         MAX_CONTENT_LENGTH=16 * 1024 * 1024)
    # Dash raises on a script it does not serve (/_dash-component-suites/...): that is a 404, not a 500.
    server.register_error_handler(413, lambda _exc: (jsonify(error="requête trop volumineuse : 16 Mo au plus"), 413))
    server.register_error_handler(DependencyException, lambda _exc: (jsonify(error="fichier inconnu"), 404))
    # Our callbacks answer their declared outputs; Dash's output checks failing means the request listed other
    # outputs than the ones it names (a forged body): the client's fault, said once in the log.
    server.register_error_handler(CallbackException, _outputs_mismatch)
    server.extensions["pilote_data"] = data
    theme_js = ("window.PILOTE_TEMPLATE = " + json.dumps(default_template_json(), ensure_ascii=False) + ";\n"
                + "window.PILOTE_GRAPH_CONFIG = " + json.dumps(GRAPH_CONFIG, ensure_ascii=False) + ";\n"
                + "window.PILOTE_OUTLINE_STYLE = " + json.dumps(OUTLINE_STYLE) + ";\n"
                + "window.PILOTE_PLACES = " + json.dumps(export_places(data.catalog.territory), ensure_ascii=False) + ";\n")
    theme_version = hashlib.sha256(theme_js.encode()).hexdigest()[:12]

    @server.route("/_pilote/theme.js")
    def theme_script():
        """Pilote's plotly template, once per visit (the figures are sent without it: components.theme.lean_figure);
        versioned in its URL, so it is cached for good."""
        response = server.response_class(theme_js, mimetype="application/javascript")
        response.headers["Cache-Control"] = FOR_GOOD
        return response

    @server.route(OUTLINES_ROUTE)
    def commune_outlines():
        """The communes' outlines the maps name (components.maps.outlines_url): public geography, fetched once
        by the browser and kept for good while the dataset's version is the one in the URL."""
        territory = data.catalog.territory
        parsed = parse_commune(request.args.get("commune"), territory)
        version = outlines_version(data)
        if parsed.rejected or version is None:
            return jsonify({"error": "contours inconnus"}), 404
        response = server.response_class(json.dumps(outlines_for(data, parsed.value), separators=(",", ":")),
                                         mimetype="application/json")
        response.headers["Cache-Control"] = FOR_GOOD if request.args.get("v") == version else "no-cache"
        return response

    @server.after_request
    def keep_versioned_assets(response):
        """Dash links each asset with its file's date (``/assets/pilote.css?m=…``): a changed file is a new URL,
        so the browser keeps them for good instead of fetching them again on every page load."""
        if response.status_code == 200 and request.path.startswith("/assets/") and request.args.get("m"):
            response.headers["Cache-Control"] = FOR_GOOD
        return response

    app = Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,  # every script from this server: nothing from a CDN
        title=f"Pilote · {data.catalog.territory.name}",
        update_title=None,
        # Without this, Dash renders every page's layout once and embeds the result in the HTML config
        # sent to every visitor ("validation_layout"): a leak of internal content and a heavy page.
        suppress_callback_exceptions=True,
        external_scripts=[f"/_pilote/theme.js?v={theme_version}"],  # this server's: the shared plotly template
        # The router also reads what the content area shows: a page whose live selectors alone changed keeps
        # its content, and its own callbacks redraw what depends on them (components.selectors.stays).
        routing_callback_inputs={"shown": State(SHOWN, "data")},
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
                   {"name": "description", "content": "Tableaux de bord du territoire"}],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="fr">', 1)
    app.pilote_auth = init_auth(app, settings)
    data.db = app.pilote_auth.db  # agents' reports live in the accounts database
    register_health(server, data, scope=lambda: health_scope(app, data, settings.health_token))
    with server.app_context():  # Dash calls the layout function once on assignment, to check it
        app.layout = shell.layout
    # Dash finishes its set-up at the first request (its callbacks, the pages' router and title script): it
    # raises its "done" flags first, so concurrent first requests (threaded workers) see a partial callback
    # map. One request here, before serving, runs that set-up in a single thread; the guard's map and the
    # inline-script hashes of the CSP are then complete from the start.
    # Reports as PDF (pilote/pdf.py): the page printed by headless Chromium for the requester. The app calls
    # itself at PILOTE_SELF_URL when the address clients use is not reachable from the server (a proxy).
    pdf_report.install(server, app.pilote_auth, data.catalog.territory, os.environ.get("PILOTE_SELF_URL"))
    talisman = install_headers(app)  # Flask takes no new hook after a request: before the warm-up
    # On the wire: brotli (or gzip) for callback answers, scripts and styles; the render cache keeps pages
    # built once per data version and access set, compressed once (data_access/render_cache.py).
    # Answers under one packet (~1.4 KB) go as they are: compressing them costs more than it saves.
    server.config.update(COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_BR_LEVEL=5, COMPRESS_LEVEL=6,
                         COMPRESS_MIN_SIZE=1400)
    Compress(server)
    revalidation.install(server)  # after Compress: a script the browser holds is not compressed to be compared
    render_cache.install(server, data, app.pilote_auth, app)
    render_cache.install_page_html(app, server.config["COMPRESS_MIN_SIZE"])
    server.test_client().get("/healthz")
    app.pilote_auth.guard.build()
    hash_inline_scripts(app, talisman)
    return app


app = create_app()
server = app.server


if __name__ == "__main__":
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.server_version, WSGIRequestHandler.sys_version = "Pilote", ""  # no version banner
    logging.basicConfig(level=logging.INFO)
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=os.environ.get("PILOTE_DEBUG") == "1")
