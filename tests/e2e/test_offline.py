"""Browser: nothing leaves the machine. Every script, stylesheet, image and every resource the page loaded
comes from the app's own origin (no CDN, no map tiles, no fonts from the internet)."""

from __future__ import annotations

import dash
import pytest

from app import app  # noqa: F401

pytestmark = pytest.mark.e2e

_DOM_URLS_JS = """
const urls = [];
for (const s of document.scripts) if (s.src) urls.push(['script', s.src]);
for (const l of document.querySelectorAll('link[href]')) urls.push(['link ' + l.rel, l.href]);
for (const i of document.querySelectorAll('img[src], iframe[src], source[src], video[src], audio[src]'))
    urls.push([i.tagName.toLowerCase(), i.src]);
return urls;
"""


def _same_origin(url: str, origin: str) -> bool:
    return url == origin or url.startswith(origin + "/")


def _check_page(pilote, path: str) -> int:
    """Asserts the loaded page only used same-origin resources; returns how many resources it loaded."""
    origin = pilote.origin
    dom = pilote.driver.execute_script(_DOM_URLS_JS)
    foreign = [(kind, url) for kind, url in dom if not _same_origin(url, origin)]
    assert not foreign, f"{path}: elements pointing outside {origin}: {foreign}"

    loaded = pilote.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded, f"{path}: no resource timing entries?"
    foreign = [u for u in loaded if not _same_origin(u, origin)]
    assert not foreign, f"{path}: resources loaded from outside {origin}: {foreign}"
    # the page's own document too (no redirect elsewhere)
    nav = pilote.driver.execute_script("return performance.getEntriesByType('navigation').map(e => e.name)")
    assert all(_same_origin(u, origin) for u in nav), nav
    return len(loaded)


def test_every_resource_is_same_origin(pilote, admin_account):
    """Every page of the registry, the internal ones included (signed in as an administrator), and the login
    form (a plain Flask page)."""
    paths = sorted({p["relative_path"] for p in dash.page_registry.values() if not p.get("path_template")})
    assert "/mobilite" in paths
    checked = 0
    pilote.driver.get(pilote.origin + "/login")
    pilote.duo.wait_for_element("#email", timeout=30)
    checked += _check_page(pilote, "/login")
    pilote.sign_in(*admin_account)
    for path in paths:
        pilote.open(path)
        checked += _check_page(pilote, path)
    assert checked > 10
    # a blocked or failing outside request would also show as a console error (net::ERR_...)
    assert pilote.console_errors() == []
