"""The verdict first (/climat's plan-wide summary): each sentence from its figures, on hand-made and on the
bundled budget climat."""

from __future__ import annotations

import polars as pl
import pytest

from components import climate_summary as cs
from data_access import climat as q
from data_access.indicators import ATTEINT, DANS_TRAJECTOIRE, EN_RETARD, INSUFFISANT, Assessment


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2212", "-")


@pytest.mark.parametrize("realised, ceiling, position, words", [
    (102_650.0, 110_231.6, q.UNDER, "sous le plafond de 7 582 tCO2e"),
    (115_000.0, 110_000.0, q.OVER, "au-dessus du plafond de 5 000 tCO2e"),
    (110_300.0, 110_000.0, q.AT, "au niveau du plafond (+300 tCO2e)"),  # 0,27 %: within what is known
    (109_700.0, 110_000.0, q.AT, "au niveau du plafond (-300 tCO2e)"),
    (110_000.0, 110_000.0, q.AT, "au niveau du plafond (0 tCO2e)"),
])
def test_the_verdict_under_over_and_at_the_ceiling(realised, ceiling, position, words):
    found, text = cs.budget_verdict(realised, ceiling)
    assert found == position and plain(text) == words


def test_no_verdict_without_both_figures():
    assert q.ceiling_position(None, 110_000.0) is None and q.ceiling_position(100.0, None) is None
    assert q.ceiling_position(float("nan"), 100.0) is None


def budget(rows):
    return pl.DataFrame(rows, schema={"annee": pl.Int64, "categorie": pl.String, "libelle": pl.String,
                                      "plafond_tco2e": pl.Float64, "realise_tco2e": pl.Float64,
                                      "commune_code": pl.String}, orient="row")


def test_sectors_and_actors_over_their_own_ceiling_are_named_largest_first():
    frame = budget([(2025, "total", "Territoire", 100.0, 90.0, "92040"),
                    (2025, "secteur", "Tertiaire", 30.0, 30.6, "92040"),  # over by 2 %: named, however small
                    (2025, "secteur", "Déchets", 10.0, 12.0, "92040"),
                    (2025, "secteur", "Transports", 60.0, 47.6, "92040"),
                    (2025, "acteur", "Ménages", 50.0, 50.2, "92040"),  # rounds to 0 tCO2e: not named
                    (2024, "secteur", "Déchets", 10.0, 20.0, "92040")])
    over = q.over_ceilings(frame, 2025)
    assert over["libelle"].to_list() == ["Déchets", "Tertiaire"]
    assert plain(cs.over_sentence(over, 2025)) == ("Au-dessus de leur propre plafond en 2025 : secteur Déchets "
                                                   "(+2 tCO2e, +20,0 %) et secteur Tertiaire (+1 tCO2e, +2,0 %).")
    assert cs.over_sentence(over.head(0), 2025) == "Chaque secteur et chaque acteur est resté sous son propre plafond en 2025."
    assert plain(cs.over_sentence(over.head(1), 2025)).startswith("Au-dessus de son propre plafond en 2025 : secteur Déchets")


def test_the_bundled_budget_2025_is_under_its_ceiling_with_two_sectors_over_theirs():
    from data.demo import budget_climat

    frame = budget_climat.generate()  # what the bundle ships (demonstration data on the published totals)
    last = q.latest_result(frame)
    assert last["annee"] == 2025
    assert plain(cs.budget_verdict(last["realise_tco2e"], last["plafond_tco2e"])[1]) == "sous le plafond de 7 582 tCO2e"
    assert plain(cs.budget_sentence(2025, last["realise_tco2e"], last["plafond_tco2e"], "Issy-les-Moulineaux")) == \
        "En 2025, Issy-les-Moulineaux a émis 102 650 tCO2e pour un plafond voté de 110 232 tCO2e (-6,9 %)."
    named = q.over_ceilings(frame, 2025)["libelle"].to_list()
    assert named == ["Déchets", "Tertiaire"]  # what the issue found hidden under the total


def test_a_commune_selection_shows_its_own_budget_or_none():
    frame = budget([(2025, "total", "Territoire", 100.0, 90.0, "92040"), (2025, "total", "Territoire", 50.0, 55.0, "92012")])
    assert q.budget_of(frame, "all", "92040")["commune_code"].unique().to_list() == ["92040"]  # the one voted
    assert q.budget_of(frame, "92012", "92040")["realise_tco2e"].to_list() == [55.0]
    assert q.budget_of(frame, "92075", "92040") is None  # votes none: the page says so


ROW = {"titre": "Émissions de gaz à effet de serre", "unite": "kteq CO2", "precision": 0, "annee_cible": 2030,
       "valeur_cible": 400.0, "valeur_reference": 650.0, "annee_reference": 2015}


def assessment(projected, status=DANS_TRAJECTOIRE, last=(2024, 500.0)):
    return Assessment(last[0], last[1], None, None, None, projected, status, "")


def test_the_projection_in_plain_words():
    assert plain(cs.projection_sentence(ROW, assessment(380.0))) == (
        "Au rythme des dernières années, l'indicateur « Émissions de gaz à effet de serre » serait de 380 kteq CO2 "
        "en 2030 : l'objectif 2030 (400 kteq CO2) serait atteint, avec 20 kteq CO2 de marge.")
    assert plain(cs.projection_sentence(ROW, assessment(450.0, EN_RETARD))).endswith(
        "l'objectif 2030 (400 kteq CO2) serait manqué de 50 kteq CO2.")
    rising = {**ROW, "titre": "Production d'énergie renouvelable", "unite": "MWh", "valeur_reference": 50.0,
              "valeur_cible": 160.0}
    assert "serait manqué de 40 MWh" in plain(cs.projection_sentence(rising, assessment(120.0, last=(2024, 90.0))))
    assert "déjà atteint (390 kteq CO2 en 2024)" in plain(cs.projection_sentence(ROW, assessment(None, ATTEINT, (2024, 390.0))))
    assert "trop peu de valeurs" in cs.projection_sentence(ROW, assessment(None, INSUFFISANT))


def test_status_counts_in_status_order_with_french_agreement():
    statuses = pl.DataFrame({"axe": ["1", "1", "2", "3"], "indicateur": ["a", "b", "c", "d"], "titre": list("ABCD"),
                             "statut": [EN_RETARD, ATTEINT, ATTEINT, INSUFFISANT]})
    assert cs.status_counts(statuses) == [(ATTEINT, 2), (EN_RETARD, 1), (INSUFFISANT, 1)]
    assert cs.status_words(ATTEINT, 2) == "2 indicateurs atteints" and cs.status_words(ATTEINT, 1) == "1 indicateur atteint"
    assert cs.status_words(INSUFFISANT, 1) == "1 indicateur aux données insuffisantes"
    assert cs.status_words(EN_RETARD, 3) == "3 indicateurs en retard"
