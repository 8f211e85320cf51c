"""Climate queries and figures on a small hand-made plan."""

import polars as pl
import pytest

from components.figures.climat import (breakdown_summary, budget_figure, budget_summary, indicator_figure,
                                       indicator_summary)
from components.selectors import ALL
from data.demo import budget_climat
from data_access import climat as q
from data_access.indicators import EN_RETARD


def plan_rows(indicateur, titre, parent, values, ref=(2015, 100.0), target=(2030, 60.0), commune=None, axe="1"):
    base = {"axe": axe, "axe_titre": "Bâtiments", "sous_axe": f"{axe}.1", "sous_axe_titre": "Sobriété", "ordre": 1,
            "indicateur": indicateur, "titre": titre, "unite": "kteq CO2", "parent": parent, "precision": 1,
            "commune_code": commune, "annee_reference": ref[0], "valeur_reference": ref[1],
            "annee_cible": target[0], "valeur_cible": target[1], "source": "démo", "commentaire": None,
            "confidentiel": False}
    return [{**base, "annee": y, "resultat": v, "objectif": None} for y, v in values]


@pytest.fixture
def values():
    rows = (plan_rows("cae_1.a", "Émissions de GES", None, [(2015, 100.0), (2018, 98.0), (2020, 97.0)])
            + plan_rows("cae_1.c", "Émissions - résidentiel", "cae_1.a", [(2015, 40.0), (2020, 39.0)])
            + plan_rows("cae_1.a", "Émissions de GES", None, [(2020, 20.0)], commune="92040")
            + plan_rows("cae_2.a", "Énergie", None, [(2020, 5.0)], axe="2"))
    return pl.DataFrame(rows)


def test_commune_filter_axes_plan_series(values):
    territory = q.for_commune(values, ALL)
    assert territory["commune_code"].null_count() == territory.height
    assert q.for_commune(values, "92040").height == 1
    assert q.axes(values) == [("1", "Bâtiments"), ("2", "Bâtiments")]
    plan = q.plan(territory, "1")
    assert plan["indicateur"].to_list() == ["cae_1.a", "cae_1.c"]
    assert q.children(plan, "cae_1.a") == ["cae_1.c"]
    assert q.series(territory, "cae_1.a", 2016, 2020)["annee"].to_list() == [2018, 2020]
    a = q.assessment(territory, plan.row(0, named=True))
    assert a.last_value == 97.0 and a.status == EN_RETARD
    assert q.year_bounds(values) == (2015, 2020)


def test_indicator_figure_styles_and_summary(values):
    territory = q.for_commune(values, ALL)
    row = q.plan(territory, "1").row(0, named=True)
    a = q.assessment(territory, row)
    fig = indicator_figure(q.series(territory, "cae_1.a"), row, a, {"résidentiel": q.series(territory, "cae_1.c")})
    names = [t.name for t in fig.data]
    assert names[0] == "résidentiel" and fig.data[0].type == "bar"  # sector children stacked behind
    results = fig.data[names.index("Résultats")]
    assert results.line.dash is None and list(results.y) == [100.0, 98.0, 97.0]
    assert fig.data[names.index("Trajectoire linéaire")].line.dash == "dot"
    assert "Référence 2015" in names and "Objectif 2030" in names
    projection = fig.data[[n.startswith("Projection") for n in names].index(True)]
    assert projection.line.dash == "dashdot" and list(projection.x) == [2020, 2030]
    text = indicator_summary(row, a)
    assert text.startswith("Émissions de GES : 97,0 kteq CO2 en 2020, −3,0") and "statut : en retard" in text


def test_budget_totals_and_figures():
    frame = budget_climat.generate()
    totals = q.budget_totals(frame)
    row2024 = totals.filter(pl.col("annee") == 2024).row(0, named=True)
    assert row2024["evolution_depuis_adoption_pct"] == pytest.approx(-15.7, abs=0.01)
    assert row2024["ecart_tco2e"] == pytest.approx(104_987 - row2024["plafond_tco2e"])
    assert row2024["evolution_reference_pct"] == pytest.approx((104_987 / 130_100 - 1) * 100)
    fig = budget_figure(totals)
    assert [t.name for t in fig.data] == ["Émissions réalisées", "Plafond voté"]
    assert fig.data[1].line.shape == "hv" and 2020 not in list(fig.data[1].x)  # no ceiling in the reference year
    summary = budget_summary(totals)
    assert summary.startswith("En 2025,") and "sous le plafond" in summary and "depuis l'adoption" in summary
    sectors = q.budget_breakdown(frame, "secteur")
    assert "Répartition des émissions 2025 par secteur : transports" in breakdown_summary(sectors, "secteur")


def test_year_axes_have_no_thousands_separator(values):
    territory = q.for_commune(values, ALL)
    row = q.plan(territory, "1").row(0, named=True)
    figures = [indicator_figure(q.series(territory, "cae_1.a"), row, q.assessment(territory, row)),
               budget_figure(q.budget_totals(budget_climat.generate()))]
    for fig in figures:
        assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.separatethousands is False


def test_a_confidential_indicator_cites_the_internal_dataset():
    """The detail card takes its source from the dataset the indicator comes from."""
    import app
    import pages.climat as page

    data = app.app.server.extensions["pilote_data"]
    with app.app.server.test_request_context("/climat"):
        values = q.values(data, "all", True)
        internal = values.filter(pl.col("confidentiel"))
        axe = internal["axe"][0]
        rows = q.plan(values, axe)
        secret = internal.filter(pl.col("axe") == axe)["indicateur"][0]
        public = rows.filter(~pl.col("confidentiel"))["indicateur"][0]
        shown = str(page.detail(values, rows, secret, 2015, 2030, data))
        assert data.catalog["pcaet_valeurs_internes"].attribution in shown
        assert data.catalog["pcaet_valeurs_internes"].attribution not in str(
            page.detail(values, rows, public, 2015, 2030, data))


CLIMAT_THEMES = {"plan": ["climat-detail-graph", "climat-cards", "climat-selectors"],
                 "budget": ["budget-plafond-graph", "budget-secteurs-graph", "budget-acteurs-graph", "budget-kpis"]}


def _climat(**query) -> str:
    import app
    import pages.climat as page

    with app.app.server.test_request_context("/climat"):
        return str(page.layout(**query))


def test_the_plan_and_the_budget_climat_are_two_themes_under_one_summary():
    """The indicators first (the default); the budget climat's charts only with it; both with ``tout``; the
    summary (both verdicts) on each; its « Aller à » links lead to the other theme's URL, the choices kept."""
    for theme, ids in CLIMAT_THEMES.items():
        shown = _climat(theme=None if theme == "plan" else theme, axe="2", commune="92040")
        others = [i for t, some in CLIMAT_THEMES.items() if t != theme for i in some]
        assert all(f"'{i}'" in shown for i in ids), theme
        assert not any(f"'{i}'" in shown for i in others), theme
        assert "'bilan-budget'" in shown and "'bilan'" in shown, theme  # the verdict on every theme
        assert "/climat?commune=92040&axe=2&theme=tout" in shown, theme  # the links keep the choices
    plan, budget = _climat(axe="2"), _climat(theme="budget", axe="2", indicateur="cae_2.g", debut="2018")
    assert "/climat?axe=2&theme=budget#budget-climat" in plan and "href='#detail'" in plan
    assert "/climat?axe=2&indicateur=cae_2.g&debut=2018#detail" in budget and "href='#budget-climat'" in budget
    every = _climat(theme="tout", axe="2")
    assert all(f"'{i}'" in every for ids in CLIMAT_THEMES.values() for i in ids)
    assert "/climat?axe=2&theme=tout&indicateur=" in every  # a card's link stays on the whole page
    unknown = _climat(theme="nope")
    assert "Thème « nope » inconnu(e) : affichage de « Indicateurs du plan »." in unknown
    assert "'climat-detail-graph'" in unknown
    # a commune voting no budget climat is sent to the theme of the one that votes it
    assert "/climat?commune=92040&theme=budget#budget-climat" in _climat(commune="92012", theme="budget")


def test_without_a_budget_climat_there_is_one_theme_and_no_link_to_a_missing_one(monkeypatch):
    import dataclasses

    import app

    ctx = app.app.server.extensions["pilote_data"]
    kept = {k: d for k, d in ctx.catalog.datasets.items() if d.role != q.BUDGET}
    monkeypatch.setattr(ctx, "catalog", dataclasses.replace(ctx.catalog, datasets=kept))
    shown = _climat(axe="2")
    assert "'themes'" not in shown and "theme=budget" not in shown and "'climat-detail-graph'" in shown
    assert "Thème « budget » inconnu(e)" in _climat(theme="budget")  # an old link says so, and shows the plan
