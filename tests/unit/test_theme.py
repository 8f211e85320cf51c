"""The shared plotly template and dcc.Graph config."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from components import theme

CSS = Path(__file__).resolve().parents[2] / "assets" / "pilote.css"


def test_template_registered_and_default():
    theme.register_template()
    assert theme.TEMPLATE_NAME == "pilote"
    assert "pilote" in pio.templates
    assert pio.templates.default == "pilote_white"


def test_register_template_is_idempotent():
    theme.register_template()
    theme.register_template()
    assert pio.templates.default == "pilote_white"
    assert pio.templates["pilote"].layout.separators == ", "


def test_figure_gets_french_separators():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1234567.8, 2.5]))
    assert fig.layout.template.layout.separators == ", "


def test_to_json_carries_separators():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[1000.5, 2000.25]))
    payload = json.loads(pio.to_json(fig))
    assert payload["layout"]["template"]["layout"]["separators"] == ", "
    # plotly_white is merged in: its white background comes along.
    assert payload["layout"]["template"]["layout"]["plot_bgcolor"] == "#ffffff"


def test_explicit_template_name_also_works():
    fig = go.Figure(layout={"template": "pilote"})
    assert fig.layout.template.layout.separators == ", "


def test_template_font_colorway_legend_and_axes():
    layout = pio.templates["pilote"].layout
    assert "system-ui" in layout.font.family
    assert layout.hoverlabel.font.family == layout.font.family
    assert layout.colorway[0] == theme.COLORS["primary"]
    assert len(set(layout.colorway)) == len(layout.colorway) >= 6
    assert layout.legend.orientation == "h"
    assert layout.legend.y > 1 and layout.legend.yanchor == "bottom"  # above the plot, clear of tick labels
    for axis in (layout.xaxis, layout.yaxis):
        assert axis.exponentformat == "none"
        assert axis.separatethousands is True
    assert "e" not in layout.yaxis.hoverformat and "s" not in layout.yaxis.hoverformat
    # Maps draw no base layer: plotly.js would fetch land and coasts from its CDN (DESIGN: maps work offline)
    assert layout.geo.visible is False and layout.geo.projection.type == "mercator"


def test_the_default_template_asks_plotly_for_no_base_map():
    """plotly_white shows land and lakes on a map: merged into Pilote's default template, that would make
    plotly.js fetch its world topojson from a CDN, which an offline server cannot reach (the map never drew)."""
    geo = pio.templates[theme.DEFAULT_TEMPLATE].layout.geo.to_plotly_json()
    assert geo["visible"] is False
    assert not [key for key, value in geo.items() if key.startswith("show") and value], geo


def test_font_stack_matches_css():
    css = CSS.read_text(encoding="utf-8")
    match = re.search(r"--pilote-font:\s*([^;]+);", css)
    assert match
    assert " ".join(match.group(1).split()) == theme.FONT_FAMILY


def test_colors_match_css_custom_properties():
    css = CSS.read_text(encoding="utf-8")
    for name in ("primary", "public", "internal", "muted", "danger", "success", "warning"):
        match = re.search(rf"--pilote-{name}:\s*(#[0-9a-fA-F]{{6}})", css)
        assert match, name
        assert match.group(1).lower() == theme.COLORS[name].lower(), name


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_named_colours_are_aa_text_colours_on_white():
    for name in ("primary", "public", "internal", "muted", "danger", "success", "warning", "text"):
        assert _contrast(theme.COLORS[name], "#ffffff") >= 4.5, name


def test_graph_config():
    config = theme.GRAPH_CONFIG
    assert config["locale"] == "fr"
    assert config["displaylogo"] is False
    assert config["toImageButtonOptions"]["format"] == "png"
    assert config["toImageButtonOptions"]["scale"] >= 2
    removed = config["modeBarButtonsToRemove"]
    assert "lasso2d" in removed and "select2d" in removed
    # nothing may leave the app: no Plotly Cloud share button
    assert config["showSendToCloud"] is False
    assert "sendChartToCloud" in removed


def test_graph_config_copy_is_independent():
    config = theme.graph_config(filename="climat-emissions")
    assert config["toImageButtonOptions"]["filename"] == "climat-emissions"
    assert theme.GRAPH_CONFIG["toImageButtonOptions"]["filename"] == "pilote-graphique"
    config["modeBarButtonsToRemove"].append("zoomIn2d")
    assert "zoomIn2d" not in theme.GRAPH_CONFIG["modeBarButtonsToRemove"]


def test_lean_config_says_only_what_differs_from_the_default():
    assert theme.lean_config() == {}
    assert theme.lean_config(filename="climat-emissions") == {"toImageButtonOptions": {"filename": "climat-emissions"}}
    assert theme.lean_config(filename="x", scrollZoom=True) == {"toImageButtonOptions": {"filename": "x"},
                                                                "scrollZoom": True}


def test_a_legend_above_clears_the_highest_tick_label_whatever_the_height():
    for height in (None, 200, 340, 520, 900):
        layout = theme.lean_figure(go.Figure(go.Bar(x=[1], y=[2]), layout={"height": height}))["layout"]
        plot = (height or theme.GRAPH_HEIGHT) - 80  # at most: the template's margins are at least 40 + 40
        assert (layout["legend"]["y"] - 1) * plot >= theme.LEGEND_CLEARANCE - 0.5, height
    placed = theme.lean_figure(go.Figure(layout={"legend": {"y": -0.02, "yanchor": "top"}}))["layout"]
    assert placed["legend"]["y"] == -0.02  # a map's legend under it stays there
    hidden = theme.lean_figure(go.Figure(layout={"showlegend": False}))["layout"]
    assert "y" not in (hidden.get("legend") or {})


def test_a_sector_has_one_colour_on_every_chart_and_other_categories_do_not_collide():
    indicator = theme.category_colors(["résidentiel", "tertiaire", "transport routier", "déchets"])
    budget = theme.category_colors(["Déchets", "Résidentiel", "Tertiaire", "Transports"])
    assert indicator["résidentiel"] == budget["Résidentiel"] and indicator["déchets"] == budget["Déchets"]
    assert indicator["transport routier"] == budget["Transports"] and indicator["tertiaire"] == budget["Tertiaire"]
    assert len(set(indicator.values())) == 4
    assert theme.category_colors(["autres transports"])["autres transports"] != budget["Transports"]
    actors = theme.category_colors(["Collectivité", "Entreprises", "Ménages", "Territoire"])
    assert len(set(actors.values())) == 4 and theme.COLORS["primary"] not in actors.values()
    mixed = theme.category_colors(["Résidentiel", "Ménages"])
    assert mixed["Ménages"] != mixed["Résidentiel"]
