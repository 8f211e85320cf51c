"""``python -m benchmarks.browser [--visits 5] [--pages / /climat ...]``

How long a page takes to be fully drawn in headless Chromium, against a one-graph Dash page
(``benchmarks/one_graph_app.py``) measured in the same run. Both are served by gunicorn with the same
settings (2 workers × 4 threads), at the same time. Each page is visited once to fill the browser's HTTP
cache (plotly.js and the other scripts come from it afterwards, as on a returning visitor's browser), then
``--visits`` rounds visit the one-graph page and each of Pilote's in turn, in the same browser.

*Fully drawn*: the time from the navigation's start to the first frame at which Dash has no callback
pending or running, no element is marked loading, no graph is still loading its code or drawing
(``dash-graph--pending``), every graph has drawn its figure (every map with its outlines), and that state
holds for five frames (so that a page whose content comes in several answers is not caught in between). Prints each page's median and p90, its ratio to the one-graph
page, and the goal of issue 13 (≤ 1.5×). It prints; it does not assert.
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
GOAL = 1.5
WORKERS, THREADS = 2, 4

# Resolves window.__drawn with performance.now() (ms since the navigation started) at the first frame of
# five in a row where the page is fully drawn.
_WATCH = """
window.__drawn = null;
let since = null, calm = 0;
const queues = ["requested", "prioritized", "blocked", "executing", "watched", "executed", "stored"];
function drawn() {
    const state = window.store && window.store.getState();
    if (!state || state.isLoading || !state.layout) return false;
    const callbacks = state.callbacks || {};
    if (queues.some(q => (callbacks[q] || []).length)) return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    const content = document.getElementById("_pages_content");
    if (content && !content.children.length) return false;
    // A graph still loading its code or drawing is marked (dcc.Graph's Suspense fallback and its plot in
    // progress both carry dash-graph--pending); one not yet drawn has no plot: both are not drawn yet.
    if (document.querySelector(".dash-graph--pending")) return false;
    return Array.from(document.querySelectorAll(".dash-graph")).every(graph => {
        const gd = graph.classList.contains("js-plotly-plot") ? graph : graph.querySelector(".js-plotly-plot");
        return gd && gd._fullLayout && gd.querySelector(".main-svg")
            // a map is drawn with its outlines (assets/plotly-template.js adds them first)
            && !(gd.layout.meta && gd.layout.meta.outlines && !gd.data.some(t => t.meta === "pilote-outlines"));
    });
}
function poll() {
    if (drawn()) {
        if (since === null) since = performance.now();
        if (++calm >= 5) { window.__drawn = since; return; }
    } else { since = null; calm = 0; }
    requestAnimationFrame(poll);
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


def fully_drawn(driver, url: str, attempts: int = 3) -> float:
    """Milliseconds from navigation start to fully drawn, for one visit of ``url``. A navigation that never
    starts Dash (seen on a loaded machine: WebDriver's get returns while the page is still blank) is made
    again, up to ``attempts`` times, and said on stderr."""
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
        return float(wait_for(driver, lambda: driver.execute_script("return window.__drawn"), seconds=120,
                              what=f"{url} fully drawn"))
    except RuntimeError:
        print(f"{url} never fully drawn; its state: " + str(driver.execute_script(_STATE)), file=sys.stderr)
        raise


def measure(urls: list[str], visits: int) -> dict[str, list[float]]:
    """``visits`` rounds over ``urls`` (the one-graph page first, then Pilote's) in one browser: a drift of the
    machine touches the floor and the pages alike."""
    driver = browser()
    try:
        for url in urls:  # the HTTP cache, and each server's caches
            fully_drawn(driver, url)
        times: dict[str, list[float]] = {url: [] for url in urls}
        for _ in range(visits):
            for url in urls:
                times[url].append(fully_drawn(driver, url))
        return times
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__.split("\n\n")[1])
    parser.add_argument("--visits", type=int, default=5)
    parser.add_argument("--pages", nargs="+", default=PAGES)
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
        times = measure([floor_base + "/"] + [pilote_base + path for path in args.pages], max(1, args.visits))
    except (RuntimeError, subprocess.SubprocessError) as exc:
        print(f"browser benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for proc, _ in servers:
            stop(proc)
        shutil.rmtree(made, ignore_errors=True)
    results = {"floor": {"/": times[floor_base + "/"]},
               "pilote": {path: times[pilote_base + path] for path in args.pages}}

    floor = statistics.median(results["floor"]["/"])
    print(f"Fully drawn in headless Chromium (gunicorn {args.workers}×{THREADS} threads, {args.visits} visits per page "
          "after one that fills the HTTP cache; medians):")
    print(f"  one-graph Dash page   {floor:7.0f} ms  p90 {p90(results['floor']['/']):6.0f} ms")
    missed = []
    for path, times in results["pilote"].items():
        ratio = statistics.median(times) / floor
        if ratio > GOAL:
            missed.append(f"{path} ({ratio:.1f}×)")
        print(f"  {path:20}  {statistics.median(times):7.0f} ms  p90 {p90(times):6.0f} ms  {ratio:5.2f}×")
    print(f"Goal: fully drawn ≤ {GOAL:g}× the one-graph page: {'met' if not missed else 'NOT met: ' + ', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
