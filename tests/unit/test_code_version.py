"""A new release never serves what the previous one memoised or rendered: the code's digest is in every
query-cache and render-cache key."""

from __future__ import annotations

import shutil

from data_access import code_version as cv


def test_the_digest_follows_the_content_and_is_the_same_on_every_host(tmp_path):
    one, other = tmp_path / "one", tmp_path / "other"
    for root in (one, other):
        (root / "pages").mkdir(parents=True)
        (root / "app.py").write_text("app = 1\n")
        (root / "pages" / "home.py").write_text("layout = 'a'\n")
    assert cv.digest(cv.code_files(one), one) == cv.digest(cv.code_files(other), other)  # other paths, same code
    before = cv.digest(cv.code_files(one), one)
    (one / "pages" / "home.py").write_text("layout = 'b'\n")
    assert cv.digest(cv.code_files(one), one) != before
    shutil.copy(one / "pages" / "home.py", one / "pages" / "new.py")
    assert len(cv.code_files(one)) == 3


def test_the_running_code_is_covered():
    files = {str(p.relative_to(cv.ROOT)) for p in cv.code_files()}
    assert {"app.py", "data_access/cache.py", "pages/mobilite.py", "components/chart_spec.py"} <= files
    assert len(cv.code_version()) == 16


def test_a_new_release_does_not_read_the_old_memo(tmp_path, catalog, monkeypatch):
    import data_access.cache as cache_module
    import data_access.mobilite as q
    from components.selectors import ALL
    from data_access.context import DataContext
    from data_access.settings import Settings

    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", catalog_path=catalog.path,
                        portal_url=None, api_key=None, database_url="sqlite://", secret_key="x", territory_name=None)
    ctx = DataContext(settings, catalog)
    ctx.seed_bundled()
    assert q.velib_stations(ctx, ALL).height == 73
    stored = len(ctx.cache)
    assert q.velib_stations(ctx, ALL).height == 73 and len(ctx.cache) == stored  # the same release: the memo
    monkeypatch.setattr(cache_module, "code_version", lambda: "another-release")
    assert q.velib_stations(ctx, ALL).height == 73
    assert len(ctx.cache) == stored + 1  # another digest: computed again, on the same snapshot version


def test_a_new_release_or_an_edited_catalog_renders_afresh(monkeypatch):
    from types import SimpleNamespace

    from data_access import render_cache
    from data_access.catalog import parse_catalog

    def read(title: str):  # a catalog as a process reads it at start
        return parse_catalog({"territory": {"name": title, "portal": "https://data.example.org",
                                            "communes": [{"code": "1", "name": "A"}]}})

    data = SimpleNamespace(version=lambda key: "v", store=SimpleNamespace(version=lambda key: "v"),
                           catalog=read("Territoire"))
    policy = SimpleNamespace(resources=lambda: ["/climat"], allows=lambda principal, resource: True)
    auth, visitor = SimpleNamespace(policy=policy), SimpleNamespace(authenticated=False, is_admin=False)
    page, body = {"path": "/climat", "roles": []}, {"output": "_pages_content.children", "inputs": []}

    def key():
        return render_cache.render_key(page, body, data, auth, visitor, "2026-12-01", [])

    first = key()
    assert key() == first
    assert read("Territoire").digest == data.catalog.digest  # the same catalog read again: the same pages
    data.catalog = read("Territoire, another title")
    edited = key()
    assert edited != first
    monkeypatch.setattr(render_cache, "code_version", lambda: "another-release")
    assert key() not in (first, edited)
