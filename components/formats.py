"""French formatting of numbers, percentages, dates and ages, for the UI and for exports.

Pure functions built on babel (CLDR data for ``fr_FR``). Whitespace follows babel/CLDR for fr_FR and
French typography, and is never a plain space, so that a figure never breaks across two lines:

- thousands separator: NARROW NO-BREAK SPACE U+202F (``NNBSP``) -> ``1 234 567,8``;
- before ``%`` and before a unit: NO-BREAK SPACE U+00A0 (``NBSP``) -> ``12,5 %``, ``1 234 tCO2e``;
- between a number and its unit in ages too: ``il y a 3 min``;
- negative numbers take the real minus sign U+2212 (``MINUS``), as plotly draws them in charts.

Compare with these constants (or normalise whitespace) rather than typing the characters in tests.

Missing values (None, NaN, NaT, pandas.NA, text that is not a number) render as an en dash ``–``
(``MISSING``): a page never crashes on a bad value. Rounding is half away from zero (0,125 -> 0,13),
the rule of French public accounts, on the decimal value as written (0.125, not its binary float).
Numbers are formatted from their shortest decimal representation, so 0.1 + 0.2 shows ``0,3``.

Time zone: datetimes are shown in Europe/Paris time. Timezone-aware values are converted; naive
datetimes are taken as UTC (the app stores timestamps in UTC). Plain dates are shown as they are.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_format_date

__all__ = [
    "LOCALE",
    "PARIS",
    "MISSING",
    "NBSP",
    "NNBSP",
    "MINUS",
    "fmt_number",
    "fmt_int",
    "fmt_percent",
    "fmt_date",
    "fmt_datetime",
    "fmt_date_long",
    "fmt_age",
    "fmt_unit",
]

LOCALE = "fr_FR"
PARIS = ZoneInfo("Europe/Paris")

MISSING = "\u2013"  # en dash
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]  # Monday first, as ISO
NBSP = "\u00a0"  # NO-BREAK SPACE: before % and units
NNBSP = "\u202f"  # NARROW NO-BREAK SPACE: thousands separator (babel fr_FR)
MINUS = "\u2212"  # MINUS SIGN
PLUS = "+"

# babel's default fr_FR decimal pattern keeps at most 3 decimals.
_DEFAULT_MAX_DECIMALS = 3
_FRENCH_DIGITS = str.maketrans({",": NNBSP, ".": ","})


# ------------------------------------------------------------------------------------------ helpers


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        # NaN, NaT, pd.NA: not equal to themselves (pd.NA raises on bool()).
        return bool(value != value)
    except (TypeError, ValueError):
        return True


def _to_decimal(value) -> Decimal | None:
    """A finite or infinite Decimal, or None when the value is missing or not a number."""
    if _is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    try:
        # str() of a float is its shortest round-trip repr ("0.125"), so rounding works on the written value.
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        try:
            number = Decimal(str(float(value)))
        except (InvalidOperation, ValueError, TypeError, OverflowError):
            return None
    return None if number.is_nan() else number


def _round(number: Decimal, decimals: int) -> Decimal:
    # Enough precision for any float (1e308 has 309 digits): quantize never raises InvalidOperation.
    with localcontext() as ctx:
        ctx.prec = max(28, number.adjusted() + decimals + 2)
        rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded  # no "−0,0"


def _format_decimal(number: Decimal, decimals: int | None, signed: bool = False) -> str:
    """Core: rounding, French digit grouping (as babel fr_FR), real minus sign."""
    if number.is_infinite():
        body = "\u221e"
        sign = MINUS if number < 0 else (PLUS if signed else "")
        return sign + body
    if decimals is None:
        # Round first (half up) at babel's default precision, then drop trailing zeros (its "#,##0.###").
        number = _round(number, _DEFAULT_MAX_DECIMALS)
        body = f"{abs(number):,f}"
        body = body.rstrip("0").rstrip(".") if "." in body else body
    else:
        decimals = max(0, int(decimals))
        number = _round(number, decimals)
        body = f"{abs(number):,.{decimals}f}"
    # babel's fr_FR digits (U+202F between thousands, decimal comma), written directly: the Decimal is already
    # rounded, and babel took 50 µs a number (a table of the finance page has thousands).
    body = body.translate(_FRENCH_DIGITS)
    if number < 0:
        return MINUS + body
    if signed and number > 0:
        return PLUS + body
    return body


def _to_paris(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(PARIS)


def _parse_temporal(value):
    """date / datetime (pandas Timestamp included) / ISO 8601 text -> date or datetime, else None."""
    if _is_missing(value):
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp-like that is not a datetime subclass
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy.datetime64 -> datetime/int
        item = value.item()
        return item if isinstance(item, (dt.datetime, dt.date)) else None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _local_date(value) -> dt.date | None:
    parsed = _parse_temporal(value)
    if parsed is None:
        return None
    if isinstance(parsed, dt.datetime):
        return _to_paris(parsed).date()
    return parsed


# ------------------------------------------------------------------------------------------ numbers


def fmt_number(value, decimals: int | None = None) -> str:
    """``1234567.8`` -> ``"1 234 567,8"`` (U+202F between thousands).

    ``decimals=None`` keeps up to 3 decimals and drops trailing zeros (babel's fr_FR default);
    an integer fixes the number of decimals (``fmt_number(2, 1)`` -> ``"2,0"``). Missing -> ``"–"``.
    """
    number = _to_decimal(value)
    if number is None:
        return MISSING
    return _format_decimal(number, decimals)


def fmt_int(value) -> str:
    """Rounded to the unit (half away from zero): ``1234.5`` -> ``"1 235"``."""
    return fmt_number(value, 0)


def fmt_percent(value, decimals: int = 1, signed: bool = False) -> str:
    """A value already in percent: ``12.5`` -> ``"12,5 %"`` (U+00A0 before %).

    ``signed=True`` shows the direction of a change: ``"+12,5 %"``, ``"−12,5 %"`` (U+2212); a change that
    rounds to zero has no sign (``"0,0 %"``). Negative values always carry U+2212.
    """
    number = _to_decimal(value)
    if number is None:
        return MISSING
    return _format_decimal(number, decimals, signed=signed) + NBSP + "%"


def fmt_unit(value, unit: str, decimals: int | None = None) -> str:
    """``fmt_unit(1234, "tCO2e")`` -> ``"1 234 tCO2e"`` (U+00A0 before the unit). Missing -> ``"–"``."""
    text = fmt_number(value, decimals)
    if text == MISSING or not unit:
        return text
    return f"{text}{NBSP}{unit}"


# ------------------------------------------------------------------------------------------ dates


def fmt_date(value) -> str:
    """``date(2026, 3, 5)`` -> ``"05/03/2026"``; datetimes are first put in Paris time (naive = UTC)."""
    day = _local_date(value)
    if day is None:
        return MISSING
    return _babel_format_date(day, "dd/MM/yyyy", locale=LOCALE)


def fmt_date_long(value) -> str:
    """``date(2026, 3, 5)`` -> ``"5 mars 2026"``; the first of the month is ``"1er mars 2026"``."""
    day = _local_date(value)
    if day is None:
        return MISSING
    text = _babel_format_date(day, "d MMMM y", locale=LOCALE)
    if day.day == 1:
        text = "1er" + text[1:]
    return text


def fmt_datetime(value) -> str:
    """``"05/03/2026 à 14:05"`` in Europe/Paris time.

    Timezone-aware datetimes are converted; naive ones are taken as UTC. A plain date has no time:
    it is shown as ``fmt_date`` would.
    """
    parsed = _parse_temporal(value)
    if parsed is None:
        return MISSING
    if not isinstance(parsed, dt.datetime):
        return fmt_date(parsed)
    local = _to_paris(parsed)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


# ------------------------------------------------------------------------------------------ ages

_MINUTE = 60
_HOUR = 3600
_DAY = 86400
_MONTH = 30 * _DAY
_YEAR = 365 * _DAY


def fmt_age(seconds) -> str:
    """How long ago, in French: ``"à l'instant"`` (< 1 min), ``"il y a 3 min"``, ``"il y a 2 h"``,
    ``"il y a 1 jour"``, ``"il y a 5 jours"``, ``"il y a 3 mois"`` (from 30 days), ``"il y a 2 ans"``
    (from 365 days). Units are truncated (119 s -> 1 min). Accepts seconds or a ``timedelta``.
    A negative age (clock skew between servers) reads ``"à l'instant"``. Missing -> ``"–"``.
    """
    if isinstance(seconds, dt.timedelta):
        seconds = seconds.total_seconds()
    number = _to_decimal(seconds)
    if number is None:
        return MISSING
    if number.is_infinite():
        return MISSING if number < 0 else "il y a très longtemps"
    secs = int(number)  # truncates toward zero
    if secs < _MINUTE:
        return "à l'instant"
    if secs < _HOUR:
        return f"il y a {secs // _MINUTE}{NBSP}min"
    if secs < _DAY:
        return f"il y a {secs // _HOUR}{NBSP}h"
    if secs < _MONTH:
        days = secs // _DAY
        return f"il y a {days}{NBSP}jour{'s' if days > 1 else ''}"
    if secs < _YEAR:
        return f"il y a {secs // _MONTH}{NBSP}mois"
    years = secs // _YEAR
    return f"il y a {fmt_int(years)}{NBSP}an{'s' if years > 1 else ''}"
