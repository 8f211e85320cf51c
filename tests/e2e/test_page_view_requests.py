"""What a page view asks the server: the page's router callback, and no URL write. Selectors that write the
URL used to make a server round trip at every page view for nothing (Dash fires a callback whose inputs the
router inserted unless its outputs came with them): they write to a location inside the page now
(components.selectors.page_url)."""

import pytest

pytestmark = pytest.mark.e2e

# Records the output of every callback the page posts, from before Dash starts.
_RECORD = """
window.__posted = [];
const original = window.fetch;
window.fetch = function (url, options) {
    try { window.__posted.push(JSON.parse(options.body).output); } catch (e) { /* not a callback */ }
    return original.apply(this, arguments);
};
"""


@pytest.mark.parametrize("path, search", [("/mobilite", ""), ("/finances", ""), ("/climat", ""), ("/stationnement", ""),
                                          ("/stationnement", "?theme=historique")])
def test_a_page_view_posts_no_url_write(pilote, path, search):
    """And the benchmarks' client (benchmarks.dash_client, which the load benchmark replays) posts what the
    browser posts."""
    from app import app
    from benchmarks.dash_client import DashClient

    driver = pilote.driver
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORD})["identifier"]
    try:
        pilote.open(path + search)
        posted = driver.execute_script("return window.__posted")
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script})
    assert any("_pages_content.children" in output for output in posted), posted  # the page was rendered
    assert not [output for output in posted if ".search" in output], posted
    client = DashClient(app.server)
    assert sorted(posted) == sorted(b["output"] for b in client.shell_load() + client.page_load(path, search))
