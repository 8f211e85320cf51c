"""Small status badges: freshness of a dataset, visibility, demonstration data. Colour and text always."""

from __future__ import annotations

from dash import html

from components.formats import fmt_age, fmt_datetime

_STATES = {
    "fresh": ("À jour", "pilote-badge-fresh"),
    "stale": ("Périmé", "pilote-badge-stale"),
    "failed": ("En échec", "pilote-badge-failed"),
}


def freshness_badge(state: str, last_error: str | None = None) -> html.Span:
    label, cls = _STATES[state]
    title = {"fresh": "Dernière mise à jour réussie",
             "stale": f"La dernière mise à jour a échoué ; les dernières données valides sont affichées. {last_error or ''}",
             "failed": f"Aucune donnée disponible. {last_error or ''}"}[state]
    return html.Span(label, className=f"badge {cls}", title=title.strip())


def visibility_badge(visibility: str) -> html.Span:
    if visibility == "public":
        return html.Span("Public", className="badge pilote-badge-public")
    return html.Span([lock_icon(), " Interne"], className="badge pilote-badge-internal")


def demo_badge() -> html.Span:
    return html.Span("Données de démonstration", className="badge pilote-badge-demo")


def lock_icon() -> html.Img:
    return html.Img(src="/assets/icons/lock.svg", alt="Accès restreint", className="pilote-lock", width=12, height=12)


def data_date(fetched_at, age_seconds: int | None) -> str:
    if fetched_at is None:
        return "jamais chargées"
    return f"{fmt_datetime(fetched_at)} ({fmt_age(age_seconds)})" if age_seconds is not None else fmt_datetime(fetched_at)
