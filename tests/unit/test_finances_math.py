"""Financial report arithmetic on a small budget computed by hand, the classification of budget lines
(section, real/ordre, direction, function), and the reading of a SCDL budget file with bad rows."""

import dataclasses

import polars as pl
import pytest

from data_access import finances as q
from data_access.errors import SchemaMismatch
from data_access.mapping import map_frame
from data_access.portal import read_ods_csv
from data_access.snapshots import SnapshotStore

COLUMNS = ["document", "annee", "section", "operation", "sens", "chapitre", "nature", "fonction",
           "montant_prevu", "montant_realise", "commune_code"]


def budget(rows):
    """Canonical budget lines from (document, year, section, operation, sens, chapter, nature, function,
    planned, realised) tuples."""
    return pl.DataFrame([(*row, "99999") for row in rows], schema={
        "document": pl.String, "annee": pl.Int64, "section": pl.String, "operation": pl.String, "sens": pl.String,
        "chapitre": pl.String, "nature": pl.String, "fonction": pl.String, "montant_prevu": pl.Float64,
        "montant_realise": pl.Float64, "commune_code": pl.String}, orient="row")


CA, BP = q.CA, q.BP
# The compte administratif of a small commune, by hand (€):
#   real operating revenue 1,000 = local taxes 600 + DGF 200 + school fees 200
#   real operating spending  800 = staff 500 + general charges 250 + interest 50
#   real investment spending 300 = works 200 + debt capital 80 + refinancing 20 (active debt management)
#   real investment revenue  150 = new loan 100 + FCTVA 50
#   ordre: amortisation 100 (spending F) and its counterpart 100 (revenue I): to be left out.
HAND = budget([
    (CA, 2024, "fonctionnement", "réel", "recette", "731", "73111", "01", 580, 600),
    (CA, 2024, "fonctionnement", "réel", "recette", "74", "74111", "01", 200, 200),
    (CA, 2024, "fonctionnement", "réel", "recette", "70", "7067", "281", 220, 200),
    (CA, 2024, "fonctionnement", "réel", "dépense", "012", "64111", "212", 520, 500),
    (CA, 2024, "fonctionnement", "réel", "dépense", "011", "611", "281", 280, 250),
    (CA, 2024, "fonctionnement", "réel", "dépense", "66", "66111", "01", 50, 50),
    (CA, 2024, "investissement", "réel", "dépense", "23", "2313", "212", 400, 200),
    (CA, 2024, "investissement", "réel", "dépense", "16", "1641", "01", 80, 80),
    (CA, 2024, "investissement", "réel", "dépense", "16", "166", "01", 20, 20),
    (CA, 2024, "investissement", "réel", "recette", "16", "1641", "01", 200, 100),
    (CA, 2024, "investissement", "réel", "recette", "10", "10222", "01", 50, 50),
    (CA, 2024, "fonctionnement", "ordre", "dépense", "042", "6811", "01", 100, 100),
    (CA, 2024, "investissement", "ordre", "recette", "040", "28188", "01", 100, 100),
    (BP, 2024, "fonctionnement", "réel", "dépense", "012", "64111", "212", 520, None),
])


@pytest.fixture(scope="module")
def lines():
    result = q.classify(HAND)
    assert result.rejected.is_empty()
    return result.lines


def test_real_totals_leave_ordre_operations_out(lines):
    real = q.real_lines(lines, 2024, CA)
    assert q.totals(real) == {(q.F, q.DEP): 800, (q.F, q.REC): 1000, (q.I, q.DEP): 300, (q.I, q.REC): 150}
    # The budget primitif is read in its voted credits.
    assert q.totals(q.real_lines(lines, 2024, BP))[(q.F, q.DEP)] == 520


def test_aggregates_of_the_hand_budget(lines):
    agg = q.aggregates_from_lines(q.real_lines(lines, 2024, CA))
    assert agg["Recettes de fonctionnement"] == 1000 and agg["Dépenses de fonctionnement"] == 800
    assert agg["Epargne brute"] == 200
    assert agg["Remboursements d'emprunts hors GAD"] == 80  # refinancing (166) is active debt management
    assert agg["Epargne nette"] == 120
    assert agg["Frais de personnel"] == 500 and agg["Impôts locaux"] == 600
    assert agg["Dotation globale de fonctionnement"] == 200 and agg["Charges financières"] == 50
    assert agg["Dépenses d'équipement"] == 200 and agg["Annuité de la dette"] == 130


def test_ratios_of_the_hand_budget(lines):
    agg = q.aggregates_from_lines(q.real_lines(lines, 2024, CA))
    values = {r.key: r.value for r in q.ratios({**agg, "Encours de dette": 1000}, population=10)}
    expected = {"epargne_brute": 20, "taux_epargne_brute": 20, "epargne_nette": 12, "desendettement": 5,
                "drf_hab": 80, "impots_hab": 60, "rrf_hab": 100, "equipement_hab": 20, "encours_hab": 100,
                "dgf_hab": 20, "personnel_drf": 62.5, "marge": 88, "equipement_rrf": 20, "encours_rrf": 100}
    assert values == pytest.approx(expected)
    assert [r.reference for r in q.ratios(agg, 10) if r.reference.startswith("CGCT")] == [
        f"CGCT R2313-1, {n}°" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11)]


def test_ratios_never_divide_by_zero_or_crash_on_missing_inputs():
    values = {r.key: r.value for r in q.ratios({"Recettes de fonctionnement": 100, "Dépenses de fonctionnement": 120,
                                                "Encours de dette": 500}, population=0)}
    assert values["desendettement"] is None  # negative gross savings: not computable, not negative years
    assert values["drf_hab"] is None and values["taux_epargne_brute"] == pytest.approx(-20)
    assert all(v is None for k, v in values.items() if k in ("impots_hab", "personnel_drf", "marge"))
    assert all(r.value is None for r in q.ratios({}, population=None))


def test_execution_rate_by_section_and_direction(lines):
    execution = q.execution(lines, 2024)
    rates = {row["flux"]: row["taux"] for row in execution.iter_rows(named=True)}
    assert rates["Dépenses de fonctionnement"] == pytest.approx(800 / 850 * 100)
    assert rates["Dépenses d'investissement"] == pytest.approx(300 / 500 * 100)
    assert rates["Recettes de fonctionnement"] == pytest.approx(1000 / 1000 * 100)
    assert list(rates) == ["Recettes de fonctionnement", "Dépenses de fonctionnement", "Recettes d'investissement",
                           "Dépenses d'investissement"]
    assert q.execution(lines, 2030).is_empty()
    by_year = q.execution_by_year(lines).row(0, named=True)
    assert by_year == pytest.approx({"annee": 2024, "rf": 100.0, "df": 800 / 850 * 100, "ri": 150 / 250 * 100,
                                     "di": 300 / 500 * 100})


def test_breakdowns_add_up_to_the_totals_by_nature_and_by_function(lines):
    real = q.real_lines(lines, 2024, CA)
    for by in ("nature", "fonction"):
        spending = q.breakdown(real, q.DEP, by)
        assert spending["montant"].sum() == 1100
    by_function = q.breakdown(real, q.DEP, "fonction")
    # 212 Écoles primaires (500 + 200) and 281 Restauration scolaire (250) sit under 2 Enseignement.
    schools = by_function.filter(pl.col("groupe") == "2")
    assert schools["montant"].sum() == 950 and schools["groupe_libelle"][0].startswith("Enseignement")
    by_nature = q.breakdown(real, q.REC, "nature").filter(pl.col("section") == q.F)
    assert by_nature.row(0, named=True)["groupe_libelle"] == "Fiscalité locale"  # largest first


def test_evolution_per_year(lines):
    evo = q.evolution(lines, CA).row(0, named=True)
    assert evo == {"annee": 2024, "df": 800, "rf": 1000, "di": 300, "ri": 150, "epargne_brute": 200}


def test_classification_reads_the_spellings_of_real_files_and_sets_aside_what_it_cannot_read():
    raw = budget([
        (CA, 2024, "Fonctionnement", "Réelle", "Dépenses", None, "64111", "212", 1, 1),  # chapter from M57: 012
        (CA, 2024, "F", "R", "D", "011", "611", None, 1, 1),  # codes; no function
        (CA, 2024, None, "ORDRE", "Recette", "040", "28188", "01", 1, 1),  # section from the chapter: I
        (CA, 2024, "I", "0", "1", "23", "2313", "845", 1, 1),  # TOTEM codes: 0 = réel, 1 = dépense
        (CA, 2024, "fonctionnement", "réel", "?", "011", "611", "020", 1, 1),
        (CA, 2024, "fonctionnement", "mixte", "dépense", "011", "611", "020", 1, 1),
        (CA, 2024, None, "réel", "dépense", None, "999999", "020", 1, 1),
    ])
    result = q.classify(raw)
    got = result.lines.select("section", "reel", "sens", "chapitre", "fonction_groupe").rows()
    assert got == [("F", True, "D", "012", "2"), ("F", True, "D", "011", q.NO_FUNCTION),
                   ("I", False, "R", "040", "0"), ("I", True, "D", "23", "8")]
    assert result.lines["chapitre_libelle"][0] == "Charges de personnel et frais assimilés"
    assert result.rejected["motif"].to_list() == ["sens (recette ou dépense) inconnu",
                                                  "opération (réelle ou d'ordre) inconnue", "section inconnue"]


def test_the_m57_function_tree():
    m57 = q.nomenclature()
    assert m57.top_function("212") == "2" and m57.top_function("020") == "0" and m57.top_function("8") == "8"
    assert m57.top_function("nope") is None and m57.top_function(None) is None
    assert m57.function_label("845") == "Voirie communale"
    assert m57.chapter_of("64111", q.DEP) == "012" and m57.chapter_of("73111", q.REC) == "731"


def test_bundled_lines_give_the_published_2019_totals_and_agree_with_ofgl(catalog):
    store = SnapshotStore(q.SOURCES.parent / "snapshots")
    result = q.classify(store.read("budget_lignes"))
    assert result.rejected.is_empty()
    totals = q.totals(q.real_lines(result.lines, 2019, CA))
    assert round(totals[(q.F, q.DEP)] / 1e6, 1) == 138.1 and round(totals[(q.I, q.DEP)] / 1e6, 1) == 29.3
    assert round((totals[(q.F, q.DEP)] + totals[(q.I, q.DEP)]) / 1e6, 1) == 167.4
    ofgl = store.read("finances_ofgl")
    for year in range(2019, 2026):  # the OFGL aggregates of Issy are those of its CA lines
        from_lines = q.aggregates_from_lines(q.real_lines(result.lines, year, CA))
        published, population = q.ofgl_aggregates(ofgl, "92040", year, per_inhabitant=False)
        for name, value in from_lines.items():
            assert published[name] == pytest.approx(value, abs=0.01), (year, name)
        assert population and published["Encours de dette"] > 0
    _, population = q.ofgl_aggregates(ofgl, "92040", 2024, per_inhabitant=False)
    debt = {r["cle"]: r for r in q.comparison(ofgl, "92040", "moyenne-strate-9", 2024).iter_rows(named=True)}
    assert debt["encours_hab"]["commune"] == pytest.approx(158) and debt["encours_hab"]["strate"] == 1330


def test_comparison_applies_the_population_thresholds_of_r2313_1():
    ofgl = pl.DataFrame({
        "exercice": [2024] * 6, "cle": ["c"] * 3 + ["s"] * 3, "commune_code": ["11111"] * 3 + [None] * 3,
        "agregat": ["Recettes de fonctionnement", "Dépenses de fonctionnement", "Frais de personnel"] * 2,
        "montant": [2_500_000.0, 2_250_000.0, 1_125_000.0, None, None, None],
        "population": [5_000, 5_000, 5_000, None, None, None],
        "montant_par_habitant": [500.0, 450.0, 225.0, 520.0, 470.0, 240.0],
        "strate": ["3"] * 6, "commune_nom": ["Petite", "Petite", "Petite", "Moyenne", "Moyenne", "Moyenne"],
    })
    rows = {r["cle"]: r for r in q.comparison(ofgl, "11111", "s", 2024).iter_rows(named=True)}
    assert rows["drf_hab"]["commune"] == pytest.approx(450) and rows["drf_hab"]["strate"] == 470
    assert rows["drf_hab"]["ecart_pct"] == pytest.approx((450 / 470 - 1) * 100)
    assert rows["personnel_drf"]["commune"] is None  # 7° applies from 10,000 inhabitants, 1° from 3,500
    assert rows["personnel_drf"]["strate"] == pytest.approx(240 / 470 * 100)
    assert q.stratum_of(ofgl, "11111") == ("s", "Moyenne")


def scdl_text(frame: pl.DataFrame) -> str:
    """The bundled lines written back as a SCDL budget file (BGT_* field names, ';' as exported by ODS)."""
    names = {"document": "BGT_NATDEC", "annee": "BGT_ANNEE", "siret": "BGT_SIRET", "nom": "BGT_NOM",
             "chapitre": "BGT_CONTNAT", "chapitre_libelle": "BGT_CONTNAT_LABEL", "nature": "BGT_NATURE",
             "nature_libelle": "BGT_NATURE_LABEL", "fonction": "BGT_FONCTION", "fonction_libelle": "BGT_FONCTION_LABEL",
             "section": "BGT_SECTION", "operation": "BGT_OPBUDG", "sens": "BGT_CODRD", "montant_prevu": "BGT_MTPREV",
             "montant_realise": "BGT_MTREAL", "commune_code": "BGT_CODE_INSEE"}
    return frame.rename(names).select(list(names.values())).write_csv(separator=";")


def test_a_scdl_budget_file_maps_and_its_bad_rows_are_reported(catalog):
    store = SnapshotStore(q.SOURCES.parent / "snapshots")
    lines = store.read("budget_lignes").filter(pl.col("annee") == 2019, pl.col("document") == CA)
    text = scdl_text(lines).splitlines()
    header = text[0].split(";")
    broken = text[1].split(";")
    broken[header.index("BGT_MTPREV")] = "douze mille"
    text[1] = ";".join(broken)
    missing_year = text[2].split(";")
    missing_year[header.index("BGT_ANNEE")] = ""
    text[2] = ";".join(missing_year)
    raw = read_ods_csv("\n".join(text))
    # The catalog refuses a budget with any unreadable line (its totals would be wrong): the refresh keeps the
    # last good snapshot, and the message names the lines.
    with pytest.raises(SchemaMismatch, match="2 of 60 rows unusable.*montant_prevu='douze mille'"):
        map_frame(raw, catalog["budget_lignes"], known_communes=None)
    result = map_frame(raw, dataclasses.replace(catalog["budget_lignes"], max_bad_ratio=0.05), known_communes=None)
    assert result.bad_count == 2 and result.frame.height == lines.height - 2
    assert {(b.row, b.column) for b in result.bad_rows} == {(0, "montant_prevu"), (1, "annee")}  # 0-based
    classified = q.classify(result.frame)
    assert classified.rejected.is_empty() and classified.lines.height == lines.height - 2
