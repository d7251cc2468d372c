"""Working days in Poland: the deadline of a case skips Saturdays, Sundays and
the public holidays of the act on days free from work (ustawa z 18 stycznia 1951
o dniach wolnych od pracy, with 24 December since 2025). Pure functions."""

from __future__ import annotations

import datetime
from functools import lru_cache


def easter_sunday(year: int) -> datetime.date:
    """Western Easter (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[datetime.date]:
    """The statutory days free from work of `year`."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)]
    if year >= 2025:  # Wigilia, free since 2025
        fixed.append((12, 24))
    days = {datetime.date(year, month, day) for month, day in fixed}
    days |= {
        easter,
        easter + datetime.timedelta(days=1),  # Easter Monday
        easter + datetime.timedelta(days=49),  # Pentecost (a Sunday)
        easter + datetime.timedelta(days=60),  # Corpus Christi
    }
    return frozenset(days)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (the day of submission does not
    count, as in the Code of Administrative Procedure)."""
    day = start
    left = max(days, 0)
    while left:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    if days <= 0:
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end`
    is earlier): how many are left until a deadline."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
