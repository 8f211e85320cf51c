"""The PCAET demonstration values: deterministic, on the real indicator definitions, the territory equal to the
sum of its communes, Issy's emissions equal to its budget climat, and every status shown at territory level."""

from pathlib import Path

import polars as pl
import pytest

from data.demo import budget_climat, pcaet
from data_access.indicators import (ATTEINT, DANS_TRAJECTOIRE, EN_AVANCE, EN_RETARD, INSUFFISANT, STATUSES,
                                    assess)

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "data" / "sources" / "pcaet-indicateurs-definitions_tet.csv"
ADDITIVE_UNITS = {"kteq CO2", "teq CO2", "GWh", "MWh", "tonnes"}


@pytest.fixture(scope="module")
def frames():
    return pcaet.generate()


@pytest.fixture(scope="module")
def both(frames):
    return pl.concat(frames)


@pytest.fixture(scope="module")
def definitions():
    frame = pl.read_csv(DEFINITIONS, infer_schema=False)
    return {r["identifiantReferentiel"]: r for r in frame.iter_rows(named=True)}


def territory(frame):
    return frame.filter(pl.col("commune_code").is_null())


def assessments(frame):
    result = {}
    for indicateur, rows in territory(frame).group_by("indicateur"):
        row = rows.row(0, named=True)
        points = [(y, v) for y, v in rows.select("annee", "resultat").iter_rows() if v is not None]
        result[indicateur[0]] = assess(points, row["annee_reference"], row["valeur_reference"], row["annee_cible"],
                                       row["valeur_cible"])
    return result


def test_generator_is_deterministic():
    first, second = pcaet.generate(), pcaet.generate()
    assert first[0].equals(second[0]) and first[1].equals(second[1])


def test_schema_and_one_row_per_indicator_year_commune(frames, catalog):
    for frame, key in zip(frames, ("pcaet_valeurs", "pcaet_valeurs_internes")):
        assert frame.schema == catalog[key].schema
        assert frame.select(catalog[key].unique_key).is_duplicated().sum() == 0
        assert set(frame["commune_code"].drop_nulls()) == set(catalog.territory.codes)
        assert (frame["cle_commune"] == frame["commune_code"].fill_null("territoire")).all()
        assert catalog[key].demo and not catalog[key].refreshable
    assert catalog["pcaet_valeurs"].is_public and not catalog["pcaet_valeurs_internes"].is_public


def test_indicators_are_the_real_definitions(frames, definitions):
    public, internal = frames
    plan = public.select("indicateur", "titre", "unite", "precision", "parent").unique()
    assert 12 <= plan.height <= 16
    for row in plan.iter_rows(named=True):
        definition = definitions[row["indicateur"]]
        assert (row["titre"], row["unite"], row["precision"]) == (
            definition["titre"], definition["unite"], int(definition["precision"]))
        if row["parent"] is not None:  # a parent is in the plan
            assert row["parent"] in set(plan["indicateur"])
    ids = set(plan["indicateur"])
    assert {"cae_1.a", "cae_1.c", "cae_1.d", "cae_1.e", "cae_2.a", "cae_3.a", "cae_63.a"} <= ids
    assert len({i for i in ids if i.startswith("cae_4.")}) >= 2
    assert public.filter(pl.col("parent") == "cae_2.a")["indicateur"].n_unique() >= 2
    # Confidential indicators are local ones, not regulatory: none is in the definitions.
    assert 2 <= internal["indicateur"].n_unique() <= 3
    assert all(i.startswith("local_") and i not in definitions for i in internal["indicateur"].unique())


def test_plan_structure(both):
    axes = both.select("axe", "axe_titre").unique()
    assert axes.height == axes["axe"].n_unique() and 5 <= axes.height <= 6
    sub = both.select("axe", "sous_axe", "sous_axe_titre").unique()
    assert sub.height == sub["sous_axe"].n_unique()
    assert all(s.startswith(a + ".") for a, s, _ in sub.iter_rows())
    assert (sub.group_by("axe").len()["len"] == 2).all()
    # Each indicator has one place in the plan and one definition.
    per_indicator = both.group_by("indicateur").agg(
        pl.struct("axe", "sous_axe", "ordre", "titre", "unite", "parent", "precision").n_unique().alias("n"))
    assert (per_indicator["n"] == 1).all()


def test_confidential_indicators_are_only_in_the_internal_frame(frames):
    public, internal = frames
    assert not public["confidentiel"].any() and internal["confidentiel"].all()
    assert not set(public["indicateur"]) & set(internal["indicateur"])


def test_territory_is_the_sum_of_the_communes(both):
    assert set(both["unite"]) <= ADDITIVE_UNITS
    communes = both.filter(pl.col("commune_code").is_not_null()).group_by("indicateur", "annee").agg(
        pl.col("resultat").sum().alias("somme"), pl.col("resultat").null_count().alias("manquants"),
        pl.col("objectif").sum().alias("somme_objectif"), pl.len().alias("n"))
    joined = territory(both).join(communes, on=["indicateur", "annee"])
    assert joined.height == territory(both).height and (joined["n"] == 8).all()
    for row in joined.iter_rows(named=True):
        if row["resultat"] is None:
            assert row["manquants"] == 8
        else:
            assert row["manquants"] == 0 and row["resultat"] == pytest.approx(row["somme"], abs=1e-6)
        if row["objectif"] is not None:  # each commune's objective is rounded on its own
            assert row["objectif"] == pytest.approx(row["somme_objectif"], abs=0.01)


def test_sector_breakdowns_stay_within_their_parent(both):
    values = both.filter(pl.col("resultat").is_not_null())
    children = values.filter(pl.col("parent").is_not_null()).group_by("parent", "cle_commune", "annee").agg(
        pl.col("resultat").sum().alias("secteurs"))
    parents = values.select(pl.col("indicateur").alias("parent"), "cle_commune", "annee", "resultat")
    joined = children.join(parents, on=["parent", "cle_commune", "annee"])
    assert joined.height == children.height
    assert (joined["secteurs"].abs() <= joined["resultat"].abs() + 1e-6).all()
    # Renewable production is exactly heat plus electricity.
    renewables = joined.filter(pl.col("parent") == "cae_3.a")
    assert renewables.height and ((renewables["secteurs"] - renewables["resultat"]).abs() < 1e-6).all()


def test_issy_emissions_are_those_of_the_budget_climat(frames):
    issy = frames[0].filter((pl.col("indicateur") == "cae_1.a") & (pl.col("commune_code") == budget_climat.COMMUNE))
    results = dict(issy.select("annee", "resultat").iter_rows())
    assert results[2020] == 130.1 and results[2024] == 104.987  # published, in kteq CO2
    for year in range(2020, 2025):
        assert results[year] == pytest.approx(budget_climat.RESULTS[year] / 1000, abs=5e-4)
    assert issy["unite"][0] == "kteq CO2"


def test_years_reference_and_missing_values(both):
    assert both.filter(pl.col("annee") >= 2025)["resultat"].null_count() == both.filter(pl.col("annee") >= 2025).height
    assert both["annee"].min() == 2015 and both["annee"].max() == 2030
    assert (both["annee_reference"] == 2015).all()
    reference = both.filter(pl.col("annee") == 2015)
    assert (reference["resultat"] == reference["valeur_reference"]).all()
    # Some indicators are not measured every year (air pollutants every two years).
    nox = territory(both).filter(pl.col("indicateur") == "cae_4.a")
    assert nox.filter(pl.col("annee") == 2016)["resultat"].is_null().all()
    assert nox.filter(pl.col("annee") == 2016)["objectif"].is_not_null().all()


def test_objectives_follow_the_straight_line_to_the_target(both):
    with_target = both.filter(pl.col("annee_cible").is_not_null())
    assert (with_target["annee_cible"] == 2030).all()
    assert set(with_target["annee"].unique()) == set(range(2015, 2031))
    for row in with_target.iter_rows(named=True):
        share = (row["annee"] - row["annee_reference"]) / (row["annee_cible"] - row["annee_reference"])
        expected = row["valeur_reference"] + (row["valeur_cible"] - row["valeur_reference"]) * share
        assert row["objectif"] == pytest.approx(expected, abs=1e-3)
    targets = dict(territory(both).filter(pl.col("annee") == 2015).select("indicateur", "valeur_cible").iter_rows())
    references = dict(territory(both).filter(pl.col("annee") == 2015).select("indicateur", "valeur_reference").iter_rows())
    assert targets["cae_1.a"] == pytest.approx(references["cae_1.a"] * 0.6, abs=1e-3)  # −40 % (SNBC)
    assert targets["cae_3.a"] == pytest.approx(references["cae_3.a"] * 3, abs=1e-3)  # renewables ×3
    # One indicator has no target, one keeps its reference.
    no_target = both.filter(pl.col("annee_cible").is_null())
    assert no_target["indicateur"].unique().to_list() == ["cae_63.b"]
    assert no_target["valeur_cible"].is_null().all() and no_target["objectif"].is_null().all()
    assert targets["cae_63.a"] == references["cae_63.a"]


def test_sequestration_is_negative(both):
    sinks = both.filter(pl.col("indicateur").str.starts_with("cae_63."))
    assert sinks.height and (sinks["resultat"].drop_nulls() < 0).all()
    assert (sinks["valeur_reference"] < 0).all()


def test_territory_shows_every_status(frames):
    public = assessments(frames[0])
    assert public["cae_1.a"].status == DANS_TRAJECTOIRE
    assert public["cae_2.a"].status == EN_RETARD
    assert public["cae_3.a"].status == EN_AVANCE
    assert public["cae_4.a"].status == ATTEINT
    assert public["cae_63.a"].status == ATTEINT  # the 2015 level is kept
    assert public["cae_63.b"].status == INSUFFISANT
    assert {a.status for a in public.values()} == set(STATUSES)
    assert {a.status for a in assessments(frames[1]).values()} <= set(STATUSES)
