"""Indicator math, on hand-computed cases: rising and falling targets, target equal to the reference,
negative values (sequestration), missing years, no target, a single value."""

import math

import pytest

from components.formats import MINUS, NBSP
from components.indicator_card import change_label
from data_access.indicators import (ATTEINT, DANS_TRAJECTOIRE, EN_AVANCE, EN_RETARD, INSUFFISANT, assess,
                                    change_vs_reference, progress, projection, trajectory)


@pytest.mark.parametrize("value, ref, expected", [
    (876.0, 1000.0, -12.4), (1100, 1000, 10.0), (1000, 1000, 0.0),
    (-60, -50, -20.0),  # sequestration: more negative is a 20 % "decrease" of the signed value
    (-40, -50, 20.0), (5, 0, None), (None, 10, None), (10, None, None), (math.nan, 10, None),
])
def test_change_vs_reference(value, ref, expected):
    result = change_vs_reference(value, ref)
    assert result == (None if expected is None else pytest.approx(expected))


def test_change_label_is_french():
    assert change_label(876.0, 1000.0, 2015) == f"{MINUS}12,4{NBSP}% par rapport à 2015"
    assert change_label(1100, 1000, 2015) == f"+10,0{NBSP}% par rapport à 2015"
    assert change_label(1, 0, 2015) is None


@pytest.mark.parametrize("value, ref, target, expected", [
    (1000, 1000, 600, 0.0), (800, 1000, 600, 50.0), (600, 1000, 600, 100.0), (500, 1000, 600, 125.0),
    (1100, 1000, 600, -25.0),                       # falling target, moving away
    (150, 100, 200, 50.0), (250, 100, 200, 150.0),  # rising target (renewables)
    (-75, -50, -100, 50.0),                         # negative values: sequestration from −50 to −100
    (5, 5, 5, None), (None, 1, 2, None), (1, 1, None, None),
])
def test_progress(value, ref, target, expected):
    result = progress(value, ref, target)
    assert result == (None if expected is None else pytest.approx(expected))


def test_trajectory_is_the_straight_line():
    assert trajectory(2015, 1000, 2030, 700, 2015) == 1000
    assert trajectory(2015, 1000, 2030, 700, 2030) == 700
    assert trajectory(2015, 1000, 2030, 700, 2020) == pytest.approx(900)
    assert trajectory(2015, 1000, 2030, 700, 2035) == pytest.approx(600)  # beyond: same line
    assert trajectory(2015, 1000, 2015, 700, 2020) is None
    assert trajectory(2015, None, 2030, 700, 2020) is None


def test_projection_least_squares_on_the_last_points():
    # exact line: 100 − 5/yr
    points = [(2016, 95), (2017, 90), (2018, 85), (2019, 80), (2020, 75)]
    assert projection(points, 2030) == pytest.approx(25)
    # only the last 5 count: an old outlier is ignored
    assert projection([(2000, 10_000)] + points, 2030) == pytest.approx(25)
    # missing years are just absent: 2017 and 2019 missing
    assert projection([(2016, 95), (2018, 85), (2020, 75)], 2030) == pytest.approx(25)
    # noisy: hand-computed slope of (1,2),(2,3),(3,5) is 1.5, intercept 0.333…
    assert projection([(1, 2), (2, 3), (3, 5)], 4) == pytest.approx(0.3333333 + 1.5 * 4)
    assert projection([(2020, 5)], 2030) is None
    assert projection([(2020, 5), (2020, 6)], 2030) is None  # one distinct year
    assert projection([(2019, None), (2020, 5)], 2030) is None


def test_status_falling_target():
    # reference 2015: 1000; target 2030: 700 (−20/yr on the trajectory)
    ref = dict(ref_year=2015, ref_value=1000, target_year=2030, target_value=700)
    on = assess([(2019, 925), (2020, 900)], **ref)
    assert on.status == DANS_TRAJECTOIRE and on.expected == pytest.approx(900) and on.progress == pytest.approx(33.333, abs=1e-3)
    assert assess([(2020, 850)], **ref).status == EN_AVANCE
    assert assess([(2025, 690)], **ref).status == ATTEINT
    late = assess([(2016, 1000), (2018, 995), (2020, 990)], **ref)  # far behind, slow trend
    assert late.status == EN_RETARD and late.projected == pytest.approx(965)
    # behind the line but a steep recent trend reaches the target by 2030
    catching_up = assess([(2018, 1000), (2019, 970), (2020, 940)], **ref)
    assert catching_up.status == DANS_TRAJECTOIRE and "tendance" in catching_up.reason
    assert catching_up.change == pytest.approx(-6.0)


def test_status_rising_target():
    ref = dict(ref_year=2015, ref_value=100, target_year=2030, target_value=400)  # +20/yr
    assert assess([(2020, 200)], **ref).status == DANS_TRAJECTOIRE
    assert assess([(2020, 260)], **ref).status == EN_AVANCE
    assert assess([(2019, 120), (2020, 125)], **ref).status == EN_RETARD
    assert assess([(2028, 410)], **ref).status == ATTEINT


def test_status_negative_values_sequestration():
    ref = dict(ref_year=2015, ref_value=-50, target_year=2030, target_value=-80)  # store more carbon
    assert assess([(2020, -60)], **ref).status == DANS_TRAJECTOIRE
    assert assess([(2020, -45), (2021, -44)], **ref).status == EN_RETARD
    assert assess([(2025, -85)], **ref).status == ATTEINT


def test_target_equal_to_reference_means_keeping_the_level():
    ref = dict(ref_year=2015, ref_value=100, target_year=2030, target_value=100)
    assert assess([(2020, 101)], **ref).status == ATTEINT  # within tolerance
    kept = assess([(2020, 120)], **ref)
    assert kept.status == EN_RETARD and kept.progress is None


def test_insufficient_data():
    assert assess([], 2015, 1000, 2030, 700).status == INSUFFISANT
    assert assess([(2020, None)], 2015, 1000, 2030, 700).status == INSUFFISANT
    no_target = assess([(2020, 900)], 2015, 1000, None, None)
    assert no_target.status == INSUFFISANT and no_target.change == pytest.approx(-10)
    assert assess([(2020, 900)], None, None, 2030, 700).status == INSUFFISANT
    single = assess([(2020, 990)], 2015, 1000, 2030, 700)
    assert single.status == EN_RETARD and "une seule valeur" in single.reason
