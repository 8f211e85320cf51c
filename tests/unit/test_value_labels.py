"""Bars a council report quotes carry their values, in French, at their ends (a printed page has no hover)."""

import polars as pl

from components.figures.bars import ranked_bars, value_labels
from components.figures.climat import budget_figure
from components.figures.mobilite import irve_power_figure
from components.figures.nature import goals_figure
from components.figures.stationnement import saturation_figure


def labels(fig, index: int = 0, where: str = "outside") -> list[str]:
    trace = fig.data[index]
    assert trace.type == "bar" and trace.textposition == where
    assert trace.cliponaxis is False if where == "outside" else trace.insidetextanchor == "end"
    return list(trace.text)


def test_value_labels_are_french_numbers_and_leave_gaps_blank():
    assert value_labels([7058.4, None, 1234567], 0)["text"] == ["7\u202f058", "", "1\u202f234\u202f567"]
    assert value_labels([2.26, -0.5], 1)["text"] == ["2,3", "−0,5"]


def test_the_bars_of_reports_are_labelled():
    totals = pl.DataFrame({"annee": [2023, 2024, 2025], "realise_tco2e": [8100.0, 7800.0, None],
                           "plafond_tco2e": [8200.0, 7900.0, 7582.0]})
    # inside the bars: the ceiling's line crosses their tops
    assert labels(budget_figure(totals), where="inside") == ["8\u202f100", "7\u202f800"]
    classes = pl.DataFrame({"classe": ["jusqu'à 7,4 kW", "plus de 100 kW"], "points": [1200, 8]})
    assert labels(irve_power_figure(classes)) == ["1\u202f200", "8"]
    goals = pl.DataFrame({"type_equipement": ["Composteur individuel"], "nombre": [312], "objectif": [400]})
    assert labels(goals_figure(goals, 2025)) == ["312"]
    days = pl.DataFrame({"parking_id": ["P1", "P2"], "saturation_days": [3, 12]})
    assert labels(saturation_figure(days, {"P1": "Mairie", "P2": "Gare"})) == ["3", "12"]
    assert labels(ranked_bars(["Voirie", "Espaces verts"], [12.34, 3.0], "#000", "tCO2e", "tCO2e")) == ["12,3", "3,0"]
