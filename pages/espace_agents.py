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


def layout(**_ignored):
    auth, data = current_auth(), current()
    principal = auth.principal()
    pages = {p["path"]: p for p in dash.page_registry.values()}
    resources = granted_resources(auth, principal)

    def resource_item(resource: str):
        path, _, section = resource.partition("#")
        page = pages.get(path, {"name": path})
        label = f"{page['name']} — section « {section} »" if section else page["name"]
        return html.Li(dcc.Link(label, href=path))

    datasets = internal_datasets(auth, principal, dash.page_registry, data)
    user = current_auth_user()
    expiry = user.expires_at if user else None
    return html.Div(
        [
            html.H1("Mon espace", className="h3"),
            html.P([html.Strong(principal.name), f" · {principal.email}",
                    " · administrateur" if principal.is_admin else ""]),
            dbc.Alert(f"Votre accès prend fin le {fmt_date(expiry.date())}.", color="warning", className="small")
            if expiry else None,
            html.H2("Mes groupes", className="h5"),
            html.Ul([html.Li(g) for g in sorted(principal.groups)] or [html.Li("aucun groupe")], id="my-groups"),
            html.H2("Tableaux et sections internes accessibles", className="h5"),
            html.Ul([resource_item(r) for r in resources] or [html.Li("aucun pour le moment")], id="my-resources"),
            html.H2("Fraîcheur des données internes", className="h5"),
            html.Ul([html.Li([s.spec.title, " ", visibility_badge("internal"), " ",
                              freshness_badge(s.state, s.reason), " ",
                              data_date(s.meta.fetched_at, s.age_seconds)]) for s in datasets]
                    or [html.Li("Aucun jeu de données interne pour vos tableaux.")], id="my-datasets"),
            html.P(html.A("Se déconnecter", href="/logout", className="btn btn-outline-secondary btn-sm"),
                   className="mt-4"),  # /logout asks for confirmation with a POST form
        ]
    )


def current_auth_user():
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None
