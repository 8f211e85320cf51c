"""Figure builders of the climate dashboard: pure ``(DataFrame, options) -> go.Figure`` functions."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.figures.bars import value_labels
from components.formats import fmt_int, fmt_number, fmt_percent
from components.theme import COLORS, category_colors
from data_access.indicators import PROJECTION_POINTS, Assessment

MUTED = COLORS["muted"]
# Years are labels, not quantities: no thousands separator ("2 024" otherwise, with French separators).
YEAR_AXIS = {"tickformat": "d", "hoverformat": "d", "separatethousands": False}


def indicator_figure(values: pl.DataFrame, row: dict, a: Assessment,
                     children: dict[str, pl.DataFrame] | None = None) -> go.Figure:
    """Results (solid), objectives (dashed), reference and target marked, the straight trajectory, the
    projection of the recent trend; sector children as stacked bars behind."""
    unit = row["unite"]
    fig = go.Figure()
    colors = category_colors(children or {})
    for name, child in (children or {}).items():
        known = child.filter(pl.col("resultat").is_not_null())
        fig.add_bar(x=known["annee"].to_list(), y=known["resultat"].to_list(), name=name, opacity=0.55,
                    marker_color=colors[name], hovertemplate=f"{name} %{{x}} : %{{y:,.2f}} {unit}<extra></extra>")
    results = values.filter(pl.col("resultat").is_not_null())
    objectives = values.filter(pl.col("objectif").is_not_null())
    if objectives.height:
        fig.add_scatter(x=objectives["annee"].to_list(), y=objectives["objectif"].to_list(), name="Objectifs",
                        mode="lines", line={"dash": "dash", "color": COLORS["public"], "width": 2},
                        hovertemplate=f"Objectif %{{x}} : %{{y:,.2f}} {unit}<extra></extra>")
    fig.add_scatter(x=results["annee"].to_list(), y=results["resultat"].to_list(), name="Résultats",
                    mode="lines+markers", line={"color": COLORS["primary"], "width": 3},
                    hovertemplate=f"Résultat %{{x}} : %{{y:,.2f}} {unit}<extra></extra>")
    ref_year, ref_value = row.get("annee_reference"), row.get("valeur_reference")
    target_year, target_value = row.get("annee_cible"), row.get("valeur_cible")
    if ref_year is not None and ref_value is not None and target_year is not None and target_value is not None:
        fig.add_scatter(x=[ref_year, target_year], y=[ref_value, target_value], name="Trajectoire linéaire",
                        mode="lines", line={"dash": "dot", "color": MUTED, "width": 1.5}, hoverinfo="skip")
    if ref_year is not None and ref_value is not None:
        fig.add_scatter(x=[ref_year], y=[ref_value], name=f"Référence {ref_year}", mode="markers",
                        marker={"symbol": "diamond", "size": 12, "color": MUTED},
                        hovertemplate=f"Référence %{{x}} : %{{y:,.2f}} {unit}<extra></extra>")
    if target_year is not None and target_value is not None:
        fig.add_scatter(x=[target_year], y=[target_value], name=f"Objectif {target_year}", mode="markers",
                        marker={"symbol": "star", "size": 15, "color": COLORS["public"]},
                        hovertemplate=f"Objectif %{{x}} : %{{y:,.2f}} {unit}<extra></extra>")
        if a.projected is not None and a.last_year is not None:
            fig.add_scatter(x=[a.last_year, target_year], y=[a.last_value, a.projected],
                            name=f"Projection ({PROJECTION_POINTS} dernières valeurs)", mode="lines",
                            line={"dash": "dashdot", "color": COLORS["warning"], "width": 2},
                            hovertemplate=f"Projection %{{x}} : %{{y:,.2f}} {unit}<extra></extra>")
    fig.update_layout(barmode="relative", height=440, yaxis_title=unit, xaxis=year_axis(_span(values)),
                      hovermode="x unified")
    return fig


def year_axis(span: int) -> dict:
    # Every year when few; otherwise plotly picks whole-year steps that fit the width (a phone too).
    return {**YEAR_AXIS, "dtick": 1} if span <= 8 else dict(YEAR_AXIS)


def _span(values: pl.DataFrame) -> int:
    return int(values["annee"].max() - values["annee"].min()) if values.height else 0


def indicator_summary(row: dict, a: Assessment) -> str:
    unit, title = row["unite"], row["titre"]
    if a.last_value is None:
        return f"{title} : aucune valeur mesurée."
    text = f"{title} : {fmt_number(a.last_value, row.get('precision') or 2)} {unit} en {a.last_year}"
    if a.change is not None:
        text += f", {fmt_percent(a.change, 1, signed=True)} par rapport à {row['annee_reference']}"
    if row.get("valeur_cible") is not None:
        text += f" ; objectif {row['annee_cible']} : {fmt_number(row['valeur_cible'], row.get('precision') or 2)} {unit}"
    return text + f" ; statut : {a.status} ({a.reason})."


def budget_figure(totals: pl.DataFrame) -> go.Figure:
    """Voted ceiling against realised emissions, per year."""
    known = totals.filter(pl.col("realise_tco2e").is_not_null())
    capped = totals.filter(pl.col("plafond_tco2e").is_not_null())
    fig = go.Figure([
        go.Bar(x=known["annee"].to_list(), y=known["realise_tco2e"].to_list(), name="Émissions réalisées",
               marker_color=COLORS["primary"], **value_labels(known["realise_tco2e"].to_list(), inside=True),
               hovertemplate="Réalisé %{x} : %{y:,.0f} tCO2e<extra></extra>"),
        go.Scatter(x=capped["annee"].to_list(), y=capped["plafond_tco2e"].to_list(), name="Plafond voté",
                   mode="lines+markers", line={"shape": "hv", "color": COLORS["danger"], "width": 2, "dash": "dash"},
                   hovertemplate="Plafond %{x} : %{y:,.0f} tCO2e<extra></extra>"),
    ])
    fig.update_layout(height=380, yaxis_title="tCO2e", xaxis=year_axis(_span(totals)))
    return fig


def budget_summary(totals: pl.DataFrame) -> str:
    known = totals.filter(pl.col("realise_tco2e").is_not_null() & pl.col("plafond_tco2e").is_not_null())
    if not known.height:
        return "Aucun résultat de budget climat connu."
    last = known.row(-1, named=True)
    under = last["ecart_tco2e"] <= 0
    text = (f"En {last['annee']}, {fmt_int(last['realise_tco2e'])} tCO2e émises pour un plafond de "
            f"{fmt_int(last['plafond_tco2e'])} tCO2e : "
            + (f"{fmt_int(-last['ecart_tco2e'])} tCO2e sous le plafond ({fmt_percent(last['ecart_pct'], 1, signed=True)})"
               if under else f"{fmt_int(last['ecart_tco2e'])} tCO2e au-dessus ({fmt_percent(last['ecart_pct'], 1, signed=True)})"))
    if last.get("evolution_depuis_adoption_pct") is not None:
        text += f" ; {fmt_percent(last['evolution_depuis_adoption_pct'], 1, signed=True)} depuis l'adoption"
    return text + "."


def breakdown_figure(breakdown: pl.DataFrame, title: str) -> go.Figure:
    """Realised emissions per year, stacked by sector or actor."""
    fig = go.Figure()
    names = sorted(set(breakdown["libelle"].to_list()))
    colors = category_colors(names)
    for name in names:
        part = breakdown.filter(pl.col("libelle") == name)
        fig.add_bar(x=part["annee"].to_list(), y=part["realise_tco2e"].to_list(), name=name,
                    marker_color=colors[name], hovertemplate=f"{name} %{{x}} : %{{y:,.0f}} tCO2e<extra></extra>")
    fig.update_layout(barmode="stack", height=360, yaxis_title="tCO2e", xaxis=year_axis(_span(breakdown)),
                      legend_title_text=title)
    return fig


def breakdown_summary(breakdown: pl.DataFrame, what: str) -> str:
    if not breakdown.height:
        return f"Aucune répartition par {what}."
    year = int(breakdown["annee"].max())
    last = breakdown.filter(pl.col("annee") == year).sort("realise_tco2e", descending=True)
    total = last["realise_tco2e"].sum()
    parts = ", ".join(f"{r['libelle'].lower()} {fmt_percent(100 * r['realise_tco2e'] / total, 0)}"
                      for r in last.iter_rows(named=True))
    return f"Répartition des émissions {year} par {what} : {parts}."


# ------------------------------------------------------------------------------------------ chart specs
def breakdown_table(breakdown: pl.DataFrame, label: str):
    return (breakdown.select("annee", "libelle", "realise_tco2e"),
            {"annee": "Année", "libelle": label, "realise_tco2e": "Émissions réalisées (tCO2e)"},
            {"annee": str, "realise_tco2e": 0})


def _budget_specs():
    """The budget climat's charts, declared once; ``view["commune"]``: the commune selection (the budget it shows,
    data_access.climat.budget_of)."""
    from components.chart_spec import ChartSpec
    from data_access import climat as q

    columns = ("annee", "categorie", "libelle", "plafond_tco2e", "realise_tco2e")
    return [
        ChartSpec("budget-plafond", "Plafond voté et émissions réalisées", q.BUDGET,
                  lambda ctx, v: q.budget_totals(q.commune_budget(ctx, v["commune"])),
                  lambda t, v: budget_figure(t), lambda t, v: budget_summary(t), columns=columns,
                  table=lambda t, v: (t.select("annee", "plafond_tco2e", "realise_tco2e", "ecart_tco2e", "ecart_pct"),
                                      {"annee": "Année", "plafond_tco2e": "Plafond voté (tCO2e)",
                                       "realise_tco2e": "Émissions réalisées (tCO2e)", "ecart_tco2e": "Écart (tCO2e)",
                                       "ecart_pct": "Écart au plafond (%)"},
                                      {"annee": str, "plafond_tco2e": 0, "realise_tco2e": 0, "ecart_tco2e": 0,
                                       "ecart_pct": 1})),
        ChartSpec("budget-secteurs", "Émissions par secteur", q.BUDGET,
                  lambda ctx, v: q.budget_breakdown(q.commune_budget(ctx, v["commune"]), "secteur"),
                  lambda b, v: breakdown_figure(b, "Secteur"), lambda b, v: breakdown_summary(b, "secteur"),
                  columns=columns, width=6, table=lambda b, v: breakdown_table(b, "Secteur")),
        ChartSpec("budget-acteurs", "Émissions par acteur", q.BUDGET,
                  lambda ctx, v: q.budget_breakdown(q.commune_budget(ctx, v["commune"]), "acteur"),
                  lambda b, v: breakdown_figure(b, "Acteur"), lambda b, v: breakdown_summary(b, "acteur"),
                  columns=columns, width=6, table=lambda b, v: breakdown_table(b, "Acteur")),
    ]


BUDGET_SPECS = _budget_specs()


def _detail_specs():
    """The chart of the chosen indicator: ``view`` holds values (what the user may see), rows (the axis'
    indicators), indicateur, first and last (years). A confidential indicator's card cites the internal dataset."""
    from components.chart_spec import ChartSpec
    from data_access import climat as q

    def data(ctx, v):
        row = v["rows"].filter(pl.col("indicateur") == v["indicateur"]).row(0, named=True)
        shown = q.series(v["values"], v["indicateur"], v["first"], v["last"])
        # Sector children may sit in other axes of the plan (transport emissions under mobility): all rows.
        kids = {titre.split(" - ")[-1]: q.series(v["values"], child, v["first"], v["last"])
                for child, titre in q.children_of(v["values"], v["indicateur"])}
        return row, q.assessment(v["values"], row), shown, kids

    def table(d, v):
        row, _, shown, _ = d
        unit, decimals = row["unite"], int(row["precision"] if row["precision"] is not None else 2)
        return (shown.select("annee", "resultat", "objectif"),
                {"annee": "Année", "resultat": f"Résultat ({unit})", "objectif": f"Objectif ({unit})"},
                {"annee": str, "resultat": decimals, "objectif": decimals})

    return {role: ChartSpec("climat-detail", lambda d, v: f"{d[0]['titre']} ({d[0]['unite']})", role, data,
                            lambda d, v: indicator_figure(d[2], d[0], d[1], d[3]),
                            lambda d, v: indicator_summary(d[0], d[1]), table=table)
            for role in (q.PUBLIC, q.INTERNAL)}


DETAIL_SPECS = _detail_specs()
