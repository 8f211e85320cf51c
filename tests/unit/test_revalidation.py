"""A script the browser holds is confirmed with a 304 without being compressed again (pilote/revalidation.py):
plotly.min.js (4.8 MB, unversioned) is asked again at every page load, with flask-compress's ETag."""

from __future__ import annotations

import flask_compress.flask_compress as flask_compress
import pytest

PLOTLY = "/_dash-component-suites/plotly/package_data/plotly.min.js"


@pytest.fixture
def compressions(monkeypatch):
    """How many bodies flask-compress compresses, by encoding."""
    done = []
    real = flask_compress._compress_data
    monkeypatch.setattr(flask_compress, "_compress_data",
                        lambda app, data, algorithm: done.append(algorithm) or real(app, data, algorithm))
    return done


@pytest.fixture
def client():
    from app import app

    return app.server.test_client()


def test_a_held_script_is_confirmed_without_compressing_it(client, compressions):
    first = client.get(PLOTLY, headers={"Accept-Encoding": "gzip, br"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    tag = first.headers["ETag"]
    assert tag.endswith(':br"') and compressions == ["br"]
    again = client.get(PLOTLY, headers={"Accept-Encoding": "gzip, br", "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert "content-security-policy" in again.headers and "Accept-Encoding" in again.headers["Vary"]
    assert compressions == ["br"]  # nothing compressed to answer it


def test_a_copy_in_another_encoding_the_browser_reads_is_confirmed_too(client, compressions):
    plain = client.get(PLOTLY, headers={"Accept-Encoding": "identity"})
    gzip_tag = plain.headers["ETag"][:-1] + ':gzip"'
    held = client.get(PLOTLY, headers={"Accept-Encoding": "gzip, br", "If-None-Match": gzip_tag})
    assert held.status_code == 304 and held.headers["ETag"] == gzip_tag and compressions == []


def test_a_copy_the_browser_cannot_read_or_another_version_is_sent_again(client, compressions):
    plain = client.get(PLOTLY, headers={"Accept-Encoding": "identity"})
    br_tag = plain.headers["ETag"][:-1] + ':br"'
    gzip_only = client.get(PLOTLY, headers={"Accept-Encoding": "gzip", "If-None-Match": br_tag})
    assert gzip_only.status_code == 200 and gzip_only.headers["Content-Encoding"] == "gzip"
    old = client.get(PLOTLY, headers={"Accept-Encoding": "br", "If-None-Match": '"an-older-plotly:br"'})
    assert old.status_code == 200 and old.headers["Content-Encoding"] == "br" and len(old.data) > 500_000
    assert compressions == ["gzip", "br"]
    # Dash's own check still answers a bare ETag (no encoding asked) without the body.
    bare = client.get(PLOTLY, headers={"Accept-Encoding": "identity", "If-None-Match": plain.headers["ETag"]})
    assert bare.status_code == 304
