"""A rendered answer is kept and sent as plain UTF-8 JSON: the same value Dash built, without plotly's
6-byte escapes of accented letters, French spaces, "/" and "<"."""

import json

from dash._utils import to_json

from data_access.render_cache import utf8_json


def test_the_same_value_in_fewer_bytes():
    value = {"response": {"p": {"children": "Éléments · 12\u202f926 véhicules/jour <b>Tué</b>\u2028fin",
                                "figure": {"data": [{"lat": [48.82123, None], "text": ["01/01 · 2RM"]}]}}}}
    built = to_json(value).encode()  # as Dash writes a callback's answer
    assert b"\\u00e9" in built and b"\\u002f" in built
    out = utf8_json(built)
    assert json.loads(out) == json.loads(built) == value
    assert b"\\u00e9" not in out and "véhicules/jour <b>Tué</b>".encode() in out
    assert len(out) < 0.8 * len(built)
