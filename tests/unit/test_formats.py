"""French formatting helpers: numbers, percentages, units, dates, Paris times, ages."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from components.formats import (
    MINUS,
    MISSING,
    NBSP,
    NNBSP,
    fmt_age,
    fmt_date,
    fmt_date_long,
    fmt_datetime,
    fmt_int,
    fmt_number,
    fmt_percent,
    fmt_unit,
)

UTC = dt.timezone.utc


def plain(text: str) -> str:
    """Readable form for assertions: narrow/no-break spaces -> ' ', minus sign -> '-'."""
    return text.replace(NNBSP, " ").replace(NBSP, " ").replace(MINUS, "-")


# ------------------------------------------------------------------------------------------ characters


def test_separator_characters_are_documented_ones():
    assert NNBSP == "\u202f"
    assert NBSP == "\u00a0"
    assert MINUS == "\u2212"
    assert MISSING == "\u2013"


def test_thousands_use_narrow_no_break_space():
    assert fmt_number(1234567.8) == f"1{NNBSP}234{NNBSP}567,8"
    assert " " not in fmt_number(1234567.8)


def test_percent_and_unit_use_no_break_space():
    assert fmt_percent(12.5) == f"12,5{NBSP}%"
    assert fmt_unit(1234, "tCO2e") == f"1{NNBSP}234{NBSP}tCO2e"


# ------------------------------------------------------------------------------------------ fmt_number


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567.8, None, "1 234 567,8"),
        (1234567, None, "1 234 567"),
        (0, None, "0"),
        (0.0, None, "0"),
        (-0.0, None, "0"),
        (999, None, "999"),
        (1000, None, "1 000"),
        (12.5, None, "12,5"),
        (0.5, None, "0,5"),
        (3.14159, None, "3,142"),  # babel fr default: at most 3 decimals
        (2.0, None, "2"),  # trailing zeros dropped by default
        (2, 1, "2,0"),  # fixed decimals keep them
        (1234.5678, 2, "1 234,57"),
        (1234.5, 0, "1 235"),
        (0.125, 2, "0,13"),  # half away from zero on the written value
        (0.115, 2, "0,12"),  # 0.115 is 0.11499999... in binary; still 0,12
        (2.5, 0, "3"),
        (3.5, 0, "4"),
        (-2.5, 0, "-3"),
        (1.005, 2, "1,01"),
        (0.1 + 0.2, None, "0,3"),
        (1e15, None, "1 000 000 000 000 000"),
        (12345678901234567890, None, "12 345 678 901 234 567 890"),
        (1e-10, None, "0"),
        (Decimal("1234.5"), None, "1 234,5"),
        ("1234.5", None, "1 234,5"),
    ],
)
def test_fmt_number(value, decimals, expected):
    assert plain(fmt_number(value, decimals)) == expected


def test_negative_numbers_use_minus_sign():
    assert fmt_number(-1234567.8) == f"{MINUS}1{NNBSP}234{NNBSP}567,8"
    assert "-" not in fmt_number(-5)


def test_negative_rounding_to_zero_has_no_sign():
    assert fmt_number(-0.0004) == "0"
    assert fmt_number(-0.04, 1) == "0,0"


@pytest.mark.parametrize("value", [None, math.nan, float("nan"), "abc", "", True, object()])
def test_fmt_number_missing(value):
    assert fmt_number(value) == MISSING
    assert fmt_number(value, 2) == MISSING


def test_fmt_number_infinity():
    assert fmt_number(math.inf) == "\u221e"
    assert fmt_number(-math.inf) == MINUS + "\u221e"


def test_fmt_number_huge_float_does_not_raise():
    text = plain(fmt_number(1e308, 2))
    assert text.startswith("100 000") and text.endswith(",00")


def test_fmt_number_negative_decimals_means_zero():
    assert fmt_number(12.6, -1) == "13"


def test_fmt_number_numpy_and_pandas_values():
    np = pytest.importorskip("numpy")
    assert fmt_number(np.float64(1.5)) == "1,5"
    assert plain(fmt_number(np.int64(1234))) == "1 234"
    assert fmt_number(np.float32(0.1)) == "0,1"
    assert fmt_number(np.nan) == MISSING
    pd = pytest.importorskip("pandas")
    assert fmt_number(pd.NA) == MISSING
    assert fmt_number(pd.NaT) == MISSING


# ------------------------------------------------------------------------------------------ fmt_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234.4, "1 234"), (1234.5, "1 235"), (-1234.5, "-1 235"), (0, "0"), (0.49, "0"), (10**9, "1 000 000 000")],
)
def test_fmt_int(value, expected):
    assert plain(fmt_int(value)) == expected


def test_fmt_int_missing():
    assert fmt_int(None) == MISSING
    assert fmt_int(math.nan) == MISSING


# ------------------------------------------------------------------------------------------ fmt_percent


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (12.5, {}, "12,5 %"),
        (12, {}, "12,0 %"),
        (0, {}, "0,0 %"),
        (100, {"decimals": 0}, "100 %"),
        (12.345, {"decimals": 2}, "12,35 %"),
        (1234.5, {}, "1 234,5 %"),
        (-12.5, {}, "-12,5 %"),
        (12.5, {"signed": True}, "+12,5 %"),
        (-12.5, {"signed": True}, "-12,5 %"),
        (0, {"signed": True}, "0,0 %"),
        (0.04, {"signed": True}, "0,0 %"),
        (-0.04, {"signed": True}, "0,0 %"),
        (0.05, {"signed": True}, "+0,1 %"),
    ],
)
def test_fmt_percent(value, kwargs, expected):
    assert plain(fmt_percent(value, **kwargs)) == expected


def test_fmt_percent_signed_uses_real_minus_and_plus():
    assert fmt_percent(-12.5, signed=True) == f"{MINUS}12,5{NBSP}%"
    assert fmt_percent(12.5, signed=True) == f"+12,5{NBSP}%"


def test_fmt_percent_value_is_already_a_percentage():
    assert plain(fmt_percent(0.125)) == "0,1 %"


@pytest.mark.parametrize("value", [None, math.nan, "x"])
def test_fmt_percent_missing(value):
    assert fmt_percent(value) == MISSING
    assert fmt_percent(value, signed=True) == MISSING


# ------------------------------------------------------------------------------------------ fmt_unit


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (1234, "tCO2e", None, "1 234 tCO2e"),
        (1234.56, "kWh", 1, "1 234,6 kWh"),
        (-3, "°C", None, "-3 °C"),
        (0, "km", None, "0 km"),
        (5, "", None, "5"),
    ],
)
def test_fmt_unit(value, unit, decimals, expected):
    assert plain(fmt_unit(value, unit, decimals)) == expected


def test_fmt_unit_missing_has_no_unit():
    assert fmt_unit(None, "tCO2e") == MISSING
    assert fmt_unit(math.nan, "km") == MISSING


# ------------------------------------------------------------------------------------------ dates


def test_fmt_date():
    assert fmt_date(dt.date(2026, 3, 5)) == "05/03/2026"
    assert fmt_date(dt.date(1999, 12, 31)) == "31/12/1999"


def test_fmt_date_iso_text():
    assert fmt_date("2026-03-05") == "05/03/2026"
    assert fmt_date("2026-03-05T23:30:00Z") == "06/03/2026"  # 00:30 in Paris
    assert fmt_date("pas une date") == MISSING
    assert fmt_date("") == MISSING


def test_fmt_date_datetime_is_shown_in_paris():
    assert fmt_date(dt.datetime(2026, 3, 5, 23, 30, tzinfo=UTC)) == "06/03/2026"
    assert fmt_date(dt.datetime(2026, 3, 5, 22, 59, tzinfo=UTC)) == "05/03/2026"
    assert fmt_date(dt.datetime(2026, 3, 5, 23, 30)) == "06/03/2026"  # naive = UTC


@pytest.mark.parametrize("value", [None, math.nan])
def test_fmt_date_missing(value):
    assert fmt_date(value) == MISSING
    assert fmt_date_long(value) == MISSING
    assert fmt_datetime(value) == MISSING


def test_dates_accept_pandas_timestamps():
    pd = pytest.importorskip("pandas")
    assert fmt_date(pd.Timestamp("2026-03-05")) == "05/03/2026"
    assert fmt_datetime(pd.Timestamp("2026-07-01T12:00Z")) == "01/07/2026 à 14:00"
    assert fmt_date(pd.NaT) == MISSING
    assert fmt_datetime(pd.NaT) == MISSING


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 3, 5), "5 mars 2026"),
        (dt.date(2026, 3, 1), "1er mars 2026"),
        (dt.date(2026, 2, 11), "11 février 2026"),
        (dt.date(2026, 8, 15), "15 août 2026"),
        (dt.date(2026, 12, 31), "31 décembre 2026"),
        (dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "1er janvier 2026"),
    ],
)
def test_fmt_date_long(value, expected):
    assert fmt_date_long(value) == expected


# ------------------------------------------------------------------------------------------ fmt_datetime


def test_fmt_datetime_utc_to_paris_winter():
    assert fmt_datetime(dt.datetime(2026, 3, 5, 13, 5, tzinfo=UTC)) == "05/03/2026 à 14:05"


def test_fmt_datetime_utc_to_paris_summer():
    assert fmt_datetime(dt.datetime(2026, 7, 14, 8, 0, tzinfo=UTC)) == "14/07/2026 à 10:00"


def test_fmt_datetime_naive_is_utc():
    assert fmt_datetime(dt.datetime(2026, 3, 5, 13, 5)) == "05/03/2026 à 14:05"


def test_fmt_datetime_other_timezone_is_converted():
    new_york = ZoneInfo("America/New_York")
    assert fmt_datetime(dt.datetime(2026, 3, 5, 9, 5, tzinfo=new_york)) == "05/03/2026 à 15:05"


def test_fmt_datetime_already_paris_is_unchanged():
    paris = ZoneInfo("Europe/Paris")
    assert fmt_datetime(dt.datetime(2026, 3, 5, 14, 5, tzinfo=paris)) == "05/03/2026 à 14:05"


def test_fmt_datetime_midnight_crossing():
    assert fmt_datetime(dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "01/01/2027 à 00:30"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Spring forward: Sunday 29 March 2026, 02:00 CET -> 03:00 CEST (01:00 UTC).
        (dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29/03/2026 à 01:59"),
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29/03/2026 à 03:00"),
        # Fall back: Sunday 25 October 2026, 03:00 CEST -> 02:00 CET (01:00 UTC): 02:30 happens twice.
        (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25/10/2026 à 02:30"),
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25/10/2026 à 02:30"),
        (dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC), "25/10/2026 à 03:00"),
    ],
)
def test_fmt_datetime_dst_transitions(utc, expected):
    assert fmt_datetime(utc) == expected


def test_fmt_datetime_plain_date_has_no_time():
    assert fmt_datetime(dt.date(2026, 3, 5)) == "05/03/2026"


def test_fmt_datetime_iso_text():
    assert fmt_datetime("2026-03-05T13:05:00+00:00") == "05/03/2026 à 14:05"
    assert fmt_datetime("2026-03-05T13:05:00Z") == "05/03/2026 à 14:05"


# ------------------------------------------------------------------------------------------ fmt_age


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "à l'instant"),
        (1, "à l'instant"),
        (59, "à l'instant"),
        (59.9, "à l'instant"),
        (60, "il y a 1 min"),
        (119, "il y a 1 min"),
        (180, "il y a 3 min"),
        (3599, "il y a 59 min"),
        (3600, "il y a 1 h"),
        (7200, "il y a 2 h"),
        (86399, "il y a 23 h"),
        (86400, "il y a 1 jour"),
        (172799, "il y a 1 jour"),
        (172800, "il y a 2 jours"),
        (5 * 86400, "il y a 5 jours"),
        (30 * 86400 - 1, "il y a 29 jours"),
        (30 * 86400, "il y a 1 mois"),
        (90 * 86400, "il y a 3 mois"),
        (365 * 86400 - 1, "il y a 12 mois"),
        (365 * 86400, "il y a 1 an"),
        (2 * 365 * 86400, "il y a 2 ans"),
    ],
)
def test_fmt_age(seconds, expected):
    assert plain(fmt_age(seconds)) == expected


def test_fmt_age_uses_no_break_space():
    assert fmt_age(180) == f"il y a 3{NBSP}min"


def test_fmt_age_timedelta():
    assert plain(fmt_age(dt.timedelta(hours=2, minutes=59))) == "il y a 2 h"
    assert plain(fmt_age(dt.timedelta(days=5))) == "il y a 5 jours"


def test_fmt_age_negative_is_now():
    assert fmt_age(-5) == "à l'instant"
    assert fmt_age(-3600) == "à l'instant"


@pytest.mark.parametrize("value", [None, math.nan, "abc"])
def test_fmt_age_missing(value):
    assert fmt_age(value) == MISSING


def test_fmt_age_huge_does_not_raise():
    assert fmt_age(math.inf) == "il y a très longtemps"
    assert plain(fmt_age(1e12)).startswith("il y a 31 709 ans")


def test_numbers_are_written_as_babel_writes_them_for_fr_fr():
    """The digits are written without babel (50 µs a number); babel's fr_FR output stays the reference."""
    import random
    from decimal import Decimal

    from babel.numbers import format_decimal

    from components.formats import _round

    rng = random.Random(13)
    values = [0, 1, 999, 1000, 12345.5, 1e15, 0.0005, 2.675, -1234.5678, 99999.9999] + \
             [rng.uniform(-1e7, 1e7) for _ in range(300)] + [rng.randint(-10**9, 10**9) for _ in range(200)]
    for value in values:
        for decimals in (None, 0, 1, 2, 3):
            number = _round(Decimal(repr(value)), 3 if decimals is None else decimals)
            pattern = "#,##0.###" if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
            expected = format_decimal(abs(number), format=pattern, locale="fr_FR")
            assert fmt_number(value, decimals).lstrip(MINUS) == expected, (value, decimals)
