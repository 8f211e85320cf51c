"""/finances rendered on the server from its URL values, and its figure builders (French formats, exports)."""

import dataclasses

import polars as pl
import pytest

from components.chart_card import to_csv
from components.figures import finances as fig
from components.formats import NBSP, NNBSP, fmt_number
from data_access import finances as q
from data_access.snapshots import SnapshotStore


@pytest.fixture(scope="module")
def render():
    import app
    import pages.finances as page

    def run(**query):
        """The whole report unless a theme is asked for (these tests read every section)."""
        with app.app.server.test_request_context("/finances"):
            return Rendered(page.layout(**{"theme": "tout", **query}))
    return run


class Rendered(str):
    """The layout as text (for "in" checks), keeping the component tree to read a KPI."""

    def __new__(cls, tree):
        text = super().__new__(cls, str(tree))
        text.tree = tree
        return text


def find(component, wanted: str):
    if getattr(component, "id", None) == wanted:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, str) and (hit := find(child, wanted)) is not None:
            return hit
    return None


def kpi_value(html: "Rendered", kpi_id: str) -> str:
    tile = find(html.tree, kpi_id)
    return getattr(tile, "aria-label").split(" : ", 1)[1]


def test_the_2019_accounts_tell_the_published_totals(render):
    html = render(annee="2019", document="ca")
    assert "Issy-les-Moulineaux — compte administratif 2019" in html
    assert kpi_value(html, "finances-kpi-depenses") == f"167,4{NBSP}M€"
    assert kpi_value(html, "finances-kpi-df") == f"138,1{NBSP}M€"
    assert kpi_value(html, "finances-kpi-di") == f"29,3{NBSP}M€"
    for card in ("finances-recettes", "finances-depenses", "finances-sections", "finances-evolution",
                 "finances-execution", "finances-execution-annees", "finances-ratios-chart", "finances-communes", "finances-projets-carte"):
        assert f"'{card}-graph'" in html, card
    assert "CGCT R2313-1, 11°" in html and "Capacité de désendettement" in html and "Glossaire" in html
    # No commune chosen ("tout le territoire"): each commune votes its own budget, Issy is shown and the page says so.
    assert "finances-commune-hint" in html and "finances-commune-hint" not in render(commune="92040")


def test_budget_primitif_and_per_inhabitant_view(render):
    ca, bp = render(annee="2019", document="ca"), render(annee="2019", document="bp")
    assert "budget primitif 2019" in bp and kpi_value(bp, "finances-kpi-depenses") != kpi_value(ca, "finances-kpi-depenses")
    per = render(annee="2019", document="ca", par="habitant")
    population = q.populations(SnapshotStore(q.SOURCES.parent / "snapshots").read("finances_ofgl"), "92040")[2019]
    expected = f"{round(167_400_000 / population):,}".replace(",", NNBSP) + f"{NBSP}€/hab."
    assert kpi_value(per, "finances-kpi-depenses") == expected


def test_unknown_url_values_fall_back_with_a_notice(render):
    html = render(annee="1850", document="cfu", par="famille", vue="<script>", commune="99999")
    for value in ("1850", "cfu", "famille", "&lt;script&gt;", "99999"):
        assert f"« {value} » inconnu(e)" in html or f"« {value.replace('&lt;', '<').replace('&gt;', '>')} » inconnu(e)" in html
    assert "Issy-les-Moulineaux — compte administratif 2025" in html


def test_a_commune_without_budget_lines_gets_its_evolution_and_ratios_from_ofgl(render):
    html = render(commune="92012", annee="2024")
    assert "finances-no-lines" in html and "'finances-evolution-graph'" in html
    assert "'finances-ratios-chart-graph'" in html and "100 000 habitants et plus" in html
    small = render(commune="92047", annee="2024")  # 1,800 inhabitants: no R2313-1 ratio applies
    assert "non applicable" in small
    # read part by part, it is not offered an empty « Recettes et dépenses »: its evolution comes first
    first = render(commune="92012", annee="2024", theme=None)
    assert "'theme-budget'" not in first and "'finances-evolution-graph'" in first and "finances-no-lines" not in first
    assert "'theme-budget'" in render(commune="92040", theme=None)


def test_sync_url_keeps_other_parameters_and_cleans_values():
    import pages.finances as page

    assert page.sync_url("2019", "bp", True, "fonction", "?commune=92040") == \
        "?commune=92040&annee=2019&document=bp&par=habitant&vue=fonction"
    assert page.sync_url("x", "nope", False, "y", "?commune=92040") == "?commune=92040&document=ca&vue=nature"


@pytest.fixture(scope="module")
def lines():
    return q.classify(SnapshotStore(q.SOURCES.parent / "snapshots").read("budget_lignes")).lines


def test_spending_by_nature_is_labelled_bars_that_add_up(lines):
    real = q.real_lines(lines, 2019, q.CA)
    parts = q.breakdown(real, q.DEP, "nature")
    figure = fig.flows_figure(parts, "Dépenses", fig.MILLIONS)
    by_section = {t.name: t for t in figure.data}
    assert set(by_section) == {"Fonctionnement", "Investissement"}
    assert sum(by_section["Fonctionnement"].x) == pytest.approx(138.1, abs=0.05)
    assert sum(by_section["Investissement"].x) == pytest.approx(29.3, abs=0.05)
    for trace in figure.data:  # every bar says its amount, in French
        assert trace.orientation == "h" and len(trace.text) == len(trace.x)
        assert all(text == fmt_number(x, 1) for text, x in zip(trace.text, trace.x))
    order = list(figure.layout.yaxis.categoryarray)[::-1]
    amounts = {y: x for t in figure.data for y, x in zip(t.y, t.x)}
    assert [amounts[y] for y in order] == sorted(amounts.values(), reverse=True)  # largest on top


def test_a_function_in_both_sections_says_which():
    parts = pl.DataFrame({"section": ["F", "I", "F"], "groupe": ["2", "2", "0"],
                          "groupe_libelle": ["Enseignement", "Enseignement", "Services généraux"],
                          "montant": [5.0, 3.0, 9.0]})
    assert fig.flow_bars(parts)["libelle"].to_list() == ["Services généraux", "Enseignement (fonctionnement)",
                                                         "Enseignement (investissement)"]


def test_summaries_and_exports_use_french_formats(lines):
    totals = q.totals(q.real_lines(lines, 2019, q.CA))
    assert fig.sections_summary(totals, fig.MILLIONS) == (
        f"Dépenses réelles : 167,4{NBSP}M€, dont 138,1{NBSP}M€ en fonctionnement et 29,3{NBSP}M€ en investissement ; "
        f"recettes réelles : 166,4{NBSP}M€.")
    csv = to_csv(*fig.sections_table(totals, fig.MILLIONS))
    assert csv.splitlines()[1] == "Fonctionnement;153,8;138,1;15,7"
    execution = q.execution(lines, 2019)
    assert "% des crédits de fonctionnement" in fig.execution_summary(execution, 2019)
    frame, headers, _ = fig.execution_table(execution, fig.MILLIONS)
    assert headers["taux"] == "Taux d'exécution (%)" and frame.height == 4
    rates = q.execution_by_year(lines)
    summary = fig.execution_rates_summary(rates)
    assert summary.startswith("De 2019 à 2025, les dépenses d'investissement sont exécutées entre 71") and f"{NBSP}%" in summary
    assert fig.execution_rates_summary(rates.clear()).startswith("Aucun compte administratif")


def test_projects_map_one_trace_per_function(lines):
    projects = q.projects_in(SnapshotStore(q.SOURCES.parent / "snapshots").read("projets_investissement"), "92040", 2024)
    figure = fig.projects_figure(fig.go.Figure(), projects)
    assert sum(len(t.lat) for t in figure.data) == projects.height
    assert {t.name for t in figure.data} == set(projects["fonction_groupe_libelle"])
    assert "M€" in fig.projects_summary(projects, 2024) and projects["montant"].is_sorted(descending=True)
    assert fig.projects_summary(projects.clear(), 2024).startswith("Aucun projet")


def test_evolution_table_per_inhabitant(lines):
    evolution = q.evolution(lines, q.CA)
    scales = {2019: fig.per_inhabitant(100), **{y: fig.per_inhabitant(1000) for y in range(2020, 2026)}}
    frame, headers, formats = fig.evolution_table(evolution, scales, "€/hab.")
    assert frame.filter(pl.col("annee") == 2019)["df"][0] == pytest.approx(1_381_000)
    assert headers["df"] == "Dépenses de fonctionnement (€/hab.)" and formats["df"] == 0


def test_the_territory_communes_side_by_side(catalog):
    ofgl = SnapshotStore(q.SOURCES.parent / "snapshots").read("finances_ofgl")
    communes = {c.code: c.name for c in catalog.territory.communes}
    peers = q.peers(ofgl, communes, 2024)
    assert peers.height == 8 and peers["nom"][0] == "Boulogne-Billancourt"  # largest first
    issy = peers.filter(pl.col("commune") == "92040").row(0, named=True)
    assert issy["encours_hab"] == pytest.approx(158)
    assert q.peers(ofgl, communes, 1990).is_empty()
    figure = fig.peers_figure(peers, "92040")
    assert [t.name for t in figure.data] == list(fig.PEER_LABELS.values())
    widths = figure.data[0].marker.line.width
    assert [w for w, code in zip(widths, peers["commune"]) if code == "92040"] == [3] and sum(widths) == 3
    assert "Issy-les-Moulineaux" in fig.peers_summary(peers, 2024)


def test_unclassifiable_lines_and_stale_data_are_said(render, monkeypatch):
    import pages.finances as page

    good = q.classify(SnapshotStore(q.SOURCES.parent / "snapshots").read("budget_lignes"))
    rejected = good.lines.head(2).drop("reel", "fonction_groupe", "fonction_groupe_libelle").with_columns(
        pl.lit("sens (recette ou dépense) inconnu").alias("motif"))
    monkeypatch.setattr(page.q, "classified_lines", lambda ctx: q.Classified(good.lines, rejected))
    html = render(annee="2019")
    assert "finances-rejected" in html and "2 ligne(s) budgétaire(s) écartée(s)" in html
    assert "finances-rejected" not in render(commune="92012")  # the rejected lines are Issy's

    from data_access.context import DataContext
    real_status = DataContext.status

    def stale(self, key, now=None):  # the last refresh of the OFGL aggregates failed
        status = real_status(self, key, now)
        if key != "finances_ofgl":
            return status
        return dataclasses.replace(status, state="stale", reason="la dernière mise à jour a échoué : HTTP 503",
                                   meta=dataclasses.replace(status.meta, last_error="HTTP 503"))
    monkeypatch.setattr(DataContext, "status", stale)
    assert ("« Finances des communes — agrégats comparés (OFGL) » est périmé (la dernière mise à jour a échoué : "
            "HTTP 503)") in render(annee="2019")


@pytest.mark.parametrize("absent, shown, hidden", [
    (q.LINES, ["finances-evolution", "finances-ratios-chart", "finances-communes"],
     ["finances-recettes", "finances-execution", "finances-kpis"]),
    (q.OFGL, ["finances-recettes", "finances-evolution", "finances-execution"],
     ["finances-ratios-chart", "finances-communes"]),
])
def test_one_finance_dataset_missing_leaves_its_sections_out_and_says_so(render, monkeypatch, absent, shown, hidden):
    """A territory whose catalog binds only the budget lines, or only the aggregates: the page shows what
    that data allows and names what is missing (populations then come from the catalog)."""
    import app

    ctx = app.app.server.extensions["pilote_data"]
    kept = {k: d for k, d in ctx.catalog.datasets.items() if d.role != absent}
    monkeypatch.setattr(ctx, "catalog", dataclasses.replace(ctx.catalog, datasets=kept))
    html = render(annee="2019", commune="92040")
    for card in shown:
        assert f"'{card}-graph'" in html or f"'{card}'" in html, card
    for card in hidden:
        assert f"'{card}-graph'" not in html and f"id='{card}'" not in html, card
    assert "missing-data" in html and "aucun jeu de données du catalogue" in html
    if absent == q.OFGL:  # per inhabitant with the catalog's population (69 000 for this commune)
        per = render(annee="2019", commune="92040", par="habitant")
        assert kpi_value(per, "finances-kpi-depenses") == f"2{NNBSP}426{NBSP}€/hab."


THEME_GRAPHS = {"budget": ["finances-recettes-graph", "finances-depenses-graph", "finances-sections-graph"],
                "evolution": ["finances-evolution-graph", "finances-execution-graph", "finances-execution-annees-graph"],
                "ratios": ["finances-ratios-chart-graph", "finances-communes-graph"],
                "projets": ["finances-projets-carte-graph"]}


def test_the_report_is_read_one_part_at_a_time_with_every_choice_kept(render):
    """Revenue and spending first (the default, left out of the URL); each part's charts only with it, every
    one in the whole report; the links keep the commune, year, document and views."""
    for theme, graphs in THEME_GRAPHS.items():
        shown = render(theme=None if theme == "budget" else theme, commune="92040", annee="2019", par="habitant")
        others = [g for t, gs in THEME_GRAPHS.items() if t != theme for g in gs]
        assert all(f"'{g}'" in shown for g in graphs), theme
        assert not any(f"'{g}'" in shown for g in others), theme
        assert "/finances?commune=92040&annee=2019&par=habitant&theme=ratios" in shown, theme
        assert "finances-annee" in shown and "finances-heading" in shown  # the choices apply to every part
    assert ("finances-ratio-table" in render(theme="ratios")) and ("finances-ratio-table" not in render(theme=None))
    every = render()
    assert all(f"'{g}'" in every for gs in THEME_GRAPHS.values() for g in gs) and "Tout le rapport" in every
    unknown = render(theme="nope")
    assert "Thème « nope » inconnu(e) : affichage de « Recettes et dépenses »." in unknown
    assert "'finances-recettes-graph'" in unknown


def test_a_part_without_data_is_not_offered(render, monkeypatch):
    import app

    ctx = app.app.server.extensions["pilote_data"]
    kept = {k: d for k, d in ctx.catalog.datasets.items() if d.role != "finance.budget_lines"}
    monkeypatch.setattr(ctx, "catalog", dataclasses.replace(ctx.catalog, datasets=kept))
    html = render(theme=None, commune="92040", annee="2019")
    assert "'theme-budget'" not in html and "'theme-evolution'" in html
    assert "'finances-evolution-graph'" in html  # the first part the data allow is the default
