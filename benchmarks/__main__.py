"""``python -m benchmarks [--runs N] [--cold-runs N] [--json PATH]``

Per page of ``dash.page_registry``: the requests a browser makes when it navigates to the page (Dash Pages'
router, then the callbacks the rendered page fires) are recorded once, then replayed through Flask's test
client (server-side time only: no network, no browser). Each page is timed

* cold: the query cache emptied before the page (``diskcache`` memoises queries), median of a few tries;
* warm: after a warm-up, median and 90th percentile over ``--runs`` replays;

and divided by the median of a no-op callback (the shell's ``toggle_menu``, which only returns a bool)
timed the same way in the same run, so that figures compare across machines. Then ``--cold-runs`` fresh
processes each import the app and answer a first request (cold start), render every page once, and report
their resident memory (RSS).

The run never touches the checkout's ``var/``: ``PILOTE_DATA_DIR`` defaults to a temporary directory, and
``PILOTE_CACHE_DIR`` is always a fresh one. Exit status 0, or 1 when the app fails to answer.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import p90

ROOT = Path(__file__).resolve().parent.parent
FLOOR_OUTPUT = ("navbar-collapse", "is_open")  # the shell's toggle_menu: returns `not is_open`, nothing else
COLD_TRIES_MAX = 5
WARMUP = 3


# -- statistics ------------------------------------------------------------------------------------

def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def p90_ms(seconds: list[float]) -> float:
    return p90(seconds) * 1000


def summary(seconds: list[float]) -> dict:
    return {"median_ms": round(median_ms(seconds), 4), "p90_ms": round(p90_ms(seconds), 4), "samples": len(seconds)}


# -- in-process measurements -----------------------------------------------------------------------

def floor_body(dc, app):
    """The no-op request: ``toggle_menu`` clicked once; else a no-op callback registered for the benchmark."""
    from benchmarks.dash_client import build_call

    cb = dc.find(*FLOOR_OUTPUT)
    if cb is not None:
        comps = dc.shell.copy()
        toggler = next((d for d in cb.inputs), None)
        if toggler is not None and toggler.id in comps.by_id:
            comps.by_id[toggler.id]["props"][toggler.clean_prop] = 1
        call = build_call(cb, comps, {}, [f"{d.id}.{d.clean_prop}" for d in cb.inputs])
        if call is not None:
            func = app.callback_map.get(cb.key, {}).get("callback")
            name = getattr(func, "__name__", None) or "toggle_menu"
            return call.body, f"{name} ({cb.describe()}, shell)"

    from dash import Input, Output

    @app.callback(Output("_bench-noop", "title"), Input("_bench-noop", "n_clicks"), prevent_initial_call=True)
    def bench_noop(n_clicks):
        return "noop"

    body = {"output": "_bench-noop.title", "outputs": {"id": "_bench-noop", "property": "title"},
            "inputs": [{"id": "_bench-noop", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["_bench-noop.n_clicks"], "parsedChangedPropsIds": ["_bench-noop.n_clicks"]}
    return body, "bench_noop (registered by the benchmark: the shell's toggle_menu was not found)"


def answer_bytes(dc, bodies: list[dict]) -> tuple[int, int]:
    """The bytes of a page's answers: as built, and brotli-compressed as the server sends them."""
    from data_access.render_cache import ENCODINGS

    raw = [dc.client.post("/_dash-update-component", json=body).get_data() for body in bodies]
    return sum(len(r) for r in raw), sum(len(ENCODINGS["br"](r)) for r in raw if r)


def time_replays(dc, bodies: list[dict], runs: int, warmup: int = WARMUP) -> list[float]:
    for _ in range(warmup):
        dc.replay(bodies)
    return [dc.replay(bodies) for _ in range(runs)]


def time_cold(dc, bodies: list[dict], cache, tries: int) -> list[float]:
    """Each try empties the query cache first; without a reachable cache, only the very first call is cold."""
    if cache is None:
        return [dc.replay(bodies)]
    out = []
    for _ in range(tries):
        cache.clear()
        out.append(dc.replay(bodies))
    return out


def time_refreshes(dc, bodies: list[dict], data, page: dict, server=None, visitor=None) -> list[dict]:
    """For each portal dataset the page reads, the first render after a refresh of that dataset alone, as its
    schedule brings it (Vélib' every 5 minutes, accidents once a year). The refresh writes a new snapshot (its
    rows in another order: another version) and leaves the others as they are, twice:

    * ``ms``: as ``python -m data_access refresh`` does it, the refreshed pages then rendered in advance by
      its warm-up (``pilote.warm``) for the visitor and the signed-in account (here the benchmark's);
      ``warm_ms`` is that warm-up's cost, paid by the refresh, not by a viewer;
    * ``unwarmed_ms``: without the warm-up (``--no-warm``, or a viewer whose access set was not warmed).

    The original is put back and the page warmed again before the next. Only on the run's own data."""
    from data_access.render_cache import page_datasets
    from pilote.warm import VISITOR, warm

    out = []
    for key in page_datasets(page, data):
        if data.catalog[key].collaborative or not data.store.meta(key).has_data:
            continue
        frame, meta = data.store.read(key), data.store.meta(key)
        if frame.height < 2:
            continue
        try:
            data.store.write(key, frame.reverse(), source_url=meta.source_url, origin=meta.origin)
            unwarmed = dc.replay(bodies)
            data.store.write(key, frame.sample(fraction=1.0, shuffle=True, seed=7), source_url=meta.source_url,
                             origin=meta.origin)
            warmed = warm(server, {key}, [(VISITOR, visitor), ("benchmark", dc.client)]) if server else []
            out.append({"dataset": key, "ms": round(dc.replay(bodies) * 1000, 4),
                        "unwarmed_ms": round(unwarmed * 1000, 4),
                        "warm_ms": round(sum(w.ms for w in warmed), 2)})
        finally:
            data.store.write(key, frame, source_url=meta.source_url, origin=meta.origin)
        dc.replay(bodies)
    return out


def sign_in_admin(server, client) -> None:
    """An administrator of the run's own temporary database signs the test client in, through /login."""
    import re
    import secrets

    from auth import accounts

    auth = server.extensions["pilote_auth"]
    email, password = "benchmark@pilote.invalid", secrets.token_urlsafe(16)
    with auth.db.session() as s:
        try:
            accounts.create_user(s, email, "Benchmark", password, admin=True)
        except accounts.AccountError:  # a data directory reused from an earlier run
            accounts.set_password(s, email, password)
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"benchmark sign-in failed: HTTP {response.status_code}")


def measure_in_process(runs: int, cold_tries: int, own_data: bool = True) -> dict:
    sys.path.insert(0, str(ROOT))
    import app as pilote_app  # builds the app: settings come from the environment set by main()
    import dash

    from benchmarks.dash_client import AppError, DashClient

    dc = DashClient(pilote_app.server)
    sign_in_admin(pilote_app.server, dc.client)  # internal pages too, with every section rendered
    data = pilote_app.server.extensions.get("pilote_data")
    cache = getattr(data, "cache", None)

    visitor_client = pilote_app.server.test_client()  # the refresh's warm-up renders public pages for visitors
    floor, floor_name = floor_body(dc, pilote_app.app)
    floor_samples = time_replays(dc, [floor], runs)

    pages = []
    for module, page in dash.page_registry.items():
        path = page["relative_path"]
        try:
            bodies = dc.page_load(path)  # recording pass: follows the renderer once
            cold = time_cold(dc, bodies, cache, cold_tries)
            warm = time_replays(dc, bodies, runs)
            refreshes = (time_refreshes(dc, bodies, data, page, pilote_app.server, visitor_client)
                         if own_data and data is not None else [])
        except AppError as exc:
            raise AppError(f"page {path} ({module}): {exc}") from exc
        raw, packed = answer_bytes(dc, bodies)
        pages.append({
            "path": path, "name": page.get("name"), "module": module, "access": page.get("access", "public"),
            "nav": bool(page.get("nav", False)), "requests": len(bodies),
            "callbacks": [b["output"] for b in bodies],
            "cold_ms": round(median_ms(cold), 4), "cold_samples": len(cold), **summary(warm),
            "bytes": raw, "br_bytes": packed,
            "refreshes": refreshes,
        })

    # Visitors: the public pages, without an account, against the same no-op answered to a visitor.
    visitor = DashClient(pilote_app.server)
    visitor_floor = time_replays(visitor, [floor], runs)
    public = []
    for page in pages:
        if page["access"] == "public" and page["path"] != "/404":
            bodies = visitor.page_load(page["path"])
            public.append({"path": page["path"], **summary(time_replays(visitor, bodies, runs))})

    # The shell: the layout request and the shell's own initial callbacks, paid by every full page load.
    shell_bodies = dc.shell_load()
    layout_url = "/_dash-layout"

    def shell_pass() -> float:
        return dc.timed_get(layout_url).seconds + dc.replay(shell_bodies)

    if cache is not None:
        shell_cold = []
        for _ in range(cold_tries):
            cache.clear()
            shell_cold.append(shell_pass())
    else:
        shell_cold = [shell_pass()]
    for _ in range(WARMUP):
        shell_pass()
    shell_warm = [shell_pass() for _ in range(runs)]
    shell = {"path": "(shell)", "name": "layout + initial callbacks", "requests": 1 + len(shell_bodies),
             "callbacks": ["GET " + layout_url] + [b["output"] for b in shell_bodies],
             "cold_ms": round(median_ms(shell_cold), 4), "cold_samples": len(shell_cold), **summary(shell_warm)}

    forms = measure_forms(dc, runs)

    floor_samples += time_replays(dc, [floor], runs)  # before and after the pages: drift shows less
    visitor_floor += time_replays(visitor, [floor], runs)
    floor_ms = median_ms(floor_samples)
    for row in public:
        row["ratio"] = round(row["median_ms"] / median_ms(visitor_floor), 2)
    for row in pages + [shell]:
        row["ratio"] = round(row["median_ms"] / floor_ms, 2)
        row["cold_ratio"] = round(row["cold_ms"] / floor_ms, 2)
        if row.get("refreshes"):
            worst = max(row["refreshes"], key=lambda r: r["ms"])
            unwarmed = max(row["refreshes"], key=lambda r: r["unwarmed_ms"])
            row.update(refresh_ms=worst["ms"], refresh_dataset=worst["dataset"],
                       refresh_ratio=round(worst["ms"] / floor_ms, 2),
                       unwarmed_ratio=round(unwarmed["unwarmed_ms"] / floor_ms, 2),
                       unwarmed_dataset=unwarmed["dataset"],
                       warm_up_ms=max(r["warm_ms"] for r in row["refreshes"]))
    for row in forms:
        row["ratio"] = round(row["median_ms"] / floor_ms, 2)
    return {
        "floor": {"callback": floor_name, "output": floor["output"], **summary(floor_samples)},
        "visitor_floor": summary(visitor_floor), "visitor_pages": public,
        "pages": pages, "shell": shell, "forms": forms, "cache_cleared_for_cold": cache is not None,
    }


def sample_values(comps, form_page) -> dict:
    """Values a careful agent would enter, read from the rendered form: its defaults, the first option of each
    required select, the bound of each number (the largest: an odometer never goes back)."""
    from data_access import reports

    values = {}
    for column in reports.form_columns(form_page.spec):
        props = comps.by_id[form_page.ids.field(column.name)]["props"]
        if column.photo:
            continue
        if props.get("options") and not column.vocabulary:
            choices = [o["value"] for o in props["options"] if o.get("value")]
            values[column.name] = choices[0] if column.required and choices else ""
        elif column.vocabulary:
            values[column.name] = props.get("value") or column.vocabulary[0][0]
        elif column.type == "bool":
            values[column.name] = []
        elif column.type in ("int", "float"):
            values[column.name] = column.maximum if column.maximum is not None else (column.minimum or 1)
        else:
            values[column.name] = props.get("value") or "mesure du banc d'essai"
    return values


def measure_forms(dc, runs: int) -> list[dict]:
    """Each report form of the registry (a page module with a ``FORM``): the server-side time of one
    submission that stores a record (a fresh idempotency token each time), median over ``runs``."""
    import secrets

    import dash

    from benchmarks.dash_client import AppError

    rows = []
    for module, page in dash.page_registry.items():
        form_page = getattr(sys.modules.get(module), "FORM", None)
        if form_page is None or getattr(form_page, "spec", None) is None:
            continue
        comps = dc.render(page["relative_path"])
        callback = dc.find(form_page.ids.message, "children")
        for name, value in sample_values(comps, form_page).items():
            comps.by_id[form_page.ids.field(name)]["props"]["value"] = value
        samples = []
        for _ in range(WARMUP + runs):
            comps.by_id[form_page.ids.token]["props"]["data"] = secrets.token_urlsafe(24)
            data, seconds, _status = dc.post(dc.trigger_body(callback, comps))
            if "enregistr" not in json.dumps(data.get("response", {}).get(form_page.ids.message, ""), ensure_ascii=False):
                raise AppError(f"form {page['relative_path']} did not store its sample: {json.dumps(data)[:400]}")
            samples.append(seconds)
        rows.append({"path": page["relative_path"], "name": f"submit ({form_page.form})", **summary(samples[WARMUP:])})
    return rows


# -- cold start: fresh processes -------------------------------------------------------------------

def cold_start(tries: int, python: str) -> dict:
    walls, results = [], []
    for _ in range(tries):
        cache_dir = tempfile.mkdtemp(prefix="pilote-bench-cache-")
        env = {**os.environ, "PILOTE_CACHE_DIR": cache_dir, "PYTHONDONTWRITEBYTECODE": "0"}
        start = time.perf_counter()
        proc = subprocess.Popen([python, "-m", "benchmarks.coldstart"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            ready_line = proc.stdout.readline()
            wall = time.perf_counter() - start
            rest, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise RuntimeError("the cold-start process did not finish within 300 s")
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
        events = [json.loads(line) for line in (ready_line + rest).splitlines() if line.startswith("{")]
        done = next((e for e in events if e.get("event") == "done"), None)
        if proc.returncode != 0 or done is None:
            detail = next((e.get("error") for e in events if e.get("event") == "error"), None)
            ready = next((e for e in events if e.get("event") == "ready"), {})
            reason = detail or (f"first request answered {ready['status']}" if "status" in ready
                                else (err.strip().splitlines() or ["no output"])[-1])
            raise RuntimeError(f"cold-start process failed (exit {proc.returncode}): {reason}")
        walls.append(wall)
        results.append(done)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)

    mib = 1024 * 1024
    return {
        "runs": tries,
        "wall_s": round(statistics.median(walls), 4),  # process spawn -> first response (interpreter included)
        "import_s": round(med("import_s"), 4),
        "first_response_s": round(med("first_response_s"), 4),
        "first_page_s": round(med("first_page_s"), 4),
        "all_pages_s": round(med("all_pages_s"), 4),
        "rss_mib": round(med("rss_bytes") / mib, 1),  # after rendering every page once
        "peak_rss_mib": round(med("peak_rss_bytes") / mib, 1),  # while rendering them
        "sign_in_peak_rss_mib": round(med("sign_in_peak_rss_bytes") / mib, 1),  # start-up, then a sign-in (scrypt)
        "pages_rendered": results[0]["pages"],
    }


# -- report ----------------------------------------------------------------------------------------

# issue 13: × the floor, × the floor, KB before compression, MiB resident per process (its peak)
GOALS = {"warm": 3.0, "cold": 20.0, "kb": 120, "rss_mib": 250}


def goals(report: dict) -> list[str]:
    """Each goal of the render path, and the pages that miss it."""
    pages = [p for p in report["pages"] if p["path"] != "/404"]
    checks = [
        (f"warm render ≤ {GOALS['warm']:g}× the floor (signed in)", [p for p in pages if p["ratio"] > GOALS["warm"]], "ratio"),
        (f"warm render ≤ {GOALS['warm']:g}× the visitors' floor (public pages)",
         [p for p in report.get("visitor_pages", []) if p["ratio"] > GOALS["warm"]], "ratio"),
        (f"first render after a refresh (one dataset, the page's worst) ≤ {GOALS['cold']:g}× the floor",
         [p for p in pages if p.get("refresh_ratio", 0) > GOALS["cold"]], "refresh_ratio"),
        (f"  the same without the refresh's warm-up (--no-warm) ≤ {GOALS['cold']:g}× the floor",
         [p for p in pages if p.get("unwarmed_ratio", 0) > GOALS["cold"]], "unwarmed_ratio"),
        (f"  every cache lost (a new release before its warm-up, a flushed Redis) ≤ {GOALS['cold']:g}× the floor",
         [p for p in pages if p["cold_ratio"] > GOALS["cold"]], "cold_ratio"),
        (f"answer ≤ {GOALS['kb']} KB before compression", [p for p in pages if p["bytes"] > GOALS["kb"] * 1024], "bytes"),
    ]
    out = ["Goals:"]
    for label, missed, key in checks:
        shown = ", ".join(f"{p['path']} ({p[key] / 1024:.0f} KB)" if key == "bytes" else f"{p['path']} ({p[key]:.1f}×)"
                          for p in missed)
        out.append(f"  {label}: {'met' if not missed else 'NOT met: ' + shown}")
    return out + [""]

def render(report: dict) -> str:
    floor = report["floor"]
    lines = [
        f"Pilote benchmark · {report['runs']} runs per figure, server-side only (Flask test client, no network)",
        f"Floor (no-op callback): {floor['callback']}",
        f"  median {floor['median_ms']:.3f} ms, p90 {floor['p90_ms']:.3f} ms over {floor['samples']} requests",
        "",
    ]
    header = ("page", "name", "requests", "cold ms", "warm ms", "p90 ms", "cold ×", "refresh ×", "unwarmed ×",
              "warm-up ms", "ratio ×", "KB", "KB br")
    rows = [(p["path"], p["name"] or "", str(p["requests"]), f"{p['cold_ms']:.2f}", f"{p['median_ms']:.2f}",
             f"{p['p90_ms']:.2f}", f"{p['cold_ratio']:.1f}",
             f"{p['refresh_ratio']:.1f}" if "refresh_ratio" in p else "",
             f"{p['unwarmed_ratio']:.1f}" if "unwarmed_ratio" in p else "",
             f"{p['warm_up_ms']:.0f}" if "warm_up_ms" in p else "", f"{p['ratio']:.1f}",
             f"{p['bytes'] / 1024:.0f}" if "bytes" in p else "", f"{p['br_bytes'] / 1024:.0f}" if "bytes" in p else "")
            for p in report["pages"] + [report["shell"]]]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    lines += [fmt(header), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows[:-1]] + ["  ".join("-" * w for w in widths), fmt(rows[-1])]
    lines += [
        "",
        "requests: router + the page's initial callbacks (shell: GET /_dash-layout + its initial callbacks);",
        "cold: query cache emptied first" + ("" if report["cache_cleared_for_cold"] else " (cache not reachable: first call only)")
        + " (every dataset refreshed at once); warm: median after warm-up; ratio: warm median / floor median;",
        "refresh: the first render after one of the page's datasets is refreshed alone (new snapshot), the worst"
        " of its datasets" + ("" if report.get("refreshes_measured", True) else
                              " (not measured: PILOTE_DATA_DIR is not the run's own)") + ", after the refresh's"
        " warm-up (pilote.warm: the refreshed pages rendered in advance for visitors and the signed-in account);",
        "unwarmed: the same without that warm-up; warm-up ms: what it cost the refresh (worst dataset), not a viewer.",
        "",
    ]
    vf = report.get("visitor_floor")
    if vf:
        lines += [f"Visitors (no account): floor {vf['median_ms']:.3f} ms; public pages warm, ratio to that floor:"]
        lines += [f"  {p['path']:<16} {p['median_ms']:8.2f} ms  {p['ratio']:6.1f} ×" for p in report["visitor_pages"]]
        lines.append("")
    lines += goals(report)
    if report.get("forms"):
        lines += ["Form submissions (one stored record each: checks, database write, audit):"]
        lines += [f"  {f['path']:<28} median {f['median_ms']:.2f} ms  p90 {f['p90_ms']:.2f} ms  ratio {f['ratio']:.1f} ×"
                  for f in report["forms"]]
        lines.append("")
    cs = report["cold_start"]
    lines += [
        f"Cold start ({cs['runs']} fresh processes, medians):",
        f"  spawn → first response   {cs['wall_s']:.3f} s   (import app {cs['import_s']:.3f} s, "
        f"first response {cs['first_response_s']:.3f} s after the script started)",
        f"  first page rendered      {cs['first_page_s']:.3f} s   all {cs['pages_rendered']} pages {cs['all_pages_s']:.3f} s",
        f"  RSS after every page     {cs['rss_mib']:.1f} MiB (peak {cs['peak_rss_mib']:.1f} MiB while rendering them)",
        f"  peak before, up to a sign-in  {cs['sign_in_peak_rss_mib']:.1f} MiB (a scrypt check: 32 MiB for an instant, "
        "by design)",
        f"Goal: RSS ≤ {GOALS['rss_mib']} MiB per process with every page rendered, at its peak: "
        + ("met" if cs["peak_rss_mib"] <= GOALS["rss_mib"] else f"NOT met ({cs['peak_rss_mib']:.0f} MiB)"),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[1])
    parser.add_argument("--runs", type=int, default=30, help="timed replays per page and for the floor (default 30)")
    parser.add_argument("--cold-runs", type=int, default=None,
                        help=f"fresh processes for the cold start, and cold tries per page (default min(runs, {COLD_TRIES_MAX}))")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--refreshes", action="store_true",
                        help="simulate refreshes even on PILOTE_DATA_DIR (done anyway on the run's own temporary data)")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    cold_runs = max(1, args.cold_runs if args.cold_runs is not None else min(runs, COLD_TRIES_MAX))

    made: list[str] = []
    # Refreshes write snapshots: on the run's own temporary data, or where the caller says it may.
    own_data = args.refreshes or not os.environ.get("PILOTE_DATA_DIR")
    if not os.environ.get("PILOTE_DATA_DIR"):
        made.append(tempfile.mkdtemp(prefix="pilote-bench-data-"))
        os.environ["PILOTE_DATA_DIR"] = made[-1]
    made.append(tempfile.mkdtemp(prefix="pilote-bench-cache-"))
    os.environ["PILOTE_CACHE_DIR"] = made[-1]  # always fresh: the first call of each query is a real miss

    from benchmarks.dash_client import AppError

    try:
        report = {"runs": runs, "refreshes_measured": own_data, **measure_in_process(runs, cold_runs, own_data)}
        report["cold_start"] = cold_start(cold_runs, sys.executable)
    except (AppError, RuntimeError) as exc:
        print(f"benchmark failed: the app did not answer: {exc}", file=sys.stderr)
        return 1
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)

    import dash

    report["environment"] = {"python": platform.python_version(), "dash": dash.__version__,
                             "machine": platform.machine(), "system": platform.system()}
    print(render(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
