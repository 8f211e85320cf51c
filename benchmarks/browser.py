"""``python -m benchmarks.browser [--visits 5] [--pages / /climat ...]``

How long a page takes to be fully drawn in headless Chromium, against a one-graph Dash page
(``benchmarks/one_graph_app.py``) measured in the same run. Both are served by gunicorn with the same
settings (2 workers × 4 threads), at the same time. Each page is visited once to fill the browser's HTTP
cache (plotly.js and the other scripts come from it afterwards, as on a returning visitor's browser, and so do
the margins each chart's axes took: assets/plotly-margins.js), then
``--visits`` rounds visit the one-graph page and each of Pilote's in turn, in the same browser (a 1400×1000
window, at the top of the page).

*Fully drawn*: the time from the navigation's start to the first frame at which Dash has no callback
pending or running, no element is marked loading, the graphs have drawn their figures (every map with its
outlines; none still loading its code, drawing or put off: ``dash-graph--pending``), and that state holds
for five frames (so that a page whose content comes in several answers is not caught in between). Two
times per visit: the *first screen* (the graphs in the window) and the *whole page* (every graph: those out of
sight are drawn after the first screen, when the browser is idle, ``assets/plotly-lazy.js``). Prints each
page's medians, p90 and ratios to the one-graph page, and the goal of issue 13 (≤ 1.5×) for both. It prints;
it does not assert.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import p90
from benchmarks.load import start, stop
from benchmarks.peers.interaction import browser, wait_for

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/climat", "/mobilite", "/stationnement", "/finances"]
# Measured and printed apart, not in the goal: a page as no reader lands on it (every theme of the observatory
# on one page, to print or read through: components/themes.py).
ALSO = ["/mobilite?theme=tout", "/stationnement?theme=tout", "/finances?theme=tout", "/climat?theme=tout"]
GOAL = 1.5
WORKERS, THREADS = 2, 4

# Resolves window.__screen and window.__drawn with performance.now() (ms since the navigation started) at the
# first frame of five in a row where the first screen, and then the whole page, is fully drawn.
_WATCH = """
window.__screen = null;
window.__drawn = null;
const calm = {screen: [null, 0], page: [null, 0]};
const queues = ["requested", "prioritized", "blocked", "executing", "watched", "executed", "stored"];
function inWindow(graph) {
    const box = graph.getBoundingClientRect();
    return (box.width || box.height) && box.bottom > 0 && box.top < window.innerHeight;
}
function plotted(graph) {
    const gd = graph.classList.contains("js-plotly-plot") ? graph : graph.querySelector(".js-plotly-plot");
    // A graph still loading its code or drawing is marked (dcc.Graph's Suspense fallback and its plot in
    // progress, or put off out of sight, all carry dash-graph--pending); one not yet drawn has no plot.
    const pending = graph.classList.contains("dash-graph--pending") || graph.querySelector(".dash-graph--pending");
    return gd && !pending && gd._fullLayout
        && gd.querySelector(".main-svg")
        // a map is drawn with its outlines (assets/plotly-template.js adds them first)
        && !(gd.layout.meta && gd.layout.meta.outlines && !gd.data.some(t => t.meta === "pilote-outlines"));
}
function drawn(screenOnly) {
    const state = window.store && window.store.getState();
    if (!state || state.isLoading || !state.layout) return false;
    const callbacks = state.callbacks || {};
    if (queues.some(q => (callbacks[q] || []).length)) return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    const content = document.getElementById("_pages_content");
    if (content && !content.children.length) return false;
    if (!screenOnly && document.querySelector(".dash-graph--pending")) return false;
    const graphs = Array.from(document.querySelectorAll(".dash-graph"));
    return (screenOnly ? graphs.filter(inWindow) : graphs).every(plotted);
}
function poll() {
    for (const [name, screenOnly] of [["screen", true], ["page", false]]) {
        const c = calm[name];
        if (drawn(screenOnly)) {
            if (c[0] === null) c[0] = performance.now();
            if (++c[1] >= 5) { if (screenOnly) window.__screen = window.__screen || c[0]; else window.__drawn = c[0]; }
        } else { c[0] = null; c[1] = 0; }
    }
    if (window.__drawn === null) requestAnimationFrame(poll);
}
requestAnimationFrame(poll);
"""


_STATE = """
const state = window.store && window.store.getState();
return {url: location.href, ready: document.readyState, scripts: document.scripts.length, store: !!state, loading: state && state.isLoading, pending: state && Object.fromEntries(
        Object.entries(state.callbacks || {}).map(([k, v]) => [k, Array.isArray(v) ? v.length : v])),
    marked: document.querySelectorAll('[data-dash-is-loading="true"]').length,
    graphs: Array.from(document.querySelectorAll(".js-plotly-plot")).map(gd => !!gd._fullLayout + "/"
        + !!gd.querySelector(".main-svg"))};
"""


def page_view(driver, url: str, attempts: int = 3) -> tuple[float, float]:
    """Milliseconds from navigation start to the first screen fully drawn, and to the whole page fully drawn,
    for one visit of ``url`` (the window at the top of the page). A navigation that never starts Dash (seen on
    a loaded machine: WebDriver's get returns while the page is still blank) is made again, up to
    ``attempts`` times, and said on stderr."""
    for attempt in range(1, attempts + 1):
        driver.get(url)  # returns after the load event: Dash then fetches the layout and runs the callbacks
        try:
            wait_for(driver, lambda: driver.execute_script("return !!window.store || null"), seconds=30,
                     what=f"{url}: Dash started")
            break
        except RuntimeError:
            print(f"{url}: Dash did not start (attempt {attempt}); state: {driver.execute_script(_STATE)}",
                  file=sys.stderr)
    else:
        raise RuntimeError(f"{url}: Dash did not start in {attempts} navigations")
    driver.execute_script(_WATCH)
    try:
        whole = float(wait_for(driver, lambda: driver.execute_script("return window.__drawn"), seconds=120,
                               what=f"{url} fully drawn"))
    except RuntimeError:
        print(f"{url} never fully drawn; its state: " + str(driver.execute_script(_STATE)), file=sys.stderr)
        raise
    return float(driver.execute_script("return window.__screen")), whole


def fully_drawn(driver, url: str, attempts: int = 3) -> float:
    """Milliseconds from navigation start to the whole page fully drawn (see :func:`page_view`)."""
    return page_view(driver, url, attempts)[1]


def measure(urls: list[str], visits: int) -> dict[str, dict[str, list[float]]]:
    """``visits`` rounds over ``urls`` (the one-graph page first, then Pilote's) in one browser: a drift of the
    machine touches the floor and the pages alike. Per URL: the first-screen and whole-page times."""
    driver = browser()
    try:
        for url in urls:  # the HTTP cache, and each server's caches
            page_view(driver, url)
        times: dict[str, dict[str, list[float]]] = {url: {"screen": [], "page": []} for url in urls}
        for _ in range(visits):
            for url in urls:
                screen, page = page_view(driver, url)
                times[url]["screen"].append(screen)
                times[url]["page"].append(page)
        return times
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__.split("\n\n")[1])
    parser.add_argument("--visits", type=int, default=5)
    parser.add_argument("--pages", nargs="+", default=PAGES)
    parser.add_argument("--also", nargs="*", default=ALSO, help="pages measured and printed apart, not in the goal")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers of each server")
    args = parser.parse_args(argv)

    made = tempfile.mkdtemp(prefix="pilote-browser-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
    env.update(PILOTE_DATA_DIR=str(Path(made) / "data"), PILOTE_CACHE_DIR=str(Path(made) / "cache"),
               PYTHONPATH=str(ROOT))
    servers = []
    try:
        for target in ("benchmarks.one_graph_app:server", "app:server"):  # both up for the whole run
            servers.append(start(target, args.workers, THREADS, env))
        (_, floor_base), (_, pilote_base) = servers
        times = measure([floor_base + "/"] + [pilote_base + path for path in args.pages + args.also],
                        max(1, args.visits))
    except (RuntimeError, subprocess.SubprocessError) as exc:
        print(f"browser benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for proc, _ in servers:
            stop(proc)
        shutil.rmtree(made, ignore_errors=True)
    floor_times = times[floor_base + "/"]
    # The one-graph page has one screen: its first screen is its whole page (both are printed).
    floor = statistics.median(floor_times["page"])
    print(f"Fully drawn in headless Chromium, a 1400×1000 window (gunicorn {args.workers}×{THREADS} threads, "
          f"{args.visits} visits per page after one that fills the HTTP cache; medians, ratio to the one-graph page):")
    width = max(len(path) for path in ["one-graph Dash page", *args.pages, *args.also])
    print(f"  {'':{width}}  {'first screen':>25}  {'whole page':>25}")
    _row("one-graph Dash page", floor_times, floor, width)
    missed = {"screen": [], "page": []}
    for path in args.pages:
        mine = times[pilote_base + path]
        for part in missed:
            ratio = statistics.median(mine[part]) / floor
            if ratio > GOAL:
                missed[part].append(f"{path} ({ratio:.1f}×)")
        _row(path, mine, floor, width)
    if args.also:
        print("  Also measured, not in the goal (every theme on one page, to print or read through):")
    for path in args.also:
        _row(path, times[pilote_base + path], floor, width)
    for part, what in (("screen", "first screen"), ("page", "whole page")):
        print(f"Goal: {what} fully drawn ≤ {GOAL:g}× the one-graph page: "
              f"{'met' if not missed[part] else 'NOT met: ' + ', '.join(missed[part])}")
    return 0


def _row(path: str, times: dict[str, list[float]], floor: float, width: int) -> None:
    print(f"  {path:{width}}  {_cell(times['screen'], floor)}  {_cell(times['page'], floor)}")


def _cell(times: list[float], floor: float) -> str:
    return f"{statistics.median(times):6.0f} ms p90 {p90(times):5.0f} {statistics.median(times) / floor:5.2f}×"


if __name__ == "__main__":
    sys.exit(main())
