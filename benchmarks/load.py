"""``python -m benchmarks.load [--clients 20 50] [--seconds 20] [--workers 2] [--threads 1 4]``

Pilote under gunicorn, against a one-callback Dash app (``benchmarks/floor_app.py``) under the same settings,
driven by the same bounded client: N client threads, each doing page views back to back for the duration.
A page view is what a browser sends: the page's HTML, the shell's callbacks and the page router's request
(Pilote's public pages in turn: /, /climat, /mobilite, /stationnement, /finances), or the floor app's page
and its one callback, with ``Accept-Encoding: br, gzip``. Each view is made once before timing (warm caches).

Prints, per worker mode and client count: page views per second, p50 and p95 of a view, errors, and
Pilote's throughput as a share of the floor app's measured in the same run. It prints; it does not assert.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/climat", "/mobilite", "/stationnement", "/finances"]
HEADERS = {"Accept-Encoding": "br, gzip"}
GOAL = 0.5  # Pilote's page views per second, as a share of the floor app's


@dataclass
class Result:
    views: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.views / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(target: str, workers: int, threads: int, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", target, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--timeout", "120", "--keep-alive", "75", "--log-level", "warning"]
    if threads > 1:
        command += ["--threads", str(threads)]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{target} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(base + "/", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{target} did not answer within 120 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def record_views(target: str) -> list[list[tuple[str, str, dict | None]]]:
    """Each page view as (method, path, JSON body) requests, recorded in-process from the same code."""
    from benchmarks.dash_client import DashClient

    if target == "floor":
        from benchmarks.floor_app import server

        client = DashClient(server)
        comps = client.shell.copy()
        bodies = client.follow(comps, client.initial_calls(comps, list(comps.by_id), set()))
        return [[("GET", "/", None), *(("POST", "/_dash-update-component", b) for b in bodies)]]
    sys.path.insert(0, str(ROOT))
    import app as pilote

    client = DashClient(pilote.server)
    shell = client.shell_load()
    return [[("GET", page, None), *(("POST", "/_dash-update-component", b) for b in shell + client.page_load(page))]
            for page in PAGES]


def drive(base: str, views: list, clients: int, seconds: float) -> Result:
    latencies: list[float] = []
    counts = {"views": 0, "errors": 0}
    lock = threading.Lock()

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=base, headers=HEADERS, timeout=60) as http:
            i = offset
            # A view begun in the window is finished and counted; each client makes at least one, so a short run
            # on a loaded machine still prints figures instead of 0 views/s.
            while i == offset or time.monotonic() < stop_at:
                started, failed = time.perf_counter(), False
                for method, path, body in views[i % len(views)]:
                    try:
                        response = http.request(method, path, json=body)
                        failed |= response.status_code not in (200, 204)
                    except httpx.HTTPError:
                        failed = True
                elapsed = time.perf_counter() - started
                with lock:
                    counts["views"] += 1
                    counts["errors"] += failed
                    latencies.append(elapsed)
                i += 1

    for view in views:  # warm: every view once
        client_loop_once(base, view)
    began = time.monotonic()
    stop_at = began + seconds  # after the warm-up, which on a loaded machine can outlast a short window
    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(counts["views"], time.monotonic() - began, latencies, counts["errors"])


def client_loop_once(base: str, view: list) -> None:
    with httpx.Client(base_url=base, headers=HEADERS, timeout=120) as http:
        for method, path, body in view:
            http.request(method, path, json=body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[1])
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4], help="threads per worker (1: sync)")
    args = parser.parse_args(argv)

    made = tempfile.mkdtemp(prefix="pilote-load-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTE_")}
    env.update(PILOTE_DATA_DIR=str(Path(made) / "data"), PILOTE_CACHE_DIR=str(Path(made) / "cache"),
               PYTHONPATH=str(ROOT))
    os.environ.update({k: env[k] for k in ("PILOTE_DATA_DIR", "PILOTE_CACHE_DIR")})
    try:
        recorded = {"floor": record_views("floor"), "pilote": record_views("pilote")}
        print(f"Load: {args.workers} gunicorn workers, {args.seconds:g} s per run; a page view = "
              f"{min(len(v) for v in recorded['pilote'])}-{max(len(v) for v in recorded['pilote'])} requests "
              f"(Pilote), {len(recorded['floor'][0])} (one-callback Dash app)")
        print(f"{'workers':>10} {'clients':>7} {'app':>8} {'views/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}"
              f" {'ratio':>6}")
        met = True
        for threads in args.threads:
            mode = "sync" if threads == 1 else f"gthread×{threads}"
            for clients in args.clients:
                results = {}
                for name, target in (("floor", "benchmarks.floor_app:server"), ("pilote", "app:server")):
                    proc, base = start(target, args.workers, threads, env)
                    try:
                        results[name] = drive(base, recorded[name], clients, args.seconds)
                    finally:
                        stop(proc)
                ratio = results["pilote"].rate / results["floor"].rate if results["floor"].rate else float("nan")
                ok = ratio >= GOAL and results["pilote"].errors == 0
                met &= ok
                for name, r in results.items():
                    shown = f"{ratio:6.2f}" if name == "pilote" else "      "
                    print(f"{mode:>10} {clients:>7} {name:>8} {r.rate:8.1f} {r.quantile(0.5):8.0f} "
                          f"{r.quantile(0.95):8.0f} {r.errors:>6} {shown}"
                          + (f"  goal ≥ {GOAL:.2f} and 0 errors: {'met' if ok else 'NOT met'}" if name == "pilote" else ""))
        print(f"Throughput goal (≥ {GOAL:.0%} of the one-callback app, 0 errors): {'met' if met else 'NOT met'}")
    finally:
        shutil.rmtree(made, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
