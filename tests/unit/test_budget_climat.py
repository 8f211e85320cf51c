"""The budget climat demonstration data: deterministic, and equal to the published figures where they exist."""

import polars as pl
import pytest

from data.demo import budget_climat as bc


def totals(frame):
    return {r["annee"]: r for r in frame.filter(pl.col("categorie") == "total").iter_rows(named=True)}


def test_generator_is_deterministic():
    assert bc.generate().equals(bc.generate())


def test_published_figures_are_reproduced():
    t = totals(bc.generate())
    assert t[2020]["realise_tco2e"] == 130_100.0 and t[2020]["plafond_tco2e"] is None  # the reference year
    assert t[2024]["realise_tco2e"] == 104_987.0
    assert t[2024]["realise_tco2e"] / t[2023]["realise_tco2e"] - 1 == pytest.approx(-0.017, abs=5e-5)
    assert t[2024]["realise_tco2e"] / t[2021]["realise_tco2e"] - 1 == pytest.approx(-0.157, abs=5e-5)
    assert t[2021]["plafond_tco2e"] == pytest.approx(130_100 * 0.965, abs=0.1)  # −3.5 % in 2021
    assert t[2022]["plafond_tco2e"] / t[2021]["plafond_tco2e"] - 1 == pytest.approx(-0.032, abs=1e-5)
    assert t[2021]["date_vote"].isoformat() == "2021-02-04"  # adopted 4 February 2021
    assert t[2026]["realise_tco2e"] is None and t[2026]["plafond_tco2e"] is not None  # year in progress


def test_breakdowns_add_up_to_the_total_every_year():
    frame = bc.generate()
    t = totals(frame)
    for category in ("secteur", "acteur"):
        sums = frame.filter(pl.col("categorie") == category).group_by("annee").agg(
            pl.col("realise_tco2e").sum(), pl.col("plafond_tco2e").sum())
        for year, realised, ceiling in sums.iter_rows():
            if t[year]["realise_tco2e"] is not None:
                assert realised == pytest.approx(t[year]["realise_tco2e"], abs=0.5)
            if t[year]["plafond_tco2e"] is not None:
                assert ceiling == pytest.approx(t[year]["plafond_tco2e"], abs=0.5)
    actors = frame.filter((pl.col("categorie") == "acteur") & (pl.col("annee") == 2024))
    shares = {r["libelle"]: r["realise_tco2e"] / 104_987 for r in actors.iter_rows(named=True)}
    assert shares["Ménages"] == pytest.approx(0.48, abs=1e-4) and shares["Entreprises"] == pytest.approx(0.43, abs=1e-4)
    assert set(frame.filter(pl.col("categorie") == "secteur")["libelle"]) == {
        "Transports", "Résidentiel", "Tertiaire", "Déchets"}
