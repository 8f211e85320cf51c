"""Browser options for the dash_duo tests: headless Debian Chromium, offline, as root.

How dash.testing (4.4) builds Chrome: its ``dash_duo`` fixture calls the ``pytest_setup_options`` hook
(declared in ``dash/testing/newhooks.py``) and ``Browser._get_wd_options`` takes the *first* returned object as
the ``ChromeOptions``; ``_get_chrome`` then adds ``--no-sandbox``, ``--disable-gpu``, ``--disable-dev-shm-usage``,
``--remote-debugging-port=0`` and the ``goog:loggingPrefs`` capability (browser logs at SEVERE). ``--headless`` is
only added by the ``--headless`` pytest option, so it is set here too: no command-line option is needed, and
``--webdriver`` already defaults to ``Chrome``. ``DASH_TEST_CHROMEPATH``, when set, still overrides the binary.

Without ``--disable-background-networking`` (and friends) Chromium tries to reach Google hosts on this offline
machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dash.testing import wait
from dash.testing.errors import TestingTimeoutError
from selenium.webdriver.chrome.options import Options

CHROMIUM = os.environ.get("PILOTE_CHROMIUM", "/usr/bin/chromium")

CHROME_ARGS = (
    "--headless",  # dash adds it again when --headless is given on the command line: harmless
    "--no-sandbox",  # root in a container
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--window-size=1400,1000",  # lg breakpoint: the navbar is expanded, not collapsed behind "Menu"
    "--lang=fr-FR",
)


def pytest_setup_options():
    options = Options()
    if os.path.exists(CHROMIUM):
        options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    return options


@pytest.fixture
def download_dir(pilote):
    """Where Chromium saves this test's downloads, without a prompt (a fresh directory per test: the
    ``pilote`` fixture points the shared browser's downloads to it)."""
    return pilote.downloads


# --------------------------------------------------------------------------------------------------------------
# Helpers shared by the browser tests
# --------------------------------------------------------------------------------------------------------------

STATIONS_KPI = "#velib-kpis [aria-label^='stations'] .pilote-kpi-value"
COMMUNE_VALUE = "#commune-select-value"

# Settled: nothing loading, every graph plotted and listening. dcc.Graph binds its click/hover events only once
# its first plot has resolved (a map's waits for its style): a click emitted before is lost.
_SETTLED_JS = """
const graphs = document.querySelectorAll('.dash-graph').length;
const plotted = [...document.querySelectorAll('.dash-graph .js-plotly-plot')];
return document.readyState === 'complete'
    && !document.querySelector('[data-dash-is-loading="true"], .dash-graph--pending')
    && graphs === plotted.length
    && plotted.every((gd) => gd._ev && gd._ev.listeners('plotly_click').length > 0);
"""


# Each graph drawn at its host's width (after a window resize, plotly redraws on its own schedule).
_FITTED_JS = """
return [...document.querySelectorAll('.dash-graph .js-plotly-plot')].every((gd) =>
    gd._fullLayout && Math.abs(gd._fullLayout.width - gd.clientWidth) < 2);
"""

# What a reader sees broken in the layout: the page scrolling sideways, a legend drawn over a tick label or an
# axis title (bounding boxes of the SVG texts against the legend's box).
_LAYOUT_FAULTS_JS = r"""
const faults = [];
const root = document.documentElement;
if (root.scrollWidth > root.clientWidth + 1) faults.push(`page ${root.scrollWidth} px wide in ${root.clientWidth}`);
const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
for (const gd of document.querySelectorAll('.dash-graph .js-plotly-plot')) {
    const bg = gd.querySelector('g.legend rect.bg');
    const box = bg && bg.getBoundingClientRect();
    if (!box || !box.width || !box.height) continue;
    for (const label of gd.querySelectorAll('g.xtick text, g.ytick text, .g-xtitle text, .g-ytitle text')) {
        const b = label.getBoundingClientRect();
        if (b.width && hit(box, b)) faults.push(`${gd.parentElement.id}: legend over "${label.textContent}"`);
    }
    for (const button of gd.querySelectorAll('.modebar-btn')) {  // its place, shown or not (hover, tap, focus)
        const b = button.getBoundingClientRect();
        if (b.width && hit(box, b)) faults.push(`${gd.parentElement.id}: toolbar over the legend`);
    }
}
// Tick labels on a phone: at least 30 px apart on an axis (a label every year stood on end).
for (const gd of window.innerWidth < 576 ? document.querySelectorAll('.dash-graph .js-plotly-plot') : []) {
    // where each label is anchored (its tick's translate): a rotated label's box says little
    const at = Array.from(gd.querySelectorAll('g.xtick > text')).filter(t => t.textContent.trim())
        .map(t => parseFloat((/translate\(([-\d.]+)/.exec(t.getAttribute('transform') || '') || [0, NaN])[1]))
        .filter(x => x === x).sort((a, b) => a - b);
    if (gd.querySelectorAll('g.xtick > text').length > 1 && at.length < 2) faults.push(`${gd.parentElement.id}: ticks not read`);
    const close = at.slice(1).filter((x, i) => x - at[i] < 30).length;
    if (close) faults.push(`${gd.parentElement.id}: ${close + 1} x tick labels less than 30 px apart`);
}
// On a phone a table of three columns or more is stacked rows (assets/a11y.js, pilote.css): no column out of
// sight behind a scroll, and every cell says its column.
if (window.innerWidth < 576) {
    for (const table of document.querySelectorAll('.table-responsive table')) {
        const head = table.tHead && table.tHead.rows[0];
        if (!head || head.cells.length < 3 || !table.checkVisibility()) continue;
        const box = table.closest('.table-responsive');
        const name = (table.caption && table.caption.textContent.trim()) || table.id || 'table';
        if (box.scrollWidth > box.clientWidth + 1) faults.push(`${name}: ${box.scrollWidth} px wide in ${box.clientWidth}`);
        const bare = Array.from(table.tBodies).flatMap(b => Array.from(b.rows)).flatMap(r => Array.from(r.cells))
            .filter(c => c.colSpan === 1 && !c.dataset.label).length;
        if (bare) faults.push(`${name}: ${bare} cell(s) without their column's name`);
    }
}
return faults;
"""

# Every drawn map: how many of its points lie outside its plot, and how much of the plot the box fills.
_MAPS_JS = """
return Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(gd => gd._fullLayout && gd._fullLayout.geo && gd._fullLayout.geo._subplot)
  .map(gd => {
    const geo = gd._fullLayout.geo, project = geo._subplot.projection, size = gd._fullLayout._size;
    let points = 0, out = 0;
    gd.data.filter(t => t.meta !== 'pilote-outlines').forEach(t => (t.lat || []).forEach((lat, i) => {
        if (lat === null || t.lon[i] === null) return;
        points += 1;
        const xy = project([t.lon[i], lat]);
        if (!xy || xy[0] < size.l || xy[0] > size.l + size.w || xy[1] < size.t || xy[1] > size.t + size.h) out += 1;
    }));
    const outline = gd.data.find(t => t.meta === 'pilote-outlines');
    const lon = geo.lonaxis.range, lat = geo.lataxis.range, pad = 1e-3;  // plotly fits the range less its pad
    const a = project([lon[0] + pad, lat[0] + pad]), b = project([lon[1] - pad, lat[1] - pad]);
    return {id: gd.closest('.pilote-chart-card').id, points: points, out: out, width: size.w,
            graph: gd.clientWidth, outline: outline ? outline.lon.filter(v => v !== null).length : 0,
            fill: [Math.abs(b[0] - a[0]) / size.w, Math.abs(a[1] - b[1]) / size.h]};
  });
"""

_AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
# The WCAG 2.x A and AA rules (RGAA 4 rests on WCAG 2.1 AA); a serious or critical violation fails.
_AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
                   resultTypes: ['violations']})
   .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)))
   .catch(e => done([`axe failed: ${e}`]));
"""

class Pilote:
    """Thin helpers over ``dash_duo`` for Pilote's pages."""

    def __init__(self, duo):
        self.duo = duo
        self.driver = duo.driver
        self._logs: list[dict] = []

    @property
    def origin(self) -> str:
        return self.duo.server_url.rstrip("/")

    def open(self, path: str, timeout: float = 30):
        """Loads ``path`` (a full page load) and waits until the page's H1 is there and graphs have drawn."""
        self.duo.wait_for_page(self.origin + path, timeout=timeout)
        self.wait_h1(timeout=timeout)
        self.settle(timeout=timeout)

    def wait_h1(self, text: str | None = None, timeout: float = 30):
        if text is None:
            wait.until(lambda: self.h1().strip() != "", timeout)
        else:
            self.duo.wait_for_text_to_equal("#contenu h1", text, timeout=timeout)

    def text(self, selector: str) -> str:
        """innerText of the first match, read in one JS call: no stale element while React swaps the page."""
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : '';", selector)

    def h1(self) -> str:
        return self.text("#contenu h1")

    def settle(self, timeout: float = 30):
        wait.until(lambda: self.driver.execute_script(_SETTLED_JS), timeout)

    def resize(self, width: int, height: int = 900, timeout: float = 30):
        """The window at ``width`` px, once every graph is drawn again at its new width."""
        self.driver.set_window_size(width, height)
        # both at once: a graph at its new width may still be thinning its ticks (dash-graph--pending)
        wait.until(lambda: self.driver.execute_script(_FITTED_JS) and self.driver.execute_script(_SETTLED_JS),
                   timeout)

    def maps(self) -> list[dict]:
        """Every drawn map: its points drawn and those outside its plot, its outline's vertices, its plot's
        width, and how much of the plot the box shown fills (across, up)."""
        return self.driver.execute_script(_MAPS_JS)

    def layout_faults(self, timeout: float = 15) -> list[str]:
        """What is broken in the layout, once it stays so: a graph just resized thins its ticks a moment after
        plotly's resize resolves (assets/plotly-template.js), so faults are read again until none is left or
        ``timeout`` has passed (a real fault is still there then)."""
        faults = []

        def clear():
            faults[:] = self.driver.execute_script(_LAYOUT_FAULTS_JS)
            return not faults

        try:
            wait.until(clear, timeout)
        except TestingTimeoutError:  # the faults that stayed are the answer
            pass
        return faults

    def axe_violations(self) -> list[str]:
        """axe-core's serious and critical WCAG A/AA violations on the page as it is now."""
        if not self.driver.execute_script("return !!window.axe"):
            self.driver.execute_script(_AXE.read_text(encoding="utf-8"))
        self.driver.set_script_timeout(120)
        return self.driver.execute_async_script(_AXE_RUN)

    def wait_url(self, predicate, timeout: float = 30, what: str = "URL"):
        try:
            wait.until(lambda: predicate(self.driver.current_url), timeout)
        except Exception as exc:  # dash's TestingTimeoutError: say what the URL was
            raise AssertionError(f"{what} never came; current URL: {self.driver.current_url}") from exc

    def click(self, selector: str):
        """Scrolls the element to the middle of the viewport, then clicks it like a user would.

        Bootstrap sets ``scroll-behavior: smooth`` on :root, so selenium's own scrolling can click mid-animation
        ("element click intercepted"): scroll instantly first."""
        element = self.duo.find_element(selector)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
        element.click()

    def stations(self) -> str:
        return self.text(STATIONS_KPI)

    def wait_stations(self, expected: str, timeout: float = 30):
        self.duo.wait_for_text_to_equal(STATIONS_KPI, expected, timeout=timeout)

    def commune_shown(self) -> str:
        return self.text(COMMUNE_VALUE)

    def choose_commune(self, name: str):
        self.choose("#commune-select", name)

    def choose(self, dropdown: str, name: str):
        # Dash 4 dcc.Dropdown: a <button id=...> opening a popover; options are .dash-dropdown-option
        self.click(dropdown)
        self.duo.wait_for_element(".dash-dropdown-options", timeout=30)
        options = self.driver.find_elements("css selector", ".dash-dropdown-options .dash-dropdown-option")
        labels = [o.text for o in options]
        assert name in labels, f"{name!r} not among the dropdown options {labels}"
        options[labels.index(name)].click()

    def sign_in(self, email: str, password: str, next_path: str = "/"):
        """Through the real login form (CSRF token included); lands on ``next_path``."""
        from urllib.parse import quote

        self.driver.get(f"{self.origin}/login?next={quote(next_path, safe='')}")
        self.duo.wait_for_element("#email", timeout=30).send_keys(email)
        self.duo.find_element("#password").send_keys(password)
        self.click("#login-submit")
        self.wait_url(lambda u: "/login" not in u, what=f"the end of sign-in as {email}")

    def console_errors(self) -> list[dict]:
        """Every SEVERE browser-log entry so far (the browser buffer is drained by each read, so accumulate)."""
        self._logs.extend(self.duo.get_logs() or [])
        return list(self._logs)


def group_agent(group: str, group_name: str, name: str, domain: str) -> tuple[str, str]:
    """(email, password) of a new agent of ``group`` (created if needed) in the test run's database."""
    import secrets

    from app import app
    from auth import accounts

    email, password = f"agent-{secrets.token_hex(4)}@{domain}", "Agent-" + secrets.token_urlsafe(18)
    with app.pilote_auth.db.session() as s:
        try:
            accounts.add_group(s, group, group_name)
        except accounts.AccountError:
            pass  # created by another test of this run
    with app.pilote_auth.db.session() as s:
        accounts.create_user(s, email, name, password, groups=[group])
    return email, password


@pytest.fixture(scope="session")
def admin_account():
    """(email, password) of an administrator, created once in the test run's database: it sees every page."""
    import secrets

    from app import app

    from auth.accounts import create_user

    email, password = "e2e-admin@example.org", "E2e-" + secrets.token_urlsafe(24)
    with app.pilote_auth.db.session() as s:
        create_user(s, email, "Administrateur E2E", password=password, admin=True)
    return email, password


@pytest.fixture(scope="session")
def shared_duo(request, tmp_path_factory):
    """One Chromium and one server of the app for the whole browser suite, made as dash.testing's ``dash_duo``
    makes them (same options): starting Chromium and chromedriver took 1 to 3 s, a hundred times. Each test
    starts from a clean browser (the ``pilote`` fixture)."""
    from dash.testing.application_runners import ThreadedRunner
    from dash.testing.composite import DashComposite

    from app import app
    from tests.services import free_port

    option = request.config.getoption
    with ThreadedRunner() as server, DashComposite(
            server=server, browser=option("webdriver"), remote=option("remote"), remote_url=option("remote_url"),
            headless=option("headless"), options=request.config.hook.pytest_setup_options(),
            download_path=str(tmp_path_factory.mktemp("download")), percy_assets_root=option("percy_assets"),
            percy_finalize=option("nopercyfinalize"), pause=option("pause"),
            wait_timeout=30) as duo:  # a ceiling, not a delay: generous for a loaded machine
        # a free port, not dash.testing's 8050: each worker of a parallel run (make test) has its own server
        duo.start_server(app, port=free_port())
        yield duo


@pytest.fixture
def pilote(shared_duo, tmp_path):
    """The shared browser as a new visitor's: a blank page, no cookie (signed out), nothing stored for the
    app's origin, the default window (no emulated phone), the browser's log read out, downloads going to this
    test's directory."""
    duo, driver = shared_duo, shared_duo.driver
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {
        "origin": duo.server_url.rstrip("/"),
        "storageTypes": "local_storage,session_storage,indexeddb,cache_storage,service_workers"})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})  # a phone emulated by an earlier test
    driver.set_window_size(1400, 1000)
    downloads = tmp_path / "download"
    downloads.mkdir()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    duo.get_logs()  # what earlier tests left in the browser's log
    pilote = Pilote(duo)
    pilote.downloads = downloads
    return pilote
