"""Selectors whose state lives in the URL query, and the parsing of what the URL says.

Parsing never raises: an unknown or malformed value falls back to the default, and says so, so that the
page can show a discreet notice instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from data_access.catalog import Territory
from data_access.territory import ALL, ALL_LABEL, default_commune
from data_access.territory import label as commune_label  # noqa: F401  (re-exported for the pages)


@dataclass(frozen=True)
class Parsed:
    value: str
    rejected: str | None = None  # what the URL said, when it was not acceptable


def _single(raw) -> str | None:
    # Dash passes a list when a parameter is repeated (?commune=a&commune=b): keep the first.
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else None
    return None if raw is None else str(raw).strip()


def parse_choice(raw, allowed: list[str] | tuple[str, ...] | frozenset[str], default: str) -> Parsed:
    value = _single(raw)
    if value in (None, ""):
        return Parsed(default)
    if value in allowed:
        return Parsed(value)
    return Parsed(default, rejected=value[:60])


def parse_commune(raw, territory: Territory) -> Parsed:
    return parse_choice(raw, [ALL, *sorted(territory.codes)], default_commune(territory))


def commune_options(territory: Territory) -> list[dict]:
    return [{"label": ALL_LABEL.capitalize(), "value": ALL}] + [
        {"label": c.name, "value": c.code} for c in sorted(territory.communes, key=lambda c: c.name)
    ]


def query_params(search: str | None) -> dict[str, str]:
    return dict(parse_qsl((search or "").lstrip("?")))


def merge_query(search: str | None, _defaults: dict[str, str] | None = None, **changes: str | None) -> str:
    """``search`` with ``changes`` applied; keeps the other parameters. A change to None, "" or its default
    (``_defaults[key]``, else ALL) removes the key: the URL only says what differs from the default view."""
    params = query_params(search)
    defaults = _defaults or {}
    for key, value in changes.items():
        if value in (None, "") or value == defaults.get(key, ALL):
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{urlencode(params)}" if params else ""


def update_search(search: str | None, _defaults: dict[str, str] | None = None, **changes: str | None):
    """The callbacks' one way to change the URL: the new query string, or ``no_update`` when unchanged (so the
    page is not rendered again for nothing)."""
    new = merge_query(search, _defaults, **changes)
    return new if new != (search or "") else dash.no_update


# The URL as a page's own selectors and clicks write it: a location in the page's content, beside them. Dash
# fires a callback whose inputs a callback inserted (the router's page) unless its outputs came with them, and
# prevent_initial_call does not stop it: writing to the shell's location, every selector of a page made a
# server round trip at each page view, for nothing (4 on /mobilite, on the page's critical path).
# "callback-nav": the shell's location follows the change (Dash's _dashprivate_pushstate event), and with it
# the router and the commune selector.
PAGE_URL = "page-url"


def page_url() -> dcc.Location:
    return dcc.Location(id=PAGE_URL, refresh="callback-nav")


# -- live parameters: a selector that updates its charts in place --------------------------------------
SHOWN = "pilote-shown"  # the shell's store: the URL the page content was last built for


def shown_record(pathname: str | None, search: str | None) -> dict:
    return {"path": pathname or "", "query": query_params(search)}


def stays(shown, path: str, query: dict, live: tuple[str, ...]) -> bool:
    """Is the page already on screen, with only ``live`` parameters changed? Then the router leaves the content
    as it is (``dash.no_update``) and the page's own callbacks update what depends on them: a selector redraws
    its charts, not the page. ``shown``: the shell's record of the URL the content was built for."""
    if not isinstance(shown, dict) or shown.get("path") != path or not isinstance(shown.get("query"), dict):
        return False
    before = {k: v for k, v in shown["query"].items() if k not in live}
    now = {k: v for k, v in query.items() if k not in live}
    return before == now


def commune_defaults(territory: Territory) -> dict[str, str]:
    """For merge_query: the commune the URL may leave out."""
    return {"commune": default_commune(territory)}


# Dash 4's dcc.Dropdown speaks English by default ("Search", "No options found"...).
DROPDOWN_LABELS = {"select_all": "Tout sélectionner", "deselect_all": "Tout désélectionner",
                   "selected_count": "{num_selected} sélectionné(s)", "search": "Rechercher",
                   "clear_search": "Effacer la recherche", "clear_selection": "Effacer la sélection",
                   "no_options_found": "Aucun choix ne correspond"}


def dropdown(**props) -> dcc.Dropdown:
    """A dcc.Dropdown in French: every dropdown of Pilote is made here."""
    return dcc.Dropdown(labels=DROPDOWN_LABELS, **props)


def commune_dropdown(territory: Territory, value: str = ALL) -> html.Div:
    return html.Div(
        [
            dbc.Label("Commune", html_for="commune-select", className="visually-hidden"),
            dropdown(id="commune-select", options=commune_options(territory), value=value,
                     clearable=False, searchable=False, className="pilote-commune-select"),
        ],
        title="Commune affichée sur toutes les pages",
    )


def fallback_notice(label: str, parsed: Parsed, default_label: str) -> html.Div | None:
    """A discreet notice that a URL value was not understood, or None."""
    if parsed.rejected is None:
        return None
    return dbc.Alert(f"{label} « {parsed.rejected} » inconnu(e) : affichage de {default_label}.",
                     color="warning", className="py-1 px-2 small", dismissable=True)
