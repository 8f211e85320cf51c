"""``python -m benchmarks.peers.interaction [--changes 10]``

The parking-history section as a user drives it: choose another car park, wait until its charts are
redrawn. Measured in headless Chromium, in the same run, on Pilote (/stationnement: three charts) and on the
same section written idiomatically in Vizro and in Streamlit (benchmarks/peers/, two charts each, the same
Parquet files), each served on this machine, all three at once and driven in turns (one change of each app,
then the next round). The peers run in their own virtual environment
(``var/peers-venv``, made from benchmarks/peers/requirements.txt on first use).

A change is timed in the page: from the press on the option to the frame where every chart of the section
shows the new car park's data (each plotly graph's data differs from before, and nothing in the section waits
for a callback; Pilote's URL bookkeeping outside the section may still be on its way).
Prints the median and p90 of ``--changes`` changes per app, the bytes the browser fetched for a change
(HTTP; Streamlit's websocket is not counted), and Pilote's median as a ratio to each peer's, with the goals
of issue 13 (≤ 1.0× Vizro, ≤ 0.5× Streamlit). It prints; it does not assert.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import p90
from benchmarks.load import free_port

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "benchmarks" / "peers"
VENV = ROOT / "var" / "peers-venv"
CHROMIUM = os.environ.get("PILOTE_CHROMIUM", "/usr/bin/chromium")
GOALS = {"vizro": 1.0, "streamlit": 0.5}
CAR_PARKS = ("Hôtel de Ville", "Gare d'Issy Val de Seine")  # Pilote shows names; the peers show the ids
IDS = ("ISSY-P03", "ISSY-P01")

# In the page: remember each chart's data, then resolve at the first frame where all have changed.
_ARM = """
const scope = arguments[0], expected = arguments[1];
// y and z as sent: plain lists (Pilote) or base64 typed arrays ({dtype, bdata}: plotly.py's numpy encoding).
const part = (v) => v ? JSON.stringify(v).slice(0, 300) : null;
const sig = (gd) => JSON.stringify((gd.data || []).map(t => [part(t.y), part(t.z)]));
window.__before = Array.from(document.querySelectorAll(scope + " .js-plotly-plot")).map(sig);
window.__done = null;
window.__t0 = null;
function poll() {
    const graphs = Array.from(document.querySelectorAll(scope + " .js-plotly-plot"));
    const drawn = graphs.filter(gd => gd._fullLayout && gd.data && gd.data.length);
    const fresh = drawn.filter(gd => !window.__before.includes(sig(gd)));
    const busy = document.querySelector(scope + ' [data-dash-is-loading="true"]');  // the section still waiting
    if (window.__t0 !== null && drawn.length === expected && fresh.length === expected && !busy) {
        window.__done = performance.now();
        return;
    }
    requestAnimationFrame(poll);
}
requestAnimationFrame(poll);
"""


def peers_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(PEERS / "requirements.txt")], check=True)
    return python


def wait_http(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({proc.returncode})")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:g} s")


def start(app: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
    if app == "pilote":
        env.update(PILOTE_DATA_DIR=str(workdir / "data"), PILOTE_CACHE_DIR=str(workdir / "cache"), PORT=str(port))
        command = [sys.executable, "app.py"]
        path = "/stationnement?theme=historique"  # the section the peers rebuilt
    elif app == "vizro":
        command = [str(peers_python()), str(PEERS / "vizro_app.py"), str(port)]
        path = "/"
    else:
        command = [str(peers_python()), "-m", "streamlit", "run", str(PEERS / "streamlit_app.py"), "--server.port",
                   str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
                   "--server.address", "127.0.0.1"]
        path = "/"
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + ("/healthz" if app == "pilote" else "/"), proc)
    return proc, base + path


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if os.path.exists(CHROMIUM):
        options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--disable-extensions", "--no-first-run", "--lang=fr-FR"):
        options.add_argument(arg)
    return webdriver.Chrome(options=options)


def wait_for(driver, condition, seconds: float = 60, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception:  # noqa: BLE001 - the page is still building
            pass
        time.sleep(0.02)
    raise RuntimeError(f"timed out waiting for {what}")


def click(driver, element) -> None:
    # Bootstrap's smooth scrolling can move the element under selenium's click: scroll instantly first.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


# How each app's selector is opened and one of its options clicked.
def choose(driver, app: str, index: int) -> None:
    from selenium.webdriver.common.by import By

    if app == "streamlit":
        # Streamlit 1.67's selectbox: a react-aria combobox, opened by its button, options in a listbox.
        box = driver.find_element(By.CSS_SELECTOR, "[data-testid='stSelectbox'] button[aria-haspopup='listbox']")
        click(driver, box)
        wanted = IDS[index]
        option = wait_for(driver, lambda: next(o for o in driver.find_elements(By.CSS_SELECTOR, "[role='option']")
                                               if o.text.strip() == wanted), what="the selectbox's options")
    else:
        dropdown = "#parking-select" if app == "pilote" else "#parking"
        click(driver, driver.find_element(By.CSS_SELECTOR, dropdown))
        wanted = CAR_PARKS[index] if app == "pilote" else IDS[index]
        option = wait_for(driver, lambda: next(o for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")
                                               if o.text.strip() == wanted), what="the dropdown's options")
    # The clock starts at the press itself, in the page, not before WebDriver's round trip to make it.
    driver.execute_script("""window.__mark = performance.getEntries().length;
        document.addEventListener("pointerdown", function start() {
            window.__t0 = performance.now(); document.removeEventListener("pointerdown", start, true);
        }, true);""")
    option.click()


def session(app: str, url: str, changes: int):
    """One app in its own browser, opened on its section: each ``next()`` makes one car-park change and gives
    (ms until redrawn, bytes fetched). The first change of each app warms its caches and is not counted."""
    driver = browser()
    scope, expected = ("#historique", 3) if app == "pilote" else ("body", 2)
    try:
        driver.get(url)
        wait_for(driver, lambda: len(driver.execute_script(
            f"return Array.from(document.querySelectorAll('{scope} .js-plotly-plot')).filter(g => g._fullLayout)"))
            >= expected, what=f"{app}'s charts")
        for i in range(changes + 1):
            driver.execute_script(_ARM, scope, expected)
            choose(driver, app, i % 2)
            try:
                wait_for(driver, lambda: driver.execute_script("return window.__done"), what=f"{app} redrawn")
            except RuntimeError:
                print(driver.execute_script(
                    f"const g = Array.from(document.querySelectorAll('{scope} .js-plotly-plot'));"
                    "return [g.length, g.map(x => !!x._fullLayout), !!document.querySelector('[data-dash-is-loading=\"true\"]'),"
                    " window.__t0, window.__before.length, document.querySelector('#parking') && document.querySelector('#parking').innerText,"
                    " Array.from(document.querySelectorAll('.dash-dropdown-option')).map(o => o.innerText).slice(0, 5)]"), file=sys.stderr)
                raise
            elapsed = driver.execute_script("return window.__done - window.__t0")
            size = driver.execute_script(
                "return performance.getEntries().slice(window.__mark)"
                ".filter(e => e.entryType === 'resource').reduce((s, e) => s + (e.transferSize || 0), 0)")
            time.sleep(0.3)  # what the change set off after the redraw (URL, websocket) ends before the next app's
            if i:
                yield elapsed, size
    finally:
        driver.quit()


def interleaved(urls: dict[str, str], changes: int) -> dict:
    """Every app's changes in turns (one change of each, the order rotated each round), so that the machine's
    load, which drifts over a run on a shared machine, weighs on every app alike: the ratios compare like with
    like. Returns each app's median, p90 and bytes."""
    sessions = {app: session(app, url, changes) for app, url in urls.items()}
    times = {app: [] for app in urls}
    fetched = {app: [] for app in urls}
    try:
        apps = list(urls)
        for round_ in range(changes):
            for app in apps[round_ % len(apps):] + apps[:round_ % len(apps)]:
                elapsed, size = next(sessions[app])
                times[app].append(elapsed)
                fetched[app].append(size)
    finally:
        for running in sessions.values():
            running.close()
    return {app: {"median_ms": statistics.median(times[app]), "p90_ms": p90(times[app]),
                  "kb": statistics.median(fetched[app]) / 1024, "changes": len(times[app])} for app in urls}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers.interaction", description=__doc__.split("\n\n")[1])
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--apps", nargs="+", default=["pilote", "vizro", "streamlit"])
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="pilote-peers-"))
    servers, urls = [], {}
    try:
        for app in args.apps:
            proc, urls[app] = start(app, workdir)
            servers.append(proc)
        results = interleaved(urls, args.changes)
    finally:
        for proc in servers:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"Car-park change → charts redrawn, headless Chromium, {args.changes} changes per app, in turns (medians):")
    for app, r in results.items():
        print(f"  {app:10} {r['median_ms']:8.0f} ms  p90 {r['p90_ms']:6.0f} ms  fetched {r['kb']:7.1f} KB"
              + ("  (websocket not counted)" if app == "streamlit" else ""))
    if "pilote" in results:
        for peer, goal in GOALS.items():
            if peer in results:
                ratio = results["pilote"]["median_ms"] / results[peer]["median_ms"]
                print(f"  Pilote / {peer}: {ratio:.2f}×  goal ≤ {goal:.1f}×: {'met' if ratio <= goal else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
