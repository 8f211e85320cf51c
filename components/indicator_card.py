"""The indicator card: last value, reference, target, change, progress, status (colour and text)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.badges import lock_icon
from components.formats import fmt_int, fmt_number, fmt_percent
from data_access.indicators import (ATTEINT, DANS_TRAJECTOIRE, EN_AVANCE, EN_RETARD, INSUFFISANT, Assessment,
                                    change_vs_reference)

# Bootstrap contextual backgrounds, all AA with their text colour; the status is also written out.
STATUS_CLASS = {ATTEINT: "text-bg-success", EN_AVANCE: "text-bg-success", DANS_TRAJECTOIRE: "text-bg-primary",
                EN_RETARD: "text-bg-danger", INSUFFISANT: "text-bg-secondary"}


def change_label(value, reference, reference_year: int) -> str | None:
    """"−12,4 % par rapport à 2015"."""
    change = change_vs_reference(value, reference)
    if change is None:
        return None
    return f"{fmt_percent(change, 1, signed=True)} par rapport à {reference_year}"


def status_badge(status: str, reason: str = "") -> html.Span:
    return html.Span(status.capitalize(), className=f"badge {STATUS_CLASS[status]} pilote-status", title=reason)


def fmt_value(value, row: dict) -> str:
    if value is None:
        return "–"
    precision = row.get("precision")
    return fmt_number(value, 2 if precision is None else int(precision))


def progress_bar(progress: float | None) -> html.Div:
    if progress is None:
        return html.Div("Progression : non calculable", className="small text-body-secondary")
    shown = max(0.0, min(100.0, progress))
    label = f"Progression vers l'objectif : {fmt_percent(progress, 0)}"
    # Bootstrap's markup, written here: dbc.Progress gives its bar no accessible name (axe
    # aria-progressbar-name); the bar is named by the label above it.
    return html.Div([
        html.Div(label, className="small"),
        html.Div(html.Div(className=f"progress-bar bg-{'success' if progress >= 100 else 'primary'}",
                          role="progressbar", style={"width": f"{shown:g}%"},
                          **{"aria-valuenow": f"{shown:g}", "aria-valuemin": "0", "aria-valuemax": "100",
                             "aria-label": label}),
                 className="progress pilote-progress", style={"height": "0.6rem"}),
    ])


def indicator_card(row: dict, a: Assessment, href: str, selected: bool = False) -> dbc.Card:
    unit = row["unite"]
    title = [row["titre"]]
    if row.get("confidentiel"):
        title = [lock_icon(), " "] + title
    reference = (f"{fmt_value(row['valeur_reference'], row)} {unit} en {row['annee_reference']}"
                 if row.get("valeur_reference") is not None else "–")
    target = (f"{fmt_value(row['valeur_cible'], row)} {unit} en {row['annee_cible']}"
              if row.get("valeur_cible") is not None else "pas d'objectif chiffré")
    change = change_label(a.last_value, row.get("valeur_reference"), row["annee_reference"]) \
        if row.get("annee_reference") else None
    return dbc.Card(
        dbc.CardBody([
            html.Div([status_badge(a.status, a.reason), html.Code(row["indicateur"], className="ms-2 small")],
                     className="mb-2"),
            html.H3(title, className="h6"),
            html.Div([html.Span(fmt_value(a.last_value, row), className="pilote-kpi-value fs-4"),
                      html.Span(f" {unit}", className="small"),
                      html.Span(f" en {a.last_year}" if a.last_year else "", className="small text-body-secondary")]),
            html.Div(change or "", className="small"),
            html.Dl([html.Dt("Référence", className="small"), html.Dd(reference, className="small mb-1"),
                     html.Dt("Objectif", className="small"), html.Dd(target, className="small mb-1")],
                    className="mb-2"),
            progress_bar(a.progress),
            html.P(a.reason.capitalize() + ".", className="small text-body-secondary mt-2 mb-1"),
            dcc.Link("Voir le détail" if not selected else "Détail affiché ci-dessous", href=href,
                     className="small stretched-link" if not selected else "small"),
        ]),
        className=f"pilote-card pilote-indicator-card h-100{' border-primary border-2' if selected else ''}",
        id=f"indicateur-{row['indicateur']}",
    )


__all__ = ["indicator_card", "status_badge", "fmt_value", "fmt_int"]
