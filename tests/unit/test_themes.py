"""One theme of a dashboard at a time (components/themes.py), and /mobilite built that way: only the chosen
theme's charts are built and sent, the others are linked with the page's other parameters kept."""

from __future__ import annotations

from unittest import mock

from components import themes

THEMES = [("velib", "Vélib'"), ("bornes", "Bornes de recharge"), ("accidentalite", "Accidentalité")]
MOBILITE_GRAPHS = {"velib": ["velib-map-graph", "velib-communes-graph"],
                   "bornes": ["irve-carte-graph", "irve-croissance-graph", "irve-puissance-graph"],
                   "critair": ["critair-graph"],
                   "trafic": ["trafic-jour-graph", "trafic-semaine-graph", "trafic-etats-graph", "trafic-carte-graph"],
                   "accidentalite": ["accidents-graph", "accidents-carte-graph", "accidents-calendrier-graph",
                                     "accidents-usagers-graph"]}


def links(nav) -> dict[str, tuple[str, bool]]:
    """theme -> (href, active) of a theme_nav."""
    return {item.id.removeprefix("theme-"): (item.children.href, item.children.active)
            for item in nav.children.children}


def test_the_first_theme_is_the_default_and_an_unknown_one_is_said():
    available = [t for t, _ in THEMES]
    assert themes.choose(None, available).value == "velib"
    assert themes.choose("bornes", available).value == "bornes"
    assert themes.choose(themes.ALL, available).value == themes.ALL
    unknown = themes.choose("<script>", available)
    assert unknown.value == "velib" and unknown.rejected == "<script>"
    assert themes.choose("critair", available).rejected == "critair"  # a theme without data is not offered
    assert themes.choose(None, []).value == themes.ALL
    assert themes.shows(themes.ALL, "bornes") and themes.shows("bornes", "bornes")
    assert not themes.shows("velib", "bornes")


def test_the_links_keep_the_other_parameters_and_leave_the_default_theme_out():
    nav = themes.theme_nav("/mobilite", "?commune=92040&seuil=5", THEMES, "bornes", "Thèmes")
    shown = links(nav)
    assert list(shown) == ["velib", "bornes", "accidentalite", themes.ALL]
    assert shown["velib"] == ("/mobilite?commune=92040&seuil=5", False)
    assert shown["bornes"] == ("/mobilite?commune=92040&seuil=5&theme=bornes", True)
    assert shown[themes.ALL] == ("/mobilite?commune=92040&seuil=5&theme=tout", False)
    assert nav.to_plotly_json()["props"]["aria-label"] == "Thèmes"
    assert "(affiché)" in str(nav.children.children[1].children.children)  # read out, not only coloured
    assert links(themes.theme_nav("/mobilite", "", THEMES, "velib", "Thèmes"))["accidentalite"][0] == \
        "/mobilite?theme=accidentalite"
    assert themes.theme_nav("/mobilite", "", THEMES[:1], "velib", "Thèmes") is None  # one theme: no choice


def _mobilite(**query) -> str:
    import app
    import pages.mobilite as page

    with app.app.server.test_request_context("/mobilite"), mock.patch.object(page, "can", return_value=False):
        return str(page.layout(**query))


def test_a_page_s_shown_theme_says_its_fallback_and_makes_its_links():
    names = dict(THEMES)
    asked = themes.pick("inconnu", names, ["bornes", "accidentalite"], all_label="Toute la mobilité")
    assert asked.value == "bornes" and asked.shows("bornes") and not asked.shows("velib")
    assert "« inconnu » inconnu(e) : affichage de « Bornes de recharge »" in str(asked.notice())
    assert themes.pick("bornes", names, ["bornes"]).notice() is None
    # the default is the first theme the data allow (here not the page's first), left out of the links
    assert asked.href("/mobilite", "?commune=92040", "bornes") == "/mobilite?commune=92040"
    assert asked.href("/mobilite", "?commune=92040", "accidentalite") == "/mobilite?commune=92040&theme=accidentalite"
    assert list(links(asked.nav("/mobilite", "", "Thèmes"))) == ["bornes", "accidentalite", themes.ALL]
    assert "Toute la mobilité" in str(asked.nav("/mobilite", "", "Thèmes"))
    everything = themes.pick(themes.ALL, names, ["bornes", "accidentalite"])
    assert everything.shows("accidentalite") and everything.kept() == themes.ALL and asked.kept() is None
    assert themes.pick(None, names, []).notice() is None and themes.pick(None, names, []).nav("/m", "", "T") is None


def test_mobilite_builds_only_the_theme_asked_for():
    for theme, graphs in MOBILITE_GRAPHS.items():
        page = _mobilite(theme=None if theme == "velib" else theme, commune="92040")
        others = [g for t, gs in MOBILITE_GRAPHS.items() if t != theme for g in gs]
        assert all(f"'{g}'" in page for g in graphs), theme
        assert not any(f"'{g}'" in page for g in others), theme
        assert "commune=92040" in page and "theme=accidentalite" in page  # the links keep the commune
    assert ("velib-kpis" in _mobilite()) and ("velib-kpis" not in _mobilite(theme="trafic"))
    # the internal section goes with its theme (here refused: the visitor is not granted it)
    assert "exploitation" in _mobilite() and "exploitation" not in _mobilite(theme="critair")
    every = _mobilite(theme=themes.ALL)
    assert all(f"'{g}'" in every for gs in MOBILITE_GRAPHS.values() for g in gs)
    unknown = _mobilite(theme="nope")
    assert "Thème « nope » inconnu(e) : affichage de « Vélib' »." in unknown and "'velib-map-graph'" in unknown
