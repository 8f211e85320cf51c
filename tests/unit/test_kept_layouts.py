"""Layouts kept JSON-ready (components/kept_layout.py, components/tables.element); a kept form layout
(components/report_page.py) gets a fresh token at each render, the kept tree untouched."""

import json

from dash import dcc, html
from dash._utils import to_json

from components.report_page import with_token


def test_with_token_replaces_the_store_s_data_and_copies_only_its_path():
    kept = json.loads(to_json(html.Div([html.H1("Titre"), html.Div([html.P("x"), dcc.Store(id="f-jeton", data="old")]),
                                        html.Div(id="other")])))
    before = json.dumps(kept)
    out = with_token(kept, "f-jeton", "new")
    assert json.dumps(kept) == before  # untouched
    assert out["props"]["children"][1]["props"]["children"][1]["props"]["data"] == "new"
    assert out["props"]["children"][0] is kept["props"]["children"][0]  # off the path: shared, not copied
    assert out["props"]["children"][2] is kept["props"]["children"][2]
    assert with_token(kept, "absent", "new") is kept


def test_a_layout_is_built_once_for_what_it_shows():
    from components.kept_layout import KeptLayouts

    kept, built = KeptLayouts(size=2), []

    def build(name):
        built.append(name)
        return html.Div(html.P(name), id="page")

    first = kept.get({"name": "Agent A", "groups": ["aires"]}, lambda: build("Agent A"))
    again = kept.get({"groups": ["aires"], "name": "Agent A"}, lambda: build("never"))  # the same values
    other = kept.get({"name": "Agent B", "groups": ["aires"]}, lambda: build("Agent B"))
    assert built == ["Agent A", "Agent B"] and again is first
    assert first == json.loads(to_json(html.Div(html.P("Agent A"), id="page")))  # as Dash sends it
    assert other["props"]["children"]["props"]["children"] == "Agent B"
    kept.get({"name": "Agent C"}, lambda: build("Agent C"))  # size 2: the oldest goes
    kept.get({"name": "Agent A", "groups": ["aires"]}, lambda: build("Agent A"))
    assert built == ["Agent A", "Agent B", "Agent C", "Agent A"]


def test_an_element_is_what_dash_sends_for_its_component():
    from components.tables import element

    for component, plain in [(html.Td("a", title="x"), element("Td", "a", title="x")),
                             (html.Tr([html.Td("b"), html.Td("")]), element("Tr", [element("Td", "b"), element("Td", "")])),
                             (html.Td(), element("Td"))]:
        assert json.loads(to_json(component)) == plain
