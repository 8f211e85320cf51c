"""The input gate's pure checks (auth/gate.py), on the shapes a probe sends."""

import pytest

from auth.gate import MAX_BODY, Refused, check_shape, json_depth, output_key, parse_body, router_pathname


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth(b'{"a": [1, {"b": 2}]}') == 3
    assert json_depth(b'{"a": "[[[[{{{{\\"]]"}') == 1
    assert json_depth(b"[" * 5000 + b"]" * 5000) == 5000


@pytest.mark.parametrize("raw, reason", [
    (b"[" * 100 + b"]" * 100, "imbriquée"), (b"{not json", "illisible"), (b"[1, 2]", "invalide"),
    (b'{"output": 3}', "invalide"), (b'{"output": "' + b"a" * MAX_BODY + b'"}', "volumineuse"),
])
def test_parse_body_refuses(raw, reason):
    with pytest.raises(Refused, match=reason):
        parse_body(raw)


def test_outputs_must_agree_with_output():
    assert output_key({"id": "a", "property": "children"}) == "a.children"
    assert output_key([{"id": "a", "property": "x"}, {"id": "b", "property": "y"}]) == "..a.x...b.y.."
    assert output_key({"id": {"type": "t", "card": "c"}, "property": "data"}) is None  # pattern: not derivable
    check_shape({"output": "a.children", "outputs": {"id": "a", "property": "children"}})
    with pytest.raises(Refused, match="incohérentes"):
        check_shape({"output": "a.children", "outputs": {"id": "admin", "property": "children"}})
    with pytest.raises(Refused, match="sorties"):
        check_shape({"output": "a.children", "outputs": [3]})


@pytest.mark.parametrize("body, reason", [
    ({"output": "o.p", "outputs": {"id": "o", "property": "p"}, "changedPropIds": [{}]}, "changedPropIds"),
    ({"output": "o.p", "outputs": {"id": "o", "property": "p"},
      "inputs": [{"id": "_pages_location", "property": "search", "value": 5}]}, "texte"),
    ({"output": "o.p", "outputs": {"id": "o", "property": "p"},
      "state": [[{"id": {"type": "nav"}, "property": "id", "value": 7}]]}, "identifiant"),
    ({"output": "o.p"}, "absentes"),
    ({"output": "o.p", "outputs": [[]]}, "invalides"),
])
def test_shape_checks(body, reason):
    with pytest.raises(Refused, match=reason):
        check_shape(body)


@pytest.mark.parametrize("value, ok", [("/mobilite", True), ("admin", False), (" /admin", False),
                                       ("\\admin", False), ("//evil", False), ("http://x/a", False), (5, False)])
def test_router_pathname(value, ok):
    assert (router_pathname(value) is not None) == ok
