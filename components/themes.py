"""A dashboard of several themes shown one theme at a time, the theme in the URL (``?theme=accidentalite``).

Why: the browser draws a page's charts one after the other on its one thread (50 to 150 ms each here), so the
14 charts of the mobility observatory were all drawn in 3× the time of a one-graph page (issue 13), and a phone
scrolled through all of them. A reader comes for one theme (the accidents of their commune, the charging
points): only its charts are built, sent and drawn. The URL says which (a permalink; the back button), the
other parameters are kept from one theme to the next, and « Tout » puts every theme on one page, to print or
to read through. The page's first theme is its default, left out of the URL.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash
import dash_bootstrap_components as dbc
from dash import ALL as ALL_IDS
from dash import Input, Output, State, html

from components.selectors import Parsed, fallback_notice, merge_query, parse_choice

PARAM = "theme"
LINK = "pilote-theme"  # the links' id type (pattern-matched: their hrefs follow the URL)
ALL = "tout"
ALL_LABEL = "Tous les thèmes"


def choose(raw, available: list[str]) -> Parsed:
    """The theme shown: one of ``available`` (the themes the data allow, in the page's order) or ALL; the first
    when the URL says none, or one the page does not have (``rejected``: the page says so)."""
    return parse_choice(raw, [*available, ALL], available[0] if available else ALL)


def shows(chosen: str, theme: str) -> bool:
    return chosen in (ALL, theme)


def href(path: str, search: str, default: str, theme: str) -> str:
    """The link to ``theme`` of the page at ``path``, with ``search``'s other parameters; the page's
    ``default`` theme is left out of the URL."""
    return path + merge_query(search, {PARAM: default}, **{PARAM: theme})


def kept(chosen: str) -> str | None:
    """The theme a page's own links (a card, a detail) keep: « tout » when every theme is shown, else none
    (they lead to the default theme, where what they open is)."""
    return chosen if chosen == ALL else None


@dataclass(frozen=True)
class Shown:
    """What a page of themes shows: ``value``, one of the ``available`` themes (those its data allow, in the
    page's order; the first is the default) or ALL; ``names`` names every theme of the page."""

    parsed: Parsed
    names: dict[str, str]
    available: list[str]
    all_label: str = ALL_LABEL

    @property
    def value(self) -> str:
        return self.parsed.value

    def shows(self, theme: str) -> bool:
        return shows(self.value, theme)

    def kept(self) -> str | None:
        return kept(self.value)

    def href(self, path: str, search: str, theme: str) -> str:
        return href(path, search, self.available[0] if self.available else ALL, theme)

    def notice(self) -> html.Div | None:
        """The notice of a theme the URL asked for that the page does not have."""
        return fallback_notice("Thème", self.parsed, f"« {self.names.get(self.value, self.all_label)} »")

    def nav(self, path: str, search: str, label: str) -> html.Nav | None:
        return theme_nav(path, search, [(t, self.names[t]) for t in self.available], self.value, label,
                         self.all_label)


def pick(raw, names: dict[str, str], available: list[str], all_label: str = ALL_LABEL) -> Shown:
    """The theme a page shows for the URL's ``raw`` value (``choose``)."""
    return Shown(choose(raw, available), names, available, all_label)


def theme_nav(path: str, search: str, themes: list[tuple[str, str]], chosen: str, label: str,
              all_label: str = ALL_LABEL) -> html.Nav | None:
    """One link per theme (id, name), then ``all_label`` (every theme); each keeps ``search`` (the page's other
    parameters). The theme shown is marked, for the eye and for screen readers. None with a single theme."""
    if len(themes) < 2:
        return None
    links = []
    for theme, name in [*themes, (ALL, all_label)]:
        current = theme == chosen
        text = [name, html.Span(" (affiché)", className="visually-hidden")] if current else name
        links.append(dbc.NavItem(dbc.NavLink(text, href=href(path, search, themes[0][0], theme),
                                             active=current, id={"type": LINK, "theme": theme}),
                                 id=f"theme-{theme}"))
    return html.Nav(dbc.Nav(links, pills=True, className="pilote-themes flex-wrap gap-1"),
                    id="themes", className="mt-2 mb-1", **{"aria-label": label})


# A live selector (the car park of /stationnement) writes the URL without rendering the page again: the theme
# links follow it in the browser, so the next theme keeps the choice. Each link keeps its own path and theme
# and takes the URL's other parameters.
dash.clientside_callback(
    """function (search, hrefs) {
        return (hrefs || []).map(function (href) {
            const link = new URL(href, window.location.origin);
            const params = new URLSearchParams(search || "");
            const theme = link.searchParams.get("%(param)s");
            if (theme) { params.set("%(param)s", theme); } else { params.delete("%(param)s"); }
            const query = params.toString();
            return link.pathname + (query ? "?" + query : "") + link.hash;
        });
    }""" % {"param": PARAM},
    Output({"type": LINK, "theme": ALL_IDS}, "href"), Input("_pages_location", "search"),
    State({"type": LINK, "theme": ALL_IDS}, "href"), prevent_initial_call=True,
)
