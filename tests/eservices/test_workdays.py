import datetime

from eservices.workdays import (
    add_working_days,
    easter_sunday,
    is_working_day,
    public_holidays,
    working_days_between,
)

D = datetime.date


def test_easter_dates_known_from_the_calendar():
    assert easter_sunday(2024) == D(2024, 3, 31)
    assert easter_sunday(2025) == D(2025, 4, 20)
    assert easter_sunday(2026) == D(2026, 4, 5)
    assert easter_sunday(2027) == D(2027, 3, 28)


def test_polish_public_holidays_of_2026():
    days = public_holidays(2026)
    assert D(2026, 4, 6) in days  # Easter Monday
    assert D(2026, 6, 4) in days  # Corpus Christi
    assert D(2026, 5, 24) in days  # Pentecost
    assert D(2026, 12, 24) in days  # Wigilia, free since 2025
    assert D(2024, 12, 24) not in public_holidays(2024)
    assert len(days) == 14


def test_weekends_and_holidays_are_skipped():
    # Thursday 30 April 2026 + 3 working days: 1 May (Fri), the weekend and
    # 3 May (Sun) skipped -> Mon 4, Tue 5, Wed 6 May
    assert add_working_days(D(2026, 4, 30), 3) == D(2026, 5, 6)
    # Friday + 1 -> Monday
    assert add_working_days(D(2026, 3, 13), 1) == D(2026, 3, 16)
    # over Christmas 2026: Wed 23 Dec + 1 -> Mon 28 Dec (24, 25, 26 and the weekend)
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 28)
    assert not is_working_day(D(2026, 11, 11))
    assert is_working_day(D(2026, 11, 12))


def test_days_left_counts_working_days_both_ways():
    assert working_days_between(D(2026, 3, 13), D(2026, 3, 16)) == 1
    assert working_days_between(D(2026, 3, 16), D(2026, 3, 13)) == -1
    assert working_days_between(D(2026, 3, 16), D(2026, 3, 16)) == 0
