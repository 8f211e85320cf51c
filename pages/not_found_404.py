"""French 404 page (Dash Pages uses the module named ``not_found_404``)."""

import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", name="Page introuvable", title="Page introuvable", nav=False,
                   access="public", roles=[])  # reads no dataset


def layout(**_ignored):
    return html.Div(
        [
            html.H1("Page introuvable", className="h3"),
            html.P("L'adresse demandée ne correspond à aucune page de Pilote. Elle a peut-être été déplacée, "
                   "ou contient une faute de frappe."),
            dcc.Link("Revenir au catalogue des tableaux de bord", href="/", className="btn btn-primary"),
        ],
        className="py-4", id="page-404",
    )
