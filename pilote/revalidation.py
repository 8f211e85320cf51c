"""A script the browser already holds is confirmed with a 304, not compressed again to be compared.

Dash serves the scripts it loads on demand under names without a version (``plotly.min.js``, 4.8 MB, which
every page with a chart needs; ``async-graph.js``…): no long cache lifetime, so the browser asks again at each
page load, with the ETag it was given. flask-compress gave that ETag its encoding (``"…:br"``), which Dash's
own check never matches: Dash sent the whole file again and flask-compress compressed all of it (brotli, 4.8
MB: 150 ms of a worker on this machine, 0.3–0.4 s of a page view on a loaded one) before it found the ETags
equal and answered 304. Here, after Dash and before flask-compress, a request naming the file's ETag in an
encoding it accepts is answered 304 at once, with that ETag: the copy it holds is the file, encoded in a way
it can read.
"""

from __future__ import annotations

from flask import Flask, Response, request

# The routes whose files Dash tags with an ETag and flask-compress compresses (the components' scripts).
PREFIX = "/_dash-component-suites/"


def not_modified(response: Response, algorithms: list[str]) -> Response:
    """``response`` as it leaves Dash, or a 304 when the request already holds an encoded form of it."""
    if (request.method not in ("GET", "HEAD") or response.status_code != 200 or not request.if_none_match
            or not request.path.startswith(PREFIX)):
        return response
    etag, weak = response.get_etag()
    if not etag or weak:
        return response
    for algorithm in algorithms:
        tagged = f"{etag}:{algorithm}"  # flask-compress's ETag for that encoding
        if request.accept_encodings[algorithm] > 0 and request.if_none_match.contains(tagged):
            answer = Response(status=304)
            answer.set_etag(tagged)
            answer.headers["Vary"] = "Accept-Encoding"
            return answer
    return response


def install(server: Flask) -> None:
    """Call after ``Compress(server)``: Flask runs the hooks after a request in reverse order of
    registration, so this one sees Dash's answer before flask-compress does."""
    algorithms = [a.strip() for a in server.config["COMPRESS_ALGORITHM"]]
    server.after_request(lambda response: not_modified(response, algorithms))
