from components.selectors import ALL, commune_options, merge_query, parse_choice, parse_commune, query_params


def test_commune_parsing_accepts_known_codes_and_falls_back_otherwise(catalog):
    territory = catalog.territory
    assert parse_commune("92040", territory).value == "92040"
    assert parse_commune(None, territory).value == ALL
    assert parse_commune("", territory).value == ALL
    assert parse_commune(" 92012 ", territory).value == "92012"
    bad = parse_commune("75056", territory)
    assert (bad.value, bad.rejected) == (ALL, "75056")
    # repeated parameter: Dash passes a list; the first wins
    assert parse_commune(["92048", "92040"], territory).value == "92048"
    # a huge or hostile value is refused and truncated in the notice
    hostile = parse_commune("<script>" * 50, territory)
    assert hostile.value == ALL and len(hostile.rejected) == 60


def test_parse_choice_default():
    assert parse_choice("b", ["a", "b"], "a").value == "b"
    assert parse_choice("z", ["a", "b"], "a").rejected == "z"


def test_options_list_all_eight_communes_after_the_whole_territory(catalog):
    options = commune_options(catalog.territory)
    assert options[0] == {"label": "Tout le territoire", "value": ALL}
    assert len(options) == 9
    assert [o["label"] for o in options[1:]] == sorted(o["label"] for o in options[1:])


def test_merge_query_keeps_other_parameters_and_drops_defaults():
    assert merge_query("?axe=2&commune=92040", commune="92012") == "?axe=2&commune=92012"
    assert merge_query("?axe=2&commune=92040", commune=ALL) == "?axe=2"
    assert merge_query("", commune=ALL) == ""
    assert merge_query(None, commune="92040") == "?commune=92040"
    assert query_params("?a=1&b=%C3%A9") == {"a": "1", "b": "é"}
