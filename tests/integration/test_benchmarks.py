"""``python -m benchmarks`` runs end to end: every registered page is measured against the no-op floor, and the
cold start and memory are reported. Figures are only checked for being there and positive, never for speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def registered_paths(env: dict) -> list[str]:
    """The page registry as the app builds it, read in a separate process (the test process stays clean)."""
    code = "import json, dash, app; print(json.dumps(sorted(p['relative_path'] for p in dash.page_registry.values())))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_benchmark_command_measures_every_page(tmp_path):
    env = {**os.environ, "PILOTE_DATA_DIR": str(tmp_path / "data")}
    env.pop("PILOTE_CACHE_DIR", None)
    out = tmp_path / "bench.json"

    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--runs", "2", "--cold-runs", "1", "--refreshes",
                           "--json", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (tmp_path / "data" / "cache").exists()  # the query cache lived in a fresh temporary directory
    report = json.loads(out.read_text(encoding="utf-8"))
    paths = registered_paths(env)
    assert paths, "no page registered"

    measured = {page["path"]: page for page in report["pages"]}
    assert set(paths) <= set(measured), f"pages not measured: {set(paths) - set(measured)}"
    for path in paths:
        page = measured[path]
        assert page["requests"] >= 1  # the router at least
        assert page["median_ms"] > 0 and page["cold_ms"] > 0
        assert page["ratio"] > 0, page
        assert page["bytes"] > page["br_bytes"] > 0, page  # answers' size, raw and compressed
        assert path in proc.stdout  # the table prints every page

    assert report["floor"]["median_ms"] > 0
    assert "toggle_menu" in report["floor"]["callback"] or "bench_noop" in report["floor"]["callback"]
    assert report["shell"]["ratio"] > 0
    # Visitors: every public page against the visitors' own floor; each goal printed, met or not.
    assert report["visitor_floor"]["median_ms"] > 0
    assert {"/", "/climat", "/mobilite"} <= {p["path"] for p in report["visitor_pages"]}
    assert all(p["ratio"] > 0 for p in report["visitor_pages"])
    for goal in ("warm render ≤ 3×", "first render after a refresh (one dataset, the page's worst) ≤ 20×",
                 "the same without the refresh's warm-up (--no-warm) ≤ 20×",
                 "every cache lost (a new release before its warm-up, a flushed Redis) ≤ 20×", "answer ≤ 120 KB"):
        assert goal in proc.stdout
    # The first render after each of a page's datasets is refreshed alone, the worst one named.
    mobilite = measured["/mobilite"]
    assert {r["dataset"] for r in mobilite["refreshes"]} >= {"velib_stations", "accidents"}
    assert mobilite["refresh_ratio"] > 0 and mobilite["refresh_dataset"] in {r["dataset"] for r in mobilite["refreshes"]}
    # Both ways: after the refresh's warm-up (which rendered the page, at a cost) and without it.
    assert all(r["warm_ms"] > 0 and r["unwarmed_ms"] > 0 for r in mobilite["refreshes"])
    assert mobilite["unwarmed_ratio"] > 0 and mobilite["warm_up_ms"] > 0
    # Every report form is timed storing a record, as a ratio to the floor too.
    forms = {row["path"] for row in report["forms"]}
    assert {"/aires-de-jeux/controle", "/flotte/plein", "/flotte/evenement", "/nature/atelier",
            "/nature/distribution"} <= forms
    assert all(row["ratio"] > 0 and row["samples"] >= 1 for row in report["forms"])
    assert "Form submissions" in proc.stdout

    cold = report["cold_start"]
    assert cold["wall_s"] > 0 and cold["import_s"] > 0
    assert cold["rss_mib"] > 0 and cold["peak_rss_mib"] > 0
    # the pages' peak measured apart from the sign-in's (a scrypt check), which comes before
    assert cold["sign_in_peak_rss_mib"] > 0
    assert cold["pages_rendered"] == len(paths)
    assert "Cold start" in proc.stdout and "RSS" in proc.stdout and "Goal: RSS ≤ 250 MiB per process" in proc.stdout


def test_load_benchmark_runs_and_prints_its_figures(tmp_path):
    """``python -m benchmarks.load`` end to end, briefly: both servers start, are driven, and every figure
    (views/s, p50, p95, errors, the ratio and the goal's verdict) is printed. Nothing is asserted on speed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.load", "--seconds", "1", "--clients", "2",
                           "--threads", "1", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines() if line.strip().startswith(("sync", "gthread"))]
    assert {(r[0], r[2]) for r in rows} == {("sync", "floor"), ("sync", "pilote"), ("gthread×2", "floor"),
                                            ("gthread×2", "pilote")}
    for row in rows:
        assert float(row[3]) > 0 and row[6] == "0", row  # views/s, and no error
    assert "Throughput goal" in proc.stdout


def test_browser_benchmark_draws_pages_and_prints_the_ratio(tmp_path):
    """``python -m benchmarks.browser`` end to end, briefly (one worker per server): both servers start, Chromium
    draws the one-graph page and Pilote's pages with maps, and each figure and the goal's verdict is printed, a
    page measured apart (``--also``) after the others. Nothing is asserted on speed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.browser", "--visits", "1", "--workers", "1",
                           "--pages", "/mobilite", "--also", "/mobilite?theme=bornes"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if line.startswith("  /")}
    assert list(rows) == ["/mobilite", "/mobilite?theme=bornes"]
    assert proc.stdout.index("Also measured, not in the goal") < proc.stdout.index("/mobilite?theme=bornes")
    for line in rows.values():  # the first screen, then the whole page: "<ms> ms p90 <ms> <ratio>×" each
        cells = line.split()
        assert cells[2] == cells[7] == "ms" and float(cells[1]) > 0 and float(cells[6]) >= float(cells[1]), line
        assert cells[5].endswith("×") and line.rstrip().endswith("×"), line
    assert "one-graph Dash page" in proc.stdout
    assert "Goal: first screen fully drawn ≤ 1.5×" in proc.stdout and "Goal: whole page fully drawn ≤ 1.5×" in proc.stdout


def test_interaction_benchmark_drives_pilote_and_prints_its_figures():
    """``python -m benchmarks.peers.interaction`` end to end on Pilote alone (the peers need their own
    environment, made from PyPI on first use): the car park is changed in Chromium, the section redrawn, and
    the median, p90 and bytes fetched are printed. Nothing is asserted on speed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.peers.interaction", "--apps", "pilote", "--changes", "2"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = next(line.split() for line in proc.stdout.splitlines() if line.strip().startswith("pilote"))
    # "pilote <ms> ms p90 <ms> ms fetched <KB> KB": the redraw's own answer was fetched
    assert row[2] == "ms" and float(row[1]) > 0 and float(row[4]) >= float(row[1]) and float(row[7]) > 0, row
    assert "2 changes per app, in turns" in proc.stdout
