"""Finances data: the demonstration budget lines and OFGL aggregates reproduce the published figures, use the
real M57 nomenclature, and the real OFGL label export maps to the canonical columns.

Published totals are checked to the euro: the generator makes them exact (the publication rounds to 0.1 M€)."""

import csv
from pathlib import Path

import polars as pl
import pytest

from data.demo import finances
from data_access.mapping import map_frame
from data_access.portal import read_ods_csv
from data_access.snapshots import SnapshotStore

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
OFGL_EXTRACT = SOURCES / "ofgl-base-communes_guadeloupe_2024_extrait.csv"
OFGL_FULL = ROOT.parent / "shared" / "data" / "real" / "ofgl_base_communes_sample" / "ofgl-base-communes_guadeloupe_2024.csv"


@pytest.fixture(scope="module")
def lines():
    return finances.lines()


@pytest.fixture(scope="module")
def ofgl():
    return finances.ofgl()


def real_spending(frame, year, document=finances.CA):
    rows = frame.filter(pl.col("BGT_NATDEC") == document, pl.col("BGT_ANNEE") == year,
                        pl.col("BGT_OPBUDG") == finances.REEL, pl.col("BGT_CODRD") == finances.DEP)
    return {s: rows.filter(pl.col("BGT_SECTION") == s)["BGT_MTREAL"].sum() for s in (finances.F, finances.I)}


def test_generators_are_deterministic(lines, ofgl):
    assert finances.lines().equals(lines)
    assert finances.ofgl().equals(ofgl)


def test_2019_real_spending_equals_the_published_totals(lines):
    spending = real_spending(lines, 2019)
    assert spending[finances.F] == pytest.approx(138_100_000, abs=0.5)
    assert spending[finances.I] == pytest.approx(29_300_000, abs=0.5)
    assert sum(spending.values()) == pytest.approx(167_400_000, abs=0.5)


def test_ordre_lines_exist_and_are_outside_the_real_totals(lines):
    ordre = lines.filter(pl.col("BGT_OPBUDG") == finances.ORDRE, pl.col("BGT_ANNEE") == 2019,
                         pl.col("BGT_NATDEC") == finances.CA)
    assert ordre.height >= 4 and set(ordre["BGT_CONTNAT"]) >= {"042", "040", "023", "021"}
    everything = lines.filter(pl.col("BGT_NATDEC") == finances.CA, pl.col("BGT_ANNEE") == 2019,
                              pl.col("BGT_CODRD") == finances.DEP)["BGT_MTREAL"].sum()
    assert everything > 167_400_000


def test_documents_years_and_execution_rates(lines):
    assert set(lines["BGT_NATDEC"]) == {finances.BP, finances.CA}
    assert sorted(set(lines["BGT_ANNEE"])) == list(range(2019, 2026))
    assert lines.filter(pl.col("BGT_NATDEC") == finances.BP)["BGT_MTREAL"].null_count() == lines.height // 2
    ca = lines.filter(pl.col("BGT_NATDEC") == finances.CA, pl.col("BGT_OPBUDG") == finances.REEL)
    rates = ca.group_by("BGT_SECTION", "BGT_CODRD").agg(
        (pl.col("BGT_MTREAL").sum() / pl.col("BGT_MTPREV").sum()).alias("rate"))
    for section, sens, rate in rates.iter_rows():
        low, high = (0.6, 0.9) if section == finances.I else (0.93, 1.05)
        assert low < rate < high, (section, sens, rate)
    assert lines.select(pl.struct("BGT_NATDEC", "BGT_ANNEE", "BGT_SECTION", "BGT_OPBUDG", "BGT_CODRD",
                                  "BGT_NATURE", "BGT_FONCTION").is_unique().all()).item()


def _codes(name):
    with (SOURCES / name).open(encoding="utf-8") as handle:
        return {row["code"]: row["libelle"] for row in csv.DictReader(handle)}


def test_natures_and_functions_are_real_m57_codes_with_their_labels(lines):
    accounts, functions = _codes("m57_comptes.csv"), _codes("m57_fonctions.csv")
    for nature, label in lines.select("BGT_NATURE", "BGT_NATURE_LABEL").unique().iter_rows():
        assert accounts.get(nature) == label, nature
    for fonction, label in lines.select("BGT_FONCTION", "BGT_FONCTION_LABEL").unique().iter_rows():
        assert functions.get(fonction) == label, fonction
    assert lines["BGT_CONTNAT"].null_count() == 0 and (lines["BGT_CONTNAT"] != "").all()


def test_real_spending_lines_sit_in_the_m57_chapter_of_their_account(lines):
    with (SOURCES / "m57_comptes.csv").open(encoding="utf-8") as handle:
        dr = {row["code"]: row["chapitre_depense_reelle_DR"] for row in csv.DictReader(handle)}
    real = lines.filter(pl.col("BGT_OPBUDG") == finances.REEL, pl.col("BGT_CODRD") == finances.DEP)
    for nature, chapter in real.select("BGT_NATURE", "BGT_CONTNAT").unique().iter_rows():
        assert dr[nature] == chapter


def test_debt_per_inhabitant_in_2024(ofgl):
    debt = ofgl.filter(pl.col("Exercice") == 2024, pl.col("Agrégat") == "Encours de dette")
    issy = debt.filter(pl.col("Code Insee 2024 Commune") == "92040").row(0, named=True)
    assert issy["Montant en € par habitant"] == 158.0
    assert issy["Montant"] / issy["Population totale"] == pytest.approx(158.0, abs=1e-9)
    assert 68_000 < issy["Population totale"] < 70_000
    stratum = debt.filter(pl.col("Clé") == finances.STRATUM_KEY).row(0, named=True)
    assert stratum["Montant en € par habitant"] == 1_330.0 and stratum["Strate population 2024"] == "9"


def test_ofgl_covers_the_gpso_communes_and_the_stratum(ofgl, catalog):
    assert set(ofgl["Code Insee 2024 Commune"].drop_nulls()) == set(catalog.territory.codes)
    assert sorted(set(ofgl["Exercice"])) == list(range(2019, 2026))
    issy_2019 = ofgl.filter(pl.col("Exercice") == 2019, pl.col("Code Insee 2024 Commune") == "92040")
    by_name = dict(issy_2019.select("Agrégat", "Montant").iter_rows())
    assert by_name["Dépenses de fonctionnement"] == pytest.approx(138_100_000, abs=0.5)
    assert by_name["Epargne brute"] == pytest.approx(
        by_name["Recettes de fonctionnement"] - by_name["Dépenses de fonctionnement"], abs=0.01)


def test_bundled_snapshots_map_without_bad_rows(catalog):
    store = SnapshotStore(ROOT / "data" / "snapshots")
    lines = store.read("budget_lignes")
    assert lines.height == 840 and {"document", "montant_realise", "nature_libelle"} <= set(lines.columns)
    ofgl = store.read("finances_ofgl")
    stratum = ofgl.filter(pl.col("cle") == finances.STRATUM_KEY)
    assert stratum["commune_code"].null_count() == stratum.height


def test_real_ofgl_label_export_maps_to_the_canonical_columns(catalog):
    raw = read_ods_csv(OFGL_EXTRACT.read_bytes())  # ';' delimiter, UTF-8 BOM, French labels
    assert raw.columns[0] == "Exercice" and "Montant en € par habitant" in raw.columns
    result = map_frame(raw, catalog["finances_ofgl"], known_communes=None)
    assert result.bad_count == 0 and result.frame.height == raw.height == 805
    row = result.frame.filter(pl.col("commune_code") == "97101", pl.col("agregat") == "Encours de dette",
                              pl.col("type_budget") == "Budget principal").row(0, named=True)
    assert row["exercice"] == 2024 and row["commune_nom"] == "Les Abymes" and row["strate"] == "9"
    assert row["population"] == 52_586 and row["cle"] == row["siret_budget"] == "21971101700018"
    assert row["montant_par_habitant"] == pytest.approx(row["montant"] / row["population"], rel=1e-9)
    assert row["demonstration"] is None


def test_bad_rows_of_a_real_ofgl_export_are_reported_not_fatal(catalog):
    text = OFGL_EXTRACT.read_bytes().decode("utf-8-sig").split("\n")
    fields = text[3].split(";")
    fields[24] = "n/a"  # Montant
    text[3] = ";".join(fields)
    raw = read_ods_csv("\n".join(text))
    result = map_frame(raw, catalog["finances_ofgl"], known_communes=None)
    assert result.bad_count == 1 and result.frame.height == raw.height - 1
    assert result.bad_rows[0].row == 2 and result.bad_rows[0].column == "montant"
    assert result.bad_rows[0].value == "n/a"


def test_full_real_ofgl_sample_maps(catalog):
    # ../shared sits beside the project in CI (.ci/run); the shipped extract covers the rest above.
    raw = read_ods_csv(OFGL_FULL.read_bytes())
    result = map_frame(raw, catalog["finances_ofgl"], known_communes=None)
    assert result.bad_count == 0 and result.frame.height == 2_505
    assert result.frame["commune_code"].n_unique() == 32 and result.frame["agregat"].n_unique() == 50


def test_investment_projects_lie_in_issy_with_real_m57_functions():
    from data.demo.irve import point_in_commune

    projects = finances.projects()
    functions = _codes("m57_fonctions.csv")
    assert projects.height == len(finances.PROJECTS) and projects["projet"].is_unique().all()
    for row in projects.iter_rows(named=True):
        assert point_in_commune(row["lon"], row["lat"], "92040"), row["projet"]
        assert functions[row["fonction"]] == row["fonction_libelle"]
        assert row["montant"] > 0 and 2019 <= row["annee_debut"] <= row["annee_fin"] <= 2025
    assert set(projects["statut"]) == {"livré", "en travaux"}
