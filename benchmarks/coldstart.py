"""One cold start, run in a fresh process by ``python -m benchmarks``: ``python -m benchmarks.coldstart``.

Imports the app (which builds it), answers a first request (``GET /``), then renders every registered page
once through the router, as the browser would, and reports on stdout, one JSON object per line:
``{"event": "ready", ...}`` as soon as the first response is out (the parent times the process up to that
line), then ``{"event": "done", ...}`` with the timings and the resident memory.
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
    print(json.dumps({
        "event": "done", "import_s": import_s, "first_response_s": first_response_s,
        "first_page_s": first_page_s, "all_pages_s": rendered_s, "pages": len(pages),
        "rss_bytes": rss, "peak_rss_bytes": peak,
    }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
