"""One cold start, run in a fresh process by ``python -m benchmarks``: ``python -m benchmarks.coldstart``.

Imports the app (which builds it), answers a first request (``GET /``), then renders every registered page
once through the router, as the browser would, and reports on stdout, one JSON object per line:
``{"event": "ready", ...}`` as soon as the first response is out (the parent times the process up to that
line), then ``{"event": "done", ...}`` with the timings and the resident memory: after every page, its peak while the pages
were rendered, and the peak up to the sign-in (start-up and a scrypt check).
"""

import time

T0 = time.perf_counter()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


def rss_bytes() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    try:
        import psutil

        return psutil.Process().memory_info().rss, peak
    except ImportError:  # psutil is a test dependency; the peak is a fair stand-in
        return peak, peak


def reset_peak() -> bool:
    """Starts the peak RSS afresh (Linux: clear_refs 5 resets VmHWM); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_since_reset() -> int | None:
    """VmHWM in bytes (the peak since :func:`reset_peak`), or None where /proc has none."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def main() -> int:
    start = time.perf_counter()
    import app as pilote_app

    import_s = time.perf_counter() - start
    client = pilote_app.server.test_client()
    first = client.get("/")
    first_response_s = time.perf_counter() - T0
    print(json.dumps({"event": "ready", "status": first.status_code}), flush=True)
    if first.status_code != 200:
        return 1

    import dash

    from benchmarks.__main__ import sign_in_admin
    from benchmarks.dash_client import AppError, DashClient

    try:
        dc = DashClient(pilote_app.server)
        sign_in_admin(pilote_app.server, dc.client)
        # A sign-in checks a scrypt hash (werkzeug's default: 32 MiB of working memory, by design, freed at
        # once): its peak is reported on its own, and the pages' peak is measured from here.
        _, sign_in_peak = rss_bytes()
        reset = reset_peak()
        pages = list(dash.page_registry.values())
        first_page_s = None
        for page in sorted(pages, key=lambda p: p["relative_path"] != "/"):  # "/" first: the usual landing page
            dc.page_load(page["relative_path"])
            if first_page_s is None:
                first_page_s = time.perf_counter() - T0
        dc.shell_load()
    except AppError as exc:
        print(json.dumps({"event": "error", "error": str(exc)}), flush=True)
        return 1
    rendered_s = time.perf_counter() - T0
    rss, peak = rss_bytes()
    pages_peak = peak_since_reset() if reset else None
    print(json.dumps({
        "event": "done", "import_s": import_s, "first_response_s": first_response_s,
        "first_page_s": first_page_s, "all_pages_s": rendered_s, "pages": len(pages),
        "rss_bytes": rss, "peak_rss_bytes": pages_peak or peak, "sign_in_peak_rss_bytes": sign_in_peak,
    }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
