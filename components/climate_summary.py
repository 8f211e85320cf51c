"""The verdict first: the plan-wide summary at the top of /climat, for the élu who has ten seconds.

The budget climat of the latest known year against its ceiling, in words and in colour; the sectors and actors
over their own ceilings, named; the plan's headline indicator projected to its target year, in plain words;
the count of indicators by status across every axis, each count opening the list of its indicators; links to
each section of the page. The sentences are pure functions of the figures (tested one by one); the section
only assembles them.
"""

from __future__ import annotations

import polars as pl
from dash import html

from components.formats import MINUS, PLUS, fmt_int, fmt_percent, fmt_unit
from components.indicator_card import STATUS_CLASS, fmt_value
from data_access.climat import AT, OVER, UNDER, ceiling_position
from data_access.indicators import ATTEINT, INSUFFISANT, STATUSES, Assessment

UNIT = "tCO2e"
VERDICT_CLASS = {UNDER: "alert-success", AT: "alert-warning", OVER: "alert-danger"}
SECTIONS = (("indicateurs", "Indicateurs par axe"), ("detail", "Détail d'un indicateur"),
            ("budget-climat", "Budget climat"), ("methode", "Méthode"))


def signed_tonnes(value: float) -> str:
    sign = PLUS if round(value) > 0 else MINUS if round(value) < 0 else ""
    return sign + fmt_unit(abs(value), UNIT, 0)


def french_list(items: list[str]) -> str:
    """« a, b et c »."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1] if items else ""


def budget_verdict(realised: float, ceiling: float) -> tuple[str | None, str]:
    """(position, words): (UNDER, « sous le plafond de 7 582 tCO2e »), (OVER, « au-dessus du plafond de … »)
    or (AT, « au niveau du plafond (+82 tCO2e) »)."""
    position = ceiling_position(realised, ceiling)
    gap = realised - ceiling
    if position == UNDER:
        return position, f"sous le plafond de {fmt_unit(-gap, UNIT, 0)}"
    if position == OVER:
        return position, f"au-dessus du plafond de {fmt_unit(gap, UNIT, 0)}"
    return position, f"au niveau du plafond ({signed_tonnes(gap)})"


def budget_sentence(year: int, realised: float, ceiling: float, voter: str) -> str:
    """« En 2025, <la commune> a émis 102 650 tCO2e pour un plafond voté de 110 232 tCO2e (−6,9 %). »
    ``voter``: who votes the budget (a commune, or the territory), said even when the whole territory is shown."""
    return (f"En {year}, {voter} a émis {fmt_unit(realised, UNIT, 0)} pour un plafond voté de "
            f"{fmt_unit(ceiling, UNIT, 0)} ({fmt_percent((realised / ceiling - 1) * 100, 1, signed=True)}).")


def over_sentence(over: pl.DataFrame, year: int) -> str:
    """The sectors and actors over their own ceiling, named with their overshoot; or that none is."""
    if over.is_empty():
        return f"Chaque secteur et chaque acteur est resté sous son propre plafond en {year}."
    named = [f"{kind} {label} ({signed_tonnes(gap)}, {fmt_percent(pct, 1, signed=True)})"
             for kind, label, gap, pct in over.select("categorie", "libelle", "ecart_tco2e", "ecart_pct").iter_rows()]
    whose = "leur propre plafond" if len(named) > 1 else "son propre plafond"
    return f"Au-dessus de {whose} en {year} : {french_list(named)}."


def projection_sentence(row: dict, a: Assessment) -> str:
    """The headline indicator projected to its target year, against its target, in plain words."""
    unit, target_year, target = row["unite"], row["annee_cible"], row["valeur_cible"]
    goal = f"l'objectif {target_year} ({fmt_value(target, row)} {unit})"
    if a.status == ATTEINT:
        return f"{row['titre']} : {goal} est déjà atteint ({fmt_value(a.last_value, row)} {unit} en {a.last_year})."
    if a.projected is None:
        return f"{row['titre']} : trop peu de valeurs récentes pour projeter la tendance jusqu'en {target_year}."
    falling = target < row["valeur_reference"] if row.get("valeur_reference") is not None else target < a.last_value
    reached = a.projected <= target if falling else a.projected >= target
    margin = abs(a.projected - target)
    outcome = (f"{goal} serait atteint, avec {fmt_value(margin, row)} {unit} de marge" if reached else
               f"{goal} serait manqué de {fmt_value(margin, row)} {unit}")
    return (f"Au rythme des dernières années, l'indicateur « {row['titre']} » serait de "
            f"{fmt_value(a.projected, row)} {unit} en {target_year} : {outcome}.")


def status_counts(statuses: pl.DataFrame) -> list[tuple[str, int]]:
    """(status, number of indicators), in the order of the statuses, those with none left out."""
    counts = dict(statuses.group_by("statut").len().iter_rows()) if statuses.height else {}
    return [(s, counts[s]) for s in STATUSES if counts.get(s)]


# « 2 indicateurs atteints », « 1 indicateur aux données insuffisantes »: (one, several)
_STATUS_WORDS = {ATTEINT: ("atteint", "atteints"), INSUFFISANT: ("aux données insuffisantes",) * 2}


def status_words(status: str, count: int) -> str:
    one, many = _STATUS_WORDS.get(status, (status, status))
    return f"{fmt_int(count)} indicateur{'s' if count > 1 else ''} {many if count > 1 else one}"


def status_slug(status: str) -> str:
    return "statut-" + status.replace(" ", "-").replace("é", "e")


def _status_lists(statuses: pl.DataFrame, href) -> html.Div:
    """One disclosure per status: « 5 en retard » opens the list of those indicators, each a link to it."""
    blocks = []
    for status, count in status_counts(statuses):
        rows = statuses.filter(pl.col("statut") == status)
        links = [html.Li(html.A(f"{titre} ({indicateur})", href=href(axe, indicateur)))
                 for axe, indicateur, titre in rows.select("axe", "indicateur", "titre").iter_rows()]
        blocks.append(html.Details([
            html.Summary([html.Span(fmt_int(count), className=f"badge {STATUS_CLASS[status]} me-1"),
                          status_words(status, count).split(" ", 1)[1]], className="pilote-status-count"),
            html.Ul(links, className="small mb-2"),
        ], id=status_slug(status), className="pilote-status-list"))
    return html.Div(blocks, className="d-flex flex-column flex-md-row flex-md-wrap gap-md-3", id="bilan-statuts")


def budget_block(row: dict | None, voter: str, over: pl.DataFrame | None, note=None) -> html.Div:
    """The verdict of the budget climat, coloured; ``note`` instead when the commune chosen votes none."""
    if row is None:
        return html.Div(note, className="alert alert-secondary mb-2", id="bilan-budget")
    position, words = budget_verdict(row["realise_tco2e"], row["plafond_tco2e"])
    return html.Div([
        html.P([html.Strong(f"Budget climat {row['annee']} : {words}")], className="fs-5 mb-1", id="bilan-verdict"),
        html.P(budget_sentence(row["annee"], row["realise_tco2e"], row["plafond_tco2e"], voter), className="mb-1"),
        html.P(over_sentence(over, row["annee"]), className="mb-0", id="bilan-depassements")
        if over is not None else None,
    ], className=f"alert {VERDICT_CLASS.get(position, 'alert-secondary')} mb-2", id="bilan-budget",
        **{"data-verdict": position or ""})


def summary_section(title: str, budget: html.Div | None, headline: tuple[dict, Assessment] | None,
                    statuses: pl.DataFrame | None, href, section_href=None) -> html.Section:
    """``href(axe, indicateur)``: the link to an indicator's detail, with the page's other selectors;
    ``section_href(anchor)``: the link to a section of the page (another theme's is another URL)."""
    section_href = section_href or (lambda anchor: f"#{anchor}")
    return html.Section([
        html.H2(title, className="h5", id="bilan-titre"),
        budget,
        html.P(projection_sentence(*headline), className="mb-2", id="bilan-projection") if headline else None,
        _status_lists(statuses, href) if statuses is not None and statuses.height else None,
        html.Nav(["Aller à : ", *sum(([html.A(label, href=section_href(anchor)), " · "] for anchor, label in SECTIONS),
                                        [])[:-1]],
                 className="small mt-2", **{"aria-label": "Sections de la page"}),
    ], id="bilan", className="pilote-summary mb-3", **{"aria-labelledby": "bilan-titre"})


__all__ = ["summary_section", "budget_block", "budget_verdict", "budget_sentence", "over_sentence",
           "projection_sentence", "status_counts", "fmt_int"]
