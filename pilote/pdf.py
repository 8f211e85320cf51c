"""Reports as PDF, made on the server: a page as its requester sees it, printed on A4 by headless Chromium.

The page is the dashboard itself (the same chart specs, figures, sentences and French formats), rendered by
the app for a headless Chromium that carries the requester's session: a PDF holds only what its requester may
see, decided by the guard as for any visitor. The page's print stylesheet lays it out (assets/pilote.css,
assets/print.js: no cut card, no button, charts at the paper's width, vector graphics); here a cover line is
added (territory, place, period, document, the export date and the permalink), the charts the requester
ticked are kept (all by default), the data tables are opened when asked for, and every page is numbered. Maps
are SVG like the other charts (components/maps.py): they print as vector graphics too.

Chromium is Debian's (``make test`` installs it; ``PILOTE_CHROMIUM`` names another), driven by playwright.
At most ``PILOTE_PDF_AT_ONCE`` reports are printed at once (a Chromium takes a core and ~150 MB).
"""

from __future__ import annotations

import html
import os
import re
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ROUTE = "/_pilote/rapport.pdf"
CARD_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
TIMEOUT_MS = 90_000
_AT_ONCE = threading.BoundedSemaphore(max(1, int(os.environ.get("PILOTE_PDF_AT_ONCE", "2"))))

# The page is drawn: its title, no callback pending, a laid-out graph in every chart card (dcc.Graph mounts
# its plot later than the page: an empty list of plots is not a drawn page).
_READY = """() => !!document.querySelector('#contenu h1')
    && !document.querySelector('[data-dash-is-loading="true"]')
    && Array.from(document.querySelectorAll('.js-plotly-plot')).filter(gd => gd._fullLayout).length
       >= document.querySelectorAll('.pilote-chart-graph').length"""

# The cover line first, the cards not ticked left out, the data tables opened when asked for.
_PREPARE = """(o) => {
    const main = document.querySelector('#contenu');
    const cover = document.createElement('p');
    cover.id = 'pilote-rapport-entete';
    cover.className = 'small text-body-secondary border-bottom pb-2 mb-3';
    const context = (window.PiloteExport && window.PiloteExport.pageContext()) || {};
    cover.textContent = [o.territory, context.place, context.period, context.document].filter(Boolean)
        .filter((v, i, all) => all.indexOf(v) === i).join(' · ') + ' — édité le ' + o.date + ' — ' + o.permalink;
    main.prepend(cover);
    if (o.charts) {
        document.querySelectorAll('.pilote-chart-card').forEach(card => {
            if (!o.charts.includes(card.id)) { (card.closest('[class*="col"]') || card).style.display = 'none'; }
        });
    }
    if (o.tables) {
        document.querySelectorAll('details.pilote-chart-data > summary').forEach(s => s.click());
    } else {
        document.documentElement.dataset.piloteTables = 'non';  // assets/print.js prints the tables otherwise
    }
    return document.querySelectorAll('.pilote-chart-card').length;
}"""

_TABLES_BUILT = """() => Array.from(document.querySelectorAll('details.pilote-chart-data'))
    .filter(d => d.offsetParent !== null).every(d => d.querySelector('table'))"""

_FOOTER = ("<div style=\"font-size:8px;width:100%;padding:0 10mm;display:flex;justify-content:space-between;"
           "font-family:sans-serif;color:#4a5462\"><span>{left}</span><span>page <span class=\"pageNumber\"></span>"
           " / <span class=\"totalPages\"></span></span></div>")


class ReportError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def chromium() -> str:
    return os.environ.get("PILOTE_CHROMIUM", "/usr/bin/chromium")


def target(raw: str | None) -> str:
    """The page asked for, as a path and query on this site (``/climat?axe=1``), or ReportError."""
    from auth.views import safe_next

    text = (raw or "").strip()
    if not text or safe_next(text) != text or "#" in text:
        raise ReportError("page à exporter invalide : un chemin de ce site, par exemple /climat?axe=1")
    return text


def charts_asked(raw: str | None) -> list[str] | None:
    """The cards ticked (``graphiques=budget-plafond,climat-detail``), or None for every card of the page."""
    ids = [c for c in (raw or "").split(",") if c]
    if any(not CARD_ID.match(c) for c in ids) or len(ids) > 100:
        raise ReportError("liste de graphiques invalide : des identifiants de cartes séparés par des virgules")
    return ids or None


def today_text(timezone: str) -> str:
    return datetime.now(ZoneInfo(timezone)).strftime("%d/%m/%Y")


def make_pdf(base_url: str, page: str, cookies: dict[str, str] | None = None, charts: list[str] | None = None,
             tables: bool = False, territory: str = "", permalink: str | None = None,
             timezone: str = "Europe/Paris") -> bytes:
    """The PDF of ``page`` (a path and query) as the app at ``base_url`` renders it for ``cookies``, dated and
    timed in the territory's ``timezone`` (its day, not the server's)."""
    from playwright.sync_api import Error as BrowserError
    from playwright.sync_api import sync_playwright

    if not Path(chromium()).exists():
        raise ReportError("l'export PDF demande Chromium sur le serveur (apt install chromium, ou PILOTE_CHROMIUM)",
                          503)
    date = today_text(timezone)
    with _AT_ONCE, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(),
                                             args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        try:
            # The app's CSP allows no eval: playwright's waits evaluate functions, which the context allows.
            context = browser.new_context(bypass_csp=True, locale="fr-FR", timezone_id=timezone,
                                          viewport={"width": 1100, "height": 1500})
            host = urlsplit(base_url).hostname or "127.0.0.1"
            context.add_cookies([{"name": name, "value": value, "domain": host, "path": "/"}
                                 for name, value in (cookies or {}).items()])
            tab = context.new_page()
            tab.goto(base_url.rstrip("/") + page, wait_until="load", timeout=TIMEOUT_MS)
            tab.wait_for_function(_READY, timeout=TIMEOUT_MS)
            tab.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)  # maps' outlines, late callbacks
            tab.evaluate(_PREPARE, {"territory": territory, "date": date, "charts": charts, "tables": tables,
                                    "permalink": permalink or base_url.rstrip("/") + page})
            if tables:
                tab.wait_for_function(_TABLES_BUILT, timeout=TIMEOUT_MS)
            tab.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
            left = html.escape(f"Pilote · {territory} · édité le {date}" if territory else f"Pilote · édité le {date}")
            return tab.pdf(format="A4", print_background=True, display_header_footer=True,
                           header_template="<span></span>", footer_template=_FOOTER.format(left=left),
                           margin={"top": "12mm", "bottom": "14mm", "left": "10mm", "right": "10mm"})
        except BrowserError as exc:
            raise ReportError(f"la page n'a pas pu être imprimée : {str(exc).splitlines()[0][:200]}", 502) from exc
        finally:
            browser.close()


def file_name(page: str) -> str:
    path, _, query = page.partition("?")
    words = [path.strip("/").replace("/", "-") or "accueil", *re.findall(r"=([A-Za-z0-9_-]{1,40})", query)]
    return "pilote-" + "-".join(words) + ".pdf"


def install(server, auth, territory, self_url: str | None = None) -> None:
    """``GET /_pilote/rapport.pdf?page=/climat%3Faxe%3D1[&graphiques=a,b][&tableaux=1]``: authorised like the
    page it prints (visitors are sent to sign in, other groups get 403); the requester's session goes to the
    headless browser, so the PDF holds what they may see, nothing more."""
    from flask import Response, jsonify, redirect, request
    from urllib.parse import quote

    from auth.access import ALLOW, UNAUTHENTICATED
    from auth.guard import page_for_path
    from auth.views import forbidden_page

    @server.route(ROUTE)
    def pdf_report():
        try:
            page = target(request.args.get("page"))
            charts = charts_asked(request.args.get("graphiques"))
        except ReportError as exc:
            return jsonify(error=str(exc)), exc.status
        registered = page_for_path(page.partition("?")[0])  # a page of the registry, or None
        if registered is None:
            return jsonify(error="page inconnue : rien à exporter"), 404
        principal = auth.principal()
        status = auth.policy.decide(principal, registered["path"])
        if status != ALLOW:
            auth.refused(principal, ROUTE + " " + registered["path"], status)
            if status == UNAUTHENTICATED:
                return redirect(f"/login?next={quote(request.full_path, safe='')}", code=302)
            return forbidden_page(registered)
        name = server.config.get("SESSION_COOKIE_NAME", "session")
        cookies = {name: request.cookies[name]} if name in request.cookies else {}
        base = (self_url or request.host_url).rstrip("/")
        try:
            pdf = make_pdf(base, page, cookies, charts, request.args.get("tableaux") in ("1", "oui"),
                           territory.name, permalink=request.host_url.rstrip("/") + page, timezone=territory.timezone)
        except ReportError as exc:
            return jsonify(error=str(exc)), exc.status
        return Response(pdf, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{file_name(page)}"', "Cache-Control": "private, no-store"})
