"""/espace-agents — « Mon espace »: the signed-in user's groups, what they may see, internal data freshness."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.access import PUBLIC
from auth.session import current_auth
from auth.visibility import visible_datasets
from components.badges import data_date, freshness_badge, visibility_badge
from components.formats import fmt_date
from components.kept_layout import KeptLayouts
from data_access.context import current

dash.register_page(__name__, path="/espace-agents", name="Mon espace", title="Mon espace", order=90, nav=False,
                   access="authenticated", description="Vos groupes, vos tableaux de bord et leurs données.", render_cache=False)


def granted_resources(auth, principal) -> list[str]:
    policy = auth.policy
    return [r for r in policy.resources() if policy.access(r) != PUBLIC and policy.allows(principal, r)]


def internal_datasets(auth, principal, registry: dict, data) -> list:
    """Internal datasets used by a page or section this user may see."""
    keys = visible_datasets(auth, principal, registry, data)
    return [s for s in data.statuses("internal") if s.spec.key in keys]


_KEPT = KeptLayouts()


def layout(**_ignored):
    auth, data = current_auth(), current()
    principal = auth.principal()
    pages = {p["path"]: p for p in dash.page_registry.values()}

    def resource_label(resource: str) -> list[str]:
        path, _, section = resource.partition("#")
        name = pages.get(path, {"name": path})["name"]
        return [f"{name} — section « {section} »" if section else name, path]

    user = current_auth_user()
    expiry = user.expires_at if user else None
    # What the page shows, as plain values: the page is kept under them (components/kept_layout.py).
    shown = {
        "name": principal.name, "email": principal.email, "admin": principal.is_admin,
        "expiry": fmt_date(expiry.date()) if expiry else None, "groups": sorted(principal.groups),
        "resources": [resource_label(r) for r in granted_resources(auth, principal)],
        "datasets": [[s.spec.title, s.state, s.reason, data_date(s.meta.fetched_at, s.age_seconds)]
                     for s in internal_datasets(auth, principal, dash.page_registry, data)],
    }
    return _KEPT.get(shown, lambda: page(shown))


def page(shown: dict) -> html.Div:
    return html.Div(
        [
            html.H1("Mon espace", className="h3"),
            html.P([html.Strong(shown["name"]), f" · {shown['email']}", " · administrateur" if shown["admin"] else ""]),
            dbc.Alert(f"Votre accès prend fin le {shown['expiry']}.", color="warning", className="small")
            if shown["expiry"] else None,
            html.H2("Mes groupes", className="h5"),
            html.Ul([html.Li(g) for g in shown["groups"]] or [html.Li("aucun groupe")], id="my-groups"),
            html.H2("Tableaux et sections internes accessibles", className="h5"),
            html.Ul([html.Li(dcc.Link(label, href=path)) for label, path in shown["resources"]]
                    or [html.Li("aucun pour le moment")], id="my-resources"),
            html.H2("Fraîcheur des données internes", className="h5"),
            html.Ul([html.Li([title, " ", visibility_badge("internal"), " ", freshness_badge(state, reason), " ", when])
                     for title, state, reason, when in shown["datasets"]]
                    or [html.Li("Aucun jeu de données interne pour vos tableaux.")], id="my-datasets"),
            html.P(html.A("Se déconnecter", href="/logout", className="btn btn-outline-secondary btn-sm"),
                   className="mt-4"),  # /logout asks for confirmation with a POST form
        ]
    )


def current_auth_user():
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None
