"""A page kept only until a moment (``render_cache.keep_for``: /admin until an account changes state): its entry
and its compressed copies, made later, are never served past that moment, in a real diskcache store."""

from __future__ import annotations

import time

import diskcache
import pytest
from flask import Flask

from data_access import render_cache
from data_access.render_cache import _answer, _store


@pytest.fixture
def cache(tmp_path):
    with diskcache.Cache(str(tmp_path)) as store:
        yield store


def served(cache, key: str, encoding: str = "identity"):
    with Flask(__name__).test_request_context(headers={"Accept-Encoding": encoding}):
        response = _answer(cache, key, min_size=10)
        return None if response is None else (response.headers.get("Content-Encoding"), len(response.get_data()))


def test_an_entry_with_a_deadline_and_its_copies_end_with_it(cache, monkeypatch):
    body = b'{"response": "' + b"x" * 2000 + b'"}'
    now = time.time()
    _store(cache, "page", body, deadline=now + 100)
    _store(cache, "for-ten-minutes", body)
    assert served(cache, "page") == (None, len(body))
    assert served(cache, "page", "br")[0] == "br"  # a compressed copy made from it, kept with its deadline
    assert cache.get("page:br")[1] == now + 100
    monkeypatch.setattr(time, "time", lambda: now + 101)  # past the deadline, before the stores expire it
    assert served(cache, "page") is None and served(cache, "page", "br") is None
    assert served(cache, "for-ten-minutes", "gzip")[0] == "gzip"  # an entry without one: TTL only


def test_an_entry_lasting_under_a_second_is_not_kept(cache):
    _store(cache, "page", b"{}", deadline=time.time() + 0.5)
    assert cache.get("page") is None


def test_keep_for_keeps_the_earliest_moment_and_needs_a_request():
    render_cache.keep_for(5)  # outside a request (a script): nothing to keep, no error
    with Flask(__name__).test_request_context():
        from flask import g

        render_cache.keep_for(300)
        render_cache.keep_for(40)
        render_cache.keep_for(90)
        assert 39 < g.pilote_render_until - time.time() <= 40  # a moment: the rest of the render does not delay it
        render_cache.keep_for(10**6)
        assert 39 < g.pilote_render_until - time.time() <= 40

