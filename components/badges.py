"""Small status badges: freshness of a dataset, visibility, demonstration data. Colour and text always."""

from __future__ import annotations

from dash import html

from components.formats import fmt_age, fmt_datetime
from data_access.freshness import LABELS

_CLASSES = {"fresh": "pilote-badge-fresh", "stale": "pilote-badge-stale", "failed": "pilote-badge-failed",
            "missing": "pilote-badge-failed", "demo": "pilote-badge-demo", "reference": "pilote-badge-public",
            "reports": "pilote-badge-fresh"}
_TITLES = {"fresh": "Données plus récentes que leur fréquence de mise à jour",
           "demo": "Données de démonstration générées : jamais mises à jour depuis le portail",
           "reference": "Données de référence livrées avec Pilote",
           "reports": "Saisies des agents, à jour à chaque affichage"}


def freshness_badge(state: str, reason: str | None = None) -> html.Span:
    """The dataset's state in words (colour is never the only sign); ``reason`` says why it is not fresh."""
    title = reason or _TITLES.get(state, "")
    return html.Span(LABELS[state], className=f"badge {_CLASSES[state]}", title=title)


def visibility_badge(visibility: str) -> html.Span:
    if visibility == "public":
        return html.Span("Public", className="badge pilote-badge-public")
    return html.Span([lock_icon(), " Interne"], className="badge pilote-badge-internal")


def demo_badge(share: str | bool | None = "all") -> html.Span:
    """"Données de démonstration", or "En partie des données de démonstration" when only some rows are."""
    text = "En partie des données de démonstration" if share == "part" else "Données de démonstration"
    return html.Span(text, className="badge pilote-badge-demo")


def lock_icon() -> html.Img:
    return html.Img(src="/assets/icons/lock.svg", alt="Accès restreint", className="pilote-lock", width=12, height=12)


def data_date(fetched_at, age_seconds: int | None) -> str:
    if fetched_at is None:
        return "jamais chargées"
    return f"{fmt_datetime(fetched_at)} ({fmt_age(age_seconds)})" if age_seconds is not None else fmt_datetime(fetched_at)
