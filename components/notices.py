"""The page notices, one component each: a section reserved to some groups, data unavailable or stale."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from auth.session import current_auth
from components.badges import lock_icon
from components.formats import fmt_datetime


def reserved(text: str, next_path: str):
    """Why an internal section is not shown: a sign-in link for visitors, nothing for signed-in users who are
    not granted it (they know their access; the section's existence is no secret, its data is)."""
    if current_auth().principal().authenticated:
        return None
    return html.P([lock_icon(), f" {text} : ", html.A("se connecter", href=f"/login?next={next_path}"), "."],
                  className="small mt-4")


def unavailable(what: str, reason) -> dbc.Alert:
    return dbc.Alert(f"{what} : {reason}", color="danger", className="small")


def stale(status) -> dbc.Alert | None:
    """Says that the latest update failed or that the data is older than planned, with its date."""
    if status.state != "stale":
        return None
    when = fmt_datetime(status.meta.fetched_at) if status.meta.fetched_at else "date inconnue"
    return dbc.Alert(f"« {status.spec.title} » est périmé ({status.reason}) : données du {when}.",
                     color="warning", className="small")
