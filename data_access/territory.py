"""The territory as the catalog describes it: its communes, "tout le territoire", the commune filter, outlines.

Every dashboard reads these instead of naming a place: a page never writes a commune, a city or a code.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from data_access.catalog import Territory

ALL = "all"  # "tout le territoire"
ALL_LABEL = "tout le territoire"


def today(territory: Territory) -> date:
    """The date as people live it in the territory (its time zone), not the server's."""
    return datetime.now(ZoneInfo(territory.timezone)).date()


def codes(territory: Territory) -> list[str]:
    return sorted(territory.codes)


def names(territory: Territory) -> dict[str, str]:
    """INSEE code -> commune name."""
    return {c.code: c.name for c in territory.communes}


def default_commune(territory: Territory) -> str:
    """What a page shows when the URL names no commune: the catalog's default, else the whole territory."""
    return territory.default_commune or ALL


def label(code: str, territory: Territory) -> str:
    return ALL_LABEL if code == ALL else (territory.commune_name(code) or code)


def filter_commune(frame: pl.DataFrame, commune: str, column: str | None = "commune_code") -> pl.DataFrame:
    """Rows of one commune, or every row for the whole territory. A dataset without a commune column covers
    the whole territory: it is returned whole."""
    if commune == ALL or column is None or column not in frame.columns:
        return frame
    return frame.filter(pl.col(column) == commune)


def commune_for_single_budget(frame: pl.DataFrame, territory: Territory, column: str = "commune_code") -> str | None:
    """For data published for some communes only (a budget, a budget climat): the territory's default commune
    when the data has it, else the commune of the data with the most rows (ties: the smaller code)."""
    if column not in frame.columns or frame.is_empty():
        return None
    present = frame.filter(pl.col(column).is_not_null()).group_by(column).len().sort(["len", column],
                                                                                     descending=[True, False])
    found = present[column].to_list()
    if territory.default_commune in found:
        return territory.default_commune
    return found[0] if found else None
