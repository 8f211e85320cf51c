"""gunicorn with threaded workers, from a cold start: 32 page views at once (each the router and every callback
the browser sends for the page), the first requests of both workers among them. Every request answered
200 (204 for a callback with nothing to update), none refused as an unknown callback: the guard's map and
Dash's set-up are complete before a worker serves (app.py warms up at import; the guard builds under a lock)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.integration.running_app import RunningApp, gunicorn_threads

PAGES = ["/", "/climat", "/mobilite", "/stationnement", "/finances", "/climat?axe=3", "/mobilite?commune=92040"]
VIEWS = 32


@pytest.fixture(scope="module")
def page_views():
    """The bodies a browser posts for each page, recorded once against the app imported here (same code)."""
    from app import app
    from benchmarks.dash_client import DashClient

    client = DashClient(app.server)
    shell = client.shell_load()  # a full page load: the shell's callbacks (navbar, commune selector…) too
    views = {}
    for page in PAGES:
        path, _, query = page.partition("?")
        views[page] = shell + client.page_load(path, f"?{query}" if query else "")
    return views


@pytest.mark.parametrize("start", [1, 2])
def test_concurrent_page_views_on_a_cold_start(tmp_path, page_views, start, record_property):
    app = RunningApp.start(tmp_path / f"cold{start}", argv=gunicorn_threads)
    try:
        def view(i: int) -> list[int]:
            with httpx.Client(base_url=app.base_url, timeout=120) as client:
                return [client.post("/_dash-update-component", json=body).status_code
                        for body in page_views[PAGES[i % len(PAGES)]]]

        with ThreadPoolExecutor(VIEWS) as pool:
            statuses = [s for view_statuses in pool.map(view, range(VIEWS)) for s in view_statuses]
    finally:
        app.stop()
    refused = [s for s in statuses if s not in (200, 204)]
    record_property("threaded_cold_start_requests", len(statuses))
    assert not refused, f"{len(refused)} of {len(statuses)} requests refused: {sorted(set(refused))}\n{app.log_tail()}"
    # At least the router per view (the shell's callbacks run in the browser; pages add their own).
    assert len(statuses) == sum(len(page_views[PAGES[i % len(PAGES)]]) for i in range(VIEWS)) >= VIEWS
