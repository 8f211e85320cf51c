"""Security headers on every route of the running app, over real HTTP; HSTS only over HTTPS behind the proxy."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.integration.running_app import HttpDashClient, RunningApp

ROUTES = ["/", "/mobilite", "/login", "/healthz", "/assets/pilote.css", "/page-inexistante", "/_dash-layout",
          "/_dash-dependencies", "/_dash-component-suites/dash/nothing.js"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp.start(tmp_path_factory.mktemp("headers"), PILOTE_BEHIND_PROXY="1")
    try:
        yield running
    finally:
        running.stop()


def _check(response: httpx.Response):
    h = response.headers
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=(self)" in h["permissions-policy"] and "microphone=()" in h["permissions-policy"]
    assert not re.search(r"\d", h.get("server", "")), h.get("server")  # no version banner


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_carries_the_headers(app, path):
    response = httpx.get(app.base_url + path, timeout=30)
    _check(response)
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS


def test_callbacks_and_refusals_carry_them_too(app):
    response = httpx.post(app.base_url + "/_dash-update-component", json={"output": 3}, timeout=30)
    assert response.status_code == 400
    _check(response)


def test_hsts_over_https_behind_the_proxy(app):
    response = httpx.get(app.base_url + "/", headers={"X-Forwarded-Proto": "https"}, timeout=30)
    assert re.match(r"max-age=3155\d+; includeSubDomains", response.headers["strict-transport-security"])  # a year


def test_the_page_does_not_tell_its_python_version(app):
    html = httpx.get(app.base_url + "/", timeout=30).text
    assert "python_version" not in html and "Werkzeug" not in html


def test_versioned_assets_are_kept_for_good_by_the_browser(app):
    """Dash links each asset with its file's date (?m=): that URL may be cached for good; the bare URL may not
    (a changed file keeps it)."""
    page = httpx.get(app.base_url + "/", timeout=30).text
    linked = re.search(r'href="(/assets/pilote\.css\?m=[^"]+)"', page)
    assert linked, "the page links pilote.css without its version"
    versioned = httpx.get(app.base_url + linked.group(1), timeout=30)
    assert versioned.status_code == 200 and versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    bare = httpx.get(app.base_url + "/assets/pilote.css", timeout=30)
    assert bare.status_code == 200 and "immutable" not in bare.headers.get("cache-control", "")


def test_the_outlines_maps_name_are_served_versioned(app):
    """/_pilote/contours.geojson: the communes' outlines a map names (components.maps.outlines_url): the
    commune's features only, kept for good at the current version, revalidated at an old one, 404 for a
    commune the territory does not have."""
    import json as json_module
    from urllib.parse import parse_qs, urlsplit

    with app.client() as visitor:
        router = visitor.post("/_dash-update-component",
                              json=HttpDashClient(visitor).router_body("/mobilite", "?commune=92040"))
    assert router.status_code == 200, router.text[:300]
    text = router.text.replace("\\u002f", "/")  # Dash's JSON writes "/" as \u002f
    urls = set(re.findall(r'"outlines":\s*"(/_pilote/contours\.geojson\?[^"]+)"', text))
    assert len(urls) == 1 and "commune=92040" in next(iter(urls)), urls  # every map names the same URL
    assert '"FeatureCollection"' not in text  # and none carries the outlines
    url = next(iter(urls))
    answer = httpx.get(app.base_url + url, timeout=30)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    outlines = json_module.loads(answer.text)
    assert outlines["type"] == "FeatureCollection"
    assert {f["properties"]["nom"] for f in outlines["features"]} == {"Issy-les-Moulineaux"}
    old = httpx.get(app.base_url + "/_pilote/contours.geojson", params={"commune": "92040", "v": "old"}, timeout=30)
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
    assert parse_qs(urlsplit(url).query)["v"][0] != "old"
    unknown = httpx.get(app.base_url + "/_pilote/contours.geojson", params={"commune": "99999"}, timeout=30)
    assert unknown.status_code == 404 and "contours inconnus" in unknown.text
