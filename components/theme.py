"""The shared plotly look of Pilote: a template named ``pilote`` and the ``dcc.Graph`` config.

Importing this module registers the template and makes ``"pilote_white"`` (plotly_white + pilote) the plotly default, so
every figure built afterwards (in the app, in tests, in PNG exports through kaleido) gets French number
separators, the system font stack and the colour-blind-safe colour sequence. ``register_template()`` does
the same explicitly and may be called any number of times.

Colours repeat the CSS custom properties of ``assets/pilote.css``: change both together.
"""

from __future__ import annotations

import copy
import json
import unicodedata

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "pilote"
# plotly_white and pilote merged once. The name has no "+": plotly merges "a+b" names on every lookup,
# that is for every figure built (~30 ms each).
DEFAULT_TEMPLATE = f"{TEMPLATE_NAME}_white"

# Same hex values as the CSS custom properties (--pilote-primary, ...) in assets/pilote.css.
# Contrast ratios on white: primary 8.42, public 6.27, internal 6.85, muted 6.00, danger 6.50,
# success 6.27, warning 5.93 (all >= 4.5, so usable as text colours too).
COLORS: dict[str, str] = {
    "primary": "#0b5563",
    "public": "#1b6e3f",
    "internal": "#8a4a0b",
    "muted": "#5a6472",
    "danger": "#b02a37",
    "success": "#1b6e3f",
    "warning": "#8a5a00",
    "text": "#1f2933",
    "grid": "#dde3e8",
}

# Same stack as --pilote-font in assets/pilote.css (no web fonts: the app works offline).
FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Noto Sans", "Liberation Sans", sans-serif'
)

# Okabe & Ito (2008) colour-blind-safe palette, primary first. Okabe-Ito yellow (#F0E442) is left out:
# 1.2:1 on white, a line in that colour is hardly visible. Black is replaced by the muted grey.
COLORWAY: list[str] = [
    COLORS["primary"],  # deep blue-teal
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#009e73",  # bluish green
    "#d55e00",  # vermillion
    "#cc79a7",  # reddish purple
    "#0072b2",  # blue
    COLORS["muted"],  # grey
]

# One colour per PCAET sector on every chart (an indicator's sector bars, the budget climat by sector), found by
# the sector's word in a label ("transport routier", "Transports"); the first word that matches wins.
SECTOR_COLORS: tuple[tuple[str, str], ...] = (
    ("residentiel", "#0072b2"),
    ("tertiaire", "#e69f00"),
    ("autres transports", "#cc79a7"),
    ("transport", "#56b4e9"),
    ("dechet", "#009e73"),
    ("industrie", "#d55e00"),
    ("agricult", "#8a5a00"),
    ("energie", COLORS["muted"]),
)


def _plain(label: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", label.lower()) if not unicodedata.combining(c))


def category_colors(labels) -> dict[str, str]:
    """Colours of a chart's categories: a sector has its own (SECTOR_COLORS) on every chart; the others (actors…)
    take, in order, the palette's colours no sector of the chart uses (never the primary: it draws results)."""
    out = {}
    for label in labels:
        plain = _plain(label)
        out[label] = next((color for word, color in SECTOR_COLORS if word in plain), None)
    free = [c for c in COLORWAY[1:] if c not in out.values()]
    for index, label in enumerate(label for label in out if out[label] is None):
        out[label] = free[index % len(free)]
    return out


# Sequential scale: one hue, lightness only (readable whatever the colour vision, and in greyscale).
SEQUENTIAL_SCALE = [[0.0, "#eef5f6"], [0.5, "#5f9aa5"], [1.0, "#08404a"]]
# Diverging scale: brown (below) - light grey - blue-teal (above).
DIVERGING_SCALE = [[0.0, "#8a4a0b"], [0.5, "#f3f5f7"], [1.0, "#0b5563"]]

# d3 format for hover values on a numeric y axis: thousands separated, at most 2 decimals, trailing
# zeros dropped, never scientific notation (1 234 567,89). Builders whose y axis holds dates must set
# their own yaxis.hoverformat (a d3 *time* format).
NUMBER_HOVERFORMAT = ",.2~f"

GRAPH_CONFIG: dict = {
    "locale": "fr",  # registered by assets/plotly-locale-fr.js
    "displaylogo": False,
    "responsive": True,
    "scrollZoom": False,  # a page scroll on a phone must not zoom the chart
    # plotly.js 4 shows a "Share chart..." button that uploads the figure to Plotly Cloud: never, the
    # app is offline and internal data must not leave it.
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "toImageButtonOptions": {
        "format": "png",
        "scale": 3,  # print quality (about 300 dpi at the on-screen size)
        "filename": "pilote-graphique",
    },
    "modeBarButtonsToRemove": [
        "select2d",
        "lasso2d",
        "selectbox",  # legacy names still accepted by plotly.js
        "lassoselect",
        "sendChartToCloud",
        "autoScale2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
        # Three stops per chart for the keyboard (zoom in, zoom out, reset): dragging zooms without the
        # zoom button, and pan is for the mouse.
        "zoom2d",
        "pan2d",
        # The card's « Télécharger l'image » buttons export with title, place, period, source and date
        # (assets/chart_export.js); the camera would save the bare chart under the same name.
        "toImage",
    ],
}


def graph_config(filename: str | None = None, **overrides) -> dict:
    """A fresh copy of ``GRAPH_CONFIG``; ``filename`` names the PNG downloaded from the mode bar."""
    config = copy.deepcopy(GRAPH_CONFIG)
    if filename:
        config["toImageButtonOptions"]["filename"] = filename
    config.update(overrides)
    return config


def lean_config(filename: str | None = None, **overrides) -> dict:
    """What a graph's config says beyond ``GRAPH_CONFIG``, which the browser has once per visit
    (/_pilote/theme.js; assets/plotly-template.js completes each graph's config before plotly.js draws it),
    instead of in every graph of every page."""
    full, config = graph_config(filename, **overrides), {}
    for key, value in full.items():
        if isinstance(value, dict) and isinstance(GRAPH_CONFIG.get(key), dict):
            changed = {k: v for k, v in value.items() if GRAPH_CONFIG[key].get(k) != v}
            if changed:
                config[key] = changed
        elif GRAPH_CONFIG.get(key, object()) != value:
            config[key] = value
    return config


def _axis(**extra) -> dict:
    return dict(
        exponentformat="none",  # 1 000 000, never 1M or 1e+6
        separatethousands=True,
        showexponent="none",
        gridcolor=COLORS["grid"],
        zerolinecolor="#b8c2cc",
        linecolor="#b8c2cc",
        ticks="outside",
        tickcolor="#b8c2cc",
        title=dict(font=dict(size=13, color=COLORS["muted"])),
        automargin=True,
        **extra,
    )


def build_template() -> go.layout.Template:
    """The ``pilote`` template (layout only: it is meant to be stacked on ``plotly_white``)."""
    font = dict(family=FONT_FAMILY, size=13, color=COLORS["text"])
    layout = go.Layout(
        separators=", ",  # decimal comma, space for thousands: 1 234 567,8
        font=font,
        title=dict(font=dict(family=FONT_FAMILY, size=16, color=COLORS["text"]), x=0, xanchor="left"),
        colorway=COLORWAY,
        colorscale=dict(sequential=SEQUENTIAL_SCALE, diverging=DIVERGING_SCALE),
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin=dict(l=48, r=16, t=40, b=40, pad=2),
        # Above the plot: below it, a legend lands on rotated tick labels as soon as they are taller than
        # its offset (years and commune names on a phone); nothing but the legend lives above.
        legend=dict(
            orientation="h",
            x=0,  # from the plot's left edge (a legend from the container's edge pushes the plot aside)
            xanchor="left",
            y=1.02,
            yanchor="bottom",
            title=dict(text=""),
            font=dict(size=12),
        ),
        hoverlabel=dict(
            font=dict(family=FONT_FAMILY, size=13, color=COLORS["text"]),
            bgcolor="#ffffff",
            bordercolor=COLORS["primary"],
            align="left",
            namelength=-1,
        ),
        xaxis=_axis(),
        yaxis=_axis(hoverformat=NUMBER_HOVERFORMAT),
        coloraxis=dict(colorbar=dict(exponentformat="none", separatethousands=True, outlinewidth=0)),
        # Maps (components/maps.py): SVG, no base layer (no land or coast fetched from the internet: maps work
        # offline), only the commune outlines and the points.
        geo=dict(visible=False, projection=dict(type="mercator"), bgcolor="rgba(0,0,0,0)", fitbounds=False),
        hovermode="closest",
        # A value label plotly would shrink to fit its bar (5 px on a phone) is left out rather than unreadable;
        # at a report's width it is there (components/figures/bars.py value_labels).
        uniformtext=dict(minsize=9, mode="hide"),
    )
    return go.layout.Template(layout=layout)


# The template travels inside every figure: only what Pilote's charts use is kept (a tenth of /mobilite's
# bytes were plotly_white's defaults for 3D, polar, ternary and carpet charts it never draws).
TRACES_USED = {"bar", "scatter", "scattergl", "scattergeo", "heatmap", "pie", "histogram"}
LAYOUT_UNUSED = {"scene", "polar", "ternary", "map", "mapbox"}


def slim(template: dict) -> dict:
    data = {kind: traces for kind, traces in (template.get("data") or {}).items() if kind in TRACES_USED}
    layout = {key: value for key, value in (template.get("layout") or {}).items() if key not in LAYOUT_UNUSED}
    return {"data": data, "layout": layout}


def register_template() -> None:
    """Registers ``pio.templates["pilote"]`` and ``"pilote_white"`` (the default). Idempotent."""
    pio.templates[TEMPLATE_NAME] = build_template()
    merged = pio.templates.merge_templates("plotly_white", TEMPLATE_NAME).to_plotly_json()
    # plotly_white's map shows land and lakes, which plotly.js would fetch from its CDN: Pilote's map only.
    merged["layout"]["geo"] = pio.templates[TEMPLATE_NAME].layout.geo.to_plotly_json()
    pio.templates[DEFAULT_TEMPLATE] = go.layout.Template(slim(merged))
    pio.templates.default = DEFAULT_TEMPLATE
    _DEFAULT_DICT["template"] = pio.templates[DEFAULT_TEMPLATE].to_plotly_json()


_DEFAULT_DICT: dict = {}  # the default template as figures carry it (set by register_template)


def default_template_json() -> dict:
    """The default template as plotly.js receives it (what /_pilote/theme.js gives the browser)."""
    from plotly.utils import PlotlyJSONEncoder

    return json.loads(json.dumps(pio.templates[DEFAULT_TEMPLATE].to_plotly_json(), cls=PlotlyJSONEncoder))


# The commune outlines under a map's points (the browser draws them: assets/plotly-template.js, from the
# figure's layout.meta.outlines), sent once per visit with the template.
OUTLINE_STYLE = {"fillcolor": "rgba(11,85,99,0.06)", "line": {"color": COLORS["primary"], "width": 1}}


LEGEND_CLEARANCE = 14  # px at least between the top of the plot (half its highest tick label) and the legend
GRAPH_HEIGHT = 400  # what a card gives a graph whose figure names no height (components.chart_card)


def legend_above(layout: dict) -> dict:
    """The template's legend sits above the plot at ``y`` in plot fractions; plotly has no pixel offset, so ``y``
    is set from the figure's height for the legend to clear the highest tick label. A figure placing its own
    legend (maps, a legend inside the plot) keeps it."""
    legend = layout.get("legend") or {}
    if "y" in legend or layout.get("showlegend") is False:
        return layout
    plot = max((layout.get("height") or GRAPH_HEIGHT) - 80, 100)  # the template's margins are at least 40 + 40
    return {**layout, "legend": {**legend, "y": round(1 + LEGEND_CLEARANCE / plot, 3)}}


def lean_figure(figure) -> dict:
    """A figure as a page sends it: without Pilote's default template, which the browser has once
    (assets/plotly-template.js puts it back before drawing), its legend placed (:func:`legend_above`). A figure
    with another template keeps it."""
    data = figure if isinstance(figure, dict) else figure.to_plotly_json()
    layout = legend_above(data.get("layout") or {})
    if "template" in layout and layout["template"] == _DEFAULT_DICT.get("template"):
        layout = {k: v for k, v in layout.items() if k != "template"}
    return {**data, "layout": layout}


register_template()
