"""Dates and times without a clock. Mirrors the Rust SDK's ``custode_sdk::time``.

A timestamp is whole seconds since 1970-01-01T00:00:00Z as an ``int``, the form every timestamp
takes when it crosses the plugin boundary. Plugins have no clock: "now" is always an argument. The
calendar is the proleptic Gregorian one, in UTC; a date without a time means midnight UTC.

>>> collected = parse_date("15/01/2024")
>>> now = parse_date("2026-03-20T09:00:00Z")
>>> format_iso(collected), months_between(collected, now), format_date(add_months(collected, 24))
('2024-01-15T00:00:00Z', 26, '2026-01-15')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECONDS_PER_DAY = 86_400
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The date ``(year, month, day)`` of a day count since 1970-01-01."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return (yoe + era * 400 + (1 if month <= 2 else 0), month, day)


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap_year(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True)
class Civil:
    """A date and time of day in UTC, broken into its parts."""
    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0

    @staticmethod
    def of(ts: int) -> "Civil":
        days, secs = divmod(ts, SECONDS_PER_DAY)
        year, month, day = civil_from_days(days)
        return Civil(year, month, day, secs // 3600, secs // 60 % 60, secs % 60)

    def timestamp(self) -> int:
        return (days_from_civil(self.year, self.month, self.day) * SECONDS_PER_DAY
                + self.hour * 3600 + self.minute * 60 + self.second)


def _problem(year: int, month: int, day: int, hour: int, minute: int, second: int) -> str | None:
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    last = days_in_month(year, month)
    if not 1 <= day <= last:
        return f"{_MONTHS[month - 1]} {year} has {last} days"
    if hour > 23 or minute > 59 or second > 59:
        return f"{hour:02}:{minute:02}:{second:02} is not a time of day"
    return None


def from_civil(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    """The timestamp of checked parts; ``ValueError`` names the part out of range.

    >>> from_civil(2026, 1, 15, 10, 30)
    1768473000
    """
    problem = _problem(year, month, day, hour, minute, second)
    if problem:
        raise ValueError(problem)
    return Civil(year, month, day, hour, minute, second).timestamp()


def add_months(ts: int, months: int) -> int:
    """The same time of day ``months`` calendar months later (earlier when negative); a day that does
    not exist in the target month becomes its last day (31 January + 1 month = 28/29 February)."""
    c = Civil.of(ts)
    year, month0 = divmod(c.year * 12 + c.month - 1 + months, 12)
    month = month0 + 1
    return Civil(year, month, min(c.day, days_in_month(year, month)), c.hour, c.minute, c.second).timestamp()


def add_days(ts: int, days: int) -> int:
    return ts + days * SECONDS_PER_DAY


def months_between(start: int, end: int) -> int:
    """Whole calendar months from ``start`` to ``end``: the largest ``n`` with
    ``add_months(start, n) <= end``; negative, by the same rule, when ``end`` is earlier."""
    if end < start:
        return -months_between(end, start)
    a, b = Civil.of(start), Civil.of(end)
    n = (b.year - a.year) * 12 + b.month - a.month
    return n - 1 if add_months(start, n) > end else n


def _year(year: int) -> str:
    return f"{year:04}" if 0 <= year <= 9999 else f"{year:+05}"


def format_iso(ts: int) -> str:
    """RFC 3339 in UTC: ``2026-01-15T10:30:00Z``."""
    c = Civil.of(ts)
    return f"{_year(c.year)}-{c.month:02}-{c.day:02}T{c.hour:02}:{c.minute:02}:{c.second:02}Z"


def format_date(ts: int) -> str:
    """The UTC date of a timestamp: ``2026-01-15``."""
    c = Civil.of(ts)
    return f"{_year(c.year)}-{c.month:02}-{c.day:02}"


def epoch_seconds_or_millis(n: int) -> int:
    """A Unix time in seconds or milliseconds: 100 000 000 000 and more is taken as milliseconds."""
    return n // 1000 if abs(n) >= 100_000_000_000 else n


_ISO = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?!\d)")
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})(?!\d)")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d+)")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?")
_BASIC_TIME = re.compile(r"(\d{2})(\d{2})(?:(\d{2})(?:[.,]\d+)?)?")
_ZONE = re.compile(r" *(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?")


class _Unknown(Exception):
    """Not a form we know (no detail for the message)."""


def parse_date(text: str, order: str = "day-first") -> int:
    """A date, or a date and time, as a timestamp. Accepted, with surrounding spaces ignored: ISO
    dates (``2026-01-15``, ``2026/01/15``, ``20260115``), with a time after ``T`` or a space
    (``2026-01-15T10:30``, ``2026-01-15 10:30:00``, ``20260115T103000Z``; fractions of a second are
    dropped) and a zone (``Z``, ``±HH:MM``, ``±HHMM``, ``±HH``; none means UTC); day first
    (``15/01/2026``, ``15-01-2026``, ``15.1.2026``) or, with ``order="month-first"``, month first,
    optionally with a time. ``ValueError`` names the text and the accepted forms.

    >>> format_iso(parse_date("2026-01-15T11:30:00+01:00"))
    '2026-01-15T10:30:00Z'
    >>> parse_date("31/02/2026")
    Traceback (most recent call last):
    ValueError: `31/02/2026` is not a date (February 2026 has 28 days); use YYYY-MM-DD or dd/mm/yyyy
    """
    trimmed = text.strip()
    forms = "YYYY-MM-DD or mm/dd/yyyy" if order == "month-first" else "YYYY-MM-DD or dd/mm/yyyy"
    try:
        return _parse(trimmed, order)
    except _Unknown:
        raise ValueError(f"`{trimmed}` is not a date; use {forms}") from None
    except ValueError as e:
        raise ValueError(f"`{trimmed}` is not a date ({e}); use {forms}") from None


def _parse(s: str, order: str) -> int:
    basic = False
    if m := _ISO.match(s):
        year, month, day = int(m[1]), int(m[3]), int(m[4])
    elif m := _BASIC.match(s):
        year, month, day, basic = int(m[1]), int(m[2]), int(m[3]), True
    elif m := _NUMERIC.match(s):
        if len(m[4]) == 2:
            raise ValueError("the year has two digits; write all four")
        if len(m[4]) != 4:
            raise _Unknown
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        month, day = (first, second) if order == "month-first" else (second, first)
    else:
        raise _Unknown
    rest = s[m.end():]
    hour = minute = second = offset = 0
    if rest:
        if rest[0] not in "Tt ":
            raise _Unknown
        rest = rest.lstrip(" ") if rest[0] == " " else rest[1:]
        t = (_TIME if not basic or ":" in rest[:3] else _BASIC_TIME).match(rest)
        if not t:
            raise _Unknown
        hour, minute, second = int(t[1]), int(t[2]), int(t[3] or 0)
        z = _ZONE.fullmatch(rest[t.end():])
        if not z:
            raise _Unknown
        if z[2]:
            hours, minutes = int(z[3]), int(z[4] or 0)
            if hours > 23 or minutes > 59:
                raise ValueError(f"the zone offset {hours:02}:{minutes:02} is out of range")
            offset = (1 if z[2] == "+" else -1) * (hours * 3600 + minutes * 60)
    problem = _problem(year, month, day, hour, minute, second)
    if problem:
        raise ValueError(problem)
    return Civil(year, month, day, hour, minute, second).timestamp() - offset
