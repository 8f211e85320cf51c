"""Indicator math of the climate plan: change against the reference, progress towards the target, the
straight trajectory, the projection of the recent trend, and the status. Pure functions, no I/O.

Conventions: a reference is the situation of the reference year; a target is the value to reach in the
target year. "Progress" is 0 % at the reference and 100 % at the target, whether the target rises or falls;
it may be negative (moving away) or above 100 % (beyond the target).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


ATTEINT, EN_AVANCE, DANS_TRAJECTOIRE, EN_RETARD, INSUFFISANT = (
    "atteint", "en avance", "dans la trajectoire", "en retard", "données insuffisantes")
STATUSES = (ATTEINT, EN_AVANCE, DANS_TRAJECTOIRE, EN_RETARD, INSUFFISANT)

# Ahead of or behind the straight trajectory by less than this share of the reference→target distance
# counts as "on the trajectory": yearly figures carry that much noise.
TOLERANCE = 0.02
PROJECTION_POINTS = 5  # the projection is a least-squares line through the last N yearly values

Point = tuple[int, float]  # (year, value)


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def change_vs_reference(value, reference) -> float | None:
    """Change in % against the reference value; None when undefined (no value, reference 0)."""
    value, reference = _number(value), _number(reference)
    if value is None or reference is None or reference == 0:
        return None
    return (value - reference) / abs(reference) * 100


def progress(value, reference, target) -> float | None:
    """Share of the way from the reference (0 %) to the target (100 %); None when undefined."""
    value, reference, target = _number(value), _number(reference), _number(target)
    if value is None or reference is None or target is None or target == reference:
        return None
    return (value - reference) / (target - reference) * 100


def trajectory(ref_year: int, ref_value, target_year: int, target_value, year: int) -> float | None:
    """The value expected in ``year`` on the straight line from the reference to the target."""
    ref_value, target_value = _number(ref_value), _number(target_value)
    if ref_value is None or target_value is None or target_year == ref_year:
        return None
    return ref_value + (target_value - ref_value) * (year - ref_year) / (target_year - ref_year)


def projection(points: list[Point], year: int, last: int = PROJECTION_POINTS) -> float | None:
    """The value in ``year`` if the trend of the last ``last`` yearly values goes on (least squares).

    Needs at least two values in distinct years; missing years are simply absent points.
    """
    clean = sorted((int(y), float(v)) for y, v in points if _number(v) is not None)[-last:]
    if len({y for y, _ in clean}) < 2:
        return None
    n = len(clean)
    mean_x = sum(y for y, _ in clean) / n
    mean_y = sum(v for _, v in clean) / n
    sxx = sum((y - mean_x) ** 2 for y, _ in clean)
    slope = sum((y - mean_x) * (v - mean_y) for y, v in clean) / sxx
    return mean_y + slope * (year - mean_x)


@dataclass(frozen=True)
class Assessment:
    last_year: int | None
    last_value: float | None
    change: float | None  # % against the reference
    progress: float | None  # % of the way to the target
    expected: float | None  # value expected on the trajectory in the last year
    projected: float | None  # value projected for the target year
    status: str
    reason: str  # why, in one French sentence


def assess(points: list[Point], ref_year: int | None, ref_value, target_year: int | None, target_value,
           tolerance: float = TOLERANCE) -> Assessment:
    """Where an indicator stands: its last value against the reference, the target and the trajectory."""
    clean = sorted((int(y), float(v)) for y, v in points if _number(v) is not None)
    last_year, last_value = clean[-1] if clean else (None, None)
    ref_value, target_value = _number(ref_value), _number(target_value)
    change = change_vs_reference(last_value, ref_value)
    if last_value is None:
        return Assessment(None, None, None, None, None, None, INSUFFISANT, "aucune valeur mesurée")
    if ref_year is None or ref_value is None or target_year is None or target_value is None:
        return Assessment(last_year, last_value, change, None, None, None, INSUFFISANT,
                          "pas d'objectif ou pas de situation de référence")
    projected = projection(clean, target_year)
    if target_value == ref_value:  # keep the level of the reference
        reached = abs(last_value - target_value) <= tolerance * max(abs(target_value), 1e-9)
        return Assessment(last_year, last_value, change, None, target_value, projected,
                          ATTEINT if reached else EN_RETARD,
                          "niveau de référence maintenu" if reached else "écart au niveau de référence")
    done = progress(last_value, ref_value, target_value)
    expected = trajectory(ref_year, ref_value, target_year, target_value, last_year)
    direction = 1 if target_value > ref_value else -1
    ahead = (last_value - expected) * direction / abs(target_value - ref_value)  # share of the distance
    if done >= 100:
        status, reason = ATTEINT, "l'objectif est atteint"
    elif ahead > tolerance:
        status, reason = EN_AVANCE, "au-delà de la trajectoire vers l'objectif"
    elif ahead >= -tolerance:
        status, reason = DANS_TRAJECTOIRE, "sur la trajectoire vers l'objectif"
    elif projected is not None and (projected - target_value) * direction >= 0:
        status, reason = DANS_TRAJECTOIRE, "en deçà de la trajectoire, mais la tendance récente atteint l'objectif"
    else:
        status, reason = EN_RETARD, "en deçà de la trajectoire, et la tendance récente n'atteint pas l'objectif"
    if len(clean) < 2 and status != ATTEINT:
        reason += " (une seule valeur : pas de tendance)"
    return Assessment(last_year, last_value, change, done, expected, projected, status, reason)
